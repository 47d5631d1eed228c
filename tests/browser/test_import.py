"""Importing a spreadsheet with bad rows: every bad row is reported, and nothing lands."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from playwright.sync_api import Page, expect

from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.uscc import ALPHABET, make_uscc
from tests.browser.conftest import BrowserWorld, sign_in

pytestmark = pytest.mark.browser

HEADER = ["企业名称", "统一社会信用代码", "所属区域", "所属园区", "职工人数", "是否联络点"]
GOOD_NAME = "江北导入正确科技有限公司"
BAD_CHECK_NAME = "江北导入校验位错误有限公司"
BAD_REGION_NAME = "未知区划导入有限公司"


def with_wrong_check_digit(code: str) -> str:
    wrong = ALPHABET[(ALPHABET.index(code[-1]) + 1) % len(ALPHABET)]
    return code[:-1] + wrong


def write_workbook(path: Path) -> dict[str, int]:
    """One good row and two bad ones; returns the spreadsheet row number of each bad row."""
    rows = [
        [GOOD_NAME, make_uscc("500105", 4101), "500105", "港城工业园", 120, "是"],
        [BAD_CHECK_NAME, with_wrong_check_digit(make_uscc("500105", 4102)), "500105", "", 35, "否"],
        [BAD_REGION_NAME, make_uscc("500199", 4103), "500199", "", 8, "否"],
    ]
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("企业")
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    workbook.close()
    # Row 1 is the header, so data row i is spreadsheet row i + 1.
    return {"bad_check": 3, "bad_region": 4}


def test_import_with_bad_rows_reports_them_and_imports_nothing(
    page: Page, bworld: BrowserWorld, shot, tmp_path: Path
) -> None:
    upload = tmp_path / "企业名录导入.xlsx"
    bad_rows = write_workbook(upload)
    before = Enterprise.objects.count()

    sign_in(page, bworld.url, "jiangbei_regulator")
    response = page.goto(f"{bworld.url}/enterprises/import/")
    assert response is not None and response.status == 200, "the import page /enterprises/import/ is missing"
    shot(page, "form")

    page.locator("input[type=file][name=file]").set_input_files(str(upload))
    page.locator("form:has(input[name=file]) [type=submit]").click()

    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    shot(page, "errors")
    text = errors.inner_text()
    for row in bad_rows.values():
        assert str(row) in text, f"row {row} is not listed among the errors: {text!r}"
    row_check = errors.locator("tr", has_text=str(bad_rows["bad_check"]))
    expect(row_check.first).to_contain_text("校验")  # the check character is wrong
    row_region = errors.locator("tr", has_text=str(bad_rows["bad_region"]))
    expect(row_region.first).to_contain_text("500199")  # the unknown region code is named
    # Only the bad rows are listed: the good row (2) is not an error.
    assert GOOD_NAME not in text

    assert Enterprise.objects.count() == before
    assert not Enterprise.objects.filter(name__in=[GOOD_NAME, BAD_CHECK_NAME, BAD_REGION_NAME]).exists()
