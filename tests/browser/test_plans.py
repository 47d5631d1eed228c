"""A responsible unit reports progress on its task in the browser, with a results file; the plan's
owner sees the task's colour change from behind its expected progress (orange) to on track."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from shangmi.core.calendar import program_today
from shangmi.plans.models import Plan, PlanUnit, Report, Task
from tests.browser.conftest import BrowserWorld, sign_in, sign_out

pytestmark = pytest.mark.browser


def test_unit_reports_and_the_owner_sees_the_colour_change(page: Page, bworld: BrowserWorld, shot, tmp_media) -> None:
    today = program_today()
    plan = Plan.objects.create(
        code="browser", title="江北区加强商业秘密保护工作实施意见", issuer="江北区市场监管局", region=bworld.jiangbei,
        starts_on=today - datetime.timedelta(days=100), ends_on=today + datetime.timedelta(days=300),
    )  # fmt: skip
    court = PlanUnit.objects.create(plan=plan, name="区法院")
    court.members.add(bworld.judicial)
    task = Task.objects.create(
        plan=plan, number=5, area_number=2, area="健全商业秘密保护工作机制",
        text="切实发挥行政保护快速便捷的优势,加强市场监管与司法部门的联动,建立案件移交、执法联动等工作机制。",
        lead_unit=court, due_on=today + datetime.timedelta(days=200),
    )  # fmt: skip
    row = f'[data-testid="tasks"] tr[data-task="{task.number}"] [data-colour]'

    # The owner: a third of the time spent, nothing reported: orange.
    sign_in(page, bworld.url, bworld.regulator_in.username)
    page.goto(f"{bworld.url}/plans/{plan.pk}/")
    expect(page.locator(row)).to_have_attribute("data-colour", "orange")
    expect(page.locator(row)).to_have_text("滞后序时进度")
    shot(page, "owner-sees-orange")
    sign_out(page)

    # The court's liaison reports 50 % with the signed mechanism as a PDF.
    sign_in(page, bworld.url, bworld.judicial.username)
    page.goto(f"{bworld.url}/plans/{plan.pk}/")
    page.locator(f'[data-testid="tasks"] tr[data-task="{task.number}"] a').click()
    form = page.get_by_test_id("report-form")
    form.locator("input[name=progress]").fill("50")
    form.locator("textarea[name=text]").fill("已与区市场监管局会签案件移交衔接办法。")
    form.locator("input[name=attachments]").set_input_files(
        {"name": "案件移交衔接办法.pdf", "mimeType": "application/pdf", "buffer": "%PDF-1.4\n% 会签\n".encode()}
    )
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_test_id("progress")).to_have_text("50")
    expect(page.get_by_test_id("task-colour").locator("[data-colour]")).to_have_attribute("data-colour", "green")
    expect(page.get_by_test_id("reports")).to_contain_text("案件移交衔接办法.pdf")
    shot(page, "unit-reported")
    sign_out(page)

    # The owner: on track now, the report and its file on the task's page.
    sign_in(page, bworld.url, bworld.regulator_in.username)
    page.goto(f"{bworld.url}/plans/{plan.pk}/")
    expect(page.locator(row)).to_have_attribute("data-colour", "green")
    expect(page.locator(row)).to_have_text("正常推进")
    shot(page, "owner-sees-green")
    page.locator(f'[data-testid="tasks"] tr[data-task="{task.number}"] a').click()
    with page.expect_download() as download:
        page.get_by_role("link", name="案件移交衔接办法.pdf").click()
    assert download.value.suggested_filename == "案件移交衔接办法.pdf"
    assert Report.objects.get(task=task).files.get().original_name == "案件移交衔接办法.pdf"

    # A stranger (the other district's bureau) gets 404.
    sign_out(page)
    sign_in(page, bworld.url, bworld.regulator_out.username)
    response = page.goto(f"{bworld.url}/plans/{plan.pk}/")
    assert response is not None and response.status == 404
