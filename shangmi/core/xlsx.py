"""Writing .xlsx files: every export opens its workbook here.

Cells hold what people typed (an enterprise's name, a place, a note). XlsxWriter's ``write``
turns a string that starts with "=" into a live formula by default, so a name typed as
``=HYPERLINK(...)`` would run in the reader's Excel; here text stays text, always.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def new_workbook(target: Path | str | IO[bytes], **options: Any) -> Any:
    """An XlsxWriter workbook on ``target`` (a path or a binary file) that never reads a
    string as a formula or a number; ``options`` add XlsxWriter's own (constant_memory...)."""
    import xlsxwriter

    settings = {**options, "strings_to_formulas": False, "strings_to_numbers": False}
    return xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, settings)


def xlsx_response(write: Callable[[IO[bytes]], Any], filename: str, *, stream: bool = False) -> HttpResponseBase:
    """A download of the workbook ``write`` puts on the file it is given, named ``filename``
    (Chinese names are encoded for every browser). A template or one region's table is built
    in memory; ``stream=True`` spools to a temporary file and streams it, for exports that
    can hold a whole province."""
    if not stream:
        buffer = io.BytesIO()
        write(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
