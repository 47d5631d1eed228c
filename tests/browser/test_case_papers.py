"""In a real browser: an investigator records an item of evidence with its scan on the case
page, the file is linked from the evidence table, and the case's official papers are listed
with their Word and PDF downloads (the Word file read back)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from playwright.sync_api import Page

from shangmi.core.calendar import program_today
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from tests.browser.conftest import sign_in
from tests.enforcement.steps import new_case


def test_evidence_with_its_file_and_the_papers(
    bworld: Any, page: Page, shot: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    calendars_load()
    rules_load()
    case = new_case(bworld)
    scan = tmp_path / "保密协议扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned agreement")
    sign_in(page, bworld.url, bworld.officer_in.username)
    page.goto(f"{bworld.url}{case.get_absolute_url()}")
    form = page.get_by_test_id("evidence-form")
    form.locator("select[name=kind]").select_option("documentary")
    form.locator("input[name=title]").fill("保密协议")
    form.locator("input[name=source]").fill("权利人提供")
    form.locator("input[name=obtained_on]").fill(program_today().isoformat())
    form.locator("input[name=files]").set_input_files(str(scan))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    link = page.get_by_test_id("evidence-files").get_by_role("link", name="保密协议扫描件.pdf")
    assert link.count() == 1
    shot(page, "evidence-and-papers")
    papers = page.get_by_test_id("papers")
    assert "立案审批表" in papers.inner_text()
    href = papers.get_by_role("link", name="Word").first.get_attribute("href")
    response = page.request.get(f"{bworld.url}{href}")
    assert response.ok
    text = "\n".join(p.text for p in Document(io.BytesIO(response.body())).paragraphs)
    assert "立案审批表" in text
    stored = page.request.get(f"{bworld.url}{link.get_attribute('href')}")
    assert stored.ok and stored.body() == b"%PDF-1.4 scanned agreement"
