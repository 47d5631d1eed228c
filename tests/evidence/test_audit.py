"""Tampering straight in the database is named by index by `manage.py audit_evidence_log`."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command

from shangmi.evidence.audit import audit_log
from shangmi.evidence.log import log_sequence
from shangmi.evidence.models import Deposit, LogEntry, LogNode
from tests.evidence.factories import deposit_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_of_20(world):
    deposit_many(world.ent_admin_in, 12)
    log_sequence()
    deposit_many(world.ent_admin_in, 8, prefix="second")
    log_sequence()
    return world


def _problems() -> str:
    result = audit_log()
    assert not result.ok
    return "\n".join(result.problems)


def test_an_intact_log_passes(log_of_20, capsys):
    result = audit_log()
    assert result.ok, result.problems
    assert result.size == 20 and result.checkpoints == 2
    call_command("audit_evidence_log")
    assert "intact: 20 entries, 2 checkpoints" in capsys.readouterr().out


def test_an_edited_leaf_is_named(log_of_20, capsys):
    entry = LogEntry.objects.get(index=13)
    data = bytearray(bytes(entry.data))
    data[5] ^= 1
    LogEntry.objects.filter(index=13).update(data=bytes(data))
    problems = _problems()
    assert "entry 13: stored leaf hash does not match its bytes" in problems
    with pytest.raises(CommandError):
        call_command("audit_evidence_log")
    assert "entry 13" in capsys.readouterr().out


def test_an_edited_leaf_with_a_recomputed_leaf_hash_is_still_named(log_of_20):
    from shangmi.evidence.merkle import leaf_hash

    data = bytearray(bytes(LogEntry.objects.get(index=4).data))
    data[40] ^= 0xFF
    LogEntry.objects.filter(index=4).update(data=bytes(data), leaf_hash=leaf_hash(bytes(data)))
    problems = _problems()
    assert "node level 0 index 4" in problems
    assert "entry 4: differs from its deposit's record" in problems
    assert "entry 4: differs from the leaf the signer signed" in problems
    assert "checkpoint 12: entries no longer reproduce its root" in problems


def test_a_removed_leaf_is_named(log_of_20):
    LogEntry.objects.filter(index=7).delete()
    assert "entry 7: missing — removed" in _problems()


def test_an_inserted_leaf_is_named(log_of_20):
    LogEntry.objects.create(index=20, data=b"\x01" + bytes(72), leaf_hash=hashlib.sha256(b"x").digest())
    assert "entry 20: beyond the 20 entries signed — inserted" in _problems()


def test_an_edited_node_is_named_with_its_leaves(log_of_20):
    LogNode.objects.filter(key=(2 << 48) | 2).update(hash=hashlib.sha256(b"forged").digest())
    assert "node level 2 index 2 (leaves 8..11): differs — entry 8 onwards" in _problems()


def test_a_removed_or_inserted_node_is_named(log_of_20):
    LogNode.objects.filter(key=(1 << 48) | 3).delete()
    LogNode.objects.create(key=(3 << 48) | 2, hash=hashlib.sha256(b"x").digest())
    problems = _problems()
    assert "node level 1 index 3 (leaves 6..7): missing" in problems
    assert "node level 3 index 2: covers leaves beyond the log — inserted" in problems


def test_an_edited_deposit_record_is_named(log_of_20):
    deposit = Deposit.objects.get(leaf_index=17)
    Deposit.objects.filter(pk=deposit.pk).update(commitment="ab" * 32)
    assert "entry 17: differs from its deposit's record" in _problems()


def test_a_forged_checkpoint_is_named(log_of_20):
    from shangmi.evidence.models import Checkpoint

    checkpoint = Checkpoint.objects.get(size=12)
    Checkpoint.objects.filter(pk=checkpoint.pk).update(note=checkpoint.note.replace("\n12\n", "\n11\n"))
    assert "checkpoint 12: signature does not verify" in _problems()
