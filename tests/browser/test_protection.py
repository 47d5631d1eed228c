"""The protection system driven in Chromium by an enterprise's admin: three people, a secret point
known to all three, two carriers, one person leaving (the handover list), a version of the
secret point's document deposited from its page (hashed on the page), then the
reasonable-measures dossier: its PDF renders Chinese, its receipts verify offline."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shangmi.core.calendar import program_today
from shangmi.core.spreadsheets import parse
from shangmi.evidence.log import log_sequence
from shangmi.protection.models import Agreement, Carrier, Person, SecretPoint, SecretPointDeposit
from tests.browser.conftest import SCREENSHOTS, BrowserWorld, sign_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def add_person(page: Page, url: str, name: str, post: str, category: str = "other") -> Person:
    page.goto(f"{url}/protection/people/new/")
    page.fill("#id_name", name)
    page.fill("#id_department", "研发部")
    page.fill("#id_post", post)
    page.select_option("#id_post_category", category)
    page.select_option("#id_grade", "core")
    page.get_by_test_id("save-person").click()
    expect(page.locator("h1")).to_contain_text(name)
    return Person.objects.get(name=name)


def add_carrier(page: Page, url: str, point: SecretPoint, number: str, name: str, custodian: Person) -> Carrier:
    page.goto(f"{url}/protection/carriers/new/")
    page.fill("#id_number", number)
    page.fill("#id_name", name)
    page.check(f"input[name=secret_points][value='{point.pk}']")
    page.select_option("#id_form", "paper")
    page.select_option("#id_grade_mark", "core")
    page.select_option("#id_custodian", str(custodian.pk))
    page.fill("#id_location", "研发部保密柜")
    page.fill("#id_copies", "2")
    page.get_by_test_id("save-carrier").click()
    expect(page.locator("h1")).to_contain_text(name)
    return Carrier.objects.get(number=number)


@pytest.mark.django_db(transaction=True)
def test_an_admin_keeps_a_secret_point_through_a_departure_and_proves_its_measures(
    bworld: BrowserWorld, page: Page, shot, tmp_path: Path
):
    url = bworld.url
    sign_in(page, url, bworld.ent_admin_in.username)
    chief = add_person(page, url, "李总工", "总工程师", "senior_technician")
    tester = add_person(page, url, "王测试", "测试工程师")
    leaver = add_person(page, url, "陈离职", "算法工程师")

    # The leaver signs a confidentiality agreement.
    page.goto(f"{url}/protection/agreements/new/?person={leaver.pk}")
    page.select_option("#id_person", str(leaver.pk))
    page.check("input[name=kind][value=confidentiality]")
    page.fill("#id_signed_on", "2024-03-01")
    page.fill("#id_scope_text", "在职期间及离职后对电机控制算法保密")
    page.get_by_test_id("save-agreement").click()
    expect(page.locator("h1")).to_contain_text("陈离职")

    # The secret point, known to all three, approved and filed.
    page.goto(f"{url}/protection/secret-points/new/")
    page.fill("#id_name", "伺服电机控制算法")
    page.select_option("#id_subject", "tech.algorithm")
    page.select_option("#id_grade", "core")
    page.check("input[name=term_kind][value=long_term]")
    page.fill("#id_department", "研发部")
    page.select_option("#id_responsible", str(chief.pk))
    for person in (chief, tester, leaver):
        page.check(f"input[name=circle][value='{person.pk}']")
    page.fill("#id_location", "研发中心服务器机房")
    page.check("input[name=measures][value=marking]")
    page.check("input[name=measures][value=devices]")
    page.get_by_test_id("save-secret-point").click()
    point = SecretPoint.objects.get(name="伺服电机控制算法")
    page.fill("#approver-filed", "赵总经理")
    page.get_by_test_id("step-filed").locator("button").click()
    expect(page.get_by_test_id("status")).to_contain_text("已定密备案")

    # Two carriers: the leaver keeps one and borrows a copy of the other.
    kept = add_carrier(page, url, point, "ZT-001", "算法设计说明书", leaver)
    lent = add_carrier(page, url, point, "ZT-002", "控制器源代码打印件", chief)
    page.goto(f"{url}{lent.get_absolute_url()}")
    form = page.get_by_test_id("carrier-log-form")
    form.locator("select[name=kind]").select_option("borrow")
    form.locator("select[name=person]").select_option(str(leaver.pk))
    form.locator("input[name=approver]").fill("研发部经理")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("holders")).to_contain_text("陈离职")

    # The leaver leaves: the list names the secret point, both carriers and the agreement.
    page.goto(f"{url}/protection/people/{leaver.pk}/departure/")
    page.fill("#left_on", program_today().isoformat())
    page.get_by_role("button", name="登记离职").click()
    expect(page.get_by_test_id("departure-secret-points")).to_contain_text("伺服电机控制算法")
    expect(page.get_by_test_id("departure-kept")).to_contain_text("ZT-001")
    expect(page.get_by_test_id("departure-held")).to_contain_text("ZT-002")
    expect(page.get_by_test_id("departure-agreements")).to_contain_text("保密协议")
    shot(page, "departure")
    with page.expect_download() as download:
        page.get_by_test_id("departure-export").click()
    cells = {cell for row in parse(download.value.path(), "xlsx") for cell in row}
    assert {"伺服电机控制算法", "ZT-001", "ZT-002"} <= cells, cells
    assert Person.objects.get(pk=leaver.pk).left_on == program_today()
    assert Agreement.objects.filter(person=leaver).count() == 1 and kept.custodian_id == leaver.pk

    # A version of the secret point's document, hashed on its page.
    document = tmp_path / "伺服算法说明书.txt"
    document.write_text(
        "伺服电机控制算法说明书（第一版）\n" + "位置环、速度环、电流环参数整定。\n" * 40, encoding="utf-8"
    )
    page.goto(f"{url}{point.get_absolute_url()}")
    page.get_by_test_id("deposit-version").click()
    page.get_by_test_id("file-input").set_input_files(str(document))
    page.fill("#version_note", "第一版")
    page.get_by_test_id("deposit-submit").click()
    expect(page.get_by_test_id("deposit-status")).to_have_class("alert alert-success")
    shot(page, "deposited")
    link = SecretPointDeposit.objects.select_related("deposit").get(secret_point=point)
    assert link.version == 1 and link.deposit.file_name == document.name
    log_sequence()

    # The dossier: a Chinese PDF, looked at as PNG, and receipts the verifier accepts offline.
    page.goto(f"{url}{point.get_absolute_url()}")
    with page.expect_download() as download:
        page.get_by_test_id("dossier").click()
    pdf = tmp_path / "dossier.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for expected in (
        "合理保密措施证据包",
        "伺服电机控制算法",
        "陈离职",
        "离职",
        "王测试",
        "ZT-002",
        "研发部经理",
        "验证通过",
    ):
        assert expected in text, expected
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SCREENSHOTS / "protection-dossier")], check=True)
    assert sorted(SCREENSHOTS.glob("protection-dossier-*.png"))

    with page.expect_download() as download:
        page.get_by_test_id("receipts").click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        archive.extractall(tmp_path / "zip")
    receipts = sorted((tmp_path / "zip" / "receipts").glob("*.json"))
    assert len(receipts) == 1 and json.loads(receipts[0].read_text())["status"] == "sequenced"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT / "verifier")
    verify = [sys.executable, "-m", "shangmi_verifier", "verify", "--log-key", "log.pub"]
    with_file = [*verify, "--receipt", str(receipts[0]), "--file", str(document)]
    run = subprocess.run(with_file, capture_output=True, text=True, cwd=tmp_path / "zip", env=env)
    assert run.returncode == 0 and "VERIFIED" in run.stdout, run.stdout + run.stderr
