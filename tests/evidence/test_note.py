"""Signed notes and checkpoints (shangmi.evidence.note); no database needed."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shangmi.evidence.note import (
    Checkpoint,
    NoteError,
    NoteSigner,
    NoteVerifier,
    load_or_create_signing_key,
    open_checkpoint,
)

ORIGIN = "shangmi.example/log"
ED25519 = b"\x01"  # algorithm byte of the note key format
ROOT = hashlib.sha256(b"root").digest()


@pytest.fixture(scope="module")
def signer() -> NoteSigner:
    return NoteSigner.generate("shangmi.example/log")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _checkpoint(size: int = 42) -> Checkpoint:
    return Checkpoint(origin=ORIGIN, size=size, root=ROOT)


def _independent_key_hash(name: str, public_key: bytes) -> bytes:
    # Straight from the note spec: SHA-256(name || "\n" || 0x01 || public key), first 4 bytes.
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + public_key).digest()[:4]


# --- round trip and tampering -------------------------------------------------------------------


def test_round_trip(signer: NoteSigner) -> None:
    cp = Checkpoint(origin=ORIGIN, size=7, root=ROOT, extensions=("ext one", "ext two"))
    note = signer.sign(cp.body())
    assert note.startswith(f"{ORIGIN}\n7\n{base64.b64encode(ROOT).decode()}\next one\next two\n\n— ")
    assert open_checkpoint(note, signer.verifier_key(), origin=ORIGIN) == cp
    assert NoteVerifier.from_verifier_key(signer.verifier_key()).verify(note) == cp.body()


def test_origin_mismatch_rejected(signer: NoteSigner) -> None:
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(signer.sign(_checkpoint().body()), signer.verifier_key(), origin="other.example/log")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (ORIGIN, "shangmi.example/lo9"),  # body text
        ("\n42\n", "\n43\n"),  # tree size
        (base64.b64encode(ROOT).decode(), base64.b64encode(hashlib.sha256(b"x").digest()).decode()),  # root
    ],
)
def test_tampered_body_fails(signer: NoteSigner, old: str, new: str) -> None:
    note = signer.sign(_checkpoint().body())
    forged = note.replace(old, new, 1)
    assert forged != note
    with pytest.raises(NoteError, match="invalid signature"):
        open_checkpoint(forged, signer.verifier_key())


def test_tampered_signature_fails(signer: NoteSigner) -> None:
    note = signer.sign(_checkpoint().body())
    body, sig_line = note.split("\n\n")
    prefix, b64 = sig_line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(b64))
    raw[-1] ^= 0x01  # a signature byte, not the key id
    forged = f"{body}\n\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(NoteError, match="invalid signature"):
        open_checkpoint(forged, signer.verifier_key())


def test_wrong_key_fails(signer: NoteSigner) -> None:
    impostor = NoteSigner.generate(signer.name)  # same name, different key: key ids differ
    with pytest.raises(NoteError, match="no signature"):
        open_checkpoint(impostor.sign(_checkpoint().body()), signer.verifier_key())


def test_other_keys_signature_lines_are_ignored(signer: NoteSigner) -> None:
    witness = NoteSigner.generate("witness.example")
    body = _checkpoint().body()
    cosigned = body + "\n" + witness.signature_line(body) + signer.signature_line(body)
    assert NoteVerifier.from_verifier_key(signer.verifier_key()).verify(cosigned) == body
    assert NoteVerifier.from_verifier_key(witness.verifier_key()).verify(cosigned) == body
    # An unknown key's garbage signature does not matter either, as long as it is well formed.
    junk = "— someone.else " + base64.b64encode(b"\x00\x01\x02\x03" + b"\x00" * 64).decode() + "\n"
    assert NoteVerifier.from_verifier_key(signer.verifier_key()).verify(cosigned + junk) == body
    with pytest.raises(NoteError, match="no signature"):
        open_checkpoint(witness.sign(body), signer.verifier_key())


@pytest.mark.parametrize(
    "mangle",
    [
        lambda note: note.replace("— ", "-- "),  # hyphens instead of the em dash
        lambda note: note.replace("— ", "—"),  # missing space
        lambda note: note[:-1],  # signature block without final newline
        lambda note: note + "trailing junk\n",  # a non-signature line in the block
        lambda note: note.replace("\n\n", "\n"),  # no blank line before signatures
        lambda note: note.replace("\n42\n", "\n42\r\n"),  # control character
        lambda note: note.rsplit(" ", 1)[0] + " !!notbase64!!\n",
        lambda note: note.rsplit(" ", 1)[0] + " AAAA\n",  # too short: key id only
    ],
)
def test_malformed_notes_rejected(signer: NoteSigner, mangle) -> None:
    with pytest.raises(NoteError):
        open_checkpoint(mangle(signer.sign(_checkpoint().body())), signer.verifier_key())


def test_oversized_note_rejected(signer: NoteSigner) -> None:
    body = _checkpoint().body() + ("x" * 100 + "\n") * 10_000
    with pytest.raises(NoteError, match="exceeds"):
        NoteVerifier.from_verifier_key(signer.verifier_key()).verify(signer.sign(body))


def test_body_must_end_with_newline(signer: NoteSigner) -> None:
    with pytest.raises(NoteError, match="newline"):
        signer.sign("no newline")


# --- keys ---------------------------------------------------------------------------------------


def test_key_hash_matches_definition(signer: NoteSigner) -> None:
    expected = _independent_key_hash(signer.name, signer.public_key)
    assert signer.key_id == expected
    assert signer.verifier_key().split("+")[1] == expected.hex()
    assert NoteVerifier.from_verifier_key(signer.verifier_key()).key_id == expected


def test_known_answer_from_fixed_seed() -> None:
    seed = bytes(range(32))
    name = "kat.example/log"
    body = "kat.example/log\n5\n" + base64.b64encode(bytes(32)).decode() + "\n"
    # Expected values from the cryptography primitives and the spec alone, not from the module.
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes_raw()
    kid = _independent_key_hash(name, public)
    expected_vkey = f"{name}+{kid.hex()}+{_b64(ED25519 + public)}"
    expected_line = f"\u2014 {name} {base64.b64encode(kid + key.sign(body.encode())).decode()}\n"

    private = f"PRIVATE+KEY+{name}+{kid.hex()}+{_b64(ED25519 + seed)}"
    signer = NoteSigner.from_private_key_string(private)
    assert signer.verifier_key() == expected_vkey
    assert signer.sign(body) == body + "\n" + expected_line
    assert signer.private_key_string() == private


def test_keys_whose_base64_contains_plus() -> None:
    # "+" separates the fields of key strings but is also a base64 digit: the key part must survive.
    seed = next(
        s
        for s in (bytes([i]) * 32 for i in range(256))
        if "+" in _b64(ED25519 + Ed25519PrivateKey.from_private_bytes(s).public_key().public_bytes_raw())
        and "+" in _b64(ED25519 + s)
    )
    signer = NoteSigner.from_private_key_string(NoteSigner.from_seed("plus.example", seed).private_key_string())
    assert "+" in signer.verifier_key().split("+", 2)[2]
    verifier = NoteVerifier.from_verifier_key(signer.verifier_key())
    assert verifier.public_key == signer.public_key
    assert verifier.verify(signer.sign("hello\n")) == "hello\n"


def test_private_key_string_round_trip(signer: NoteSigner) -> None:
    again = NoteSigner.from_private_key_string(signer.private_key_string())
    assert again.verifier_key() == signer.verifier_key()
    assert "PRIVATE" not in repr(signer)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "name+deadbeef",
        "name+deadbeef+AQ==",  # key too short
        "name+00000000+" + base64.b64encode(b"\x01" + bytes(32)).decode(),  # wrong hash
        "na me+deadbeef+" + base64.b64encode(b"\x01" + bytes(32)).decode(),  # space in name
        "name+deadbeef+" + base64.b64encode(b"\x02" + bytes(32)).decode(),  # unknown algorithm
    ],
)
def test_bad_verifier_keys_rejected(text: str) -> None:
    with pytest.raises(NoteError):
        NoteVerifier.from_verifier_key(text)


def test_private_key_string_with_wrong_hash_rejected(signer: NoteSigner) -> None:
    parts = signer.private_key_string().split("+")
    parts[3] = "00000000" if parts[3] != "00000000" else "11111111"
    with pytest.raises(NoteError, match="hash"):
        NoteSigner.from_private_key_string("+".join(parts))


def test_key_file_created_0600_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "nested" / "log.key"
    first = load_or_create_signing_key(path, "shangmi.example/log")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("PRIVATE+KEY+shangmi.example/log+")
    second = load_or_create_signing_key(path, "shangmi.example/log")
    assert second.verifier_key() == first.verifier_key()
    assert sorted(p.name for p in path.parent.iterdir()) == ["log.key"]  # no temp files left behind


def test_key_file_with_other_name_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    load_or_create_signing_key(path, "one.example/log")
    with pytest.raises(NoteError, match="expected"):
        load_or_create_signing_key(path, "two.example/log")


def test_corrupt_key_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    path.write_text("not a key\n")
    with pytest.raises(NoteError, match="invalid"):
        load_or_create_signing_key(path, "one.example/log")


# --- checkpoint parsing -------------------------------------------------------------------------


def test_checkpoint_body_format() -> None:
    assert _checkpoint(0).body() == f"{ORIGIN}\n0\n{base64.b64encode(ROOT).decode()}\n"
    assert Checkpoint.parse(_checkpoint(0).body()).size == 0


ROOT_B64 = base64.b64encode(ROOT).decode()
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Same bytes, but the unused low bits of the last base64 digit set: decoders that are not strict accept it.
ROOT_B64_NONCANONICAL = ROOT_B64[:-2] + _ALPHABET[_ALPHABET.index(ROOT_B64[-2]) | 1] + "="


@pytest.mark.parametrize(
    "body",
    [
        f"{ORIGIN}\n042\n{ROOT_B64}\n",  # leading zero
        f"{ORIGIN}\n+42\n{ROOT_B64}\n",  # sign
        f"{ORIGIN}\n-1\n{ROOT_B64}\n",
        f"{ORIGIN}\n 42\n{ROOT_B64}\n",
        f"{ORIGIN}\n4_2\n{ROOT_B64}\n",
        f"{ORIGIN}\n\n{ROOT_B64}\n",  # empty size
        f"{ORIGIN}\n{2**64}\n{ROOT_B64}\n",  # beyond uint64
        f"{ORIGIN}\n42\n{base64.b64encode(ROOT[:31]).decode()}\n",  # short root
        f"{ORIGIN}\n42\n{base64.b64encode(ROOT + b'x').decode()}\n",  # long root
        f"{ORIGIN}\n42\n{ROOT_B64.rstrip('=')}\n",  # unpadded base64
        f"{ORIGIN}\n42\n{ROOT_B64_NONCANONICAL}\n",  # non-canonical padding bits
        f"\n42\n{ROOT_B64}\n",  # empty origin
        f"{ORIGIN}\n42\n{ROOT_B64}\n\next\n",  # empty line
        f"{ORIGIN}\n42\n{ROOT_B64}",  # no final newline
        f"{ORIGIN}\n42\n",  # missing root
    ],
)
def test_checkpoint_parse_strict(body: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(body)


def test_checkpoint_with_extensions_parses() -> None:
    body = f"{ORIGIN}\n42\n{ROOT_B64}\nx-ext 1\n"
    assert Checkpoint.parse(body).extensions == ("x-ext 1",)


def test_checkpoint_constructor_validates() -> None:
    with pytest.raises(NoteError):
        Checkpoint(origin="", size=1, root=ROOT)
    with pytest.raises(NoteError):
        Checkpoint(origin=ORIGIN, size=-1, root=ROOT)
    with pytest.raises(NoteError):
        Checkpoint(origin=ORIGIN, size=1, root=ROOT, extensions=("a\nb",))
