"""The password hasher: Argon2id with its cost chosen for the hardware, from settings.

Django's own Argon2 hasher fixes 100 MiB, two passes and eight lanes. Measured on this
project's machine (2 shared vCPUs, argon2-cffi 25.1, 2026-12-06), that is 213 ms of CPU per
hash (264-380 ms wall): a morning wave of 10 sign-ins a second needs 2.1 cores for hashing
alone, and in the issue-14 load test every page's p90 rose to 3.5-4.5 s. The default here is
the OWASP password-storage minimum for Argon2id, m = 19 MiB, t = 2, p = 1: 27 ms of CPU
(47-55 ms wall), so the same wave takes a quarter of one core. A bureau with spare cores sets
SHANGMI_ARGON2_MEMORY_KIB / _TIME_COST / _PARALLELISM higher (docs/deploy.md, "Password
hashing"); BENCHMARKS.md has the figures.

The algorithm name stays "argon2": hashes made with other parameters (Django's, or an older
setting) still verify, since each hash carries its own parameters, and Django rehashes a
password with the configured ones at its owner's next sign-in (must_update compares them).
"""

from __future__ import annotations

import argon2
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class ConfiguredArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with settings.ARGON2_MEMORY_KIB, ARGON2_TIME_COST and ARGON2_PARALLELISM."""

    def params(self) -> argon2.Parameters:
        return argon2.Parameters(
            type=argon2.low_level.Type.ID,
            version=argon2.low_level.ARGON2_VERSION,
            salt_len=argon2.DEFAULT_RANDOM_SALT_LENGTH,
            hash_len=argon2.DEFAULT_HASH_LENGTH,
            time_cost=settings.ARGON2_TIME_COST,
            memory_cost=settings.ARGON2_MEMORY_KIB,
            parallelism=settings.ARGON2_PARALLELISM,
        )
