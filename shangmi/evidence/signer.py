"""What the log's signer remembers, kept beside its key file and never in the database.

Whoever can write to the database but does not hold the key must not be able to make the
platform sign a rolled-back, truncated, forked or edited log. So the signer keeps its own
record of what it signed, in the key's directory (the backup of that directory carries it):

- ``<key>.state.json``: origin, public key, size, root, the right edge of the tree (the
  hashes of its complete subtrees, one per set bit of the size), the latest leaf time and
  the number of checkpoints signed. Replaced atomically (temporary file, fsync, rename).
- ``<key>.leaves``: every leaf hash signed so far, 32 bytes each, in index order, so an audit
  names an edited, removed or moved entry by its index even after every stored node and the
  deposit row were recomputed to match.
- ``<key>.checkpoints``: one line ``<size> <root base64>`` per checkpoint signed, so a deleted
  or replaced checkpoint row is named by its size.
- ``<key>.batch.json``: the batch being committed (its deposits, leaf bytes, signed note),
  written before the memory and removed once the database has committed it. Should the commit
  fail, the next run writes exactly that batch again instead of signing another root for its
  size (log.py, ``_reconcile``).

The two append-only files are written and fsynced before the state file is renamed into
place; the state is what counts, and bytes beyond it (a crash between the two) are cut off on
the next write. Like note.py, this module has no Django import.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shangmi.evidence import merkle

STATE_FORMAT = "shangmi-evidence-signer/1"
HASH_SIZE = 32


class SignerMemoryError(ValueError):
    """The signer's own files are unreadable or contradict each other."""


@dataclass
class SignerMemory:
    origin: str
    public_key: str
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    peaks: list[bytes] = field(default_factory=list)
    last_time_ms: int = 0
    checkpoints: int = 0
    # The key this signer started with and each rotation note since (note.rotation_note): the
    # audit follows them from the first key to the current one, whatever the database says.
    first_key: str = ""
    rotations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.first_key = self.first_key or self.public_key

    def to_json(self) -> str:
        b64 = lambda value: base64.b64encode(value).decode("ascii")  # noqa: E731
        return json.dumps(
            {
                "format": STATE_FORMAT,
                "origin": self.origin,
                "public_key": self.public_key,
                "size": self.size,
                "root": b64(self.root),
                "peaks": [b64(peak) for peak in self.peaks],
                "last_time_ms": self.last_time_ms,
                "checkpoints": self.checkpoints,
                "first_key": self.first_key,
                "rotations": self.rotations,
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> SignerMemory:
        try:
            data = json.loads(text)
            if data.get("format") != STATE_FORMAT:
                raise SignerMemoryError(f"not a {STATE_FORMAT} file")
            memory = cls(
                origin=str(data["origin"]),
                public_key=str(data["public_key"]),
                size=int(data["size"]),
                root=base64.b64decode(data["root"], validate=True),
                peaks=[base64.b64decode(peak, validate=True) for peak in data["peaks"]],
                last_time_ms=int(data["last_time_ms"]),
                checkpoints=int(data["checkpoints"]),
                first_key=str(data.get("first_key") or data["public_key"]),
                rotations=[str(note) for note in data.get("rotations", [])],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SignerMemoryError(f"signer state is malformed: {exc}") from exc
        try:
            compact = memory.compact()
        except ValueError as exc:
            raise SignerMemoryError(f"signer state is malformed: {exc}") from exc
        if compact.root() != memory.root:
            raise SignerMemoryError("signer state's right edge does not reproduce its root")
        return memory

    def compact(self) -> merkle.CompactRange:
        return merkle.CompactRange(self.size, self.peaks)


class SignerFiles:
    """The three files beside ``key_file``; see the module docstring."""

    def __init__(self, key_file: Path) -> None:
        key_file = Path(key_file)
        self.directory = key_file.parent
        self.state = key_file.with_name(key_file.name + ".state.json")
        self.leaves = key_file.with_name(key_file.name + ".leaves")
        self.checkpoints = key_file.with_name(key_file.name + ".checkpoints")
        self.batch = key_file.with_name(key_file.name + ".batch.json")

    def load(self) -> SignerMemory | None:
        """The remembered state, or None when this signer never signed anything."""
        try:
            text = self.state.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return SignerMemory.from_json(text)

    def record(self, memory: SignerMemory, previous: SignerMemory | None, leaf_hashes: bytes) -> None:
        """Remember a new signed tree: append its leaves and checkpoint, then replace the state.

        ``previous`` is the state the new one extends (None for the first checkpoint): the
        append-only files are cut back to it first, dropping what a crash left half written.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        old_size = previous.size if previous else 0
        old_count = previous.checkpoints if previous else 0
        _append(self.leaves, old_size * HASH_SIZE, leaf_hashes)
        line = f"{memory.size} {base64.b64encode(memory.root).decode('ascii')}\n".encode("ascii")
        _append(self.checkpoints, _offset_of_line(self.checkpoints, old_count), line)
        _replace(self.state, memory.to_json().encode("utf-8"))

    def remember(self, memory: SignerMemory) -> None:
        """Replace the state alone (a key rotation: the same tree, a new key)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        _replace(self.state, memory.to_json().encode("utf-8"))

    def write_batch(self, batch: dict[str, object]) -> None:
        """The batch about to be committed, kept until the database has it (see the module docstring)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        _replace(self.batch, json.dumps(batch).encode("utf-8"))

    def read_batch(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.batch.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise SignerMemoryError(f"the batch journal is malformed: {exc}") from exc
        if not isinstance(data, dict):
            raise SignerMemoryError("the batch journal is malformed")
        return data

    def clear_batch(self) -> None:
        self.batch.unlink(missing_ok=True)

    def leaf_hashes(self, size: int) -> Iterator[bytes]:
        """The first ``size`` leaf hashes the signer signed, in index order."""
        with open(self.leaves, "rb") as handle:
            for _ in range(size):
                value = handle.read(HASH_SIZE)
                if len(value) != HASH_SIZE:
                    raise SignerMemoryError(f"signer's leaf file is shorter than {size} leaves")
                yield value

    def signed_checkpoints(self, count: int) -> list[tuple[int, bytes]]:
        """The first ``count`` checkpoints the signer signed: (size, root)."""
        try:
            lines = self.checkpoints.read_text(encoding="ascii").split("\n")[:count]
        except (FileNotFoundError, UnicodeDecodeError) as exc:
            raise SignerMemoryError(f"signer's checkpoint file is unreadable: {exc}") from exc
        if len(lines) < count:
            raise SignerMemoryError(f"signer's checkpoint file holds fewer than {count} checkpoints")
        signed = []
        for line in lines:
            size, _, root = line.partition(" ")
            try:
                signed.append((int(size), base64.b64decode(root, validate=True)))
            except ValueError as exc:
                raise SignerMemoryError(f"signer's checkpoint file has a malformed line: {line!r}") from exc
        return signed


def _offset_of_line(path: Path, count: int) -> int:
    """Byte offset just after the first ``count`` lines (0 when the file is absent)."""
    if count == 0 or not path.exists():
        return 0
    offset = 0
    with open(path, "rb") as handle:
        for _ in range(count):
            line = handle.readline()
            if not line.endswith(b"\n"):
                raise SignerMemoryError(f"{path.name} holds fewer lines than the state says")
            offset += len(line)
    return offset


def _append(path: Path, keep: int, data: bytes) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        length = os.fstat(fd).st_size
        if length < keep:
            raise SignerMemoryError(f"{path.name} is shorter than the state says ({length} < {keep} bytes)")
        if length > keep:
            os.ftruncate(fd, keep)
        os.lseek(fd, keep, os.SEEK_SET)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(path: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-signer-state-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    # The rename itself must survive a power cut, or the old state would come back.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
