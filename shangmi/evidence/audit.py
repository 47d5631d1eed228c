"""Recompute the log from storage and check it against what the signer remembers signing.

Storage is not trusted to describe itself: the reference is the signer's memory beside its
key (shangmi/evidence/signer.py: every leaf hash and checkpoint it signed) and the public key
the operator pinned (SHANGMI_EVIDENCE_PUBLIC_KEY, else the one the signer remembers). A row
edited, removed, moved or inserted behind the platform's back is named by its index, even
when every node, the log state and the deposit row were recomputed to match; a malformed row
(text where bytes belong) is a finding, never a traceback.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime

from shangmi.evidence import merkle
from shangmi.evidence.leaf import LEAF_SIZE, LeafError
from shangmi.evidence.log import LogCorruptionError, leaf_for, log_verifier_key, signer_files, signer_memory
from shangmi.evidence.models import Checkpoint, Deposit, KeyRotation, LogEntry, LogNode, LogState, node_id, node_key
from shangmi.evidence.note import NoteError, key_chain, open_checkpoint_following
from shangmi.evidence.signer import HASH_SIZE, SignerMemory, SignerMemoryError

CHUNK = 5000


@dataclass
class AuditResult:
    size: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _as_bytes(value: Any) -> bytes | None:
    """A binary column's value, or None when the row holds something else (text, NULL)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entries() -> Iterator[tuple[Any, Any, Any]]:
    """Every entry row as stored, in index order, in chunks.

    Raw SQL, paged on the last value as the database holds it: SQLite keeps whatever was
    written in an integer column (text, a fraction), which the ORM would convert, refuse or
    loop on; the audit reports such a row instead.
    """
    table, column = LogEntry._meta.db_table, connection.ops.quote_name("index")
    select = f"SELECT {column}, data, leaf_hash FROM {table}"
    sql = f"{select} ORDER BY {column} LIMIT {CHUNK}"
    params: list[Any] = []
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return
        yield from rows
        sql, params = f"{select} WHERE {column} > %s ORDER BY {column} LIMIT {CHUNK}", [rows[-1][0]]


def audit_log() -> AuditResult:
    result = AuditResult()
    problems = result.problems
    memory, signed = _signer_memory(problems)
    key = _pinned_key(memory, problems)
    rotations = _rotations(memory, key, problems)

    checkpoints = _checkpoint_rows(problems)
    result.checkpoints = len(checkpoints)
    published_size = checkpoints[-1][0] if checkpoints else 0
    state = LogState.objects.filter(pk=1).values_list("size", flat=True).first()
    if state is not None and state != published_size:
        problems.append(f"log state says {state} leaves, the last checkpoint {published_size}")
    by_size = _checkpoints(checkpoints, key, rotations, signed, problems)

    # The size the log must have: what the signer signed, or (with no memory) the last checkpoint.
    size = memory.size if memory else published_size
    if memory and published_size < memory.size:
        problems.append(
            f"log rolled back: the signer signed {memory.size} entries, storage's last checkpoint has {published_size}"
        )
    remembered = _remembered_leaves(memory, problems)

    # One pass over the entries rebuilds every complete subtree; compare each with storage.
    compact = merkle.CompactRange(0, [])
    recomputed: dict[int, bytes] = {}
    versions: dict[int, int] = {}
    expected = 0
    for index, raw_data, raw_hash in _entries():
        if not _is_index(index):
            problems.append(f"entry row with index {index!r}: the index is not an integer — malformed")
            continue
        if index >= size:
            problems.append(f"entry {index}: beyond the {size} entries signed — inserted")
            continue
        while expected < index:
            problems.append(f"entry {expected}: missing — removed")
            compact.append(bytes(32))  # keep positions aligned so later indices are named right
            expected += 1
        expected = index + 1
        data = _as_bytes(raw_data)
        if data is None:
            problems.append(f"entry {index}: leaf column holds {type(raw_data).__name__}, not bytes — malformed")
            compact.append(bytes(32))
            continue
        if len(data) != LEAF_SIZE:
            problems.append(f"entry {index}: leaf is {len(data)} bytes, not {LEAF_SIZE} — malformed")
        versions[index] = data[0] if data else 0
        computed = merkle.leaf_hash(data)
        if _as_bytes(raw_hash) != computed:
            problems.append(f"entry {index}: stored leaf hash does not match its bytes — edited")
        if remembered is not None and remembered[index * HASH_SIZE : (index + 1) * HASH_SIZE] != computed:
            problems.append(f"entry {index}: differs from the leaf the signer signed — edited or moved")
        for nid, value in compact.append(computed):
            recomputed[node_key(*nid)] = value
        checkpoint_root = by_size.get(compact.size)
        if checkpoint_root is not None and compact.root() != checkpoint_root:
            problems.append(
                f"checkpoint {compact.size}: entries no longer reproduce its root (first change at or before "
                f"entry {index})"
            )
        if len(recomputed) >= 4 * CHUNK:
            _compare_nodes(recomputed, problems)
            recomputed.clear()
    while expected < size:
        problems.append(f"entry {expected}: missing — removed")
        expected += 1
    _compare_nodes(recomputed, problems)
    _extra_nodes(size, problems)
    _deposits(size, versions, problems)
    result.size = size
    return result


def _checkpoint_rows(problems: list[str]) -> list[tuple[int, Any, Any]]:
    """Stored checkpoints (size, root, note) by size; a row whose size is not an integer is a finding."""
    rows = []
    for row in Checkpoint.objects.order_by("size").values_list("size", "root", "note"):
        if _is_index(row[0]):
            rows.append(row)
        else:
            problems.append(f"checkpoint row of size {row[0]!r}: the size is not an integer — malformed")
    return rows


def _signer_memory(problems: list[str]) -> tuple[SignerMemory | None, dict[int, bytes] | None]:
    """The signer's state and the checkpoints it signed, by size; a finding when unreadable."""
    try:
        memory = signer_memory()
    except LogCorruptionError as exc:
        problems.append(f"signer memory: {exc.params.get('reason', exc.code)}")
        return None, None
    if memory is None:
        if Checkpoint.objects.exists():
            problems.append("signer memory: none beside the key, yet the log has checkpoints")
        return None, None
    try:
        signed = dict(signer_files().signed_checkpoints(memory.checkpoints))
    except SignerMemoryError as exc:
        problems.append(f"signer memory: {exc}")
        return memory, None
    return memory, signed


def _pinned_key(memory: SignerMemory | None, problems: list[str]) -> str:
    """The public key checkpoints must verify under: configured, else remembered, else the file's."""
    try:
        current = log_verifier_key()
    except (NoteError, OSError) as exc:
        problems.append(f"signing key: unreadable ({exc})")
        current = ""
    # The pinned key is the first one; rotations the signer remembers lead to the current one.
    pinned = settings.SHANGMI_EVIDENCE_PUBLIC_KEY or (memory.first_key if memory else "")
    expected = pinned
    if memory and pinned:
        try:
            expected = key_chain(pinned, memory.rotations)[-1][0]
        except NoteError as exc:
            problems.append(f"signing key: the signer's rotations do not lead from the pinned key ({exc})")
    if expected and current and current != expected:
        problems.append(f"signing key: the key file holds {current}, expected {expected} — replaced")
    if memory and pinned and memory.public_key != expected:
        problems.append(f"signing key: the signer remembers {memory.public_key}, expected {expected} — replaced")
    return pinned or current


def _rotations(memory: SignerMemory | None, pinned: str, problems: list[str]) -> list[str]:
    """The rotations to follow from the pinned key: the signer's own record, checked against storage's."""
    stored = list(KeyRotation.objects.order_by("id").values_list("note", flat=True))
    remembered = memory.rotations if memory else stored
    for position, note in enumerate(remembered):
        if position >= len(stored) or stored[position] != note:
            problems.append(f"key rotation {position + 1}: signed, but missing or changed in storage")
    for position in range(len(remembered), len(stored)):
        problems.append(f"key rotation {position + 1}: never made by this signer — inserted")
    return remembered


def _checkpoints(
    rows: list[tuple[int, Any, Any]],
    key: str,
    rotations: list[str],
    signed: dict[int, bytes] | None,
    problems: list[str],
) -> dict[int, bytes]:
    """Check each stored checkpoint's signature and root; return the signed roots by size."""
    by_size: dict[int, bytes] = {}
    stored_sizes = {row[0] for row in rows}
    for size, raw_root, note in rows:
        try:
            body = open_checkpoint_following(note, key, rotations)
        except (NoteError, TypeError, AttributeError) as exc:
            problems.append(f"checkpoint {size}: signature does not verify under the pinned key ({exc})")
            continue
        if body.size != size or body.root != _as_bytes(raw_root):
            problems.append(f"checkpoint {size}: stored size/root differ from its signed note")
        if signed is not None and size not in signed:
            problems.append(f"checkpoint {size}: never signed by this signer — inserted")
        elif signed is not None and signed[size] != body.root:
            problems.append(f"checkpoint {size}: root differs from the one the signer signed — replaced")
        by_size[body.size] = body.root
    for size, root in (signed or {}).items():
        if size not in stored_sizes:
            problems.append(f"checkpoint {size}: signed, but missing from storage — deleted")
        by_size.setdefault(size, root)  # the signer's word stands where the row is gone
    return by_size


def _remembered_leaves(memory: SignerMemory | None, problems: list[str]) -> bytes | None:
    if memory is None:
        return None
    try:
        data = signer_files().leaves.read_bytes()
    except OSError as exc:
        problems.append(f"signer memory: leaf file unreadable ({exc})")
        return None
    if len(data) < memory.size * HASH_SIZE:
        problems.append(f"signer memory: leaf file holds fewer than {memory.size} leaves")
        return None
    return data[: memory.size * HASH_SIZE]


def _compare_nodes(recomputed: dict[int, bytes], problems: list[str]) -> None:
    stored = dict(LogNode.objects.filter(key__in=list(recomputed)).values_list("key", "hash"))
    for key, value in sorted(recomputed.items()):
        level, index = node_id(key)
        leaves = f"leaves {index << level}..{((index + 1) << level) - 1}"
        if key not in stored:
            problems.append(f"node level {level} index {index} ({leaves}): missing")
        elif _as_bytes(stored[key]) != value:
            first = index << level
            problems.append(f"node level {level} index {index} ({leaves}): differs — entry {first} onwards")


def _extra_nodes(size: int, problems: list[str]) -> None:
    """A node for leaves the log never signed was inserted behind its back."""
    for key in LogNode.objects.values_list("key", flat=True).iterator(chunk_size=CHUNK):
        if not _is_index(key) or key < 0:
            problems.append(f"node row with key {key!r}: the key is not a node's — malformed")
            continue
        level, index = node_id(key)
        if ((index + 1) << level) > size:
            problems.append(f"node level {level} index {index}: covers leaves beyond the log — inserted")


def _deposits(size: int, versions: dict[int, int], problems: list[str]) -> None:
    """Each signed entry has exactly one deposit, whose private record still produces its leaf."""
    claimed = bytearray(size)
    batch: dict[int, bytes] = {}
    for raw_pk, index, commitment, sm3_commitment, raw_accepted, raw_sequenced in _deposit_rows():
        pk = _deposit_id(raw_pk)
        if not _is_index(index):
            problems.append(f"deposit {pk}: its log index {index!r} is not an integer — malformed")
            continue
        if not 0 <= index < size:
            problems.append(f"entry {index}: deposit {pk} points at a leaf the log does not hold")
            continue
        accepted_at, sequenced_at = _as_datetime(raw_accepted), _as_datetime(raw_sequenced)
        if claimed[index]:
            problems.append(f"entry {index}: claimed by more than one deposit (also {pk}) — duplicate index")
            continue
        claimed[index] = 1
        # Version 1 leaves carry the acceptance time, version 2 the sequencer's.
        when = accepted_at if versions.get(index) == 1 else sequenced_at
        try:
            if when is None:
                raise ValueError("no time")
            batch[index] = leaf_for(commitment, sm3_commitment, when, versions.get(index) or 2).to_bytes()
        except (ValueError, LeafError, TypeError, AttributeError):
            problems.append(f"entry {index}: its deposit's commitment or time is malformed — edited")
        if len(batch) >= CHUNK:
            _compare_deposits(batch, problems)
            batch.clear()
    _compare_deposits(batch, problems)
    for index in (i for i, flag in enumerate(claimed) if not flag):
        problems.append(f"entry {index}: no deposit points at it — deposit removed or moved")


def _deposit_rows() -> Iterator[tuple[Any, ...]]:
    """Sequenced deposits' rows as stored, without the ORM's converters (a malformed date or
    index in one row would stop the whole query with a traceback)."""
    q = connection.ops.quote_name
    # SQLite's driver parses a declared datetime column itself, and stops at a malformed one.
    when = "CAST({} AS TEXT)" if connection.vendor == "sqlite" else "{}"
    columns = [q("id"), q("leaf_index"), q("commitment"), q("sm3_commitment")]
    columns += [when.format(q("accepted_at")), when.format(q("sequenced_at"))]
    sql = f"SELECT {', '.join(columns)} FROM {Deposit._meta.db_table} WHERE {q('leaf_index')} IS NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _deposit_id(value: Any) -> str:
    try:
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    except ValueError:
        return repr(value)


def _as_datetime(value: Any) -> datetime | None:
    """A stored date and time (a datetime, or SQLite's text in UTC), or None when it is not one."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare_deposits(batch: dict[int, bytes], problems: list[str]) -> None:
    stored = dict(LogEntry.objects.filter(index__in=list(batch)).values_list("index", "data"))
    for index, data in sorted(batch.items()):
        if index in stored and _as_bytes(stored[index]) != data:
            problems.append(f"entry {index}: differs from its deposit's record — edited")
