"""A deposit's receipt: everything needed to check it later without asking the platform.

A receipt asked for before the deposit's batch is sequenced says "pending"; asked for again
afterwards, the same call returns the upgraded receipt with its index, inclusion proof and
checkpoint. The proof is against the first checkpoint that covers the deposit, the earliest
signed (and, with a timestamp authority, timestamped) evidence of it.
"""

from __future__ import annotations

import base64
from typing import Any

from django.utils import timezone

from shangmi.core.calendar import program_local
from shangmi.evidence import merkle
from shangmi.evidence.log import checkpoint_for_index, inclusion_proof_at, key_rotations, log_origin, log_verifier_key
from shangmi.evidence.models import Deposit, LogEntry
from shangmi.evidence.verify import RECEIPT_FORMAT


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def receipt_for(deposit: Deposit) -> dict[str, Any]:
    # The leaf is what the log holds at the deposit's index: its time was set by the sequencer,
    # so a pending deposit has no leaf yet.
    index = deposit.leaf_index
    entry = LogEntry.objects.filter(index=index).first() if index is not None else None
    leaf_data = bytes(entry.data) if entry else None
    checkpoint = checkpoint_for_index(index) if entry and index is not None else None
    inclusion = None
    if checkpoint is not None and index is not None:
        proof = inclusion_proof_at(index, checkpoint.size)
        inclusion = {"tree_size": checkpoint.size, "proof": [_b64(node) for node in proof]}
    token = bytes(checkpoint.timestamp_token) if checkpoint and checkpoint.timestamp_token else None
    return {
        "format": RECEIPT_FORMAT,
        "deposit": {
            "id": str(deposit.pk),
            "title": deposit.title,
            "enterprise": {"name": deposit.enterprise.name, "uscc": deposit.enterprise.uscc},
            "depositor": deposit.created_by.full_name or deposit.created_by.username,
            "secret_point": deposit.secret_point,
            "project": deposit.project,
            "version_note": deposit.version_note,
            "file_name": deposit.file_name,
            "file_size": deposit.file_size,
            "previous": str(deposit.previous_id) if deposit.previous_id else None,
            "accepted_at": program_local(deposit.accepted_at).isoformat(timespec="milliseconds"),
        },
        # Held by the platform only when the enterprise escrowed them; otherwise null here, and
        # the enterprise's client fills them in from the file and its deposit key.
        "escrowed": bool(deposit.escrowed and deposit.salt),
        "digests": {"sha256": deposit.sha256, "sm3": deposit.sm3 or None} if deposit.sha256 else None,
        "salt": deposit.salt or None,
        "commitment": deposit.commitment,
        "sm3_commitment": deposit.sm3_commitment,
        "leaf": {
            "index": deposit.leaf_index,
            "data": _b64(leaf_data) if leaf_data else None,
            "hash": _b64(merkle.leaf_hash(leaf_data)) if leaf_data else None,
        },
        # The current key and how it was reached from earlier ones: a verifier that pinned an
        # earlier key follows these (note.open_checkpoint_following).
        "log": {"origin": log_origin(), "public_key": log_verifier_key(), "key_rotations": key_rotations()},
        "inclusion": inclusion,
        "checkpoint": checkpoint.note if checkpoint else None,
        "timestamp_token": _b64(token) if token else None,
        "status": "sequenced" if inclusion else "pending",
    }


def receipt_handed_out(deposit: Deposit, receipt: dict[str, Any]) -> None:
    """Note that a complete receipt of an escrowed deposit left the platform.

    From then on the enterprise may ask the platform to forget the salt and digests
    (services.deposit_forget_escrow): its receipt is enough to open the commitment.
    """
    if receipt["status"] == "sequenced" and receipt["salt"]:
        now = timezone.now()
        Deposit.objects.filter(pk=deposit.pk).update(receipt_exported_at=now)
        deposit.receipt_exported_at = now
