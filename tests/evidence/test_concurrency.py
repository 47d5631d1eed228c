"""Many clients depositing while several sequencers run: the log stays gap-free and consistent.

PostgreSQL only: there the sequencers really run at once and take turns on the ``LogState``
row (SELECT ... FOR UPDATE). SQLite serialises every writer by itself, so the same test would
prove nothing there.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/pytest tests/evidence/test_concurrency.py
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client

from shangmi.evidence import merkle
from shangmi.evidence.log import consistency_proof_between, log_sequence, log_verifier_key
from shangmi.evidence.models import Checkpoint, Deposit, LogEntry, LogState
from shangmi.evidence.note import open_checkpoint
from shangmi.evidence.services import DepositInput, deposits_create
from tests.conftest import World
from tests.evidence.factories import digests_of

CLIENTS = 8
DEPOSITS_PER_CLIENT = 25
SEQUENCERS = 3
BATCH = 16  # small batches: many checkpoints, many turns on the lock
DEADLINE_S = 120
PAGE = 1000


def _thread(target: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    """A thread with its own database connection, closed when it ends; errors are collected."""

    def run() -> None:
        try:
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run, daemon=True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_deposits_and_sequencers_give_a_gap_free_consistent_log(transactional_db, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so sequencers never race there")
    settings.SHANGMI_EVIDENCE_BATCH = BATCH
    world = World()
    depositors = [world.ent_admin_in, world.ent_staff_in, world.ent_admin_out, world.ent_staff_out]
    total = CLIENTS * DEPOSITS_PER_CLIENT
    deadline = time.monotonic() + DEADLINE_S
    errors: list[BaseException] = []
    start = threading.Barrier(CLIENTS + SEQUENCERS)
    clients_done = threading.Event()
    made: dict[int, list[str]] = {}
    published: list[int] = []  # sizes, in the order sequencers returned them

    def client(n: int) -> None:
        user = depositors[n % len(depositors)]
        start.wait(timeout=30)
        ids = []
        for k in range(DEPOSITS_PER_CLIENT):
            sha, sm = digests_of(f"client {n} file {k}".encode())
            item = DepositInput(title=f"c{n}-{k}", sha256=sha, sm3=sm if k % 2 else "", file_name=f"{n}-{k}.bin")
            ids.append(str(deposits_create(user=user, items=[item])[0].pk))
        made[n] = ids

    def sequencer() -> None:
        start.wait(timeout=30)
        while time.monotonic() < deadline:
            finished = clients_done.is_set()  # read before sequencing: nothing may arrive after an idle pass
            checkpoint = log_sequence()
            if checkpoint is not None:
                published.append(checkpoint.size)
            elif finished:
                return
            else:
                time.sleep(0.005)
        raise TimeoutError("sequencer still busy at the deadline")

    clients = [_thread(lambda n=n: client(n), errors) for n in range(CLIENTS)]
    sequencers = [_thread(sequencer, errors) for _ in range(SEQUENCERS)]
    for thread in clients + sequencers:
        thread.start()
    for thread in clients:
        thread.join(timeout=DEADLINE_S)
    clients_done.set()
    for thread in sequencers:
        thread.join(timeout=DEADLINE_S)
    assert not any(thread.is_alive() for thread in clients + sequencers), "threads still running at the deadline"
    assert not errors, errors

    # Every deposit was recorded and got an index: 0..N-1, no gap, no duplicate.
    assert sum(len(ids) for ids in made.values()) == total
    assert Deposit.objects.count() == total
    assert not Deposit.objects.filter(leaf_index__isnull=True).exists()
    assert list(LogEntry.objects.order_by("index").values_list("index", flat=True)) == list(range(total))
    leaf_indices = list(Deposit.objects.values_list("leaf_index", flat=True))
    assert sorted(leaf_indices) == list(range(total))
    assert LogState.objects.get().size == total

    # Checkpoints, in the order they were published, grow strictly and each extends the one before.
    checkpoints = list(Checkpoint.objects.order_by("id"))
    sizes = [c.size for c in checkpoints]
    assert len(checkpoints) >= total // BATCH
    assert all(a < b for a, b in itertools.pairwise(sizes)), sizes
    assert sorted(published) == sizes and sizes[-1] == total
    key = log_verifier_key()
    previous_size, previous_root = 0, merkle.EMPTY_ROOT
    for checkpoint in checkpoints:
        body = open_checkpoint(checkpoint.note, key)
        assert (body.size, body.root) == (checkpoint.size, bytes(checkpoint.root))
        proof = consistency_proof_between(previous_size, checkpoint.size)
        merkle.verify_consistency(previous_size, checkpoint.size, proof, previous_root, bytes(checkpoint.root))
        previous_size, previous_root = checkpoint.size, bytes(checkpoint.root)

    # The latest root, recomputed by an outsider from the public entries endpoint alone.
    browser = Client()
    leaves: list[bytes] = []
    for page_start in range(0, total, PAGE):
        response = browser.get("/evidence/log/entries/", {"start": page_start, "end": min(page_start + PAGE, total)})
        assert response.status_code == 200
        entries = response.json()["entries"]
        assert [e["index"] for e in entries] == list(range(page_start, page_start + len(entries)))
        leaves.extend(merkle.leaf_hash(base64.b64decode(e["data"])) for e in entries)
    assert len(leaves) == total
    assert merkle.root_from_leaf_hashes(leaves) == bytes(checkpoints[-1].root)
