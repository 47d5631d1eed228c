"""A secret point's deposited versions (hash only, chained) and its reasonable-measures dossier:
the PDF from the records, the receipts verified offline by the verifier package."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from shangmi.evidence.leaf import sm3
from shangmi.evidence.log import log_sequence
from shangmi.evidence.models import Deposit, DepositAccess
from shangmi.evidence.services import DepositInput
from shangmi.ledgers.models import Activity, ActivityParticipant
from shangmi.protection import services
from shangmi.protection.models import Agreement, Carrier, CarrierEvent, Grade, SecretPointDeposit
from shangmi.protection.services import AgreementInput, CarrierInput, CarrierLogInput
from tests.protection.conftest import People, person, propose
from tests.refusals import refused_with

REPO = Path(__file__).resolve().parents[2]


def item(content: bytes, **extra: Any) -> dict[str, Any]:
    """What the page's script posts for one file, escrowed: its digests, never its bytes."""
    return {
        "title": "控制算法说明书",
        "file_name": "算法说明书.docx",
        "file_size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "sm3": sm3(content).hexdigest(),
        **extra,
    }


def post_version(client: Any, point: Any, *items: dict[str, Any]) -> Any:
    url = reverse("protection:secret_point_deposit", args=[point.pk])
    return client.post(url, data=json.dumps({"deposits": list(items)}), content_type="application/json")


@pytest.fixture
def point(world: Any, people: People) -> Any:
    return propose(world.ent_admin_in, people.engineer, circle=(people.engineer, people.staff))


@pytest.mark.django_db
def test_each_version_is_chained_to_the_one_before(world, people, point, client):
    client.force_login(world.ent_admin_in)
    first = post_version(client, point, item(b"v1 of the algorithm"))
    assert first.status_code == 201, first.content
    second = post_version(client, point, item(b"v2 of the algorithm", version_note="加入温度补偿"))
    assert second.status_code == 201
    links = list(SecretPointDeposit.objects.filter(secret_point=point).select_related("deposit"))
    assert [link.version for link in links] == [1, 2]
    assert links[1].deposit.previous_id == links[0].deposit.pk and links[0].deposit.previous_id is None
    assert {link.deposit.secret_point for link in links} == {point.name}
    assert second.json()["receipts"][0]["deposit"]["id"] == str(links[1].deposit.pk)
    # Only digests arrived: nothing of the content is stored.
    assert links[0].deposit.sha256 == hashlib.sha256(b"v1 of the algorithm").hexdigest()
    page = client.get(reverse("protection:secret_point_deposit", args=[point.pk]))
    assert "算法说明书.docx" in page.content.decode()


@pytest.mark.django_db
def test_a_bad_version_is_refused_whole(world, people, point, client):
    client.force_login(world.ent_admin_in)
    two = post_version(client, point, item(b"a"), item(b"b"))
    assert two.status_code == 400 and two.json()["errors"]
    bad = post_version(client, point, item(b"a", sha256="not-a-digest"))
    assert bad.status_code == 400 and "SHA-256" in bad.json()["errors"][0]
    broken = client.post(
        reverse("protection:secret_point_deposit", args=[point.pk]), data="{", content_type="application/json"
    )
    assert broken.status_code == 400
    assert not Deposit.objects.exists() and not SecretPointDeposit.objects.exists()


@pytest.mark.django_db
def test_a_declassified_secret_point_takes_no_new_version(world, people, point):
    services.secret_point_file(user=world.ent_admin_in, secret_point=point, approver="赵总")
    services.secret_point_declassify(user=world.ent_admin_in, secret_point=point, approver="赵总")
    with refused_with(services.DEPOSIT_NOT_LIVE):
        services.secret_point_deposit(
            user=world.ent_admin_in,
            secret_point=point,
            item=DepositInput.from_mapping(item(b"late version")),
        )
    assert not Deposit.objects.exists()


@pytest.mark.django_db
def test_only_the_keepers_deposit_and_read_the_dossier(world, people, point, client):
    """Staff in the circle read the secret point, but the dossier (everyone's agreements, every
    carrier) and new versions are the admins'; everyone else gets 404 on all three."""
    urls = [reverse(f"protection:secret_point_{name}", args=[point.pk]) for name in ("deposit", "dossier", "receipts")]
    for user in (world.ent_staff_in, world.ent_admin_out, world.ent_staff_out, world.regulator_in, world.admin):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
        assert post_version(client, point, item(b"x")).status_code == 404
    client.force_login(world.ent_staff_in)
    assert client.get(point.get_absolute_url()).status_code == 200
    with refused_with(services.NOT_KEEPER):
        services.secret_point_deposit(
            user=world.ent_staff_in, secret_point=point, item=DepositInput.from_mapping(item(b"x"))
        )
    assert not Deposit.objects.exists()


def dossier_world(world: Any, people: People) -> Any:
    """A filed secret point with three people (agreements signed), two carriers with a log,
    a training in the ledgers and two deposited versions."""
    admin = world.ent_admin_in
    third = person(world.ent_in, "陈测试", post="测试工程师")
    point = propose(admin, people.engineer, circle=(people.engineer, people.staff, third))
    services.secret_point_file(user=admin, secret_point=point, approver="赵总经理", note="经保密委员会审议")
    for who in (people.engineer, people.staff, third):
        services.agreement_record(
            user=admin,
            data=AgreementInput(
                person=who,
                kind=Agreement.Kind.CONFIDENTIALITY,
                signed_on=datetime.date(2024, 3, 1),
                starts_on=datetime.date(2024, 3, 1),
                scope_text="在职及离职后对电机控制算法保密",
            ),
        )
    drawing = services.carrier_register(
        user=admin,
        data=CarrierInput(
            name="控制算法设计图", number="ZT-001", secret_points=[point], form=Carrier.Form.DRAWING,
            grade_mark=Grade.CORE, custodian=people.engineer, location="研发部保密柜", copies=1,
        ),
    )  # fmt: skip
    services.carrier_register(
        user=admin,
        data=CarrierInput(
            name="算法源代码备份盘", number="ZT-002", secret_points=[point], form=Carrier.Form.MEDIUM,
            grade_mark=Grade.CORE, custodian=third, location="机房加密柜", copies=2,
        ),
    )  # fmt: skip
    services.carrier_log(
        user=admin,
        carrier=drawing,
        data=CarrierLogInput(kind=CarrierEvent.Kind.BORROW, person=people.staff, approver="研发部经理"),
    )
    training = Activity.objects.create(
        kind=Activity.Kind.TRAINING,
        name="商业秘密保护专题培训",
        starts_at=timezone.make_aware(datetime.datetime(2025, 4, 1, 9, 0)),
        place="区市场监管局",
        organiser="区市场监管局",
        region=world.ent_in.region,
        content="商业秘密保护",
        created_by=world.regulator_in,
    )
    training.enterprises.add(world.ent_in)
    ActivityParticipant.objects.create(activity=training, enterprise=world.ent_in, name="陈测试", person_key="c-1")
    services.person_depart(user=admin, person=third, left_on=datetime.date(2026, 1, 15))
    for n in (1, 2):
        services.secret_point_deposit(
            user=admin, secret_point=point, item=DepositInput.from_mapping(item(f"version {n}".encode()))
        )
    return point


@pytest.mark.django_db
def test_the_dossier_pdf_holds_the_records_in_chinese(world, people, client, tmp_path):
    point = dossier_world(world, people)
    log_sequence()
    client.force_login(world.ent_admin_in)
    response = client.get(reverse("protection:secret_point_dossier", args=[point.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for expected in (
        "合理保密措施证据包",
        "目录",
        "电机控制算法",
        "赵总经理",  # who approved the filing
        "陈测试",
        "保密协议",
        "2024-03-01",
        "2026-01-15 离职",  # the departure, with the person
        "商业秘密保护专题培训",  # the ledgers' training of a person in the circle
        "ZT-001",
        "ZT-002",
        "研发部经理",  # the borrow's approver, from the carrier's log
        "第 2 版",
        "验证通过",  # the platform's own check of each receipt
    ):
        assert expected in text, expected
    # The index names each section with its page.
    index = text[text.index("目录") :].splitlines()[:8]
    assert any("知悉范围与协议签署" in line and line.rstrip()[-1].isdigit() for line in index), index
    # It renders (the Noto Sans SC font embedded).
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "NotoSansSC" in fonts
    assert DepositAccess.objects.filter(action="dossier_pdf", record_id=str(point.pk)).exists()


@pytest.mark.django_db
def test_the_receipts_verify_offline_with_the_verifier(world, people, client, tmp_path):
    point = dossier_world(world, people)
    log_sequence()
    client.force_login(world.ent_admin_in)
    response = client.get(reverse("protection:secret_point_receipts", args=[point.pk]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    receipts = sorted((tmp_path / "receipts").glob("receipt-*.json"))
    assert len(receipts) == 2
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [v["version"] for v in manifest["versions"]] == [1, 2]
    # The verifier package alone, in a fresh interpreter that sees none of the platform.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env["PYTHONPATH"] = str(REPO / "verifier")
    command = [sys.executable, "-m", "shangmi_verifier", "verify", "--log-key", "log.pub", "--receipt"]
    for receipt in receipts:
        run = subprocess.run([*command, str(receipt)], capture_output=True, text=True, cwd=tmp_path, env=env)
        assert run.returncode == 0 and "VERIFIED" in run.stdout, run.stdout + run.stderr
    # And a receipt whose digest was altered fails: the check can fail.
    tampered = json.loads(receipts[0].read_text())
    tampered["digests"]["sha256"] = hashlib.sha256(b"another file").hexdigest()
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    run = subprocess.run([*command, "tampered.json"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 1 and "NOT VERIFIED" in run.stdout
