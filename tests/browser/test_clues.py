"""The public clue path in a browser: an anonymous person reports an infringement with a file
and gets a tracking code; the district bureau screens it and opens a case; the person reads
the status and the bureau's answer by the code, and nothing else of the clue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from shangmi.enforcement.models import Clue
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from tests.browser.conftest import BrowserWorld, sign_in

pytestmark = pytest.mark.browser


def test_anonymous_report_screened_and_followed_by_code(
    page: Page, browser: Browser, bworld: BrowserWorld, shot, tmp_media, tmp_path: Path
) -> None:
    calendars_load()
    rules_load()
    evidence = tmp_path / "图纸比对.pdf"
    evidence.write_bytes("%PDF-1.4\n% 图纸比对\n".encode())

    page.goto(f"{bworld.url}/enforcement/report/")
    page.fill("#id_district", "重庆市江北区")
    page.fill("#id_against", "某某精密机械有限公司")
    page.fill("#id_description", "我公司前技术员离职后，将冲压模具图纸带到该公司使用。")
    page.set_input_files("#id_attachments", str(evidence))
    a, b = map(int, re.findall(r"(\d+) \+ (\d+)", page.get_by_test_id("question").inner_text())[0])
    page.fill("#id_answer", str(a + b))
    shot(page, "report")
    page.get_by_test_id("send-clue").click()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    shot(page, "code")
    clue = Clue.objects.get()
    assert clue.attachments.count() == 1
    # The 15-working-day deadline, or "not counted" on a day whose year has no calendar loaded.
    due_text = clue.screening_due.isoformat() if clue.screening_due else "未计算"

    # The district bureau screens it in its own session.
    bureau = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in(bureau, bworld.url, bworld.regulator_in.username)
    bureau.goto(f"{bworld.url}/enforcement/clues/")
    bureau.get_by_role("link", name="某某精密机械有限公司").click()
    expect(bureau.get_by_test_id("screening-due")).to_contain_text(due_text)
    bureau.select_option("select[name=decision]", "open")
    bureau.fill("#reason-decide", "有初步证据，属本局管辖，符合立案条件")
    bureau.fill("#public-answer", "已立案调查，感谢您的举报。")
    bureau.get_by_test_id("decide").click()
    expect(bureau.get_by_test_id("status")).to_have_text("已立案")
    bureau.context.close()

    # The reporter follows it by the code: the status and the answer, not the clue's content.
    page.goto(f"{bworld.url}/enforcement/track/")
    page.fill("#id_code", code)
    page.get_by_test_id("track").click()
    expect(page.get_by_test_id("status")).to_have_text("已立案")
    expect(page.get_by_test_id("public-answer")).to_have_text("已立案调查，感谢您的举报。")
    assert "冲压模具图纸" not in page.content()
    shot(page, "tracked")
