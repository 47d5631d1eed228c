"""Key rotation: a new log key counts only when the old one announces it, and the new one signs too.

Verifiers, the monitor and the audit that pinned the first key follow each announcement; a
checkpoint under a key no announcement leads to, or under a key retired before its size, is
refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from shangmi.evidence.audit import audit_log
from shangmi.evidence.leaf import sm3
from shangmi.evidence.log import log_sequence, log_verifier_key, signer_memory
from shangmi.evidence.models import Checkpoint, Deposit, KeyRotation
from shangmi.evidence.note import (
    Checkpoint as CheckpointBody,
)
from shangmi.evidence.note import (
    NoteError,
    NoteSigner,
    key_chain,
    open_checkpoint_following,
    rotation_note,
)
from shangmi.evidence.receipts import receipt_for
from shangmi.evidence.verify import FileDigests, verify_receipt
from tests.evidence.factories import deposit_bytes

FIRST = b"formula v1"
SECOND = b"formula v2"


def _digests(content: bytes) -> FileDigests:
    return FileDigests(hashlib.sha256(content).digest(), sm3(content).digest(), len(content))


@pytest.fixture
def rotated(world):
    """A log signed under a first key, rotated, then grown under the second."""
    first_key = log_verifier_key()
    deposit_bytes(world.ent_admin_in, FIRST)
    log_sequence()
    old_receipt = receipt_for(Deposit.objects.get())
    call_command("evidence_rotate_key")
    deposit_bytes(world.ent_admin_in, SECOND)
    log_sequence()
    new_receipt = receipt_for(Deposit.objects.get(leaf_index=1))
    return first_key, old_receipt, new_receipt


@pytest.mark.django_db
def test_a_rotation_is_announced_by_both_keys_and_followed(rotated):
    first_key, old_receipt, new_receipt = rotated
    second_key = log_verifier_key()
    assert second_key != first_key
    rotation = KeyRotation.objects.get()
    assert rotation.size == 1
    assert [key for key, _, _ in key_chain(first_key, [rotation.note])] == [first_key, second_key]
    key_file = Path(settings.SHANGMI_EVIDENCE_KEY_FILE)
    assert list(key_file.parent.glob(key_file.name + ".retired-*"))  # the old key is kept, not lost
    memory = signer_memory()
    assert (memory.first_key, memory.public_key, memory.rotations) == (first_key, second_key, [rotation.note])
    # The checkpoint of the new batch is signed by the new key alone, and the audit follows.
    assert open_checkpoint_following(Checkpoint.objects.get(size=2).note, first_key, [rotation.note]).size == 2
    assert audit_log().ok, audit_log().problems

    # A verifier that pinned the first key verifies both receipts.
    assert verify_receipt(old_receipt, verifier_key=first_key, file=_digests(FIRST)).verified
    report = verify_receipt(new_receipt, verifier_key=first_key, file=_digests(SECOND))
    assert report.verified, report.summary()
    # Without the announcement the new key is a stranger's.
    stripped = {**new_receipt, "log": {**new_receipt["log"], "key_rotations": []}}
    assert not verify_receipt(stripped, verifier_key=first_key, file=_digests(SECOND)).verified


@pytest.mark.django_db
def test_an_unannounced_or_retired_key_is_refused(rotated):
    first_key, _, new_receipt = rotated
    origin = new_receipt["log"]["origin"]
    stranger, accomplice = NoteSigner.generate(origin), NoteSigner.generate(origin)
    # An announcement the pinned key did not sign leads nowhere.
    forged = rotation_note(stranger, accomplice, origin, 1, bytes(Checkpoint.objects.get(size=1).root))
    with pytest.raises(NoteError):
        key_chain(first_key, [forged])
    tampered = {**new_receipt, "log": {**new_receipt["log"], "key_rotations": [forged]}}
    assert not verify_receipt(tampered, verifier_key=first_key, file=_digests(SECOND)).verified

    # The retired key cannot sign on past the size it was retired at.
    key_file = Path(settings.SHANGMI_EVIDENCE_KEY_FILE)
    retired_file = next(key_file.parent.glob(key_file.name + ".retired-*"))
    retired = NoteSigner.from_private_key_string(retired_file.read_text())
    late = retired.sign(CheckpointBody(origin, 2, bytes(Checkpoint.objects.get(size=2).root)).body())
    with pytest.raises(NoteError, match="retired"):
        open_checkpoint_following(late, first_key, [KeyRotation.objects.get().note])


@pytest.mark.django_db
def test_the_audit_names_a_deleted_rotation_and_a_checkpoint_under_a_strange_key(rotated):
    KeyRotation.objects.all().delete()
    assert "key rotation 1: signed, but missing or changed in storage" in "\n".join(audit_log().problems)


@pytest.mark.django_db
def test_the_keys_endpoint_lists_the_rotation(rotated, client):
    first_key, _, _ = rotated
    answer = client.get("/evidence/log/keys/").json()
    assert answer["current"] == log_verifier_key()
    assert [item["size"] for item in answer["rotations"]] == [1]
    assert key_chain(first_key, [item["note"] for item in answer["rotations"]])[-1][0] == answer["current"]


@pytest.mark.django_db(transaction=True)
def test_the_monitor_follows_a_rotation_and_refuses_an_unannounced_key(world, live_server, tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "verifier"))
    try:
        from shangmi_verifier.monitor import Monitor
    finally:
        sys.path.pop(0)
    first_key = log_verifier_key()
    deposit_bytes(world.ent_admin_in, FIRST)
    log_sequence()
    monitor = Monitor(live_server.url, first_key, tmp_path / "monitor")
    assert monitor.run().ok
    call_command("evidence_rotate_key")
    deposit_bytes(world.ent_admin_in, SECOND)
    log_sequence()
    result = monitor.run()
    assert result.ok and result.size == 2, result.findings
    # The operator swaps in a checkpoint under a key it never announced.
    honest = Checkpoint.objects.get(size=2).note
    stranger = NoteSigner.generate(honest.split("\n")[0])
    body = CheckpointBody(stranger.name, 2, bytes(Checkpoint.objects.get(size=2).root)).body()
    Checkpoint.objects.filter(size=2).update(note=stranger.sign(body))
    refused = monitor.run()
    assert not refused.ok and "announced" in refused.findings[0]
    # ... or publishes a "rotation" to that key which the current key did not sign.
    accomplice = NoteSigner.generate(stranger.name)
    forged = rotation_note(accomplice, stranger, stranger.name, 2, bytes(Checkpoint.objects.get(size=2).root))
    KeyRotation.objects.create(size=2, note=forged)
    refused = monitor.run()
    assert not refused.ok and "announced" in refused.findings[0]
    # Put back, the log verifies again: the monitor's own state was never moved by the forgeries.
    KeyRotation.objects.filter(note=forged).delete()
    Checkpoint.objects.filter(size=2).update(note=honest)
    assert monitor.run().ok
