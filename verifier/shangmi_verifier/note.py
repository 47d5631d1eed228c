# Generated from shangmi/evidence/note.py by scripts/build_verifier.py: edit that file, not this one.
"""Signed tree heads: C2SP tlog-checkpoint bodies inside C2SP signed notes, signed with Ed25519.

The wire format is the one golang.org/x/mod/sumdb/note and the transparency-log ecosystem use, so a
checkpoint we publish can be checked with their tools and vice versa. This module deliberately has no
Django import: the offline evidence verifier loads it without a database or settings.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAX_NOTE_BYTES = 1_000_000
MAX_SIGNATURES = 100  # same cap as the Go implementation: parsing cost must stay bounded
ALG_ED25519 = 0x01
SIG_PREFIX = "\u2014 "  # em dash + space starts every signature line
ED25519_SIG_LEN = 64
ROOT_HASH_LEN = 32  # SHA-256 Merkle tree (RFC 6962 hashing)
_MAX_TREE_SIZE = 2**64 - 1  # tree sizes are uint64 everywhere else in the ecosystem
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_HEX8 = re.compile(r"[0-9a-f]{8}")


class NoteError(ValueError):
    """A note, checkpoint or key that is malformed, unsigned by the expected key, or forged."""


# --- small helpers ------------------------------------------------------------------------------


def _b64decode_strict(text: str, what: str) -> bytes:
    """Decode standard base64, refusing anything that does not re-encode to the same text.

    Rejecting non-canonical encodings keeps "one value, one spelling": two notes that differ only in
    padding bits would otherwise carry the same signature yet compare unequal as text.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def _check_text(text: str, what: str) -> None:
    """Signed-note text is UTF-8 with no control characters other than newline."""
    for ch in text:
        if ch != "\n" and (ord(ch) < 0x20 or ch == "\x7f"):
            raise NoteError(f"{what} contains a control character (U+{ord(ch):04X})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates cannot be serialised
        raise NoteError(f"{what} is not valid UTF-8") from exc


def _check_key_name(name: str) -> None:
    """Key names appear inside '+'-separated key strings and space-separated signature lines."""
    if not name:
        raise NoteError("key name is empty")
    if "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"key name {name!r} must not contain '+' or whitespace")
    _check_text(name, "key name")


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id: SHA-256(name || "\\n" || 0x01 || public key)[:4]."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return digest[:4]


def _signature_line(name: str, key_id: bytes, signature: bytes) -> str:
    return f"{SIG_PREFIX}{name} {base64.b64encode(key_id + signature).decode('ascii')}\n"


# --- checkpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A C2SP tlog-checkpoint: the log's origin, tree size, root hash and optional extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Validating on construction means body() can never emit something parse() would refuse.
        for label, line in [("origin", self.origin), *(("extension line", ext) for ext in self.extensions)]:
            if not line:
                raise NoteError(f"checkpoint {label} is empty")
            if "\n" in line:
                raise NoteError(f"checkpoint {label} contains a newline")
            _check_text(line, f"checkpoint {label}")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or not 0 <= self.size <= _MAX_TREE_SIZE:
            raise NoteError(f"checkpoint size {self.size!r} is not an unsigned 64-bit integer")
        if not isinstance(self.root, bytes) or len(self.root) != ROOT_HASH_LEN:
            raise NoteError(f"checkpoint root hash must be {ROOT_HASH_LEN} bytes")

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii"), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        if not body.endswith("\n"):
            raise NoteError("checkpoint body does not end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("checkpoint needs origin, size and root hash lines")
        if any(not line for line in lines):
            raise NoteError("checkpoint contains an empty line")
        origin, size_text, root_text, *extensions = lines
        # fullmatch on an explicit pattern: int() would also accept "+5", " 5", "0005" and "5_0".
        if not _DECIMAL.fullmatch(size_text):
            raise NoteError(f"checkpoint size {size_text!r} is not a decimal without leading zeros")
        root = _b64decode_strict(root_text, "checkpoint root hash")
        return cls(origin=origin, size=int(size_text), root=root, extensions=tuple(extensions))


# --- signing ------------------------------------------------------------------------------------


class NoteSigner:
    """An Ed25519 note signing key. Keep it out of the database: see load_or_create_signing_key."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_key_name(name)
        self.name = name
        self._private_key = private_key
        self.public_key: bytes = private_key.public_key().public_bytes_raw()
        self.key_id: bytes = key_hash(name, self.public_key)

    def __repr__(self) -> str:  # never leak the seed into logs or tracebacks
        return f"NoteSigner(name={self.name!r}, key_id={self.key_id.hex()})"

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> NoteSigner:
        if len(seed) != 32:
            raise NoteError("Ed25519 seed must be 32 bytes")
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_private_key_string(cls, text: str) -> NoteSigner:
        # maxsplit: the base64 key itself may contain "+"; the name and hash never do.
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteError("private key string must be PRIVATE+KEY+<name>+<hash>+<key>")
        _, _, name, hash_hex, key_b64 = parts
        _check_key_name(name)
        key = _b64decode_strict(key_b64, "private key")
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise NoteError("private key is not an Ed25519 key")
        signer = cls.from_seed(name, key[1:])
        # The hash binds name and key together; a mismatch means the string was edited or corrupted.
        if not _HEX8.fullmatch(hash_hex) or bytes.fromhex(hash_hex) != signer.key_id:
            raise NoteError("private key string has a wrong key hash")
        return signer

    def private_key_string(self) -> str:
        seed = self._private_key.private_bytes_raw()
        key_b64 = base64.b64encode(bytes([ALG_ED25519]) + seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{key_b64}"

    def verifier_key(self) -> str:
        key_b64 = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{key_b64}"

    def signature_line(self, body: str) -> str:
        _check_body(body)
        return _signature_line(self.name, self.key_id, self._private_key.sign(body.encode("utf-8")))

    def sign(self, body: str) -> str:
        """Return the complete signed note: body, blank line, one signature line."""
        return body + "\n" + self.signature_line(body)


def _check_body(body: str) -> None:
    if not body.endswith("\n"):
        raise NoteError("note body does not end with a newline")
    _check_text(body, "note body")


# --- verification -------------------------------------------------------------------------------


class NoteVerifier:
    """Checks notes against one Ed25519 verifier key ("<name>+<hash>+<base64 key>")."""

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_key_name(name)
        if len(public_key) != 32:
            raise NoteError("Ed25519 public key must be 32 bytes")
        self.name = name
        self.public_key = public_key
        self.key_id = key_hash(name, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    def __repr__(self) -> str:
        return f"NoteVerifier(name={self.name!r}, key_id={self.key_id.hex()})"

    @classmethod
    def from_verifier_key(cls, text: str) -> NoteVerifier:
        parts = text.strip().split("+", 2)  # the base64 key may itself contain "+"
        if len(parts) != 3:
            raise NoteError("verifier key must be <name>+<hash>+<key>")
        name, hash_hex, key_b64 = parts
        _check_key_name(name)
        key = _b64decode_strict(key_b64, "verifier key")
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise NoteError("verifier key is not an Ed25519 key")
        verifier = cls(name, key[1:])
        if not _HEX8.fullmatch(hash_hex) or bytes.fromhex(hash_hex) != verifier.key_id:
            raise NoteError("verifier key has a wrong key hash")
        return verifier

    def verify(self, note: str) -> str:
        """Return the note body if this key signed it; raise NoteError otherwise."""
        body, sig_lines = _split_note(note)
        found = False
        for name, key_id, signature in sig_lines:
            # Other keys' signatures (witnesses, co-signers) are legitimate and simply not ours to check.
            if name != self.name or key_id != self.key_id:
                continue
            if len(signature) != ED25519_SIG_LEN:
                raise NoteError("signature by this key has the wrong length")
            try:
                self._key.verify(signature, body.encode("utf-8"))
            except InvalidSignature as exc:
                raise NoteError(f"invalid signature by {self.name}") from exc
            found = True
        if not found:
            raise NoteError(f"note has no signature by {self.name}+{self.key_id.hex()}")
        return body


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """Split a note into its body and parsed (name, key id, signature) lines; format errors raise."""
    if len(note.encode("utf-8", errors="surrogatepass")) > MAX_NOTE_BYTES:
        raise NoteError(f"note exceeds {MAX_NOTE_BYTES} bytes")
    _check_text(note, "note")
    # The signature block is whatever follows the last blank line; the body keeps its final newline.
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no signature block")
    body, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note signature block is empty or does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("note has too many signatures")
    return body, [_parse_signature_line(line) for line in lines]


def _parse_signature_line(line: str) -> tuple[str, bytes, bytes]:
    if not line.startswith(SIG_PREFIX):
        raise NoteError("signature line does not start with an em dash and a space")
    name, sep, sig_b64 = line[len(SIG_PREFIX) :].partition(" ")
    if not sep or not sig_b64:
        raise NoteError("signature line must be '— <name> <base64 signature>'")
    _check_key_name(name)
    raw = _b64decode_strict(sig_b64, "signature")
    if len(raw) < 5:  # 4-byte key id plus at least one signature byte
        raise NoteError("signature is too short")
    return name, raw[:4], raw[4:]


def open_checkpoint(note: str, verifier_key: str, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint note and parse it; optionally insist on the log's origin line."""
    checkpoint = Checkpoint.parse(NoteVerifier.from_verifier_key(verifier_key).verify(note))
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint


# --- key rotation -------------------------------------------------------------------------------

# A new log key is announced in a checkpoint of the tree as it stands, with one extension line
# naming the new key, signed by the old key and by the new one: the old key vouches for the
# new, and the new proves it is held. Whoever pinned the old key follows the chain of these
# announcements; a key no announcement leads to is refused.
ROTATION_PREFIX = "key-rotation "


def rotation_note(old: NoteSigner, new: NoteSigner, origin: str, size: int, root: bytes) -> str:
    body = Checkpoint(origin, size, root, (ROTATION_PREFIX + new.verifier_key(),)).body()
    return body + "\n" + old.signature_line(body) + new.signature_line(body)


def open_rotation(note: str, trusted_key: str, origin: str | None = None) -> tuple[Checkpoint, str]:
    """A key rotation signed by ``trusted_key`` and by the key it announces: (checkpoint, new key)."""
    checkpoint = open_checkpoint(note, trusted_key, origin)
    announced = [ext[len(ROTATION_PREFIX) :] for ext in checkpoint.extensions if ext.startswith(ROTATION_PREFIX)]
    if len(announced) != 1:
        raise NoteError("a key rotation names exactly one new key")
    new_key = announced[0]
    open_checkpoint(note, new_key, origin)  # the new key must have signed its own announcement
    return checkpoint, new_key


KeySpan = tuple[str, int, int | None]  # a key, the first tree size it signs, the last (None: current)


def key_chain(pinned_key: str, rotations: Sequence[str], origin: str | None = None) -> list[KeySpan]:
    """Each key the log has used, from ``pinned_key`` on: (key, first size, last size or None).

    A key signs trees from the size at which it was announced; the key it replaced signs none
    larger than that size (a retired key that signs on is refused, like a stranger's key).
    """
    chain: list[KeySpan] = [(pinned_key.strip(), 0, None)]
    for note in rotations:
        key, first, _ = chain[-1]
        checkpoint, new_key = open_rotation(note, key, origin)
        if checkpoint.size < first:
            raise NoteError(f"a key rotation at size {checkpoint.size} goes back before size {first}")
        chain[-1] = (key, first, checkpoint.size)
        chain.append((new_key, checkpoint.size, None))
    return chain


def open_checkpoint_following(
    note: str, pinned_key: str, rotations: Sequence[str] = (), origin: str | None = None
) -> Checkpoint:
    """Open a checkpoint signed by ``pinned_key`` or by a key announced from it, within its sizes."""
    chain = key_chain(pinned_key, rotations, origin)
    failures = []
    for key, first, last in reversed(chain):
        try:
            checkpoint = open_checkpoint(note, key, origin)
        except NoteError as exc:
            failures.append(str(exc))
            continue
        if checkpoint.size < first or (last is not None and checkpoint.size > last):
            raise NoteError(f"checkpoint {checkpoint.size} is signed by a key retired at size {last}")
        return checkpoint
    if len(chain) == 1:
        raise NoteError(failures[0])
    raise NoteError("the checkpoint is signed by no key announced from the pinned one (" + "; ".join(failures) + ")")


# --- key storage --------------------------------------------------------------------------------


def load_or_create_signing_key(path: Path, name: str) -> NoteSigner:
    """Load the log's signing key from a file, creating it (mode 0600) on first use.

    The key lives in a file, not the database, so a database dump or a compromised admin account
    cannot forge tree heads.
    """
    path = Path(path)
    if not path.exists():
        _create_key_file(path, NoteSigner.generate(name))
    try:
        signer = NoteSigner.from_private_key_string(path.read_text(encoding="utf-8"))
    except NoteError as exc:
        raise NoteError(f"signing key file {path} is invalid: {exc}") from exc
    if signer.name != name:
        raise NoteError(f"signing key file {path} holds key {signer.name!r}, expected {name!r}")
    return signer


def _create_key_file(path: Path, signer: NoteSigner) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600 from the start, and link() publishes it atomically without
    # overwriting: two processes racing at first start both end up reading the same, complete key.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-note-key-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(signer.private_key_string() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # FileExistsError: another process won the race; its key is the one everybody reads back.
        with contextlib.suppress(FileExistsError):
            os.link(tmp_name, path)
    finally:
        os.unlink(tmp_name)
