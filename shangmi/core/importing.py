"""The row machinery every import shares: columns and their aliases, the header row, the
row-error type, the all-or-nothing outcome and the downloadable template.

An import declares its columns once: the field, the template's header, and the other names
bureaus actually write for it (a sheet says 所属区县 or 属地 where the template says 所属区域).
``find_header`` finds the header row among the first rows by those names, however they are
written (full-width, stray spaces, line breaks, a ``*`` or ``（必填）`` added); when a required
column is still missing it says which headers it saw and which it expected. The rows
themselves come from core.spreadsheets, which refuses hostile files before parsing them.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.core.errors import Message
from shangmi.core.spreadsheets import SpreadsheetError, read_sheet
from shangmi.core.xlsx import new_workbook

HEADER_SCAN = 30
# How many of the headers seen a message names, and how much of each.
SEEN_SHOWN = 20
SEEN_WIDTH = 24

NO_HEADER = Message(
    "import_no_header",
    gettext_lazy(
        "No header row found. The file needs the columns %(required)s (all columns: %(expected)s); "
        "the headers it has are: %(seen)s."
    ),
)
MISSING_COLUMNS = Message(
    "import_missing_columns",
    gettext_lazy(
        "Row %(row)d looks like the header but lacks the columns %(missing)s. "
        "The headers it has are: %(seen)s; expected: %(expected)s."
    ),
)

# One error type for a file that cannot be imported as a whole.
ImportFileError = SpreadsheetError


@dataclass(frozen=True)
class Column:
    """One column of an import: ``field`` in code, ``header`` in the template, ``aliases``
    for the other names people write. ``required`` columns must be found in the header."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


_STRIP = re.compile(r"[\s_\-*:：·•.。、,，/\\|()（）\[\]【】<>《》\"'“”‘’]")
_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width to half-width), lower case, no spaces or punctuation."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def _keys(text: str) -> tuple[str, ...]:
    """The keys a header cell may match: whole, then without a bracketed note (企业名称（必填）)."""
    whole = header_key(text)
    bare = header_key(_BRACKETED.sub("", unicodedata.normalize("NFKC", text or "")))
    return (whole, bare) if bare and bare != whole else (whole,)


@dataclass(frozen=True)
class Header:
    index: int  # of the header row in the rows (0 = spreadsheet row 1)
    columns: dict[str, int]  # field → column index

    def cells(self, row: Sequence[str]) -> dict[str, str]:
        """A data row's cells by field ("" for a cell past the row's end)."""
        return {f: (row[c] if c < len(row) else "") for f, c in self.columns.items()}


class Columns:
    """The declared columns of one import, with the lookup built once."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self.lookup: dict[str, str] = {}
        for column in self.columns:
            for name in (column.header, column.field, *column.aliases):
                self.lookup.setdefault(header_key(name), column.field)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def field_of(self, cell: str) -> str | None:
        for key in _keys(cell):
            if key and (found := self.lookup.get(key)):
                return found
        return None

    def match(self, row: Sequence[str]) -> dict[str, int]:
        mapping: dict[str, int] = {}
        for col, cell in enumerate(row):
            found = self.field_of(cell) if cell else None
            if found and found not in mapping:
                mapping[found] = col
        return mapping

    def find_header(
        self, rows: Sequence[Sequence[str]], *, required: Iterable[str] | None = None, scan: int = HEADER_SCAN
    ) -> Header:
        """The header row: the row among the first ``scan`` matching the most columns (at least
        one required column). Raises ImportFileError naming what it saw when a required one is missing."""
        needed = tuple(required) if required is not None else tuple(c.field for c in self.columns if c.required)
        best: Header | None = None
        for index, row in enumerate(rows[:scan]):
            mapping = self.match(row)
            if not mapping or (needed and not any(f in mapping for f in needed)):
                continue
            if best is None or len(mapping) > len(best.columns):
                best = Header(index, mapping)
        expected = "、".join(self.headers)
        if best is None:
            raise ImportFileError(
                NO_HEADER,
                required="、".join(c.header for c in self.columns if c.field in needed),
                expected=expected,
                seen=seen_headers(rows, scan=scan),
            )
        missing = [c.header for c in self.columns if c.field in needed and c.field not in best.columns]
        if missing:
            raise ImportFileError(
                MISSING_COLUMNS,
                row=best.index + 1,
                missing="、".join(missing),
                seen=_shown(rows[best.index]),
                expected=expected,
            )
        return best


def _shown(row: Sequence[str]) -> str:
    cells = [" ".join(c.split())[:SEEN_WIDTH] for c in row if c and c.strip()]
    text = "、".join(cells[:SEEN_SHOWN])
    if len(cells) > SEEN_SHOWN:
        text += "…"
    return text or "—"


def seen_headers(rows: Sequence[Sequence[str]], *, scan: int = HEADER_SCAN) -> str:
    """The cells of the likeliest header row (the first with the most filled cells), for a message."""
    best: Sequence[str] = ()
    count = 0
    for row in rows[:scan]:
        filled = sum(1 for c in row if c and c.strip())
        if filled > count:
            best, count = row, filled
    return _shown(best)


def data_rows(rows: Sequence[Sequence[str]], header: Header) -> list[tuple[int, Sequence[str]]]:
    """(spreadsheet row number, cells) of every row below the header that is not blank
    (a row whose cells together are only whitespace, full-width spaces included)."""
    start = header.index + 1
    return [(i + 1, r) for i, r in enumerate(rows[start:], start=start) if "".join(r).strip()]


def read_rows(path: Path | str) -> list[list[str]]:
    """Every row of the first sheet (or the CSV) as text, checked and parsed safely (core.spreadsheets)."""
    return read_sheet(path)


@dataclass(frozen=True)
class RowError:
    """A refused row: its spreadsheet row number (0: the file as a whole) and why."""

    row: int
    message: str


@dataclass
class RowsOutcome(ABC):
    """What an all-or-nothing import of rows did: nothing when any row is refused (``errors``,
    every bad row with its reason), else the counts a subclass keeps and reports."""

    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def message(self) -> str:
        if self.errors:
            return _("Nothing was imported: %(n)d rows have problems. Correct them and import the file again.") % {
                "n": len({e.row for e in self.errors})
            }
        return self.done_message()

    @abstractmethod
    def done_message(self) -> str:
        """What the import wrote (or, dry, would write)."""

    def refuse_file(self, exc: ImportFileError) -> None:
        """The file as a whole cannot be imported: one error on row 0."""
        self.errors.append(RowError(0, exc.text))


# --- The template ------------------------------------------------------------------------------


def write_template(
    target: Path | str | IO[bytes],
    *,
    sheet_name: str,
    columns: Sequence[Column],
    explanations: Mapping[str, str],
    widths: Mapping[str, int] | None = None,
    text_fields: Iterable[str] = (),
    example: Sequence[str] | None = None,
    note: str = "",
) -> None:
    """The .xlsx people fill in: the headers on the first sheet (``text_fields`` formatted as
    text, so Excel keeps 00123 and 13800001111 as written), and a 填写说明 sheet explaining each
    column, with an example row and a closing note."""
    if isinstance(target, Path):
        target = str(target)
    widths = widths or {}
    text_fields = set(text_fields)
    headers = [c.header for c in columns]
    workbook = new_workbook(target, in_memory=True)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet(sheet_name)
    sheet.write_row(0, 0, headers, bold)
    for i, column in enumerate(columns):
        sheet.set_column(i, i, widths.get(column.field, 16), text if column.field in text_fields else None)
    sheet.freeze_panes(1, 0)

    notes = workbook.add_worksheet("填写说明")
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 90)
    notes.write_row(0, 0, ["列", "填写说明"], bold)
    for i, column in enumerate(columns, start=1):
        notes.write(i, 0, column.header)
        notes.write(i, 1, explanations[column.field])
    line = len(columns) + 2
    if example is not None:
        notes.write(line, 0, "示例")
        notes.write_row(line + 1, 0, headers, bold)
        notes.write_row(line + 2, 0, list(example))
        line += 4
    if note:
        notes.write(line, 0, "注意")
        notes.write(line, 1, note)
    workbook.close()


__all__ = [
    "MISSING_COLUMNS",
    "NO_HEADER",
    "Column",
    "Columns",
    "Header",
    "ImportFileError",
    "RowError",
    "RowsOutcome",
    "data_rows",
    "header_key",
    "read_rows",
    "seen_headers",
    "write_template",
]
