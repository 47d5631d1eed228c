"""The operator cannot test a guess: salts derived from the enterprise's key, escrow by choice.

A short formula or a price list is guessable. Whoever holds a copy of the platform's database
must not be able to confirm a guess against a deposit the enterprise did not escrow; the
enterprise, holding the file and its deposit key, rebuilds its receipt whenever it needs to.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shangmi.evidence.__main__ import main
from shangmi.evidence.client import complete_receipt
from shangmi.evidence.leaf import derive_salt, sha256_commitment, sm3, sm3_commitment
from shangmi.evidence.log import log_sequence, log_verifier_key
from shangmi.evidence.models import Deposit
from shangmi.evidence.receipts import receipt_for
from shangmi.evidence.services import (
    ESCROW_NOT_EXPORTED,
    ESCROW_NOT_HELD,
    ESCROW_NOT_SEQUENCED,
    DepositInput,
    deposit_forget_escrow,
    deposits_create,
)
from shangmi.evidence.verify import FileDigests, digest_file, verify_receipt
from tests.evidence.factories import deposit_bytes
from tests.refusals import refused_with

URL = "/api/v1/evidence/deposits/"
FORMULA = "隔膜配方：聚乙烯 62%，二氧化硅 38%".encode()


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _digests(content: bytes) -> FileDigests:
    return FileDigests(hashlib.sha256(content).digest(), sm3(content).digest(), len(content))


def _commitment_item(content: bytes, key: bytes) -> dict[str, Any]:
    """What the browser page and the client send without escrow: commitments only."""
    digests = _digests(content)
    salt = derive_salt(key, digests.sha256)
    assert digests.sm3 is not None
    return {
        "title": "配方",
        "file_name": "formula.txt",
        "commitment": sha256_commitment(salt, digests.sha256).hex(),
        "sm3_commitment": sm3_commitment(salt, digests.sm3).hex(),
    }


def _database_copy() -> list[str]:
    """Every value of every evidence table, as someone with a dump of the database sees them."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in ("evidence_deposit", "evidence_logentry", "evidence_lognode", "evidence_checkpoint"):
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                values.extend(bytes(v).hex() if isinstance(v, bytes | memoryview) else str(v) for v in row)
    return values


def _confirms(copy: list[str], guess: bytes) -> bool:
    """A guess is confirmed if its digest is stored, or a stored salt opens a stored commitment."""
    digest = hashlib.sha256(guess).digest()
    if digest.hex() in copy or sm3(guess).hexdigest() in copy:
        return True
    salts = [bytes.fromhex(v) for v in copy if len(v) == 64 and all(c in "0123456789abcdef" for c in v)]
    return any(sha256_commitment(salt, digest).hex() in copy for salt in salts)


@pytest.mark.django_db
def test_a_database_copy_confirms_a_guess_only_for_an_escrowed_deposit(world):
    key = secrets.token_bytes(32)
    answer = client_for(world.ent_staff_in).post(URL, _commitment_item(FORMULA, key), format="json")
    assert answer.status_code == 201, answer.content
    receipt = answer.json()["receipts"][0]
    assert receipt["escrowed"] is False and receipt["salt"] is None and receipt["digests"] is None
    log_sequence()
    deposit = Deposit.objects.get()
    assert (deposit.sha256, deposit.sm3, deposit.salt, deposit.escrowed) == ("", "", "", False)
    # The right guess, tried against everything the database holds, confirms nothing.
    assert not _confirms(_database_copy(), FORMULA)

    # The control: the same kind of guess against an escrowed deposit is confirmed at once,
    # which is what the platform allowed for every deposit before.
    price_list = b"price list 2026: 4.20 CNY/m2"
    deposit_bytes(world.ent_staff_in, price_list)
    log_sequence()
    assert _confirms(_database_copy(), price_list)


@pytest.mark.django_db
def test_a_lost_receipt_is_rebuilt_from_the_file_and_the_key(world):
    key = secrets.token_bytes(32)
    client_for(world.ent_staff_in).post(URL, _commitment_item(FORMULA, key), format="json")
    log_sequence()
    # The enterprise lost everything but the file and its key: the platform's receipt opens.
    platform_receipt = client_for(world.ent_staff_in).get(f"{URL}{Deposit.objects.get().pk}/receipt/").json()
    assert platform_receipt["status"] == "sequenced" and platform_receipt["salt"] is None
    verifier_key = log_verifier_key()
    report = verify_receipt(platform_receipt, verifier_key=verifier_key, file=_digests(FORMULA), deposit_key=key)
    assert report.verified, report.summary()
    assert report.index == 0

    # Without the key, or with another one, it does not.
    keyless = verify_receipt(platform_receipt, verifier_key=verifier_key, file=_digests(FORMULA))
    assert not keyless.verified and "--deposit-key" in keyless.summary()
    wrong = verify_receipt(
        platform_receipt, verifier_key=verifier_key, file=_digests(FORMULA), deposit_key=secrets.token_bytes(32)
    )
    assert not wrong.verified
    other_file = verify_receipt(
        platform_receipt, verifier_key=verifier_key, file=_digests(FORMULA + b" "), deposit_key=key
    )
    assert not other_file.verified

    # Completed once, the receipt verifies with nothing but the file, like a format 1 receipt.
    salt = derive_salt(key, hashlib.sha256(FORMULA).digest())
    completed = complete_receipt(platform_receipt, _digests(FORMULA), salt)
    assert verify_receipt(completed, verifier_key=verifier_key, file=_digests(FORMULA)).verified
    # A given key must be the one that derived the receipt's salt.
    stranger = verify_receipt(completed, verifier_key=verifier_key, deposit_key=secrets.token_bytes(32))
    assert not stranger.verified


@pytest.mark.django_db
def test_half_an_escrow_and_a_bad_commitment_are_refused(world):
    key = secrets.token_bytes(32)
    client = client_for(world.ent_staff_in)
    half = {**_commitment_item(FORMULA, key), "salt": "ab" * 32}
    assert client.post(URL, half, format="json").status_code == 400
    bad = {**_commitment_item(FORMULA, key), "commitment": "xyz"}
    assert client.post(URL, bad, format="json").status_code == 400
    assert client.post(URL, {"title": "nothing"}, format="json").status_code == 400
    assert not Deposit.objects.exists()


@pytest.mark.django_db
def test_the_enterprise_forgets_escrowed_secrets_only_after_a_complete_receipt_left(world):
    deposit = deposit_bytes(world.ent_staff_in, FORMULA)  # escrowed, as every deposit made before
    admin = world.ent_admin_in
    with refused_with(ESCROW_NOT_SEQUENCED):
        deposit_forget_escrow(user=admin, deposit=deposit)
    log_sequence()
    deposit.refresh_from_db()
    with refused_with(ESCROW_NOT_EXPORTED):
        deposit_forget_escrow(user=admin, deposit=deposit)
    forget = f"{URL}{deposit.pk}/forget-escrow/"
    refused = client_for(admin).post(forget)
    assert refused.status_code == 409 and refused.json()["code"] == ESCROW_NOT_EXPORTED.code

    kept = client_for(admin).get(f"{URL}{deposit.pk}/receipt/").json()
    assert kept["escrowed"] is True and kept["salt"]
    # Staff may deposit and read, not make the platform forget; a stranger does not see it.
    assert client_for(world.ent_staff_in).post(forget).status_code == 403
    assert client_for(world.ent_admin_out).post(forget).status_code == 404
    assert client_for(admin).post(forget).status_code == 200

    deposit.refresh_from_db()
    assert (deposit.sha256, deposit.sm3, deposit.salt, deposit.escrowed) == ("", "", "", False)
    assert not _confirms(_database_copy(), FORMULA)
    # The receipt the enterprise downloaded still proves its file; the platform's no longer can.
    verifier_key = log_verifier_key()
    assert verify_receipt(kept, verifier_key=verifier_key, file=_digests(FORMULA)).verified
    assert receipt_for(deposit)["salt"] is None
    with refused_with(ESCROW_NOT_HELD):
        deposit_forget_escrow(user=admin, deposit=deposit)


@pytest.mark.django_db
def test_an_escrowed_deposit_with_a_derived_salt_verifies_with_the_key(world):
    key = secrets.token_bytes(32)
    digests = _digests(FORMULA)
    salt = derive_salt(key, digests.sha256)
    deposits_create(
        user=world.ent_staff_in,
        items=[DepositInput(title="配方", sha256=digests.sha256.hex(), sm3=digests.sm3.hex(), salt=salt.hex())],
    )
    log_sequence()
    receipt = receipt_for(Deposit.objects.get())
    assert verify_receipt(receipt, verifier_key=log_verifier_key(), file=digests, deposit_key=key).verified


def test_the_client_derives_the_same_salt_as_the_documented_formula(tmp_path: Path, capsys):
    key_file = tmp_path / "deposit.key"
    assert main(["keygen", str(key_file)]) == 0
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert main(["keygen", str(key_file)]) == 2  # never overwrites a key
    key = bytes.fromhex(key_file.read_text().strip())
    file = tmp_path / "f.txt"
    file.write_bytes(FORMULA)
    sha = digest_file(file).sha256
    expected = hashlib.new("sha256")
    # HMAC-SHA-256 spelled out, as a re-implementer would from docs/evidence-log.md.
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key.ljust(64, b"\0")) + b"shangmi-evidence-salt/1\n" + sha)
    expected = hashlib.sha256(bytes(b ^ 0x5C for b in key.ljust(64, b"\0")) + inner.digest())
    assert derive_salt(key, sha) == expected.digest()
    capsys.readouterr()


@pytest.mark.django_db(transaction=True)
def test_the_cli_deposits_commitments_and_rebuilds_a_lost_receipt(world, live_server, tmp_path, capsys):
    token = Token.objects.create(user=world.ent_admin_in).key
    key_file = tmp_path / "deposit.key"
    main(["keygen", str(key_file)])
    file = tmp_path / "formula.txt"
    file.write_bytes(FORMULA)
    server = ["--url", live_server.url, "--token", token]
    assert main(["deposit", str(file), *server, "--deposit-key", str(key_file), "--out", str(tmp_path / "r")]) == 0
    deposit = Deposit.objects.get()
    assert (deposit.sha256, deposit.salt, deposit.escrowed) == ("", "", False)
    saved = json.loads(next((tmp_path / "r").glob("*.json")).read_text())
    assert saved["salt"] and saved["digests"]["sha256"] == hashlib.sha256(FORMULA).hexdigest()
    log_sequence()
    # The receipts folder is lost; the file and the key rebuild a complete receipt.
    out = tmp_path / "again"
    args = ["receipt", str(deposit.pk), *server, "--out", str(out), "--file", str(file), "--deposit-key", str(key_file)]
    assert main(args) == 0
    rebuilt = json.loads(next(out.glob("*.json")).read_text())
    assert rebuilt["salt"] == saved["salt"] and rebuilt["status"] == "sequenced"
    assert verify_receipt(rebuilt, verifier_key=log_verifier_key(), file=digest_file(file)).verified
    # Another file with the same key does not open the commitment: refused, nothing written.
    other = tmp_path / "other.txt"
    other.write_bytes(b"another")
    args[args.index(str(file))] = str(other)
    args[args.index(str(out))] = str(tmp_path / "third")
    assert main(args) == 2
    assert "do not open" in capsys.readouterr().err


@pytest.mark.django_db
def test_both_verifiers_take_the_deposit_key(world, tmp_path):
    repo = Path(__file__).resolve().parents[2]
    key = secrets.token_bytes(32)
    client_for(world.ent_staff_in).post(URL, _commitment_item(FORMULA, key), format="json")
    log_sequence()
    (tmp_path / "receipt.json").write_text(json.dumps(receipt_for(Deposit.objects.get())))
    (tmp_path / "formula.txt").write_bytes(FORMULA)
    (tmp_path / "deposit.key").write_text(key.hex() + "\n")
    (tmp_path / "log.pub").write_text(log_verifier_key())
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    common = ["verify", "--file", "formula.txt", "--receipt", "receipt.json", "--log-key", "log.pub"]
    for module, path in (("shangmi.evidence", str(repo)), ("shangmi_verifier", str(repo / "verifier"))):
        run = [sys.executable, "-m", module, *common]
        env["PYTHONPATH"] = path
        ok = subprocess.run(
            [*run, "--deposit-key", "deposit.key"], capture_output=True, text=True, cwd=tmp_path, env=env
        )
        assert ok.returncode == 0 and "VERIFIED" in ok.stdout, module + ok.stdout + ok.stderr
        keyless = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path, env=env)
        assert keyless.returncode == 1 and "--deposit-key" in keyless.stdout, module + keyless.stdout


# The browser page's salt, run in Node on the same hash-wasm the page serves: the formula must
# give the very bytes the Python client and both verifiers derive. (Chromium covers the page
# itself in tests/browser; this pins the derivation wherever Node is.)
NODE_PROBE = """
globalThis.window = globalThis;
globalThis.document = { readyState: "complete", getElementById: () => null, cookie: "" };
globalThis.hashwasm = require(process.argv[1]);
require(process.argv[2]);
const key = Uint8Array.from(process.argv[3].match(/../g), (p) => parseInt(p, 16));
window.shangmiEvidence.deriveSalt(key, process.argv[4]).then((s) => console.log(window.shangmiEvidence.hex(s)));
"""


def test_the_browser_page_derives_the_same_salt():
    import shutil

    node = shutil.which("node")
    repo = Path(__file__).resolve().parents[2]
    hashwasm = repo / "node_modules" / "hash-wasm" / "dist" / "sha256.umd.min.js"
    if node is None or not hashwasm.exists():
        pytest.skip("Node.js or node_modules/hash-wasm is not installed")
    key = secrets.token_bytes(32)
    sha = hashlib.sha256(FORMULA).digest()
    script = repo / "shangmi" / "static" / "shangmi" / "evidence.js"
    result = subprocess.run(
        [node, "-e", NODE_PROBE, str(hashwasm), str(script), key.hex(), sha.hex()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == derive_salt(key, sha).hex()


@pytest.mark.django_db
def test_the_export_command_writes_receipts_then_forgets(world, tmp_path):
    from django.core.management import call_command

    deposit_bytes(world.ent_staff_in, FORMULA)
    deposit_bytes(world.ent_staff_out, b"another enterprise's file")
    log_sequence()
    pending = deposit_bytes(world.ent_staff_in, b"not sequenced yet")
    call_command("evidence_export_receipts", user=world.ent_admin_in.username, out=tmp_path, forget=True)
    files = list(tmp_path.glob("receipt-*.json"))
    assert len(files) == 1  # its own enterprise's sequenced deposit only
    receipt = json.loads(files[0].read_text())
    assert receipt["salt"] and verify_receipt(receipt, verifier_key=log_verifier_key(), file=_digests(FORMULA)).verified
    mine = Deposit.objects.get(enterprise=world.ent_in, leaf_index__isnull=False)
    assert (mine.salt, mine.sha256, mine.escrowed) == ("", "", False)
    other = Deposit.objects.get(enterprise=world.ent_out)
    assert other.escrowed and other.salt  # another enterprise's secrets are not touched
    pending.refresh_from_db()
    assert pending.escrowed and pending.salt


@pytest.mark.django_db
def test_a_batch_reveals_neither_its_order_of_arrival_nor_times_finer_than_its_checkpoint(world):
    from shangmi.evidence.leaf import Leaf
    from shangmi.evidence.models import LogEntry
    from tests.evidence.factories import deposit_many

    deposits = deposit_many(world.ent_staff_in, 40, prefix="one-request")
    log_sequence()
    by_arrival = [Deposit.objects.get(pk=d.pk).leaf_index for d in deposits]
    # One request of 40 files does not sit in 40 consecutive indices in its own order (the
    # chance that a shuffle leaves it so is 1 in 40!).
    assert sorted(by_arrival) == list(range(40)) and by_arrival != list(range(40))
    times = {Leaf.from_bytes(bytes(data)).time_ms for data in LogEntry.objects.values_list("data", flat=True)}
    assert len(times) == 1 and times.pop() % 1000 == 0  # one time per checkpoint, whole seconds
