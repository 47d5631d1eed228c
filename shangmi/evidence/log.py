"""The append-only log: sequencing deposits into leaves, stored nodes, signed checkpoints.

Sequencers take turns on the ``LogState`` row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serialises writers by itself), so indices are consecutive with no gap and no duplicate,
whatever the number of clients depositing at once. A checkpoint is published only if a
consistency proof read back from storage links it to the previous one.

The signer does not trust the database about what it signed before: it keeps its own memory
beside the key (shangmi/evidence/signer.py) and signs only a tree that extends the remembered
one. A database rolled back, truncated, forked or edited under it is refused with an alarm.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import uuid
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.core.errors import AppError, Message
from shangmi.evidence import merkle
from shangmi.evidence.leaf import LEAF_LAYOUT, LEAF_SIZE, LEAF_VERSION, Leaf, LeafError
from shangmi.evidence.models import (
    NODE_INDEX_BITS,
    Checkpoint,
    Deposit,
    KeyRotation,
    LogEntry,
    LogNode,
    LogState,
    node_id,
    node_key,
)
from shangmi.evidence.note import SIG_PREFIX, NoteSigner, load_or_create_signing_key
from shangmi.evidence.note import Checkpoint as CheckpointBody
from shangmi.evidence.signer import SignerFiles, SignerMemory, SignerMemoryError

logger = logging.getLogger(__name__)

LOG_NODES_MISSING = Message(
    "evidence_log_nodes_missing", _("Stored nodes of the evidence log are missing: %(nodes)s. Nothing was signed.")
)
LOG_STATE_MISMATCH = Message(
    "evidence_log_state_mismatch",
    _("The log state (%(state)s entries) differs from the last checkpoint (%(size)s entries). Nothing was signed."),
)
LOG_NODES_MISMATCH = Message(
    "evidence_log_nodes_mismatch",
    _("The stored nodes do not reproduce the root of checkpoint %(size)s. Nothing was signed."),
)
LOG_INCONSISTENT = Message(
    "evidence_log_inconsistent",
    _("The new tree is not consistent with the tree of %(size)s entries the signer signed: %(reason)s."),
)
SIGNER_MEMORY_MISSING = Message(
    "evidence_signer_memory_missing",
    _(
        "The log holds %(size)s entries but the signer remembers nothing beside its key. Restore the key "
        "directory from its backup, or audit the log and run manage.py evidence_init --adopt."
    ),
)
SIGNER_MEMORY_UNREADABLE = Message(
    "evidence_signer_memory_unreadable", _("The signer's memory beside its key cannot be read: %(reason)s.")
)
SIGNER_KEY_CHANGED = Message(
    "evidence_signer_key_changed",
    _("The signing key (%(key)s) is not the one the signer remembers (%(remembered)s). Nothing was signed."),
)
LOG_ROLLED_BACK = Message(
    "evidence_log_rolled_back",
    _(
        "The log in storage has %(stored)s entries but the signer has already signed %(signed)s: rolled back or "
        "truncated. Nothing was signed."
    ),
)
LOG_GREW_UNSIGNED = Message(
    "evidence_log_grew_unsigned",
    _(
        "The log in storage has %(stored)s entries but the signer signed only %(signed)s: entries were inserted "
        "behind its back. Nothing was signed."
    ),
)
LOG_FORKED = Message(
    "evidence_log_forked",
    _(
        "The stored tree of %(size)s entries differs from the one the signer signed (entries %(first)s to "
        "%(last)s): edited or forked. Nothing was signed."
    ),
)
BATCH_UNUSABLE = Message(
    "evidence_signer_batch_unusable",
    _("The signer's record of the batch whose commit failed does not match storage: %(reason)s. Nothing was signed."),
)
SIGNER_ADOPT_REFUSED = Message(
    "evidence_signer_adopt_refused", _("The signer cannot adopt the stored log: %(reason)s. Nothing was written.")
)


class LogCorruptionError(AppError):
    """Storage no longer matches what the log published; nothing new is signed on top of it."""

    def __init__(self, message: Message, /, **params: Any) -> None:
        super().__init__(message, **params)
        # An alarm, not a warning: someone wrote to the log's storage behind the signer's back.
        logger.error("evidence log: refusing to sign: %s (%s)", message.code, params)


@lru_cache(maxsize=4)
def _signer(path: str, origin: str) -> NoteSigner:
    return load_or_create_signing_key(Path(path), origin)


def log_origin() -> str:
    state = LogState.objects.filter(pk=1).only("origin").first()
    return state.origin if state else settings.SHANGMI_EVIDENCE_ORIGIN


def log_signer() -> NoteSigner:
    """The log's key, named after its origin; created in its file on first use."""
    return _signer(str(settings.SHANGMI_EVIDENCE_KEY_FILE), log_origin())


def log_verifier_key() -> str:
    return log_signer().verifier_key()


def signer_files() -> SignerFiles:
    return SignerFiles(Path(settings.SHANGMI_EVIDENCE_KEY_FILE))


def signer_memory() -> SignerMemory | None:
    """What the signer remembers signing, read afresh from beside the key on every call."""
    try:
        return signer_files().load()
    except SignerMemoryError as exc:
        raise LogCorruptionError(SIGNER_MEMORY_UNREADABLE, reason=str(exc)) from exc


def _state_for_update() -> LogState:
    state, _ = LogState.objects.select_for_update().get_or_create(
        pk=1, defaults={"origin": settings.SHANGMI_EVIDENCE_ORIGIN, "size": 0, "root": merkle.EMPTY_ROOT}
    )
    return state


def fetch_nodes(ids: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """Stored nodes by (level, index), in one query; a missing node means a damaged log."""
    if not ids:
        return {}
    keys = [node_key(level, index) for level, index in ids]
    found = {
        node_id(key): bytes(value) for key, value in LogNode.objects.filter(key__in=keys).values_list("key", "hash")
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise LogCorruptionError(LOG_NODES_MISSING, nodes=str(sorted(missing)[:5]))
    return found


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def checkpoint_for_index(index: int) -> Checkpoint | None:
    """The first checkpoint that covers leaf ``index``: the earliest signed evidence of it.

    With witnesses configured, the first one that every one of them cosigned (a witness that
    was down for a batch cosigns the next one), else the first at all.
    """
    covering = Checkpoint.objects.filter(size__gt=index).order_by("size")
    if settings.SHANGMI_EVIDENCE_WITNESSES:
        from shangmi.evidence.witness import WitnessKey, cosignatures_by

        keys = [WitnessKey.parse(key) for key, _ in settings.SHANGMI_EVIDENCE_WITNESSES]
        for checkpoint in covering[:50]:
            if len(cosignatures_by(checkpoint.note, keys)) == len(keys):
                return checkpoint
    return covering.first()


def log_sequence(*, limit: int | None = None) -> Checkpoint | None:
    """Give the oldest pending deposits the next indices and publish a checkpoint.

    Returns the new checkpoint, or None when nothing was pending. Refuses (LogCorruptionError,
    logged at ERROR, nothing written) when storage does not extend what the signer remembers.
    """
    limit = limit or settings.SHANGMI_EVIDENCE_BATCH
    files = signer_files()
    with transaction.atomic():
        state = _state_for_update()
        pending = _pending(limit)
        if not pending:
            return None
        # Read inside the lock: another sequencer may have signed a moment ago.
        memory = signer_memory()
        signer = log_signer()
        previous = latest_checkpoint()
        compact = merkle.CompactRange.from_fetch(state.size, fetch_nodes)
        _check_state(state, previous, compact)
        if memory is not None and state.size < memory.size:
            # Signed and remembered, but the database did not commit it: write that very batch
            # again (no new signature), or refuse below as a rollback if it cannot be.
            replayed = _reconcile(files, memory, signer, state, compact)
            if replayed is not None:
                compact = merkle.CompactRange(memory.size, memory.peaks)
                pending = _pending(limit)
                if not pending:
                    return replayed
        _check_memory(memory, signer, state.size, compact)
        start_peaks = list(compact.peaks)

        # The sequencer's own clock sets every leaf's time, never a stored row, and never
        # earlier than the last time signed. Whole seconds, one value per batch: the public
        # log says which checkpoint a leaf came with, not which files arrived together.
        now_ms = int(timezone.now().timestamp()) * 1000
        leaf_ms = max(now_ms, memory.last_time_ms if memory else 0)
        sequenced_at = datetime.fromtimestamp(leaf_ms / 1000, tz=UTC)
        entries: list[tuple[int, bytes, bytes]] = []
        nodes: list[tuple[int, bytes]] = []
        assigned: list[tuple[object, int]] = []
        leaf_hashes = bytearray()
        # The oldest deposits make the batch, in an order no one can predict: adjacent indices
        # must not tell which files were deposited together, one request or one enterprise.
        secrets.SystemRandom().shuffle(pending)
        # One pass per leaf and nothing more: its bytes, its hash, the nodes it completes, as
        # plain tuples (Django model instances and bulk_create's SQL building were half of
        # sequencing; BENCHMARKS.md, "Evidence deposit").
        leaf_bytes = _leaf_bytes_at(sequenced_at)
        append, leaf_hash = compact.append, merkle.leaf_hash
        for deposit_id, commitment, sm3_commitment in pending:
            index = compact.size
            data = leaf_bytes(commitment, sm3_commitment)
            completed = append(leaf_hash(data))
            value = completed[0][1]
            entries.append((index, data, value))
            nodes.extend([((level << NODE_INDEX_BITS) | at, node) for (level, at), node in completed])
            leaf_hashes += value
            assigned.append((deposit_id, index))
        _insert_log_rows(entries, nodes)
        _mark_sequenced(assigned, sequenced_at, db_ids=True)

        root = compact.root()
        old_size = memory.size if memory else 0
        old_root = memory.root if memory else merkle.EMPTY_ROOT
        if old_size:
            # The new tree was built on the remembered right edge from the leaves in hand; the
            # proof read back from what was just stored must link the remembered root to it too.
            proof = merkle.consistency_proof(old_size, compact.size, fetch_nodes)
            try:
                merkle.verify_consistency(old_size, compact.size, proof, old_root, root)
            except merkle.ProofError as exc:
                raise LogCorruptionError(LOG_INCONSISTENT, size=old_size, reason=str(exc)) from exc
        note = signer.sign(CheckpointBody(state.origin, compact.size, root).body())
        remembered = SignerMemory(
            origin=state.origin,
            public_key=signer.verifier_key(),
            size=compact.size,
            root=root,
            peaks=list(compact.peaks),
            last_time_ms=leaf_ms,
            checkpoints=(memory.checkpoints if memory else 0) + 1,
            first_key=memory.first_key if memory else "",
            rotations=list(memory.rotations) if memory else [],
        )
        # The batch first, so a failed commit below can be written again exactly as signed.
        files.write_batch(
            {
                "from_size": state.size,
                "from_peaks": [base64.b64encode(peak).decode("ascii") for peak in start_peaks],
                "to_size": compact.size,
                "time_ms": leaf_ms,
                "note": note,
                # Deposit ids in index order, and their leaves end to end in one base64 string
                # (one encoding per batch, not one per leaf).
                "deposits": [str(deposit_id) for deposit_id, _index in assigned],
                "data": base64.b64encode(b"".join(data for _, data, _ in entries)).decode("ascii"),
            }
        )
        # Remembered before it is published: the signer must never sign another root for this size.
        files.record(remembered, memory, bytes(leaf_hashes))
        checkpoint = Checkpoint.objects.create(size=compact.size, root=root, note=note)
        state.size, state.root = compact.size, root
        state.save(update_fields=["size", "root"])
    _batch_committed(files, checkpoint.size)
    # Witnesses first: the timestamp then covers the note with their cosignatures in it.
    if settings.SHANGMI_EVIDENCE_WITNESSES:
        checkpoint_cosign(checkpoint)
    if settings.SHANGMI_EVIDENCE_TSA_URL:
        checkpoint_timestamp(checkpoint)
    return checkpoint


def _pending(limit: int) -> list[tuple[object, str, str]]:
    """The oldest pending deposits: (id as the database holds it, commitment, SM3 commitment).

    Read without the ORM's converters: the ids only go back to the database in
    ``_mark_sequenced``, and a UUID object made and unmade per deposit was a tenth of
    sequencing on SQLite (hex text there, a UUID from psycopg on PostgreSQL).
    """
    query = (
        Deposit.objects.filter(leaf_index__isnull=True)
        .order_by("accepted_at", "id")
        .values_list("id", "commitment", "sm3_commitment")[:limit]
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _batch_committed(files: SignerFiles, size: int) -> None:
    """The database holds the batch of ``size`` now: its journal is no longer needed.

    Only that batch's: another sequencer may have journalled the next one since the lock was
    released.
    """
    try:
        batch = files.read_batch()
    except SignerMemoryError:
        return
    if batch is not None and batch.get("to_size") == size:
        files.clear_batch()


def _journal_leaves(batch: dict[str, object]) -> list[tuple[str, bytes]]:
    """(deposit id, leaf bytes) of a journalled batch, in index order."""
    if "leaves" in batch:  # the journal as written before the leaves were one string
        return [(str(pk), base64.b64decode(str(data), validate=True)) for pk, data in _listed(batch["leaves"])]
    ids = [str(pk) for pk in _listed(batch["deposits"])]
    data = base64.b64decode(str(batch["data"]), validate=True)
    if len(data) != len(ids) * LEAF_SIZE:
        raise ValueError("the journal's leaves do not match its deposits")
    return [(pk, data[n * LEAF_SIZE : (n + 1) * LEAF_SIZE]) for n, pk in enumerate(ids)]


def _listed(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _reconcile(
    files: SignerFiles, memory: SignerMemory, signer: NoteSigner, state: LogState, compact: merkle.CompactRange
) -> Checkpoint | None:
    """Write again the batch the signer signed last whose database commit failed.

    Only when the journal beside the key describes exactly the step from what storage holds to
    what the signer remembers, its note verifies under the key and names the remembered root,
    its leaves rebuild that root on storage's right edge, and each of its deposits is still
    pending with the commitments its leaf holds. Nothing is signed: the note is the one signed
    before. Otherwise returns None (a rollback, refused by the caller) or refuses outright.
    """
    from shangmi.evidence.leaf import LeafError
    from shangmi.evidence.note import NoteError, open_checkpoint

    try:
        batch = files.read_batch()
    except SignerMemoryError as exc:
        raise LogCorruptionError(SIGNER_MEMORY_UNREADABLE, reason=str(exc)) from exc
    if batch is None or batch.get("to_size") != memory.size or batch.get("from_size") != state.size:
        return None
    try:
        from_peaks = [base64.b64decode(str(peak), validate=True) for peak in _listed(batch["from_peaks"])]
        leaves = _journal_leaves(batch)
        note = str(batch["note"])
        when = datetime.fromtimestamp(int(str(batch["time_ms"])) / 1000, tz=UTC)
        body = open_checkpoint(note, signer.verifier_key(), origin=state.origin)
        parsed = [Leaf.from_bytes(data) for _, data in leaves]
    except (KeyError, TypeError, ValueError, LeafError, NoteError) as exc:
        raise LogCorruptionError(BATCH_UNUSABLE, reason=str(exc)) from exc
    if from_peaks != list(compact.peaks):
        return None  # storage below the batch is not what was signed: a rollback or an edit
    if body.size != memory.size or body.root != memory.root:
        raise LogCorruptionError(BATCH_UNUSABLE, reason="its note is not the checkpoint the signer remembers")
    # Ids as the journal wrote them (hex on SQLite, dashed on PostgreSQL), compared as UUIDs.
    try:
        leaves = [(str(uuid.UUID(pk)), data) for pk, data in leaves]
    except ValueError as exc:
        raise LogCorruptionError(BATCH_UNUSABLE, reason=str(exc)) from exc
    waiting = {
        str(pk): (commitment, sm3_value)
        for pk, commitment, sm3_value in Deposit.objects.filter(
            pk__in=[pk for pk, _ in leaves], leaf_index__isnull=True
        ).values_list("id", "commitment", "sm3_commitment")
    }
    replay = merkle.CompactRange(compact.size, compact.peaks)
    entries: list[tuple[int, bytes, bytes]] = []
    nodes: list[tuple[int, bytes]] = []
    assigned: list[tuple[object, int]] = []
    for (pk, data), leaf in zip(leaves, parsed, strict=True):
        commitment, sm3_value = waiting.get(pk, ("", ""))
        if leaf.sha256_commitment.hex() != commitment or leaf.sm3_commitment != (
            bytes.fromhex(sm3_value) if sm3_value else bytes(32)
        ):
            raise LogCorruptionError(BATCH_UNUSABLE, reason=f"deposit {pk} is not pending with the leaf's commitment")
        index = replay.size
        completed = replay.append(merkle.leaf_hash(data))
        entries.append((index, data, completed[0][1]))
        nodes.extend((node_key(*nid), value) for nid, value in completed)
        assigned.append((pk, index))
    if replay.size != memory.size or list(replay.peaks) != list(memory.peaks):
        raise LogCorruptionError(BATCH_UNUSABLE, reason="its leaves do not rebuild the remembered tree")
    _insert_log_rows(entries, nodes)
    _mark_sequenced(assigned, when)
    checkpoint = Checkpoint.objects.create(size=memory.size, root=memory.root, note=note)
    state.size, state.root = memory.size, memory.root
    state.save(update_fields=["size", "root"])
    logger.warning(
        "evidence log: the batch %s..%s signed before a failed commit was written again", compact.size, memory.size
    )
    transaction.on_commit(lambda: _batch_committed(files, memory.size))
    return checkpoint


def key_rotations() -> list[str]:
    """Every key rotation note, oldest first: the chain from the first key to the current one."""
    return list(KeyRotation.objects.order_by("id").values_list("note", flat=True))


def log_rotate_key() -> KeyRotation:
    """Replace the log's signing key, announcing the new one in a note both keys sign.

    Inside the sequencing lock and only on storage the signer vouches for (the same checks as
    before signing a batch). The new key is written beside the old one first, then remembered,
    then moved into place; the old key file is kept as ``<key>.retired-<key id>``. A crash in
    between leaves a signer that refuses with ``evidence_signer_key_changed`` until the
    ``<key>.next`` file is moved into place by hand: never a second, unannounced key.
    """
    from shangmi.evidence.note import NoteSigner, rotation_note

    key_file = Path(settings.SHANGMI_EVIDENCE_KEY_FILE)
    files = signer_files()
    with transaction.atomic():
        state = _state_for_update()
        memory = signer_memory()
        signer = log_signer()
        compact = merkle.CompactRange.from_fetch(state.size, fetch_nodes)
        _check_state(state, latest_checkpoint(), compact)
        _check_memory(memory, signer, state.size, compact)
        new = NoteSigner.generate(state.origin)
        note = rotation_note(signer, new, state.origin, state.size, bytes(state.root))
        staged = key_file.with_name(key_file.name + ".next")
        _write_key(staged, new)
        base = memory or SignerMemory(state.origin, signer.verifier_key())
        remembered = SignerMemory(
            origin=base.origin,
            public_key=new.verifier_key(),
            size=base.size,
            root=base.root,
            peaks=list(base.peaks),
            last_time_ms=base.last_time_ms,
            checkpoints=base.checkpoints,
            first_key=base.first_key,
            rotations=[*base.rotations, note],
        )
        # Same tree, new key: only the state changes (no leaf, no checkpoint signed).
        files.remember(remembered)
        rotation = KeyRotation.objects.create(size=state.size, note=note)
        os.replace(key_file, key_file.with_name(f"{key_file.name}.retired-{signer.key_id.hex()}"))
        os.replace(staged, key_file)
    _signer.cache_clear()
    logger.warning("evidence log: signing key rotated at size %s to %s", state.size, new.verifier_key())
    return rotation


def _write_key(path: Path, signer: NoteSigner) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(signer.private_key_string() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def log_sequence_all() -> list[Checkpoint]:
    """Sequence until nothing is pending (several batches when a backlog built up)."""
    done = []
    while (checkpoint := log_sequence()) is not None:
        done.append(checkpoint)
    return done


def _leaf_bytes_at(when: datetime) -> Callable[[str, str], bytes]:
    """``leaf_for(commitment, sm3_commitment, when).to_bytes()`` without a Leaf object per deposit.

    The same layout (leaf.py, version 2) and the same time, packed once per leaf; a test
    checks the two agree.
    """
    time_ms = int(when.timestamp() * 1000)  # as leaf_for computes it: the audit rebuilds leaves with it
    pack, zero = LEAF_LAYOUT.pack, bytes(32)
    fromhex = bytes.fromhex

    def leaf_bytes(commitment: str, sm3_commitment: str) -> bytes:
        sha = fromhex(commitment)
        sm = fromhex(sm3_commitment) if sm3_commitment else zero
        if len(sha) != 32 or len(sm) != 32:
            raise LeafError("a commitment is not 32 bytes")
        return pack(LEAF_VERSION, sha, sm, time_ms)

    return leaf_bytes


def _insert_log_rows(entries: list[tuple[int, bytes, bytes]], nodes: list[tuple[int, bytes]]) -> None:
    """Insert a batch's entries (index, data, leaf hash) and nodes (key, hash) in bulk.

    COPY on PostgreSQL, one executemany per table on SQLite: the rows are plain tuples built
    in one pass, not model instances (bulk_create built a model and an SQL placeholder per
    value, which cost more than the database's own work).
    """
    entry_table, node_table = LogEntry._meta.db_table, LogNode._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f'COPY {entry_table} ("index", data, leaf_hash) FROM STDIN') as copy:
                for entry in entries:
                    copy.write_row(entry)
            with cursor.copy(f'COPY {node_table} ("key", hash) FROM STDIN') as copy:
                for node in nodes:
                    copy.write_row(node)
        else:
            cursor.executemany(f'INSERT INTO {entry_table} ("index", data, leaf_hash) VALUES (%s, %s, %s)', entries)
            cursor.executemany(f'INSERT INTO {node_table} ("key", hash) VALUES (%s, %s)', nodes)


def _mark_sequenced(assigned: list[tuple[object, int]], when: datetime, *, db_ids: bool = False) -> None:
    """Give each deposit its index in one set-based statement per batch.

    Django's bulk_update builds a CASE WHEN of a thousand branches per call, and measured as
    three quarters of sequencing time; an UPDATE joined to the id/index pairs does the same
    work in one pass (BENCHMARKS.md, "Evidence deposit"). ``db_ids``: the ids are already in
    the database's own form (``_pending``), not to be converted again.
    """
    stamp = connection.ops.adapt_datetimefield_value(when)
    table = Deposit._meta.db_table
    id_field = Deposit._meta.pk
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS d SET leaf_index = v.idx, sequenced_at = %s "
                "FROM unnest(%s::uuid[], %s::bigint[]) AS v(id, idx) WHERE d.id = v.id",
                [stamp, [pk for pk, _ in assigned], [index for _, index in assigned]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET leaf_index = %s, sequenced_at = %s WHERE id = %s",
                [
                    (index, stamp, str(pk) if db_ids else id_field.get_db_prep_value(pk, connection))
                    for pk, index in assigned
                ],
            )


def _check_state(state: LogState, previous: Checkpoint | None, compact: merkle.CompactRange) -> None:
    """The stored right edge must reproduce the last signed root before anything is added."""
    expected_size = previous.size if previous else 0
    expected_root = bytes(previous.root) if previous else merkle.EMPTY_ROOT
    if state.size != expected_size or bytes(state.root) != expected_root:
        raise LogCorruptionError(LOG_STATE_MISMATCH, state=state.size, size=expected_size)
    if compact.root() != expected_root:
        raise LogCorruptionError(LOG_NODES_MISMATCH, size=expected_size)


def _check_memory(memory: SignerMemory | None, signer: NoteSigner, size: int, compact: merkle.CompactRange) -> None:
    """Storage must hold exactly the tree the signer last signed: same key, size and right edge.

    Equal right edges mean equal trees: every leaf below ``size`` sits under exactly one of
    its peaks, so an edited, moved or removed leaf changes one of them, however carefully the
    nodes above it were recomputed.
    """
    if memory is None:
        if size:
            raise LogCorruptionError(SIGNER_MEMORY_MISSING, size=size)
        return
    if memory.public_key != signer.verifier_key():
        raise LogCorruptionError(SIGNER_KEY_CHANGED, key=signer.verifier_key(), remembered=memory.public_key)
    if size < memory.size:
        raise LogCorruptionError(LOG_ROLLED_BACK, stored=size, signed=memory.size)
    if size > memory.size:
        raise LogCorruptionError(LOG_GREW_UNSIGNED, stored=size, signed=memory.size)
    for (level, index), stored, signed in zip(merkle.root_node_ids(size), compact.peaks, memory.peaks, strict=True):
        if stored != signed:
            first = index << level
            raise LogCorruptionError(LOG_FORKED, size=size, first=first, last=first + (1 << level) - 1)


def leaf_for(commitment: str, sm3_commitment: str, when: datetime, version: int = LEAF_VERSION) -> Leaf:
    """A deposit's leaf; with no SM3 digest recorded, its SM3 commitment is 32 zero bytes.

    ``when`` is the sequencing time (leaf version 2) or, for leaves of version 1 written
    before the sequencer assigned times, the time the deposit was accepted.
    """
    sm3_bytes = bytes.fromhex(sm3_commitment) if sm3_commitment else bytes(32)
    return Leaf(bytes.fromhex(commitment), sm3_bytes, int(when.timestamp() * 1000), version)


def checkpoint_timestamp(checkpoint: Checkpoint) -> bool:
    """Ask the configured RFC 3161 authority to timestamp a checkpoint's signed note.

    Runs outside the sequencing transaction: a slow authority must not hold the log's lock.
    A failure is recorded on the checkpoint and retried by ``checkpoints_timestamp_missing``.
    """
    from shangmi.evidence.timestamp import TimestampError, request_timestamp

    try:
        token = request_timestamp(checkpoint.note.encode(), settings.SHANGMI_EVIDENCE_TSA_URL)
    except (TimestampError, OSError) as exc:
        logger.warning("timestamp for checkpoint %s failed: %s", checkpoint.size, exc)
        Checkpoint.objects.filter(pk=checkpoint.pk).update(timestamp_error=str(exc)[:500])
        return False
    checkpoint.timestamp_token, checkpoint.timestamp_error = token, ""
    checkpoint.save(update_fields=["timestamp_token", "timestamp_error"])
    return True


def checkpoint_cosign(checkpoint: Checkpoint) -> int:
    """Ask each configured witness to cosign a checkpoint; publish the cosignatures in its note.

    Runs after the sequencing transaction: a slow or absent witness must not hold the log's
    lock. A witness that answers with a cosignature that does not verify under its configured
    key is ignored, like one that does not answer; both are logged. Returns how many cosigned.
    """
    from shangmi.evidence.witness import WitnessKey

    previous = (
        Checkpoint.objects.filter(size__lt=checkpoint.size).order_by("-size").values_list("size", flat=True).first()
    ) or 0
    lines = []
    for key, url in settings.SHANGMI_EVIDENCE_WITNESSES:
        witness = WitnessKey.parse(key)
        try:
            try:
                line = _ask_witness(url, checkpoint.note, checkpoint.size, previous)
            except WitnessRefusal as exc:
                if exc.status != 403 or not _show_rotations(url, checkpoint.size):
                    raise
                # It knew the log by a key since rotated: shown the announcements, it follows.
                line = _ask_witness(url, checkpoint.note, checkpoint.size, previous)
            if witness.cosignature_time(checkpoint.note + line) is None:
                raise ValueError("the answer is not a valid cosignature by its configured key")
        except (OSError, ValueError) as exc:
            logger.warning("witness %s did not cosign checkpoint %s: %s", witness.name, checkpoint.size, exc)
            continue
        lines.append(line)
    if lines:
        checkpoint.note += "".join(lines)
        Checkpoint.objects.filter(pk=checkpoint.pk).update(note=checkpoint.note)
    return len(lines)


class WitnessRefusal(ValueError):
    """A witness answered with an HTTP error status."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status}: {text[:200]}")
        self.status = status


def _show_rotations(url: str, size: int) -> bool:
    """Show a witness each key rotation up to ``size``, oldest first; True when one was shown.

    A witness refuses (403) a checkpoint under a key it was never told of: each rotation note
    is a checkpoint signed by the key before it and the key it announces, so the witness
    follows the chain from the key it knows. One it has already followed is refused or
    answered again, harmlessly; what counts is the retried checkpoint.
    """
    notes = list(KeyRotation.objects.filter(size__lte=size).order_by("id").values_list("size", "note"))
    for rotation_size, note in notes:
        try:
            _ask_witness(url, note, rotation_size, rotation_size)
        except (OSError, ValueError) as exc:
            logger.info("witness at %s did not take the key rotation at size %s: %s", url, rotation_size, exc)
    return bool(notes)


def _ask_witness(url: str, note: str, size: int, old: int) -> str:
    """One C2SP tlog-witness add-checkpoint call; a 409 naming the witness's size is retried once."""
    import urllib.error
    import urllib.request

    for _attempt in range(2):
        proof = consistency_proof_between(old, size) if old else []
        body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
        request = urllib.request.Request(
            f"{url}/add-checkpoint", data=body.encode(), method="POST", headers={"Content-Type": "text/plain"}
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SHANGMI_EVIDENCE_WITNESS_TIMEOUT) as response:
                answer = response.read(64 * 1024).decode()
        except urllib.error.HTTPError as exc:
            text = exc.read(1024).decode(errors="replace").strip()
            sized = exc.code == 409 and exc.headers.get("Content-Type") == "text/x.tlog.size" and text.isdigit()
            if sized and int(text) < size and int(text) != old:
                old = int(text)  # the witness last cosigned another size: prove from there
                continue
            raise WitnessRefusal(exc.code, text) from exc
        lines = [line + "\n" for line in answer.split("\n") if line]
        return "".join(line for line in lines if line.startswith(SIG_PREFIX))
    raise ValueError("the witness kept answering 409")


def checkpoints_timestamp_missing() -> int:
    if not settings.SHANGMI_EVIDENCE_TSA_URL:
        return 0
    return sum(checkpoint_timestamp(cp) for cp in Checkpoint.objects.filter(timestamp_token__isnull=True))


def inclusion_proof_at(index: int, size: int) -> list[bytes]:
    return merkle.inclusion_proof(index, size, fetch_nodes)


def consistency_proof_between(size1: int, size2: int) -> list[bytes]:
    return merkle.consistency_proof(size1, size2, fetch_nodes)


def entries_range(start: int, end: int) -> Iterable[tuple[int, bytes]]:
    for index, data in LogEntry.objects.filter(index__gte=start, index__lt=end).values_list("index", "data"):
        yield index, bytes(data)


def signer_adopt() -> SignerMemory:
    """Give a signer with no memory (an install from before it kept one) the log as it stands.

    Trust on first use, so only where nothing is remembered: every checkpoint must verify
    under the key, and the entries must reproduce each checkpoint's root, or nothing is written.
    """
    from shangmi.evidence.leaf import Leaf, LeafError
    from shangmi.evidence.note import NoteError, open_checkpoint

    with transaction.atomic():
        state = _state_for_update()
        if signer_memory() is not None:
            raise LogCorruptionError(SIGNER_ADOPT_REFUSED, reason="the signer already remembers a log")
        signer = log_signer()
        signed: dict[int, bytes] = {}
        lines = []
        for size, note in Checkpoint.objects.order_by("size").values_list("size", "note"):
            try:
                body = open_checkpoint(note, signer.verifier_key(), origin=state.origin)
            except NoteError as exc:
                raise LogCorruptionError(SIGNER_ADOPT_REFUSED, reason=f"checkpoint {size}: {exc}") from exc
            signed[body.size] = body.root
            lines.append((body.size, body.root))
        compact = merkle.CompactRange(0, [])
        hashes = bytearray()
        last_ms = 0
        for index, data in LogEntry.objects.order_by("index").values_list("index", "data").iterator(chunk_size=5000):
            try:
                if index != compact.size:
                    raise LeafError(f"entry {compact.size} is missing")
                leaf = Leaf.from_bytes(bytes(data))
            except (LeafError, TypeError) as exc:
                raise LogCorruptionError(SIGNER_ADOPT_REFUSED, reason=f"entry {index}: {exc}") from exc
            last_ms = max(last_ms, leaf.time_ms)
            value = merkle.leaf_hash(bytes(data))
            hashes += value
            compact.append(value)
            if compact.size in signed and compact.root() != signed[compact.size]:
                raise LogCorruptionError(
                    SIGNER_ADOPT_REFUSED, reason=f"entries do not reproduce checkpoint {compact.size}"
                )
        if compact.size != state.size or compact.root() != bytes(state.root) or (lines and lines[-1][0] != state.size):
            raise LogCorruptionError(SIGNER_ADOPT_REFUSED, reason="entries, log state and last checkpoint disagree")
        files = signer_files()
        memory = SignerMemory(state.origin, signer.verifier_key(), 0, merkle.EMPTY_ROOT, [], 0, 0)
        # Record the checkpoints one by one, so the files are exactly what signing would have left.
        partial = merkle.CompactRange(0, [])
        previous = None
        for size, root in lines:
            start = partial.size
            while partial.size < size:
                partial.append(bytes(hashes[partial.size * 32 : (partial.size + 1) * 32]))
            memory = SignerMemory(
                state.origin, signer.verifier_key(), size, root, list(partial.peaks), last_ms, memory.checkpoints + 1
            )
            files.record(memory, previous, bytes(hashes[start * 32 : size * 32]))
            previous = memory
        logger.warning("evidence log: signer adopted the stored log of %s entries", state.size)
        return memory
