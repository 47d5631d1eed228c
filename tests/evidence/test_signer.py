"""Someone writes to the database without the signing key: the signer refuses, the audit names the index.

Each attack is made the way an operator or a database administrator would make it: straight
in the tables, with every stored node, the log state and the deposit rows recomputed to match
where that helps the attacker. The signer compares storage with what it remembers beside its
key (shangmi/evidence/signer.py); the audit compares it entry by entry.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from shangmi.evidence import merkle
from shangmi.evidence.audit import audit_log
from shangmi.evidence.leaf import Leaf
from shangmi.evidence.log import (
    LOG_FORKED,
    LOG_GREW_UNSIGNED,
    LOG_ROLLED_BACK,
    SIGNER_KEY_CHANGED,
    SIGNER_MEMORY_MISSING,
    LogCorruptionError,
    log_sequence,
    signer_files,
    signer_memory,
)
from shangmi.evidence.models import Checkpoint, Deposit, LogEntry, LogNode, LogState, node_key
from shangmi.evidence.note import NoteSigner
from tests.evidence.factories import deposit_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_of_20(world):
    deposit_many(world.ent_admin_in, 12)
    log_sequence()
    deposit_many(world.ent_admin_in, 8, prefix="second")
    log_sequence()
    return world


def _rebuild_tree_from(datas: list[bytes]) -> None:
    """What a careful attacker does after editing entries: recompute every node, the state and
    the last checkpoint's root, so that storage agrees with itself."""
    LogEntry.objects.all().delete()
    LogNode.objects.all().delete()
    compact = merkle.CompactRange(0, [])
    nodes = []
    entries = []
    for index, data in enumerate(datas):
        completed = compact.append(merkle.leaf_hash(data))
        entries.append(LogEntry(index=index, data=data, leaf_hash=completed[0][1]))
        nodes.extend(LogNode(key=node_key(*nid), hash=h) for nid, h in completed)
    LogEntry.objects.bulk_create(entries)
    LogNode.objects.bulk_create(nodes)
    LogState.objects.update(size=compact.size, root=compact.root())
    Checkpoint.objects.filter(size=compact.size).update(root=compact.root())


def _datas_now() -> list[bytes]:
    return [bytes(d) for d in LogEntry.objects.order_by("index").values_list("data", flat=True)]


def _refused(caplog) -> LogCorruptionError:
    before = (Checkpoint.objects.count(), LogEntry.objects.count(), LogNode.objects.count())
    memory = signer_files().state.read_text()
    with caplog.at_level(logging.ERROR, logger="shangmi.evidence.log"), pytest.raises(LogCorruptionError) as refused:
        log_sequence()
    # Nothing recorded: no checkpoint, entry or node, and the signer's memory unchanged.
    assert (Checkpoint.objects.count(), LogEntry.objects.count(), LogNode.objects.count()) == before
    assert signer_files().state.read_text() == memory
    assert any(r.levelno == logging.ERROR and refused.value.code in r.getMessage() for r in caplog.records)
    return refused.value


def _problems() -> str:
    result = audit_log()
    assert not result.ok
    return "\n".join(result.problems)


def test_the_signer_remembers_beside_its_key(log_of_20):
    memory = signer_memory()
    assert memory.size == 20 and memory.checkpoints == 2
    assert memory.root == bytes(Checkpoint.objects.get(size=20).root)
    files = signer_files()
    assert files.state.parent == files.leaves.parent == signer_files().directory
    assert json.loads(files.state.read_text())["format"] == "shangmi-evidence-signer/1"
    assert files.leaves.stat().st_size == 20 * 32
    assert [size for size, _ in files.signed_checkpoints(2)] == [12, 20]
    assert audit_log().ok


def test_a_log_cut_back_to_an_earlier_size_is_refused_and_named(log_of_20, caplog):
    # Cut back to the first checkpoint, consistently: entries, nodes, state and checkpoint rows.
    LogEntry.objects.filter(index__gte=12).delete()
    datas = _datas_now()
    Checkpoint.objects.filter(size=20).delete()
    Deposit.objects.filter(leaf_index__gte=12).update(leaf_index=None, sequenced_at=None)
    _rebuild_tree_from(datas)
    assert LogState.objects.get().size == 12
    # The pending deposits would be signed as a second, different tree of 20: a fork.
    assert _refused(caplog).message is LOG_ROLLED_BACK
    problems = _problems()
    assert "log rolled back: the signer signed 20 entries, storage's last checkpoint has 12" in problems
    assert "checkpoint 20: signed, but missing from storage — deleted" in problems
    assert "entry 12: missing — removed" in problems and "entry 19: missing — removed" in problems
    with pytest.raises(CommandError):
        call_command("audit_evidence_log")


def test_a_deleted_checkpoint_row_is_named(log_of_20):
    Checkpoint.objects.filter(size=12).delete()
    assert "checkpoint 12: signed, but missing from storage — deleted" in _problems()


def test_a_leaf_changed_with_every_node_recomputed_is_refused_and_named(log_of_20, caplog):
    datas = _datas_now()
    edited = bytearray(datas[5])
    edited[10] ^= 0xFF
    datas[5] = bytes(edited)
    _rebuild_tree_from(datas)
    # ...and the deposit row too, so that it reproduces the edited leaf.
    leaf = Leaf.from_bytes(datas[5])
    Deposit.objects.filter(leaf_index=5).update(commitment=leaf.sha256_commitment.hex())
    deposit_many(log_of_20.ent_admin_in, 1, prefix="later")
    refused = _refused(caplog)
    assert refused.message is LOG_FORKED and refused.params["first"] <= 5 <= refused.params["last"]
    problems = _problems()
    assert "entry 5: differs from the leaf the signer signed — edited or moved" in problems
    assert "entry 5: differs from its deposit's record" not in problems  # the row was made to match
    assert problems.count("differs from the leaf the signer signed") == 1


def test_reordered_entries_are_refused_and_both_named(log_of_20, caplog):
    datas = _datas_now()
    datas[3], datas[9] = datas[9], datas[3]
    _rebuild_tree_from(datas)
    a = Deposit.objects.get(leaf_index=3).pk
    b = Deposit.objects.get(leaf_index=9).pk
    Deposit.objects.filter(pk=a).update(leaf_index=None)
    Deposit.objects.filter(pk=b).update(leaf_index=3)
    Deposit.objects.filter(pk=a).update(leaf_index=9)
    deposit_many(log_of_20.ent_admin_in, 1, prefix="later")
    assert _refused(caplog).message is LOG_FORKED
    problems = _problems()
    assert "entry 3: differs from the leaf the signer signed" in problems
    assert "entry 9: differs from the leaf the signer signed" in problems


def test_a_duplicated_entry_is_named(log_of_20):
    # Entry 6's bytes copied over entry 7, nodes recomputed: two indices, one leaf.
    datas = _datas_now()
    datas[7] = datas[6]
    _rebuild_tree_from(datas)
    problems = _problems()
    assert "entry 7: differs from the leaf the signer signed" in problems
    assert "entry 7: differs from its deposit's record" in problems


def test_a_deposit_pointing_at_a_leaf_that_no_longer_exists_is_named(log_of_20):
    deposit = Deposit.objects.get(leaf_index=19)
    Deposit.objects.filter(pk=deposit.pk).update(leaf_index=25)
    problems = _problems()
    assert f"entry 25: deposit {deposit.pk} points at a leaf the log does not hold" in problems
    assert "entry 19: no deposit points at it" in problems


def test_entries_inserted_beyond_what_was_signed_are_refused(log_of_20, caplog):
    datas = _datas_now()
    datas.append(datas[0])
    Checkpoint.objects.filter(size=20).update(size=21)
    _rebuild_tree_from(datas)
    deposit_many(log_of_20.ent_admin_in, 1, prefix="later")
    assert _refused(caplog).message is LOG_GREW_UNSIGNED
    assert "entry 20: beyond the 20 entries signed — inserted" in _problems()


def test_a_replaced_key_file_is_refused_and_is_an_audit_finding(log_of_20, settings, caplog):
    from shangmi.evidence import log

    # Whoever replaces the key re-signs every checkpoint with it; the state still remembers the old key.
    new = NoteSigner.generate(log.log_origin())
    settings.SHANGMI_EVIDENCE_KEY_FILE.write_text(new.private_key_string() + "\n")
    log._signer.cache_clear()
    for checkpoint in Checkpoint.objects.all():
        body = checkpoint.note[: checkpoint.note.rfind("\n\n") + 1]
        Checkpoint.objects.filter(pk=checkpoint.pk).update(note=new.sign(body))
    deposit_many(log_of_20.ent_admin_in, 1, prefix="later")
    assert _refused(caplog).message is SIGNER_KEY_CHANGED
    problems = _problems()
    assert f"signing key: the key file holds {new.verifier_key()}" in problems
    assert "checkpoint 12: signature does not verify under the pinned key" in problems


def test_a_configured_public_key_pins_the_audit(log_of_20, settings):
    settings.SHANGMI_EVIDENCE_PUBLIC_KEY = NoteSigner.generate("other").verifier_key()
    problems = _problems()
    assert "signing key: the key file holds" in problems and "— replaced" in problems


def test_a_lost_memory_is_refused_and_named(log_of_20, caplog):
    signer_files().state.unlink()
    deposit_many(log_of_20.ent_admin_in, 1, prefix="later")
    with pytest.raises(LogCorruptionError) as refused:
        log_sequence()
    assert refused.value.message is SIGNER_MEMORY_MISSING
    assert "signer memory: none beside the key" in _problems()


def test_a_leaf_column_holding_text_is_a_finding_not_a_traceback(log_of_20, capsys):
    with connection.cursor() as cursor:
        table = LogEntry._meta.db_table
        if connection.vendor == "sqlite":
            cursor.execute(
                f"UPDATE {table} SET data = 'not bytes at all' WHERE {connection.ops.quote_name('index')} = 3"
            )
        else:  # PostgreSQL casts the text into bytea: still not a leaf
            cursor.execute(f'UPDATE {table} SET data = %s::bytea WHERE "index" = 3', ["not bytes at all"])
    problems = _problems()
    assert "entry 3: leaf" in problems and "malformed" in problems
    with pytest.raises(CommandError):
        call_command("audit_evidence_log")
    assert "entry 3" in capsys.readouterr().out


def test_a_backdated_pending_deposit_gets_the_sequencing_time(log_of_20):
    last = signer_memory().last_time_ms
    deposit = deposit_many(log_of_20.ent_admin_in, 1, prefix="backdated")[0]
    Deposit.objects.filter(pk=deposit.pk).update(accepted_at=timezone.now() - timedelta(days=365))
    log_sequence()
    deposit.refresh_from_db()
    leaf = Leaf.from_bytes(bytes(LogEntry.objects.get(index=deposit.leaf_index).data))
    assert leaf.time_ms >= last and leaf.time_ms % 1000 == 0
    assert leaf.time_ms == int(deposit.sequenced_at.timestamp() * 1000)
    assert deposit.sequenced_at > timezone.now() - timedelta(minutes=1)
    assert audit_log().ok


def test_time_never_goes_backwards(log_of_20):
    from shangmi.evidence.signer import SignerMemory

    files = signer_files()
    memory = signer_memory()
    ahead = memory.last_time_ms + 3_600_000  # the clock was an hour ahead at the last batch
    files.state.write_text(SignerMemory(**{**memory.__dict__, "last_time_ms": ahead}).to_json())
    deposit_many(log_of_20.ent_admin_in, 2, prefix="later")
    log_sequence()
    times = {
        Leaf.from_bytes(bytes(d)).time_ms for d in LogEntry.objects.filter(index__gte=20).values_list("data", flat=True)
    }
    assert times == {ahead}


def test_a_cut_back_audit_never_blames_a_healthy_log(log_of_20):
    deposit_many(log_of_20.ent_admin_in, 5, prefix="third")
    log_sequence()
    result = audit_log()
    assert result.ok, result.problems
    assert result.size == 25 and result.checkpoints == 3


def test_an_install_from_before_the_memory_adopts_its_log_once(log_of_20, capsys):
    files = signer_files()
    kept = (files.leaves.read_bytes(), files.checkpoints.read_bytes(), signer_memory())
    for path in (files.state, files.leaves, files.checkpoints):
        path.unlink()
    call_command("evidence_init", "--adopt")
    assert "signer adopted the log: 20 entries, 2 checkpoints" in capsys.readouterr().out
    assert (files.leaves.read_bytes(), files.checkpoints.read_bytes(), signer_memory()) == kept
    assert audit_log().ok
    deposit_many(log_of_20.ent_admin_in, 1, prefix="later")
    assert log_sequence().size == 21
    # Only once: a signer that remembers is never talked into a stored log.
    with pytest.raises(CommandError):
        call_command("evidence_init", "--adopt")


def test_adopting_a_tampered_log_writes_nothing(log_of_20):
    files = signer_files()
    for path in (files.state, files.leaves, files.checkpoints):
        path.unlink()
    data = bytearray(bytes(LogEntry.objects.get(index=4).data))
    data[3] ^= 1
    LogEntry.objects.filter(index=4).update(data=bytes(data))
    with pytest.raises(CommandError):
        call_command("evidence_init", "--adopt")
    assert not files.state.exists()


def test_the_sequencer_command_stops_with_the_refusal(log_of_20):
    LogState.objects.update(size=12)
    Checkpoint.objects.filter(size=20).delete()
    deposit_many(log_of_20.ent_admin_in, 1, prefix="later")
    with pytest.raises(CommandError, match="evidence_log_"):
        call_command("sequence_evidence")


def test_the_memory_lives_in_the_key_directory_and_survives_a_half_written_append(log_of_20, settings):
    files = signer_files()
    assert files.directory == settings.SHANGMI_EVIDENCE_KEY_FILE.parent
    assert {p.name for p in files.directory.iterdir()} == {
        "log.key",
        "log.key.state.json",
        "log.key.leaves",
        "log.key.checkpoints",
    }
    # A crash after appending but before the state was replaced leaves bytes the state does not cover.
    with open(files.leaves, "ab") as handle:
        handle.write(b"\xff" * 45)
    with open(files.checkpoints, "a") as handle:
        handle.write("99 half-written")
    deposit_many(log_of_20.ent_admin_in, 3, prefix="later")
    assert log_sequence().size == 23
    assert files.leaves.stat().st_size == 23 * 32
    assert [size for size, _ in files.signed_checkpoints(3)] == [12, 20, 23]
    assert audit_log().ok


def test_a_corrupt_memory_is_refused_not_guessed(log_of_20):
    from shangmi.evidence.log import SIGNER_MEMORY_UNREADABLE

    files = signer_files()
    files.state.write_text(files.state.read_text().replace('"size": 20', '"size": 19'))
    deposit_many(log_of_20.ent_admin_in, 1, prefix="later")
    with pytest.raises(LogCorruptionError) as refused:
        log_sequence()
    assert refused.value.message is SIGNER_MEMORY_UNREADABLE
    assert "signer memory:" in _problems()


def _fail_checkpoint_inserts() -> None:
    """A real database failure on the batch's last write (a trigger), as a full disk would give."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION evid_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER evid_fail BEFORE INSERT ON evidence_checkpoint "
                "FOR EACH ROW EXECUTE FUNCTION evid_fail()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER evid_fail BEFORE INSERT ON evidence_checkpoint "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )


def _heal_checkpoint_inserts() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER evid_fail" + (" ON evidence_checkpoint" if connection.vendor == "postgresql" else "")
        )


def test_a_signed_batch_whose_commit_failed_is_written_again_not_signed_again(log_of_20, caplog):
    from django.db import DatabaseError, transaction

    deposit_many(log_of_20.ent_admin_in, 5, prefix="third")
    _fail_checkpoint_inserts()
    with pytest.raises(DatabaseError), transaction.atomic():
        log_sequence()
    # The signer signed and remembered 25; the database rolled back to 20.
    assert signer_memory().size == 25 and LogState.objects.get().size == 20
    assert Deposit.objects.filter(leaf_index__isnull=True).count() == 5
    signed_note = json.loads(signer_files().batch.read_text())["note"]
    _heal_checkpoint_inserts()

    deposit_many(log_of_20.ent_admin_in, 2, prefix="fourth")  # arrived meanwhile
    with caplog.at_level(logging.WARNING, logger="shangmi.evidence.log"):
        checkpoint = log_sequence()
    assert "written again" in caplog.text
    # The batch of 25 is in storage exactly as signed, with the one note signed for it; the two
    # new deposits came after it, in a checkpoint of their own.
    assert Checkpoint.objects.get(size=25).note == signed_note
    assert checkpoint.size == 27
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [12, 20, 25, 27]
    assert signer_memory().checkpoints == 4  # 12, 20, 25 (once), 27: nothing signed twice
    assert [size for size, _ in signer_files().signed_checkpoints(4)] == [12, 20, 25, 27]
    assert not signer_files().batch.exists()
    assert not Deposit.objects.filter(leaf_index__isnull=True).exists()
    assert sorted(Deposit.objects.values_list("leaf_index", flat=True)) == list(range(27))
    assert audit_log().ok, audit_log().problems


def test_a_failed_batch_is_not_replayed_over_a_changed_deposit(log_of_20, caplog):
    from django.db import DatabaseError, transaction

    from shangmi.evidence.log import BATCH_UNUSABLE

    deposit_many(log_of_20.ent_admin_in, 3, prefix="third")
    _fail_checkpoint_inserts()
    with pytest.raises(DatabaseError), transaction.atomic():
        log_sequence()
    _heal_checkpoint_inserts()
    # Someone changes a waiting deposit's commitment before the next run: nothing is written.
    pending = Deposit.objects.filter(leaf_index__isnull=True).first()
    Deposit.objects.filter(pk=pending.pk).update(commitment="00" * 32)
    assert _refused(caplog).message is BATCH_UNUSABLE


def test_a_rollback_after_a_committed_batch_is_still_refused(log_of_20, caplog):
    # The journal goes once its batch is committed, so a later rollback is not "a failed commit".
    assert not signer_files().batch.exists()
    LogEntry.objects.filter(index__gte=12).delete()
    datas = _datas_now()
    Checkpoint.objects.filter(size=20).delete()
    Deposit.objects.filter(leaf_index__gte=12).update(leaf_index=None, sequenced_at=None)
    _rebuild_tree_from(datas)
    assert _refused(caplog).message is LOG_ROLLED_BACK
