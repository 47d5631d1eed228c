"""Every export's workbook keeps typed text as text: a name that starts with "=" is no formula."""

from __future__ import annotations

import io
import zipfile

from python_calamine import CalamineWorkbook

from shangmi.core.xlsx import new_workbook


def test_text_that_looks_like_a_formula_or_a_number_stays_text() -> None:
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, in_memory=True)
    sheet = workbook.add_worksheet("表")
    sheet.write_row(0, 0, ['=HYPERLINK("http://x","点我")', "0023", "1+1"])
    workbook.close()
    sheet_xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    rows = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_name("表").to_python()
    assert rows[0] == ['=HYPERLINK("http://x","点我")', "0023", "1+1"]
