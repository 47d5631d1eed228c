"""Two witnesses, each its own process with its own state directory, cosign the log (C2SP tlog-witness).

Normal growth is cosigned; a fork shown to one witness is refused and kept as proof; a receipt
verifies under a 2-of-2 policy and is refused under it when one cosignature is missing.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from shangmi.evidence import merkle
from shangmi.evidence.log import consistency_proof_between, log_sequence, log_signer, log_verifier_key
from shangmi.evidence.models import Deposit
from shangmi.evidence.note import Checkpoint as CheckpointBody
from shangmi.evidence.receipts import receipt_for
from shangmi.evidence.verify import verify_receipt
from shangmi.evidence.witness import WitnessKey, cosignatures_by
from tests.evidence.factories import deposit_bytes, deposit_many

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
WITNESS = [sys.executable, "-m", "shangmi.evidence.witness"]


class WitnessProcess:
    def __init__(self, state: Path, name: str, log_key: str) -> None:
        self.state = state
        run = WITNESS
        self.log_key = log_key
        self.key = subprocess.run(
            [*run, "init", "--state", str(state), "--name", name], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*WITNESS, "serve", "--state", str(self.state), "--log", self.log_key, "--listen", "127.0.0.1:0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        first = self.process.stdout.readline().split()
        assert first[0] == "listening" and first[2] == self.key, first
        self.url = first[1]

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        self.process.wait(timeout=10)

    def post(self, body: str) -> tuple[int, str]:
        request = urllib.request.Request(f"{self.url}/add-checkpoint", data=body.encode(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def latest(self) -> dict:
        return json.loads((self.state / "logs.json").read_text())


@pytest.fixture
def two_witnesses(tmp_path, settings, world):
    log_key = log_verifier_key()
    started = []
    try:
        for n in (1, 2):
            started.append(WitnessProcess(tmp_path / f"witness-{n}", f"witness{n}.test/w", log_key))
        settings.SHANGMI_EVIDENCE_WITNESSES = [(w.key, w.url) for w in started]
        yield started
    finally:
        for witness in started:
            witness.stop()


def test_growth_is_cosigned_and_a_receipt_needs_both_cosignatures(two_witnesses, world):
    w1, w2 = two_witnesses
    keys = [WitnessKey.parse(w.key) for w in two_witnesses]
    content = b"a formula worth a court case"
    deposit = deposit_bytes(world.ent_admin_in, content)
    first = log_sequence()
    deposit_many(world.ent_admin_in, 6)
    second = log_sequence()
    for checkpoint in (first, second):
        checkpoint.refresh_from_db()
        assert set(cosignatures_by(checkpoint.note, keys)) == {"witness1.test/w", "witness2.test/w"}
    assert w1.latest()["shangmi.local/evidence/v1"]["size"] == 7 == w2.latest()["shangmi.local/evidence/v1"]["size"]

    from tests.evidence.test_log import _file

    receipt = receipt_for(Deposit.objects.get(pk=deposit.pk))
    policy = {"verifier_key": log_verifier_key(), "witnesses": [w1.key, w2.key], "quorum": 2}
    report = verify_receipt(receipt, file=_file(content), **policy)
    assert report.verified, report.checks
    assert "which witnesses witness1.test/w, witness2.test/w cosigned by" in report.summary()

    # Drop witness 2's line: the log's signature still holds, the policy does not.
    lines = receipt["checkpoint"].split("\n")
    stripped = "\n".join(line for line in lines if "witness2.test/w" not in line)
    report = verify_receipt({**receipt, "checkpoint": stripped}, file=_file(content), **policy)
    assert not report.verified
    assert "valid cosignatures from 1 of the listed witnesses; the policy requires 2" in report.checks[-1].en
    # A forged cosignature line counts for nothing either.
    forged = stripped + f"— witness2.test/w {base64.b64encode(keys[1].key_id + bytes(72)).decode()}\n"
    assert not verify_receipt({**receipt, "checkpoint": forged}, file=_file(content), **policy).verified


def test_a_fork_shown_to_one_witness_is_refused_and_kept(two_witnesses, world):
    w1, _ = two_witnesses
    deposit_many(world.ent_admin_in, 4)
    checkpoint = log_sequence()
    assert checkpoint.size == 4
    # The operator (holding the key) signs a second tree of size 4 and shows it to witness 1.
    signer = log_signer()
    forked = signer.sign(CheckpointBody("shangmi.local/evidence/v1", 4, merkle.leaf_hash(b"other")).body())
    status, answer = w1.post(f"old 4\n\n{forked}")
    assert status == 409 and answer == "4\n"
    [fork] = (w1.state / "forks").iterdir()
    record = json.loads(fork.read_text())
    assert record["reason"] == "two roots for one size"
    assert record["shown"] == forked and record["cosigned"].startswith(checkpoint.note.split("\n\n")[0])

    # A bigger tree that does not extend the cosigned one is refused too, and kept.
    bigger = signer.sign(CheckpointBody("shangmi.local/evidence/v1", 6, merkle.leaf_hash(b"x")).body())
    proof = "".join(base64.b64encode(h).decode() + "\n" for h in consistency_proof_between(2, 4))
    status, _ = w1.post(f"old 4\n{proof}\n{bigger}")
    assert status == 422
    assert len(list((w1.state / "forks").iterdir())) == 2
    assert w1.latest()["shangmi.local/evidence/v1"]["size"] == 4  # still the honest tree

    # A checkpoint signed by another key, or for an unknown log, gets nothing.
    from shangmi.evidence.note import NoteSigner

    stranger = NoteSigner.generate("shangmi.local/evidence/v1").sign(
        CheckpointBody("shangmi.local/evidence/v1", 5, bytes(32)).body()
    )
    assert w1.post(f"old 4\n\n{stranger}")[0] == 403
    other_log = NoteSigner.generate("other.log").sign(CheckpointBody("other.log", 1, bytes(32)).body())
    assert w1.post(f"old 0\n\n{other_log}")[0] == 404
    assert w1.post("nonsense")[0] == 400


def test_a_witness_that_was_down_cosigns_the_next_checkpoint_and_receipts_wait_for_it(two_witnesses, world, settings):
    w1, w2 = two_witnesses
    keys = [WitnessKey.parse(w.key) for w in two_witnesses]
    deposit = deposit_many(world.ent_admin_in, 2)[0]
    w2.stop()
    first = log_sequence()
    first.refresh_from_db()
    assert set(cosignatures_by(first.note, keys)) == {"witness1.test/w"}

    w2.start()  # back, with its own (empty) state: it is shown the log from size 0
    settings.SHANGMI_EVIDENCE_WITNESSES = [(w.key, w.url) for w in two_witnesses]
    deposit_many(world.ent_admin_in, 3, prefix="later")
    second = log_sequence()
    second.refresh_from_db()
    assert len(cosignatures_by(second.note, keys)) == 2
    # The receipt carries the first checkpoint that both witnesses cosigned.
    receipt = receipt_for(Deposit.objects.get(pk=deposit.pk))
    assert receipt["inclusion"]["tree_size"] == 5
    report = verify_receipt(receipt, verifier_key=log_verifier_key(), witnesses=[w1.key, w2.key])
    assert report.verified, report.checks


def test_witnesses_follow_a_key_rotation_and_refuse_one_the_old_key_did_not_sign(two_witnesses, world, settings):
    """Cosigned under the first key, then rotated: the witnesses are shown the announcement (signed
    by the old key and the new) and cosign later checkpoints under the new key alone; a
    "rotation" by a stranger and a checkpoint by the retired key get nothing."""
    from django.core.management import call_command

    from shangmi.evidence.models import Checkpoint, KeyRotation
    from shangmi.evidence.note import NoteSigner, rotation_note

    w1, w2 = two_witnesses
    keys = [WitnessKey.parse(w.key) for w in two_witnesses]
    origin = "shangmi.local/evidence/v1"
    first_key = log_verifier_key()
    deposit_many(world.ent_admin_in, 3)
    log_sequence()
    retired = log_signer()
    call_command("evidence_rotate_key")
    second_key = log_verifier_key()
    assert second_key != first_key
    deposit_many(world.ent_admin_in, 2, prefix="after")
    after = log_sequence()
    after.refresh_from_db()
    assert open_under(after.note, second_key).size == 5
    assert set(cosignatures_by(after.note, keys)) == {"witness1.test/w", "witness2.test/w"}
    for witness in two_witnesses:
        state = witness.latest()[origin]
        assert (state["size"], state["key"]) == (5, second_key)
        assert state["rotations"] == [KeyRotation.objects.get().note]

    # Restarted with the first key on its command line, a witness still knows the log by the second.
    w1.stop()
    w1.start()
    settings.SHANGMI_EVIDENCE_WITNESSES = [(w.key, w.url) for w in two_witnesses]
    deposit_many(world.ent_admin_in, 1, prefix="later")
    later = log_sequence()
    later.refresh_from_db()
    assert set(cosignatures_by(later.note, keys)) == {"witness1.test/w", "witness2.test/w"}

    # The retired key signs on: refused, however consistent its tree.
    root6 = bytes(Checkpoint.objects.get(size=6).root)
    late = retired.sign(CheckpointBody(origin, 6, root6).body())
    assert w2.post(f"old 6\n\n{late}")[0] == 403
    # A "rotation" the current key did not sign (a stranger's, or the retired key's): refused, state kept.
    stranger, accomplice = NoteSigner.generate(origin), NoteSigner.generate(origin)
    for forger in (stranger, retired):
        forged = rotation_note(forger, accomplice, origin, 6, root6)
        assert w2.post(f"old 6\n\n{forged}")[0] == 403
    # An announcement the new key did not sign itself is no rotation either.
    current = log_signer()
    body = CheckpointBody(origin, 6, root6, ("key-rotation " + accomplice.verifier_key(),)).body()
    assert w2.post(f"old 6\n\n{body}\n{current.signature_line(body)}")[0] == 403
    assert (w2.latest()[origin]["size"], w2.latest()[origin]["key"]) == (6, second_key)
    deposit_many(world.ent_admin_in, 1, prefix="last")
    last = log_sequence()
    last.refresh_from_db()
    assert len(cosignatures_by(last.note, keys)) == 2


def test_a_fresh_witness_given_the_first_key_is_walked_through_the_rotations(tmp_path, settings, world):
    """A witness that joins after a rotation, configured with the first key the log published."""
    from django.core.management import call_command

    first_key = log_verifier_key()
    deposit_many(world.ent_admin_in, 2)
    log_sequence()
    call_command("evidence_rotate_key")
    deposit_many(world.ent_admin_in, 2, prefix="after")
    witness = WitnessProcess(tmp_path / "late", "late.test/w", first_key)
    try:
        settings.SHANGMI_EVIDENCE_WITNESSES = [(witness.key, witness.url)]
        checkpoint = log_sequence()
        checkpoint.refresh_from_db()
        assert set(cosignatures_by(checkpoint.note, [WitnessKey.parse(witness.key)])) == {"late.test/w"}
        assert witness.latest()["shangmi.local/evidence/v1"]["key"] == log_verifier_key()
    finally:
        witness.stop()


def open_under(note: str, key: str):
    from shangmi.evidence.note import open_checkpoint

    return open_checkpoint(note, key)
