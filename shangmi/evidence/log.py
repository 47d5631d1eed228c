"""The append-only log: sequencing deposits into leaves, stored nodes, signed checkpoints.

Sequencers take turns on the ``LogState`` row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serialises writers by itself), so indices are consecutive with no gap and no duplicate,
whatever the number of clients depositing at once. A checkpoint is published only if a
consistency proof read back from storage links it to the previous one.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shangmi.evidence import merkle
from shangmi.evidence.leaf import Leaf
from shangmi.evidence.models import Checkpoint, Deposit, LogEntry, LogNode, LogState, node_id, node_key
from shangmi.evidence.note import Checkpoint as CheckpointBody
from shangmi.evidence.note import NoteSigner, load_or_create_signing_key

logger = logging.getLogger(__name__)


class LogCorruptionError(RuntimeError):
    """Storage no longer matches what the log published; nothing new is signed on top of it."""


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
        raise LogCorruptionError(f"stored log nodes missing: {sorted(missing)[:5]}")
    return found


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def checkpoint_for_index(index: int) -> Checkpoint | None:
    """The first checkpoint that covers leaf ``index``: the earliest signed evidence of it."""
    return Checkpoint.objects.filter(size__gt=index).order_by("size").first()


def log_sequence(*, limit: int | None = None) -> Checkpoint | None:
    """Give the oldest pending deposits the next indices and publish a checkpoint.

    Returns the new checkpoint, or None when nothing was pending.
    """
    limit = limit or settings.SHANGMI_EVIDENCE_BATCH
    with transaction.atomic():
        state = _state_for_update()
        pending = list(
            Deposit.objects.filter(leaf_index__isnull=True)
            .order_by("accepted_at", "id")
            .values_list("id", "commitment", "sm3_commitment", "accepted_at")[:limit]
        )
        if not pending:
            return None
        previous = latest_checkpoint()
        compact = merkle.CompactRange.from_fetch(state.size, fetch_nodes)
        _check_state(state, previous, compact)

        now = timezone.now()
        entries: list[LogEntry] = []
        nodes: list[LogNode] = []
        assigned: list[tuple[object, int]] = []
        for deposit_id, commitment, sm3_commitment, accepted_at in pending:
            index = compact.size
            data = leaf_for(commitment, sm3_commitment, accepted_at).to_bytes()
            completed = compact.append(merkle.leaf_hash(data))
            entries.append(LogEntry(index=index, data=data, leaf_hash=completed[0][1]))
            nodes.extend(LogNode(key=node_key(*nid), hash=value) for nid, value in completed)
            assigned.append((deposit_id, index))
        LogEntry.objects.bulk_create(entries, batch_size=2000)
        LogNode.objects.bulk_create(nodes, batch_size=2000)
        _mark_sequenced(assigned, now)

        root = compact.root()
        if previous is not None:
            # Read the proof back from what was just stored: a damaged node fails here, before signing.
            proof = merkle.consistency_proof(previous.size, compact.size, fetch_nodes)
            try:
                merkle.verify_consistency(previous.size, compact.size, proof, bytes(previous.root), root)
            except merkle.ProofError as exc:
                raise LogCorruptionError(f"new tree is not consistent with checkpoint {previous.size}: {exc}") from exc
        note = log_signer().sign(CheckpointBody(state.origin, compact.size, root).body())
        checkpoint = Checkpoint.objects.create(size=compact.size, root=root, note=note)
        state.size, state.root = compact.size, root
        state.save(update_fields=["size", "root"])
    if settings.SHANGMI_EVIDENCE_TSA_URL:
        checkpoint_timestamp(checkpoint)
    return checkpoint


def log_sequence_all() -> list[Checkpoint]:
    """Sequence until nothing is pending (several batches when a backlog built up)."""
    done = []
    while (checkpoint := log_sequence()) is not None:
        done.append(checkpoint)
    return done


def _mark_sequenced(assigned: list[tuple[object, int]], when: datetime) -> None:
    """Give each deposit its index in one set-based statement per batch.

    Django's bulk_update builds a CASE WHEN of a thousand branches per call, and measured as
    three quarters of sequencing time; an UPDATE joined to the id/index pairs does the same
    work in one pass (BENCHMARKS.md, "Evidence deposit").
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
                [(index, stamp, id_field.get_db_prep_value(pk, connection)) for pk, index in assigned],
            )


def _check_state(state: LogState, previous: Checkpoint | None, compact: merkle.CompactRange) -> None:
    """The stored right edge must reproduce the last signed root before anything is added."""
    expected_size = previous.size if previous else 0
    expected_root = bytes(previous.root) if previous else merkle.EMPTY_ROOT
    if state.size != expected_size or bytes(state.root) != expected_root:
        raise LogCorruptionError(f"log state ({state.size}) differs from the last checkpoint ({expected_size})")
    if compact.root() != expected_root:
        raise LogCorruptionError(f"stored nodes do not reproduce the root of checkpoint {expected_size}")


def leaf_for(commitment: str, sm3_commitment: str, accepted_at: datetime) -> Leaf:
    """A deposit's leaf; with no SM3 digest recorded, its SM3 commitment is 32 zero bytes."""
    sm3_bytes = bytes.fromhex(sm3_commitment) if sm3_commitment else bytes(32)
    return Leaf(bytes.fromhex(commitment), sm3_bytes, int(accepted_at.timestamp() * 1000))


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
