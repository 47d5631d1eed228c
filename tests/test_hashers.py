"""Argon2id's cost comes from the settings (SHANGMI_ARGON2_*), and older hashes still verify."""

from __future__ import annotations

from typing import Any

import argon2
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password

from shangmi import settings as project_settings
from tests.test_deploy import manage

HASHER = "shangmi.accounts.hashers.ConfiguredArgon2PasswordHasher"
PASSWORD = "Shangmi2026load"


def _params(encoded: str) -> argon2.Parameters:
    return argon2.extract_parameters("$" + encoded.split("$", 1)[1])


def test_the_default_cost_is_the_documented_one(settings: Any) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    params = _params(make_password(PASSWORD))
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (argon2.Type.ID, 19456, 2, 1)


def test_the_cost_follows_the_settings_and_old_hashes_are_rehashed(settings: Any) -> None:
    settings.PASSWORD_HASHERS = [HASHER]
    settings.ARGON2_MEMORY_KIB, settings.ARGON2_TIME_COST, settings.ARGON2_PARALLELISM = 8192, 3, 2
    encoded = make_password(PASSWORD)
    params = _params(encoded)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (8192, 3, 2)
    assert identify_hasher(encoded).must_update(encoded) is False

    # A hash made with Django's own parameters (100 MiB x 2 x 8) verifies, and the sign-in
    # that checks it stores the password again with the configured cost.
    django_default = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert _params(django_default).memory_cost == 102400
    stored: list[str] = []
    assert check_password(PASSWORD, django_default, setter=lambda raw: stored.append(make_password(raw)))
    assert len(stored) == 1 and _params(stored[0]).memory_cost == 8192
    assert not check_password("wrong password", django_default)


def test_an_impossible_cost_stops_start_up(tmp_path: Any) -> None:
    proc = manage("check", env={"SHANGMI_ARGON2_MEMORY_KIB": "4"}, tmp_path=tmp_path)
    assert proc.returncode != 0
    assert "SHANGMI_ARGON2_MEMORY_KIB at least 8 per lane" in proc.stderr
