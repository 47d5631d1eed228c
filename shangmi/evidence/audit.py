"""Recompute the log from storage and check it against everything it ever published.

A row edited, removed or inserted behind the platform's back (straight in the database)
shows up here by its index: a leaf whose hash no longer matches its bytes, a missing or
extra index, a stored node that differs from the recomputed one, a checkpoint whose root
the entries no longer reproduce, a deposit whose commitment differs from its leaf.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from shangmi.evidence import merkle
from shangmi.evidence.log import leaf_for, log_verifier_key
from shangmi.evidence.models import Checkpoint, Deposit, LogEntry, LogNode, LogState, node_id, node_key
from shangmi.evidence.note import NoteError, open_checkpoint

CHUNK = 5000


@dataclass
class AuditResult:
    size: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _entries() -> Iterator[tuple[int, bytes, bytes]]:
    last = -1
    while True:
        rows = list(
            LogEntry.objects.filter(index__gt=last).order_by("index").values_list("index", "data", "leaf_hash")[:CHUNK]
        )
        if not rows:
            return
        for index, data, stored_hash in rows:
            yield index, bytes(data), bytes(stored_hash)
        last = rows[-1][0]


def audit_log() -> AuditResult:
    result = AuditResult()
    state = LogState.objects.filter(pk=1).first()
    checkpoints = list(Checkpoint.objects.order_by("size"))
    result.checkpoints = len(checkpoints)
    published_size = checkpoints[-1].size if checkpoints else 0
    if state is not None and state.size != published_size:
        result.problems.append(f"log state says {state.size} leaves, the last checkpoint {published_size}")

    key = log_verifier_key() if checkpoints else ""
    by_size: dict[int, Checkpoint] = {}
    for checkpoint in checkpoints:
        try:
            body = open_checkpoint(checkpoint.note, key)
        except NoteError as exc:
            result.problems.append(f"checkpoint {checkpoint.size}: signature does not verify ({exc})")
            continue
        if body.size != checkpoint.size or body.root != bytes(checkpoint.root):
            result.problems.append(f"checkpoint {checkpoint.size}: stored size/root differ from its signed note")
        by_size[body.size] = checkpoint

    # One pass over the entries rebuilds every complete subtree; compare each with storage.
    compact = merkle.CompactRange(0, [])
    recomputed: dict[int, bytes] = {}
    expected = 0
    for index, data, stored_hash in _entries():
        if index >= published_size:
            result.problems.append(f"entry {index}: beyond the last checkpoint ({published_size}) — inserted")
            continue
        while expected < index:
            result.problems.append(f"entry {expected}: missing — removed")
            compact.append(b"\0" * 32)  # keep positions aligned so later indices are named right
            expected += 1
        computed = merkle.leaf_hash(data)
        if computed != stored_hash:
            result.problems.append(f"entry {index}: stored leaf hash does not match its bytes — edited")
        for nid, value in compact.append(computed):
            recomputed[node_key(*nid)] = value
        expected = index + 1
        checkpoint = by_size.get(compact.size)
        if checkpoint is not None and compact.root() != bytes(checkpoint.root):
            result.problems.append(
                f"checkpoint {compact.size}: entries no longer reproduce its root (first change at or before "
                f"entry {index})"
            )
        if len(recomputed) >= 4 * CHUNK:
            _compare_nodes(recomputed, result)
            recomputed.clear()
    while expected < published_size:
        result.problems.append(f"entry {expected}: missing — removed")
        expected += 1
    _compare_nodes(recomputed, result)
    _extra_nodes(published_size, result)
    _deposits(result)
    result.size = published_size
    return result


def _compare_nodes(recomputed: dict[int, bytes], result: AuditResult) -> None:
    stored = dict(LogNode.objects.filter(key__in=list(recomputed)).values_list("key", "hash"))
    for key, value in sorted(recomputed.items()):
        level, index = node_id(key)
        leaves = f"leaves {index << level}..{((index + 1) << level) - 1}"
        if key not in stored:
            result.problems.append(f"node level {level} index {index} ({leaves}): missing")
        elif bytes(stored[key]) != value:
            first = index << level
            result.problems.append(f"node level {level} index {index} ({leaves}): differs — entry {first} onwards")


def _extra_nodes(size: int, result: AuditResult) -> None:
    """A node for leaves the log never published was inserted behind its back."""
    for key in LogNode.objects.values_list("key", flat=True).iterator(chunk_size=CHUNK):
        level, index = node_id(key)
        if ((index + 1) << level) > size:
            result.problems.append(f"node level {level} index {index}: covers leaves beyond the log — inserted")


def _deposits(result: AuditResult) -> None:
    """Each sequenced deposit's private record must still produce the leaf at its index."""
    rows = Deposit.objects.filter(leaf_index__isnull=False).values_list(
        "leaf_index", "commitment", "sm3_commitment", "accepted_at"
    )
    batch: dict[int, bytes] = {}
    for index, commitment, sm3_commitment, accepted_at in rows.iterator(chunk_size=CHUNK):
        try:
            batch[index] = leaf_for(commitment, sm3_commitment, accepted_at).to_bytes()
        except ValueError:
            result.problems.append(f"entry {index}: its deposit's commitment is malformed — edited")
        if len(batch) >= CHUNK:
            _compare_deposits(batch, result)
            batch.clear()
    _compare_deposits(batch, result)


def _compare_deposits(batch: dict[int, bytes], result: AuditResult) -> None:
    stored = dict(LogEntry.objects.filter(index__in=list(batch)).values_list("index", "data"))
    for index, data in sorted(batch.items()):
        if index in stored and bytes(stored[index]) != data:
            result.problems.append(f"entry {index}: differs from its deposit's commitment — edited")
