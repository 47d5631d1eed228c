"""The deposit API: digests in, receipts out, the enterprise's own deposits only."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shangmi.evidence.log import log_sequence
from shangmi.evidence.models import Deposit, DepositAccess
from tests.evidence.factories import deposit_bytes, digests_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/evidence/deposits/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _item(content: bytes, **extra) -> dict:
    sha, sm = digests_of(content)
    return {"title": "图纸", "sha256": sha, "sm3": sm, "file_name": "图纸.dwg", "file_size": len(content), **extra}


def test_it_takes_digests_and_answers_pending_receipts(world):
    response = client_for(world.ent_staff_in).post(URL, {"deposits": [_item(b"a"), _item(b"b")]}, format="json")
    assert response.status_code == 201, response.content
    receipts = response.json()["receipts"]
    assert [r["status"] for r in receipts] == ["pending", "pending"]
    assert Deposit.objects.filter(enterprise=world.ent_in).count() == 2
    assert len(receipts[0]["salt"]) == 64 and receipts[0]["salt"] != receipts[1]["salt"]
    assert set(Deposit.objects.values_list("source", flat=True)) == {"api"}


def test_a_deposit_from_the_signed_in_page_is_marked_browser(world, client):
    client.force_login(world.ent_admin_in)
    response = client.post(URL, {"deposits": [_item(b"page")]}, content_type="application/json")
    assert response.status_code == 201
    assert Deposit.objects.get().source == "browser"


def test_a_single_object_body_works_and_the_client_salt_is_kept(world):
    salt = "5a" * 32
    response = client_for(world.ent_admin_in).post(URL, _item(b"x", salt=salt), format="json")
    assert response.status_code == 201
    assert response.json()["receipts"][0]["salt"] == salt


def test_a_batch_with_bad_items_lands_nothing_and_names_each(world):
    bad = [_item(b"ok"), _item(b"x", sha256="XYZ"), _item(b"y", title="", file_name=""), _item(b"z", sm3="12")]
    response = client_for(world.ent_admin_in).post(URL, {"deposits": bad}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e.startswith("#2") and "SHA-256" in e for e in errors)
    assert any(e.startswith("#3") and "title" in e for e in errors)
    assert any(e.startswith("#4") and "SM3" in e for e in errors)
    assert not Deposit.objects.exists()


def test_regulators_and_platform_admins_cannot_deposit_or_read_deposits(world):
    deposit_bytes(world.ent_admin_in, b"secret")
    for user in (world.regulator_in, world.city_regulator, world.admin, world.officer_in, world.park_operator_in):
        client = client_for(user)
        assert client.post(URL, _item(b"q"), format="json").status_code == 400
        assert client.get(URL).json()["count"] == 0
    assert Deposit.objects.count() == 1


def test_a_stranger_gets_404_for_a_deposit_and_its_receipt(world):
    deposit = deposit_bytes(world.ent_admin_in, b"secret")
    stranger = client_for(world.ent_admin_out)
    assert stranger.get(f"{URL}{deposit.pk}/").status_code == 404
    assert stranger.get(f"{URL}{deposit.pk}/receipt/").status_code == 404
    owner = client_for(world.ent_staff_in)
    assert owner.get(f"{URL}{deposit.pk}/receipt/").status_code == 200
    assert DepositAccess.objects.filter(deposit=deposit, user=world.ent_staff_in, action="receipt_api").exists()


def test_a_new_version_chains_only_to_the_enterprises_own_deposit(world):
    own = deposit_bytes(world.ent_admin_in, b"v1")
    foreign = deposit_bytes(world.ent_admin_out, b"theirs")
    client = client_for(world.ent_admin_in)
    assert client.post(URL, _item(b"v2", previous=str(own.pk)), format="json").status_code == 201
    response = client.post(URL, _item(b"v2b", previous=str(foreign.pk)), format="json")
    assert response.status_code == 400 and "previous deposit not found" in response.json()["errors"][0]
    assert Deposit.objects.get(sha256=digests_of(b"v2")[0]).previous_id == own.pk


def test_the_receipt_upgrades_once_sequenced(world):
    deposit = deposit_bytes(world.ent_admin_in, b"later")
    client = client_for(world.ent_admin_in)
    assert client.get(f"{URL}{deposit.pk}/receipt/").json()["status"] == "pending"
    log_sequence()
    receipt = client.get(f"{URL}{deposit.pk}/receipt/").json()
    assert receipt["status"] == "sequenced" and receipt["inclusion"]["tree_size"] == 1


def test_public_log_endpoints_serve_entries_and_proofs(world, client):
    from shangmi.evidence import merkle
    from shangmi.evidence.note import open_checkpoint

    for n in range(5):
        deposit_bytes(world.ent_admin_in, f"d{n}".encode())
    log_sequence()
    for n in range(4):
        deposit_bytes(world.ent_admin_in, f"e{n}".encode())
    log_sequence()
    key = client.get("/evidence/log/key/").content.decode().strip()
    note = client.get("/evidence/log/checkpoint/").content.decode()
    latest = open_checkpoint(note, key)
    assert latest.size == 9
    entries = client.get("/evidence/log/entries/?start=0&end=9").json()["entries"]
    import base64

    leaves = [merkle.leaf_hash(base64.b64decode(e["data"])) for e in entries]
    assert merkle.root_from_leaf_hashes(leaves) == latest.root
    proof = client.get("/evidence/log/proof/inclusion/?index=3&size=9").json()["proof"]
    merkle.verify_inclusion(leaves[3], 3, 9, [base64.b64decode(p) for p in proof], latest.root)
    checkpoints = client.get("/evidence/log/checkpoints/").json()["checkpoints"]
    first = open_checkpoint(checkpoints[0]["note"], key)
    proof = client.get("/evidence/log/proof/consistency/?first=5&second=9").json()["proof"]
    merkle.verify_consistency(5, 9, [base64.b64decode(p) for p in proof], first.root, latest.root)
    # Bad questions get a clear 400, never a crash.
    assert client.get("/evidence/log/entries/?start=5&end=2").status_code == 400
    assert client.get("/evidence/log/proof/inclusion/?index=x&size=9").status_code == 400
    assert client.get("/evidence/log/proof/inclusion/?index=3&size=7").status_code == 400
    assert client.get("/evidence/log/proof/inclusion/?index=9&size=9").status_code == 400
    # The published log holds commitments, never the enterprise's digests or titles.
    dump = str(entries) + note
    for deposit in Deposit.objects.all():
        assert deposit.sha256 not in dump and deposit.title not in dump
