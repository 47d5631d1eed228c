"""A witness: someone other than the operator who cosigns the log's checkpoints (C2SP tlog-witness).

A provincial bureau, a court, a notary or an industry association runs it as its own process,
on its own machine, with its own state directory:

    python -m shangmi.evidence.witness init  --state DIR --name witness.example/w1
    python -m shangmi.evidence.witness serve --state DIR --log "<log public key>" --listen 127.0.0.1:9001

For each log (known by its origin and public key) it remembers the latest checkpoint it
cosigned. ``POST /add-checkpoint`` (request and answers as C2SP tlog-witness: ``old N``, the
consistency proof lines, a blank line, the signed checkpoint) gets a cosignature (C2SP
tlog-cosignature, Ed25519, ``cosignature/v1``) only for a checkpoint that a consistency proof
shows to extend the one it cosigned before. Shown two different trees for one size, or a tree
that does not extend the one it cosigned, it refuses and keeps both signed checkpoints in
``DIR/forks/`` as proof that the log forked. No Django: it needs nothing of the platform.

Key rotation: the log announces a new key in a checkpoint of its tree as it stands, with a
``key-rotation <new key>`` extension line, signed by the old key and by the new one
(note.rotation_note). The witness checks it like any checkpoint under the key it knows (a
"rotation" the old key did not sign is refused with 403, like a stranger's checkpoint), then
also under the announced key, and from then on knows the log by the new key alone: a
checkpoint the retired key signs later is refused. The key it knows is kept in its state, so
a restart with the first key on the command line still follows the rotation.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shangmi.evidence import merkle
from shangmi.evidence.note import (
    ALG_ED25519,
    ROTATION_PREFIX,
    SIG_PREFIX,
    Checkpoint,
    NoteError,
    NoteVerifier,
    _b64decode_strict,
    _check_key_name,
    _split_note,
)

ALG_COSIGNATURE_V1 = 0x04
MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = 64 * 1024


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key).digest()[:4]


def cosigned_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: a header line, a time line, then the checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


class Cosigner:
    """A witness's Ed25519 key and name."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_key_name(name)
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes_raw()
        self.key_id = cosignature_key_id(name, self.public_key)

    def __repr__(self) -> str:
        return f"Cosigner(name={self.name!r}, key_id={self.key_id.hex()})"

    def verifier_key(self) -> str:
        """``<name>+<key id hex>+<base64(0x04 || public key)>``: what a verifier's policy lists."""
        key = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{key}"

    def cosign(self, body: str, timestamp: int) -> str:
        signature = self._key.sign(cosigned_message(body, timestamp))
        raw = self.key_id + struct.pack(">Q", timestamp) + signature
        return f"{SIG_PREFIX}{self.name} {base64.b64encode(raw).decode('ascii')}\n"


@dataclass(frozen=True)
class WitnessKey:
    """A verifier's view of one witness: its name and public key."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return cosignature_key_id(self.name, self.public_key)

    @classmethod
    def parse(cls, text: str) -> WitnessKey:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("witness key must be <name>+<hash>+<key>")
        name, hash_hex, key_b64 = parts
        _check_key_name(name)
        raw = _b64decode_strict(key_b64, "witness key")
        if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
            raise NoteError("witness key is not an Ed25519 cosignature/v1 key")
        key = cls(name, raw[1:])
        if hash_hex != key.key_id.hex():
            raise NoteError("witness key has a wrong key hash")
        return key

    def cosignature_time(self, note: str) -> int | None:
        """The time this witness cosigned ``note`` at, or None when it holds no valid cosignature by it."""
        body, lines = _split_note(note)
        verifier = Ed25519PublicKey.from_public_bytes(self.public_key)
        for name, key_id, raw in lines:
            if name != self.name or key_id != self.key_id or len(raw) != 8 + 64:
                continue
            (timestamp,) = struct.unpack(">Q", raw[:8])
            try:
                verifier.verify(raw[8:], cosigned_message(body, timestamp))
            except InvalidSignature:
                continue
            return timestamp
        return None


def cosignatures_by(note: str, witnesses: list[WitnessKey]) -> dict[str, int]:
    """Witness name -> cosignature time, for each listed witness whose cosignature verifies."""
    found = {}
    for witness in witnesses:
        when = witness.cosignature_time(note)
        if when is not None:
            found[witness.name] = when
    return found


# --- the witness's own state ------------------------------------------------------------------


class WitnessState:
    """The state directory: the key, the latest cosigned checkpoint per log, the forks seen."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.key_file = self.directory / "witness.key"
        self.logs_file = self.directory / "logs.json"
        self.forks = self.directory / "forks"

    def create(self, name: str) -> Cosigner:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.key_file.exists():
            raise SystemExit(f"{self.key_file} exists already")
        key = Ed25519PrivateKey.generate()
        fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"name": name, "seed": key.private_bytes_raw().hex()}, handle)
        return Cosigner(name, key)

    def cosigner(self) -> Cosigner:
        data = json.loads(self.key_file.read_text())
        return Cosigner(data["name"], Ed25519PrivateKey.from_private_bytes(bytes.fromhex(data["seed"])))

    def latest(self) -> dict[str, dict[str, object]]:
        try:
            return json.loads(self.logs_file.read_text())
        except FileNotFoundError:
            return {}

    def save(self, logs: dict[str, dict[str, object]]) -> None:
        _atomic_write(self.logs_file, json.dumps(logs, indent=1).encode())

    def record_fork(self, origin: str, cosigned: str, shown: str, reason: str) -> Path:
        self.forks.mkdir(parents=True, exist_ok=True)
        path = self.forks / f"{int(time.time())}-{hashlib.sha256(shown.encode()).hexdigest()[:16]}.json"
        record = {"origin": origin, "reason": reason, "cosigned": cosigned, "shown": shown}
        _atomic_write(path, json.dumps(record, indent=1, ensure_ascii=False).encode())
        return path


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Witness:
    """The add-checkpoint logic; one request at a time, so check and update are atomic."""

    def __init__(self, state: WitnessState, logs: list[str]) -> None:
        self.state = state
        self.cosigner = state.cosigner()
        self.verifiers: dict[str, NoteVerifier] = {}
        for key in logs:
            verifier = NoteVerifier.from_verifier_key(key)
            self.verifiers[verifier.name] = verifier  # the log's key is named after its origin
        self._lock = threading.Lock()

    def add_checkpoint(self, request: bytes) -> tuple[int, str, str]:
        """(HTTP status, content type, body) as C2SP tlog-witness says."""
        try:
            text = request.decode("utf-8")
            head, sep, note = text.partition("\n\n")
            if not sep:
                raise ValueError("no blank line before the checkpoint")
            lines = head.split("\n")
            if not lines[0].startswith("old ") or not merkle_decimal(lines[0][4:]):
                raise ValueError("first line must be 'old <size>'")
            old = int(lines[0][4:])
            if len(lines) - 1 > MAX_PROOF_LINES:
                raise ValueError("too many proof lines")
            proof = [_b64decode_strict(line, "proof line") for line in lines[1:]]
            body, _ = _split_note(note)
            checkpoint = Checkpoint.parse(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return 400, "text/plain", f"请求格式错误 / bad request: {exc}\n"
        if checkpoint.origin not in self.verifiers:
            return 404, "text/plain", "未知日志 / unknown log\n"
        if old > checkpoint.size:
            return 400, "text/plain", "old 大于检查点的树规模 / old size is larger than the checkpoint\n"
        with self._lock:
            logs = self.state.latest()
            known = logs.get(checkpoint.origin)
            # The key this witness knows the log by: the last one a rotation it accepted announced.
            key = str(known["key"]) if known and known.get("key") else None
            verifier = NoteVerifier.from_verifier_key(key) if key else self.verifiers[checkpoint.origin]
            try:
                verifier.verify(note)
                announced = self._announced_key(note, checkpoint, verifier)
            except NoteError:
                return 403, "text/plain", "没有该日志密钥的有效签名 / no valid signature by the log's key\n"
            known_size = int(str(known["size"])) if known else 0
            if old != known_size:
                return 409, "text/x.tlog.size", f"{known_size}\n"
            if known:
                known_root = base64.b64decode(str(known["root"]))
                if checkpoint.size == known_size and checkpoint.root != known_root:
                    self.state.record_fork(checkpoint.origin, str(known["note"]), note, "two roots for one size")
                    return 409, "text/x.tlog.size", f"{known_size}\n"
                try:
                    merkle.verify_consistency(known_size, checkpoint.size, proof, known_root, checkpoint.root)
                except merkle.ProofError as exc:
                    # Signed by the log yet not an extension of what was cosigned: proof of a fork.
                    self.state.record_fork(checkpoint.origin, str(known["note"]), note, f"inconsistent: {exc}")
                    return 422, "text/plain", f"一致性证明不成立 / consistency proof does not verify: {exc}\n"
            elif proof:
                return 422, "text/plain", "old 为 0 时证明须为空 / the proof must be empty when old size is 0\n"
            rotations = [str(item) for item in _as_list(known.get("rotations"))] if known else []
            if announced:
                rotations.append(note)
            logs[checkpoint.origin] = {
                "size": checkpoint.size,
                "root": base64.b64encode(checkpoint.root).decode(),
                "note": note,
                "key": announced or key or _verifier_key(verifier),
                "rotations": rotations,
            }
            self.state.save(logs)  # persisted before the cosignature leaves
            return 200, "text/plain", self.cosigner.cosign(body, int(time.time()))

    @staticmethod
    def _announced_key(note: str, checkpoint: Checkpoint, verifier: NoteVerifier) -> str | None:
        """The new key a rotation announces (signed by it too), or None for an ordinary checkpoint."""
        announced = [ext[len(ROTATION_PREFIX) :] for ext in checkpoint.extensions if ext.startswith(ROTATION_PREFIX)]
        if not announced:
            return None
        if len(announced) != 1:
            raise NoteError("a key rotation names exactly one new key")
        new = NoteVerifier.from_verifier_key(announced[0])
        if new.name != checkpoint.origin:
            raise NoteError("the announced key is not named after the log's origin")
        if (new.name, new.public_key) == (verifier.name, verifier.public_key):
            return None  # a rotation to the key already known: shown again, nothing changes
        new.verify(note)  # the new key proves it is held by signing its own announcement
        return announced[0].strip()


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _verifier_key(verifier: NoteVerifier) -> str:
    key = base64.b64encode(bytes([ALG_ED25519]) + verifier.public_key).decode("ascii")
    return f"{verifier.name}+{verifier.key_id.hex()}+{key}"


def merkle_decimal(text: str) -> bool:
    return text == "0" or (text.isdigit() and text.isascii() and not text.startswith("0"))


def _handler(witness: Witness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            if self.path.rstrip("/").rsplit("/", 1)[-1] != "add-checkpoint":
                self._answer(404, "text/plain", "未找到 / not found\n")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                self._answer(413, "text/plain", "请求过大 / request too large\n")
                return
            self._answer(*witness.add_checkpoint(self.rfile.read(length)))

        def _answer(self, status: int, content_type: str, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            sys.stderr.write(f"witness: {format % args}\n")

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shangmi.evidence.witness", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create the witness key in its state directory and print its public key")
    init.add_argument("--state", type=Path, required=True)
    init.add_argument("--name", required=True, help="the witness's name, e.g. court.example/witness")
    serve = sub.add_parser("serve", help="answer add-checkpoint requests")
    serve.add_argument("--state", type=Path, required=True)
    serve.add_argument("--log", action="append", required=True, help="a log's public key (repeatable)")
    serve.add_argument("--listen", default="127.0.0.1:0", help="address:port (port 0: any free port)")
    args = parser.parse_args(argv)
    state = WitnessState(args.state)
    if args.command == "init":
        print(state.create(args.name).verifier_key())
        return 0
    witness = Witness(state, args.log)
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), _handler(witness))
    # The first line says where it listens and who it is: a test or a supervisor reads it.
    print(f"listening http://{host}:{server.server_address[1]} {witness.cosigner.verifier_key()}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
