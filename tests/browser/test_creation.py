"""The whole creation path as real users do it, in a browser.

An enterprise of 越城区 self-assesses against the Chongqing standard with evidence and
submits; the district returns it with a reason; the enterprise fixes and resubmits; the
district and 绍兴市 pass it; 浙江省 records the on-site acceptance and approves; the plaque
downloads and renders its Chinese; the title is announced publicly and counts in the
target progress.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from shangmi.core.calendar import program_today, program_year
from shangmi.core.roles import Role
from shangmi.creation import services
from shangmi.creation.models import Application, DemoType, Level
from shangmi.regions.models import Region
from shangmi.standards.models import Standard
from shangmi.targets.models import Target
from tests.browser.conftest import SCREENSHOTS, BrowserWorld, sign_in, sign_out
from tests.conftest import make_enterprise, make_user

pytestmark = pytest.mark.browser

NOT_MET = {"4.1.c", "6.1.b", "7.1.c", "7.1.d", "7.1.e"}
PDF = "%PDF-1.4\n% 商业秘密保护制度\n".encode()


def review_and(page: Page, url: str, application: Application, action: str, opinion: str) -> None:
    """As the reviewer now signed in: open the queue, the application, adopt and act."""
    page.goto(f"{url}/creation/queue/")
    page.get_by_role("link", name=application.applicant_name).first.click()
    page.get_by_test_id("review").click()
    page.get_by_test_id("adopt").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_test_id("scored")).to_contain_text("39")
    page.fill("#opinion", opinion)
    page.get_by_test_id(action).click()
    page.wait_for_load_state("domcontentloaded")


def test_self_assessment_to_plaque(page: Page, browser: Browser, bworld: BrowserWorld, shot, tmp_media) -> None:
    call_command("load_standards", verbosity=0)
    standard = Standard.objects.get(code="cq-creation")
    # The 39 Chongqing items carry this walk-through; a round uses a standard of its own region
    # or a national one, so here they stand for a national points standard.
    standard.region = None
    standard.save(update_fields=["region"])
    zhejiang, shaoxing, yuecheng = (Region.objects.get(code=c) for c in ("330000", "330600", "330602"))
    province = make_user("zj_regulator", Role.REGULATOR, region=zhejiang)
    make_user("sx_regulator", Role.REGULATOR, region=shaoxing)
    make_user("yc_regulator", Role.REGULATOR, region=yuecheng)
    enterprise = make_enterprise("330602", "绍兴越城精工纺织科技有限公司", 21)
    make_user("yc_ent_admin", Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    year = program_year()
    round_ = services.round_open(
        province,
        services.RoundInput(
            title=f"{year}年浙江省省级商业秘密保护示范单位创建",
            year=year,
            demo_type=DemoType.UNIT,
            level=Level.PROVINCIAL,
            standard=standard,
            deadline=program_today() + datetime.timedelta(days=30),
        ),
    )
    Target.objects.create(region=yuecheng, year=year, demo_type=DemoType.UNIT, levels=Level.PROVINCIAL, minimum=1)
    url = bworld.url

    # 1. The enterprise admin applies and answers item by item; each answer saves itself.
    sign_in(page, url, "yc_ent_admin")
    page.goto(f"{url}/creation/rounds/{round_.pk}/")
    page.get_by_test_id("apply").click()
    page.get_by_test_id("start-application").click()
    expect(page).to_have_url(re.compile(r"/creation/applications/\d+/assess/$"))
    application = Application.objects.get(enterprise=enterprise)
    rows = page.locator("tr[data-code]")
    expect(rows).to_have_count(39)
    for code in standard.items.order_by("order").values_list("code", flat=True):
        choice = "no" if code in NOT_MET else "yes"
        row = page.locator(f"tr[data-code='{code}']")
        with page.expect_response(lambda r: r.url.endswith("/assess/item/") and r.status == 200):
            row.locator(f"input[value={choice}]").check()
    expect(page.get_by_test_id("self-score-total")).to_have_text("94.5")
    page.set_input_files(
        "input[name=file]", files=[{"name": "保密制度.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.select_option("select[name=items]", ["4.1.a", "4.1.b"])
    page.locator("[data-testid=evidence-form] button[type=submit]").click()
    expect(page.get_by_test_id("evidence")).to_contain_text("保密制度.pdf")
    shot(page, "self-assessment")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("stages")).to_contain_text("越城区")
    sign_out(page)

    # 2. The district returns it with a reason.
    sign_in(page, url, "yc_regulator")
    review_and(page, url, application, "return", "请补充涉密场所、载体管理制度（4.1.c）")
    sign_out(page)

    # 3. The enterprise sees why, fixes the item and resubmits.
    sign_in(page, url, "yc_ent_admin")
    page.goto(f"{url}/creation/applications/{application.pk}/")
    expect(page.get_by_test_id("return-reasons")).to_contain_text("4.1.c")
    page.get_by_test_id("edit-assessment").click()
    with page.expect_response(lambda r: r.url.endswith("/assess/item/")):
        page.locator("tr[data-code='4.1.c'] input[value=yes]").check()
    expect(page.get_by_test_id("self-score-total")).to_have_text("97")
    page.get_by_test_id("submit").click()
    sign_out(page)

    # 4. District and city pass it on.
    for reviewer in ("yc_regulator", "sx_regulator"):
        sign_in(page, url, reviewer)
        review_and(page, url, application, "pass", "材料齐全，同意推荐")
        sign_out(page)

    # 5. The province records the on-site acceptance and approves.
    sign_in(page, url, "zj_regulator")
    page.goto(f"{url}/creation/applications/{application.pk}/review/")
    page.get_by_test_id("adopt").click()
    form = page.get_by_test_id("inspection-form")
    form.locator("select[name=kind]").select_option("on_site")
    form.locator("input[name=date]").fill(program_today().isoformat())
    form.locator("input[name=inspectors]").fill("王明、李华")
    form.locator("textarea[name=findings]").fill("商秘办设置规范，制度上墙，台账齐全")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("inspections")).to_contain_text("王明")
    shot(page, "acceptance")
    page.fill("#opinion", "经实地验收，符合创建标准，予以认定")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status").first).to_have_attribute("class", re.compile("text-bg-success"))
    shot(page, "approved")

    # 6. The plaque downloads and its Chinese renders (looked at as PNG).
    with page.expect_download() as download_info:
        page.get_by_test_id("certificate").click()
    pdf = Path(download_info.value.path())
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read the plaque; .ci/run installs it")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert enterprise.name in text and "浙江省省级商业秘密保护示范单位" in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-singlefile", str(pdf), str(SCREENSHOTS / "creation-plaque")], check=True
    )
    assert (SCREENSHOTS / "creation-plaque.png").stat().st_size > 10_000

    # 7. The target progress counts it, for the city that watches its districts.
    sign_out(page)
    sign_in(page, url, "sx_regulator")
    page.goto(f"{url}{reverse('targets:progress')}?region=330600&year={year}")
    row = page.locator("tr", has_text="越城区").first
    # Minimum, candidates, submitted, approved: all 1, and the approval is counted.
    expect(row.locator("th")).to_have_text("越城区")
    expect(row.locator("td")).to_have_text(["1", "1", "1", "1"])
    shot(page, "target-progress")

    # 8. Anyone, signed in or not, finds the title on the public announcement page.
    anonymous = browser.new_context(locale="zh-CN")
    public = anonymous.new_page()
    public.goto(f"{url}/creation/announcements/?year={year}")
    expect(public.locator("main")).to_contain_text(enterprise.name)
    shot(public, "announcement")
    anonymous.close()
