"""Writing .xlsx files: every export opens its workbook here.

Cells hold what people typed (an enterprise's name, a place, a note). XlsxWriter's ``write``
turns a string that starts with "=" into a live formula by default, so a name typed as
``=HYPERLINK(...)`` would run in the reader's Excel; here text stays text, always.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def new_workbook(target: Path | str | IO[bytes], **options: Any) -> Any:
    """An XlsxWriter workbook on ``target`` (a path or a binary file) that never reads a
    string as a formula or a number; ``options`` add XlsxWriter's own (constant_memory...)."""
    import xlsxwriter

    settings = {**options, "strings_to_formulas": False, "strings_to_numbers": False}
    return xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, settings)
