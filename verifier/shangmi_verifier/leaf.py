# Generated from shangmi/evidence/leaf.py by scripts/build_verifier.py: edit that file, not this one.
"""The bytes of one log leaf, and the salted commitments inside it (docs/evidence-log.md).

Pure Python with no Django: the offline verifier rebuilds a leaf from a receipt and a file
with nothing but this module and hashlib.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

# Version 2: the time is the sequencer's, set when the leaf was integrated (whole seconds, one
# value per batch). Version 1 leaves, written before, carry the time the deposit was accepted.
LEAF_VERSION = 2
LEAF_VERSIONS = (1, 2)
SALT_SIZE = 32
DIGEST_SIZE = 32
# version (1) + SHA-256 commitment (32) + SM3 commitment (32) + time in ms (8)
LEAF_SIZE = 1 + DIGEST_SIZE + DIGEST_SIZE + 8
_LAYOUT = struct.Struct(">B32s32sQ")
LEAF_LAYOUT = _LAYOUT  # version, SHA-256 commitment, SM3 commitment, time (ms): what a leaf's bytes are
# The enterprise's deposit key derives each file's salt on the enterprise's side, so the platform
# never needs to keep a salt or a digest: a lost receipt is rebuilt from the file and this key.
DEPOSIT_KEY_SIZE = 32
SALT_LABEL = b"shangmi-evidence-salt/1\n"


class LeafError(ValueError):
    pass


def sm3(data: bytes = b"") -> hashlib._Hash:
    """SM3 (GB/T 32905) from the OpenSSL behind hashlib; a clear error where a build lacks it."""
    try:
        return hashlib.new("sm3", data)
    except ValueError as exc:  # pragma: no cover - depends on the OpenSSL build
        raise LeafError("this Python's OpenSSL has no SM3 / 本机 OpenSSL 不支持 SM3") from exc


def sha256_commitment(salt: bytes, file_sha256: bytes) -> bytes:
    """SHA-256(salt || digest): a bare digest of a short secret could be guessed; the salt,
    kept by the enterprise in its receipt, makes the published value reveal nothing."""
    _check(salt, SALT_SIZE, "salt")
    _check(file_sha256, DIGEST_SIZE, "SHA-256 digest")
    return hashlib.sha256(salt + file_sha256).digest()


def sm3_commitment(salt: bytes, file_sm3: bytes) -> bytes:
    """SM3(salt || SM3 digest): the same commitment in the national-standard algorithm."""
    _check(salt, SALT_SIZE, "salt")
    _check(file_sm3, DIGEST_SIZE, "SM3 digest")
    return sm3(salt + file_sm3).digest()


def derive_salt(deposit_key: bytes, file_sha256: bytes) -> bytes:
    """HMAC-SHA-256(deposit key, "shangmi-evidence-salt/1\\n" || SHA-256 of the file).

    Computed where the file is (the browser page, the command-line client, a verifier given
    the key). Whoever lacks the key cannot compute the salt, so a commitment in the public log
    or in a copy of the platform's database confirms no guessed document; whoever holds the
    key and the file rebuilds the same salt and so the same commitment.
    """
    _check(deposit_key, DEPOSIT_KEY_SIZE, "deposit key")
    _check(file_sha256, DIGEST_SIZE, "SHA-256 digest")
    return hmac.new(deposit_key, SALT_LABEL + file_sha256, hashlib.sha256).digest()


def parse_deposit_key(text: str) -> bytes:
    """A deposit key as written by ``python -m shangmi.evidence keygen``: 64 hexadecimal characters."""
    value = text.strip().lower()
    try:
        key = bytes.fromhex(value)
    except ValueError as exc:
        raise LeafError("a deposit key is 64 hexadecimal characters / 存证密钥须为 64 位十六进制") from exc
    _check(key, DEPOSIT_KEY_SIZE, "deposit key")
    return key


def _check(value: bytes, size: int, what: str) -> None:
    if len(value) != size:
        raise LeafError(f"{what} must be {size} bytes, got {len(value)}")


@dataclass(frozen=True)
class Leaf:
    sha256_commitment: bytes
    sm3_commitment: bytes
    time_ms: int  # milliseconds since the Unix epoch: the platform's claim, not a proof (see LEAF_VERSION)
    version: int = LEAF_VERSION

    def to_bytes(self) -> bytes:
        return _LAYOUT.pack(self.version, self.sha256_commitment, self.sm3_commitment, self.time_ms)

    @classmethod
    def from_bytes(cls, data: bytes) -> Leaf:
        if len(data) != LEAF_SIZE:
            raise LeafError(f"a leaf is {LEAF_SIZE} bytes, got {len(data)}")
        version, c_sha, c_sm3, time_ms = _LAYOUT.unpack(data)
        if version not in LEAF_VERSIONS:
            raise LeafError(f"unknown leaf version {version}")
        return cls(c_sha, c_sm3, time_ms, version)
