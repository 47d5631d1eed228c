"""Follow a Shangmi evidence log from outside, keeping its own state on its own disk.

Each run fetches the latest checkpoint (checked under the log key the monitor was given or a
key announced from it by a rotation both keys signed, and under a witness policy if one is
given), checks that it extends the tree seen before (a
consistency proof from the platform, verified here), fetches every entry, recomputes each
leaf hash and the root, and compares every entry seen before with what it remembers. A
rollback, a fork (two roots for one size, or a tree that does not extend the one seen) and a
changed entry are reported by size or index. On any finding the remembered state is kept, so
the next run reports it again; both signed checkpoints are kept in ``STATE/evidence/``.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from shangmi_verifier import merkle
from shangmi_verifier.note import Checkpoint, NoteError, open_checkpoint_following
from shangmi_verifier.witness import WitnessKey, cosignatures_by

PAGE = 1000
HASH = 32


@dataclass
class MonitorResult:
    size: int = 0
    new_entries: int = 0
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


class Monitor:
    def __init__(
        self, url: str, log_key: str, state: Path, witnesses: list[str] | None = None, quorum: int | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.log_key = log_key
        self.state = Path(state)
        self.witnesses = [WitnessKey.parse(key) for key in witnesses or []]
        self.quorum = len(self.witnesses) if quorum is None else quorum

    # -- the platform's public endpoints -----------------------------------------------------

    def _get(self, path: str, **params: int) -> bytes:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=30) as response:
            return response.read()

    def _entries(self, start: int, end: int) -> list[bytes]:
        hashes: list[bytes] = []
        while start < end:
            stop = min(end, start + PAGE)
            page = json.loads(self._get("/evidence/log/entries/", start=start, end=stop))["entries"]
            for offset, entry in enumerate(page):
                if entry["index"] != start + offset:
                    raise ValueError(f"entry {start + offset}: missing from the public log")
                hashes.append(merkle.leaf_hash(base64.b64decode(entry["data"])))
            if len(page) != stop - start:
                raise ValueError(f"entry {start + len(page)}: missing from the public log")
            start = stop
        return hashes

    # -- the monitor's own state -------------------------------------------------------------

    def _load(self) -> tuple[dict, bytes]:
        try:
            seen = json.loads((self.state / "state.json").read_text())
            leaves = (self.state / "leaves").read_bytes()[: seen["size"] * HASH]
        except FileNotFoundError:
            return {"size": 0, "root": base64.b64encode(merkle.EMPTY_ROOT).decode(), "note": ""}, b""
        return seen, leaves

    def _save(self, note: str, checkpoint: Checkpoint, leaves: bytes) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        _atomic(self.state / "leaves", leaves)
        body = {"size": checkpoint.size, "root": base64.b64encode(checkpoint.root).decode(), "note": note}
        _atomic(self.state / "state.json", json.dumps(body, indent=1).encode())

    def _keep(self, kind: str, seen_note: str, shown_note: str) -> None:
        folder = self.state / "evidence"
        folder.mkdir(parents=True, exist_ok=True)
        record = {"kind": kind, "seen": seen_note, "shown": shown_note, "at": int(time.time())}
        _atomic(folder / f"{kind}-{int(time.time() * 1000)}.json", json.dumps(record, indent=1).encode())

    # -- one run -----------------------------------------------------------------------------

    def run(self) -> MonitorResult:
        result = MonitorResult()
        seen, leaves = self._load()
        old_size, old_root = int(seen["size"]), base64.b64decode(seen["root"])
        note = self._get("/evidence/log/checkpoint/").decode("utf-8")
        try:
            # A new key counts only if a rotation signed by the key before it (back to the one
            # this monitor was given) announces it; any other key is a finding.
            rotations = [str(item["note"]) for item in json.loads(self._get("/evidence/log/keys/"))["rotations"]]
            checkpoint = open_checkpoint_following(note, self.log_key, rotations)
        except (NoteError, ValueError, KeyError, TypeError) as exc:
            result.findings.append(f"the latest checkpoint does not verify under the log key or one announced: {exc}")
            return result
        if self.witnesses:
            cosigned = cosignatures_by(note, self.witnesses)
            if len(cosigned) < self.quorum:
                count = len(cosigned)
                result.findings.append(f"checkpoint {checkpoint.size}: {count} cosignatures, {self.quorum} required")
        result.size = checkpoint.size
        if checkpoint.size < old_size:
            result.findings.append(f"rollback: the log had {old_size} entries, it now shows {checkpoint.size}")
            self._keep("rollback", seen["note"], note)
            return result
        if checkpoint.size == old_size and checkpoint.root != old_root:
            result.findings.append(f"fork: two different roots for size {old_size}")
            self._keep("fork", seen["note"], note)
            return result
        if old_size and checkpoint.size > old_size:
            proof = json.loads(self._get("/evidence/log/proof/consistency/", first=old_size, second=checkpoint.size))
            try:
                hashes = [base64.b64decode(value) for value in proof["proof"]]
                merkle.verify_consistency(old_size, checkpoint.size, hashes, old_root, checkpoint.root)
            except (merkle.ProofError, ValueError) as exc:
                result.findings.append(f"fork: checkpoint {checkpoint.size} does not extend {old_size} ({exc})")
                self._keep("fork", seen["note"], note)
                return result
        try:
            fetched = self._entries(0, checkpoint.size)
        except ValueError as exc:
            result.findings.append(str(exc))
            return result
        for index in range(old_size):
            if fetched[index] != leaves[index * HASH : (index + 1) * HASH]:
                result.findings.append(f"entry {index}: changed since the monitor saw it")
        if merkle.root_from_leaf_hashes(fetched) != checkpoint.root:
            result.findings.append(f"checkpoint {checkpoint.size}: the public entries do not reproduce its root")
        if result.ok:
            result.new_entries = checkpoint.size - old_size
            self._save(note, checkpoint, b"".join(fetched))
        return result


def _atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
