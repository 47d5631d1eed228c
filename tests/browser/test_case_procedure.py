"""A case's procedure in a browser: the investigating officer records electronic evidence with
how it was fixed; the investigator's own review is refused with a message; a reviewer who did
not investigate approves; after the decision the bureau serves it with its proof file."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from shangmi.core.calendar import program_today
from shangmi.enforcement import procedure
from shangmi.enforcement.models import Case
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from tests.browser.conftest import BrowserWorld, sign_in
from tests.enforcement.steps import investigated, new_case

pytestmark = pytest.mark.browser


def test_evidence_review_and_service_on_the_case_page(
    page: Page, browser: Browser, bworld: BrowserWorld, shot, tmp_media, tmp_path: Path
) -> None:
    calendars_load()
    rules_load()
    today = program_today()
    case = investigated(bworld, new_case(bworld), today=today)

    sign_in(page, bworld.url, bworld.officer_in.username)
    page.goto(f"{bworld.url}{case.get_absolute_url()}")
    form = page.get_by_test_id("evidence-form")
    form.locator("select[name=kind]").select_option("electronic")
    form.locator("input[name=title]").fill("当事人邮箱中的图纸邮件")
    form.locator("input[name=source]").fill("当事人企业邮箱服务器")
    form.locator("input[name=obtained_on]").fill(today.isoformat())
    form.locator("select[name=fixing]").select_option("copy")
    form.locator("button[type=submit]").click()
    # A copy without its method, time and maker: refused with the reason, nothing recorded.
    expect(page.locator(".alert")).to_contain_text("制作方法")
    assert case.evidence.count() == 1
    form = page.get_by_test_id("evidence-form")
    form.locator("select[name=kind]").select_option("electronic")
    form.locator("input[name=title]").fill("当事人邮箱中的图纸邮件")
    form.locator("input[name=source]").fill("当事人企业邮箱服务器")
    form.locator("input[name=obtained_on]").fill(today.isoformat())
    form.locator("select[name=fixing]").select_option("copy")
    form.locator("input[name=fixing_detail]").fill("导出为EML并计算SHA-256，执法人员两名制作")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("evidence")).to_contain_text("导出为EML并计算SHA-256")
    shot(page, "evidence")
    procedure.report_submit(
        user=bworld.officer_in, case=case, today=today,
        data=procedure.ReportInput(facts="当事人以电子邮件获取图纸", grounds="反不正当竞争法第十条、第二十六条",
                                   proposal=Case.Decision.NOT_ESTABLISHED),
    )  # fmt: skip

    bureau = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in(bureau, bworld.url, bworld.regulator_in.username)  # an investigator of this case
    bureau.goto(f"{bworld.url}{case.get_absolute_url()}")
    bureau.get_by_test_id("review-form").locator("input[name=opinion]").fill("同意")
    bureau.get_by_test_id("review-form").locator("button[type=submit]").click()
    expect(bureau.locator(".alert")).to_contain_text("办案人员")
    expect(bureau.get_by_test_id("stage")).to_contain_text("法制审核")
    bureau.context.close()

    reviewer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in(reviewer, bworld.url, bworld.city_regulator.username)
    reviewer.goto(f"{bworld.url}{case.get_absolute_url()}")
    reviewer.get_by_test_id("review-form").locator("input[name=opinion]").fill("证据不足以认定违法，同意不予处罚")
    reviewer.get_by_test_id("review-form").locator("button[type=submit]").click()
    expect(reviewer.get_by_test_id("stage")).to_contain_text("告知与决定")
    decide = reviewer.get_by_test_id("decide")
    decide.locator("select[name=decision]").select_option("not_established")
    decide.locator("button[type=submit]").click()
    expect(reviewer.get_by_test_id("stage")).to_contain_text("已决定，待送达")
    receipt = tmp_path / "送达回证.pdf"
    receipt.write_bytes("%PDF-1.4\n% 送达回证\n".encode())
    serve = reviewer.get_by_test_id("serve-form")
    serve.locator("select[name=mode]").select_option("direct")
    serve.locator("input[name=recipient]").fill("当事人法定代表人")
    serve.locator("input[name=delivered_on]").fill(today.isoformat())
    serve.locator("input[name=proof]").set_input_files(str(receipt))
    serve.locator("button[type=submit]").click()
    expect(reviewer.get_by_test_id("stage")).to_contain_text("已送达")
    expect(reviewer.get_by_role("link", name="送达回证.pdf")).to_be_visible()
    shot(reviewer, "served")
    reviewer.context.close()
    case.refresh_from_db()
    assert case.stage == Case.Stage.SERVED and case.services.get().recipient == "当事人法定代表人"
    assert case.decided_on == today and not case.fine and Decimal(0) == sum(p.amount for p in case.payments.all())
    assert case.opened_on <= today <= today + datetime.timedelta(days=1)
