"""The log end to end on the database: sequencing, checkpoints, receipts that verify offline."""

from __future__ import annotations

import base64
import hashlib

import pytest

from shangmi.evidence import merkle
from shangmi.evidence.log import (
    LOG_STATE_MISMATCH,
    LogCorruptionError,
    log_sequence,
    log_sequence_all,
    log_verifier_key,
)
from shangmi.evidence.models import Checkpoint, Deposit, LogEntry, LogNode, LogState
from shangmi.evidence.note import open_checkpoint
from shangmi.evidence.receipts import receipt_for
from shangmi.evidence.verify import FileDigests, verify_receipt
from tests.evidence.factories import deposit_bytes, deposit_many

pytestmark = pytest.mark.django_db


def _file(content: bytes) -> FileDigests:
    from shangmi.evidence.leaf import sm3

    return FileDigests(hashlib.sha256(content).digest(), sm3(content).digest(), len(content))


def test_a_deposit_is_pending_until_sequenced_then_its_receipt_verifies(world):
    content = b"the secret recipe, version 3"
    deposit = deposit_bytes(world.ent_admin_in, content, title="秘方 v3")
    pending = receipt_for(Deposit.objects.get(pk=deposit.pk))
    assert pending["status"] == "pending" and pending["inclusion"] is None
    report = verify_receipt(pending, verifier_key=log_verifier_key(), file=_file(content))
    assert not report.verified
    assert "not yet sequenced" in report.checks[-1].en

    checkpoint = log_sequence()
    assert checkpoint is not None and checkpoint.size == 1
    upgraded = receipt_for(Deposit.objects.get(pk=deposit.pk))
    assert upgraded["status"] == "sequenced" and upgraded["leaf"]["index"] == 0
    report = verify_receipt(upgraded, verifier_key=log_verifier_key(), file=_file(content))
    assert report.verified, report.checks
    assert report.index == 0 and report.tree_size == 1
    # The leaf's time is the sequencer's (whole seconds), shown as the platform's claim only.
    sequenced = Deposit.objects.get(pk=deposit.pk).sequenced_at
    assert report.claimed_at == sequenced and sequenced.microsecond == 0
    assert sequenced.timestamp() >= int(deposit.accepted_at.timestamp())
    assert "The platform's own claim of its time (not proof)" in report.summary()
    assert "no third party vouches for its time" in report.summary()


def test_a_different_file_or_a_forged_receipt_does_not_verify(world):
    deposit = deposit_bytes(world.ent_admin_in, b"original")
    log_sequence()
    receipt = receipt_for(Deposit.objects.get(pk=deposit.pk))
    key = log_verifier_key()
    assert not verify_receipt(receipt, verifier_key=key, file=_file(b"originaL")).verified

    forged = {**receipt, "salt": "00" * 32}
    assert not verify_receipt(forged, verifier_key=key, file=_file(b"original")).verified
    forged = {**receipt, "checkpoint": receipt["checkpoint"].replace("\n1\n", "\n2\n", 1)}
    assert "signature" in verify_receipt(forged, verifier_key=key).checks[-1].en
    other_key = "other+00000000+" + base64.b64encode(b"\x01" + bytes(32)).decode()
    assert not verify_receipt(receipt, verifier_key=other_key).verified


def test_indices_are_consecutive_across_batches_and_every_receipt_verifies(world, settings):
    settings.SHANGMI_EVIDENCE_BATCH = 7
    deposits = deposit_many(world.ent_admin_in, 30)
    checkpoints = log_sequence_all()
    assert [c.size for c in checkpoints] == [7, 14, 21, 28, 30]
    assert sorted(Deposit.objects.values_list("leaf_index", flat=True)) == list(range(30))
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(30))
    key = log_verifier_key()
    for deposit in Deposit.objects.select_related("enterprise", "created_by"):
        receipt = receipt_for(deposit)
        assert verify_receipt(receipt, verifier_key=key).verified
        # The proof is against the first checkpoint covering the deposit, the earliest evidence.
        assert receipt["inclusion"]["tree_size"] == min(c.size for c in checkpoints if c.size > deposit.leaf_index)
    assert {d.pk for d in deposits} == set(Deposit.objects.values_list("pk", flat=True))


def test_the_root_matches_an_independent_recomputation_from_published_entries(world):
    deposit_many(world.ent_admin_in, 37)
    log_sequence()
    deposit_many(world.ent_admin_out, 12, prefix="other")
    log_sequence()
    leaves = [merkle.leaf_hash(bytes(d)) for d in LogEntry.objects.order_by("index").values_list("data", flat=True)]
    latest = Checkpoint.objects.order_by("-size").first()
    body = open_checkpoint(latest.note, log_verifier_key())
    assert body.size == 49 and body.root == merkle.root_from_leaf_hashes(leaves)
    first = Checkpoint.objects.get(size=37)
    assert bytes(first.root) == merkle.root_from_leaf_hashes(leaves[:37])


def test_stored_inner_nodes_equal_the_subtrees_they_cover(world):
    deposit_many(world.ent_admin_in, 21)
    log_sequence()
    leaves = [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    for node in LogNode.objects.all():
        start = node.index << node.level
        assert bytes(node.hash) == merkle.root_from_leaf_hashes(leaves[start : start + (1 << node.level)])
    # Complete subtrees only: 21 leaves have 21 + 10 + 5 + 2 + 1 of them.
    assert LogNode.objects.count() == 21 + 10 + 5 + 2 + 1


def test_nothing_pending_publishes_nothing(world):
    assert log_sequence() is None
    assert not Checkpoint.objects.exists()


@pytest.mark.parametrize(("size", "level", "index"), [(8, 3, 0), (6, 1, 2), (6, 2, 0)])
def test_a_checkpoint_inconsistent_with_the_last_is_refused(world, size, level, index):
    deposit_many(world.ent_admin_in, size)
    log_sequence()
    # Someone rewrites a stored node on the log's right edge behind the platform's back...
    node = LogNode.objects.get(key=(level << 48) | index)
    LogNode.objects.filter(pk=node.pk).update(hash=hashlib.sha256(b"forged").digest())
    deposit_many(world.ent_admin_in, 3, prefix="later")
    with pytest.raises(LogCorruptionError):
        log_sequence()
    # ...and nothing was signed or changed on top of it.
    assert Checkpoint.objects.count() == 1
    assert LogState.objects.get().size == size
    assert Deposit.objects.filter(leaf_index__isnull=True).count() == 3


def test_a_rewritten_root_edge_is_refused_even_when_consistent_paths_are_not_touched(world):
    deposit_many(world.ent_admin_in, 5)
    log_sequence()
    LogState.objects.update(root=hashlib.sha256(b"x").digest())
    deposit_many(world.ent_admin_in, 1, prefix="n")
    with pytest.raises(LogCorruptionError) as refused:
        log_sequence()
    assert refused.value.message is LOG_STATE_MISMATCH


@pytest.fixture
def tsa(local_tsa):
    return local_tsa


def test_with_a_timestamp_authority_each_checkpoint_gets_a_token_the_receipt_carries(world, settings, tsa):
    settings.SHANGMI_EVIDENCE_TSA_URL = tsa.url
    content = b"dated by a third party"
    deposit = deposit_bytes(world.ent_admin_in, content)
    checkpoint = log_sequence()
    checkpoint.refresh_from_db()
    assert checkpoint.timestamp_token and not checkpoint.timestamp_error
    receipt = receipt_for(Deposit.objects.get(pk=deposit.pk))
    assert receipt["timestamp_token"]
    report = verify_receipt(receipt, verifier_key=log_verifier_key(), file=_file(content), tsa_certs=(tsa.ca_cert_der,))
    assert report.verified, report.checks
    assert report.timestamp_at is not None
    assert abs(report.timestamp_at.timestamp() - checkpoint.created_at.timestamp()) < 60
    assert "in the log no later than signed checkpoint 1, which timestamp authority CN=Shangmi Test TSA" in (
        report.summary()
    )


def test_an_unreachable_authority_is_recorded_and_retried(world, settings, tsa):
    from shangmi.evidence.log import checkpoints_timestamp_missing

    settings.SHANGMI_EVIDENCE_TSA_URL = "http://127.0.0.1:9/tsa"
    deposit_bytes(world.ent_admin_in, b"x")
    checkpoint = log_sequence()
    checkpoint.refresh_from_db()
    assert checkpoint.timestamp_token is None and checkpoint.timestamp_error
    settings.SHANGMI_EVIDENCE_TSA_URL = tsa.url
    assert checkpoints_timestamp_missing() == 1
    checkpoint.refresh_from_db()
    assert checkpoint.timestamp_token and not checkpoint.timestamp_error


def test_the_sequencers_fast_leaf_packing_is_leaf_for_exactly():
    """log_sequence packs leaves without a Leaf object; the audit rebuilds them with leaf_for."""
    from datetime import UTC, datetime

    from shangmi.evidence.leaf import LeafError
    from shangmi.evidence.log import _leaf_bytes_at, leaf_for

    sha, sm = hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()
    for ms in (0, 1_700_000_000_000, 1_700_000_000_123, 1_765_000_000_999):
        when = datetime.fromtimestamp(ms / 1000, tz=UTC)
        pack = _leaf_bytes_at(when)
        assert pack(sha, sm) == leaf_for(sha, sm, when).to_bytes()
        assert pack(sha, "") == leaf_for(sha, "", when).to_bytes()  # no SM3 digest: 32 zero bytes
    with pytest.raises(LeafError):
        pack(sha[:-2], sm)


def test_stored_rows_are_exactly_what_the_sequencer_built(world):
    """Entries and nodes go in by raw bulk inserts: each row has its index, bytes and hash."""
    deposit_many(world.ent_admin_in, 9)
    log_sequence()
    rows = list(LogEntry.objects.order_by("index").values_list("index", "data", "leaf_hash"))
    assert [index for index, _, _ in rows] == list(range(9))
    assert all(bytes(value) == merkle.leaf_hash(bytes(data)) for _, data, value in rows)
    deposits = dict(Deposit.objects.values_list("leaf_index", "sequenced_at"))
    assert sorted(deposits) == list(range(9)) and len(set(deposits.values())) == 1
    assert LogNode.objects.count() == 9 + 4 + 2 + 1  # levels 0..3 of a 9-leaf tree
