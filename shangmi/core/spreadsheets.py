"""Reading an uploaded spreadsheet (.xlsx, .xls, .csv) into rows of text, safely.

A spreadsheet is a file an attacker chooses. Two walls stand between it and the server:

1. ``inspect`` looks at the file before any parser does, with limits from settings
   (``SHANGMI_IMPORT_MAX_*``): for an .xlsx (a zip) the number of members, each member's and
   the total uncompressed size and compression ratio, the sheet's declared dimension, the
   largest row and column any cell names, the number of cells, and no DTD (no entity can be
   expanded: billion laughs); for a CSV the length of every line and the number of lines, read
   in blocks (a 100 MB line is refused after its first megabyte). It streams: the sheet XML is
   never held whole, and a member is never inflated past its declared size.
2. ``read_sheet`` then parses in a child process (``python -m shangmi.core.sheet_child``)
   whose address space is capped (``SHANGMI_IMPORT_MEMORY_MB``) and whose time is limited
   (``SHANGMI_IMPORT_PARSE_SECONDS``). Whatever the parser does with a file that passed the
   checks, the worst case is a dead child and a clear message.

Callers parse once per upload: ``inspect`` tells a page how many rows to expect (to choose
between now and a background job) without parsing, and the parse happens where the rows
are used.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shangmi.core.errors import AppError, Message

if TYPE_CHECKING:
    from django.core.files import File

XLSX_SUFFIXES = (".xlsx", ".xlsm")
SUFFIXES = (*XLSX_SUFFIXES, ".xls", ".csv")
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
BLOCK = 1 << 20
# A member smaller than this may compress as well as it likes (an empty styles part does).
RATIO_FLOOR_BYTES = 1 << 20

NOT_A_SPREADSHEET = Message("sheet_type", _("Only .xlsx, .xls and .csv files can be read."))
NOT_XLSX = Message("sheet_not_xlsx", _("The file is not an Excel workbook (.xlsx): its content is of another kind."))
NOT_XLS = Message(
    "sheet_not_xls", _("The file is not an Excel 97-2003 workbook (.xls): its content is of another kind.")
)
UNREADABLE = Message("sheet_unreadable", _("The file could not be read as an Excel workbook."))
CSV_ENCODING = Message("sheet_csv_encoding", _("The CSV file must be encoded in UTF-8 or GB18030."))
TOO_MANY_MEMBERS = Message("sheet_members", _("The workbook holds %(count)d parts; at most %(limit)d are accepted."))
MEMBER_TOO_LARGE = Message(
    "sheet_member_size",
    _("The workbook part %(name)s unpacks to %(size)d MB; at most %(limit)d MB are accepted."),
)
TOTAL_TOO_LARGE = Message(
    "sheet_total_size", _("The workbook unpacks to %(size)d MB; at most %(limit)d MB are accepted.")
)
RATIO_TOO_HIGH = Message(
    "sheet_ratio",
    _("The workbook part %(name)s unpacks to %(ratio)d times its packed size: refused as a zip bomb."),
)
DTD_REFUSED = Message(
    "sheet_dtd",
    _("The workbook part %(name)s declares a DTD or entities; workbooks never do, so it is refused."),
)
TOO_MANY_ROWS = Message(
    "sheet_rows", _("The sheet reaches row %(rows)d; at most %(limit)d rows can be imported at once.")
)
TOO_MANY_COLUMNS = Message(
    "sheet_columns", _("The sheet reaches column %(columns)d; at most %(limit)d columns are read.")
)
TOO_MANY_CELLS = Message(
    "sheet_cells", _("The sheet spans %(cells)d cells; at most %(limit)d can be imported at once.")
)
LINE_TOO_LONG = Message(
    "sheet_line", _("Line %(line)d of the CSV file is longer than %(limit)d KB: refused without reading further.")
)
MALFORMED = Message(
    "sheet_malformed", _("The workbook's XML is malformed: a single tag or text runs past %(limit)d MB.")
)
PARSE_MEMORY = Message(
    "sheet_memory", _("Reading the file needed more than %(limit)d MB of memory; nothing was imported.")
)
PARSE_TIME = Message("sheet_time", _("Reading the file took longer than %(limit)d seconds; nothing was imported."))


class SpreadsheetError(AppError):
    """The file as a whole cannot be read (wrong type, over a limit, broken)."""


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    members: int
    member_bytes: int
    total_bytes: int
    ratio: int
    line_bytes: int
    memory_mb: int
    seconds: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.SHANGMI_IMPORT_MAX_ROWS,
            columns=settings.SHANGMI_IMPORT_MAX_COLUMNS,
            cells=settings.SHANGMI_IMPORT_MAX_CELLS,
            members=settings.SHANGMI_IMPORT_MAX_MEMBERS,
            member_bytes=settings.SHANGMI_IMPORT_MAX_MEMBER_BYTES,
            total_bytes=settings.SHANGMI_IMPORT_MAX_UNCOMPRESSED_BYTES,
            ratio=settings.SHANGMI_IMPORT_MAX_RATIO,
            line_bytes=settings.SHANGMI_IMPORT_MAX_LINE_BYTES,
            memory_mb=settings.SHANGMI_IMPORT_MEMORY_MB,
            seconds=settings.SHANGMI_IMPORT_PARSE_SECONDS,
        )


@dataclass(frozen=True)
class Inspection:
    """What ``inspect`` learnt without parsing: the kind and, as an upper bound, the rows."""

    kind: str  # "xlsx", "xls" or "csv"
    rows: int


def _mb(size: int) -> int:
    return (size + (1 << 20) - 1) >> 20


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix == ".xls":
        return "xls"
    raise SpreadsheetError(NOT_A_SPREADSHEET)


def inspect(path: Path | str, limits: Limits | None = None) -> Inspection:
    """Check ``path`` against the limits without parsing it; raise SpreadsheetError on the first breach."""
    path = Path(path)
    limits = limits or Limits.from_settings()
    kind = _kind(path)
    with path.open("rb") as fh:
        head = fh.read(8)
    if kind == "csv":
        return Inspection(kind, _inspect_csv(path, limits))
    if kind == "xls":
        if not head.startswith(OLE):
            raise SpreadsheetError(NOT_XLS)
        # A BIFF workbook holds at most 65,536 rows; its parse is capped like any other.
        return Inspection(kind, 65536)
    if not head.startswith(ZIP):
        raise SpreadsheetError(NOT_XLSX)
    return Inspection(kind, _inspect_xlsx(path, limits))


# --- CSV ---------------------------------------------------------------------------------------


def _inspect_csv(path: Path, limits: Limits) -> int:
    """Lines counted and measured block by block: memory stays at one block whatever the file."""
    lines = 0
    current = 0  # bytes of the line being read
    separators = 0  # an upper bound of the cells: every delimiter the sniffer may pick
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            separators += block.count(b",") + block.count(b"\t") + block.count(b";")
            if separators + lines > limits.cells:
                raise SpreadsheetError(TOO_MANY_CELLS, cells=separators + lines, limit=limits.cells)
            start = 0
            while (end := block.find(b"\n", start)) >= 0:
                current += end - start
                if current > limits.line_bytes:
                    break
                lines += 1
                current = 0
                start = end + 1
            else:
                current += len(block) - start
            if current > limits.line_bytes:
                raise SpreadsheetError(LINE_TOO_LONG, line=lines + 1, limit=limits.line_bytes // 1024)
            if lines > limits.rows:
                raise SpreadsheetError(TOO_MANY_ROWS, rows=lines, limit=limits.rows)
    return lines + (1 if current else 0)


# --- XLSX --------------------------------------------------------------------------------------

_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref=\"([A-Za-z$]*\d*)(?::([A-Za-z$]*\d*))?\"")
# Every reference a row or cell carries (r="XFD1048576", r="5"); blocks are normalised first
# (tabs and line breaks to spaces, ' to "), so the literal ' r="' finds them all, fast.
_REF = re.compile(rb' r="\$?([A-Za-z]*)\$?(\d*)"')
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref=\"([^\"]*)\"")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_NORMALISE = bytes.maketrans(b"\t\n\r'", b'   "')
MAX_MERGES = 10_000


def column_number(letters: str | bytes) -> int:
    """A1-style column letters as a number: A is 1, XFD is 16384."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _split_ref(ref: bytes) -> tuple[int, int]:
    """(row, column) of a reference like XFD1048576 or $B$2; 0 for a part it lacks."""
    text = ref.decode("ascii", "replace").replace("$", "")
    letters = "".join(ch for ch in text if ch.isalpha())
    digits = "".join(ch for ch in text if ch.isdigit())
    return (int(digits) if digits else 0), column_number(letters)


def _blocks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> Iterator[bytes]:
    """The member's XML in pieces that each end just before a '<', so no tag is split.

    zipfile stops inflating at the declared size (checked already), so a member that lies
    about its size cannot make this read more."""
    carry = b""
    with archive.open(info) as member:
        while data := member.read(BLOCK):
            data = carry + data
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data
                if len(carry) > 4 * BLOCK:
                    raise SpreadsheetError(MALFORMED, limit=4)
                continue
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


def _inspect_xlsx(path: Path, limits: Limits) -> int:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetError(UNREADABLE) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise SpreadsheetError(TOO_MANY_MEMBERS, count=len(infos), limit=limits.members)
        total = 0
        for info in infos:
            if info.file_size > limits.member_bytes:
                raise SpreadsheetError(
                    MEMBER_TOO_LARGE, name=info.filename[:80], size=_mb(info.file_size), limit=_mb(limits.member_bytes)
                )
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise SpreadsheetError(
                    RATIO_TOO_HIGH, name=info.filename[:80], ratio=info.file_size // max(info.compress_size, 1)
                )
            total += info.file_size
        if total > limits.total_bytes:
            raise SpreadsheetError(TOTAL_TOO_LARGE, size=_mb(total), limit=_mb(limits.total_bytes))
        rows = 0
        try:
            for info in infos:
                name = info.filename.lower()
                if not name.endswith((".xml", ".rels", ".vml")):
                    continue
                if name.startswith("xl/worksheets/") and not name.startswith("xl/worksheets/_rels/"):
                    rows = max(rows, _inspect_sheet(archive, info, limits))
                else:
                    for block in _blocks(archive, info, limits):
                        if _DTD.search(block):
                            raise SpreadsheetError(DTD_REFUSED, name=info.filename[:80])
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise SpreadsheetError(UNREADABLE) from exc
        return rows


def _inspect_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> int:
    """The sheet's extent, from its declared dimension and from every row and cell reference.

    The parser lays a sheet out as a full grid up to the last cell any reference names, so
    that area is what memory pays: one cell at XFD1048576 is 17 billion cells. Cells written
    without a reference are not seen here; the parse's memory cap and its own row and column
    count (read_sheet) bound those."""
    name = info.filename[:80]
    max_row = max_col = cells = merges = merged_area = 0
    for block in _blocks(archive, info, limits):
        if _DTD.search(block):
            raise SpreadsheetError(DTD_REFUSED, name=name)
        block = block.translate(_NORMALISE)
        # Substring tests first: the regular expressions are slow on blocks without a match.
        for match in _DIMENSION.finditer(block) if b"dimension" in block else ():
            for ref in match.groups():
                if ref:
                    row, col = _split_ref(ref)
                    max_row, max_col = max(max_row, row), max(max_col, col)
        refs = _REF.findall(block)
        if refs:
            letters = {col for col, _row in refs if col}
            if letters:
                widest = max(len(col) for col in letters)
                max_col = max(max_col, max(column_number(col) for col in letters if len(col) == widest))
            numbers = {row for _col, row in refs if row}
            if numbers:
                longest = max(len(row) for row in numbers)
                max_row = max(max_row, max(int(row) for row in numbers if len(row) == longest))
        # An upper bound of the cells written (<c ...>, and <col>/<cols>, which are few).
        cells += block.count(b"<c")
        # Each merged range is filled cell by cell after the parse: their areas count too.
        for ref in _MERGE.findall(block) if b"mergeCell" in block else ():
            merges += 1
            first, _sep, last = ref.partition(b":")
            (r0, c0), (r1, c1) = _split_ref(first), _split_ref(last or first)
            merged_area += (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)
        if max_row > limits.rows:
            raise SpreadsheetError(TOO_MANY_ROWS, rows=max_row, limit=limits.rows)
        if max_col > limits.columns:
            raise SpreadsheetError(TOO_MANY_COLUMNS, columns=max_col, limit=limits.columns)
        for area in (max_row * max_col, cells, merged_area):
            if area > limits.cells:
                raise SpreadsheetError(TOO_MANY_CELLS, cells=area, limit=limits.cells)
        if merges > MAX_MERGES:
            raise SpreadsheetError(TOO_MANY_CELLS, cells=merged_area, limit=limits.cells)
    return max_row


# --- Parsing -----------------------------------------------------------------------------------

# The directory that holds the shangmi package: the child runs ``-m shangmi.core.sheet_child`` from it.
_ROOT = Path(__file__).resolve().parents[2]


def parse(path: Path | str, kind: str, limits: Limits | None = None) -> list[list[str]]:
    """Parse ``path`` in a capped child process; rows of text, index 0 is spreadsheet row 1.

    A fresh interpreter (about 0.1 s to start) rather than a fork: nothing of the web process
    (its threads, connections, memory) is copied into the child, and nothing it does can reach back."""
    from shangmi.core import sheet_child

    limits = limits or Limits.from_settings()
    command = [sys.executable, "-m", "shangmi.core.sheet_child", str(Path(path).resolve()), kind]
    command.append(str(limits.memory_mb << 20))
    try:
        done = subprocess.run(command, cwd=_ROOT, capture_output=True, timeout=limits.seconds, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SpreadsheetError(PARSE_TIME, limit=limits.seconds) from exc
    status, _newline, payload = done.stdout.partition(b"\n")
    if done.returncode != 0 or not status:
        # Killed by the cap (SIGABRT inside the parser, SIGKILL) before it could answer.
        raise SpreadsheetError(PARSE_MEMORY, limit=limits.memory_mb)
    if status == b"joined":
        return sheet_child.split_rows(payload)
    if status == b"rows":
        rows: list[list[str]] = pickle.loads(payload)  # our own child's answer, never the uploader's bytes
        return rows
    if payload == b"memory":
        raise SpreadsheetError(PARSE_MEMORY, limit=limits.memory_mb)
    if payload == b"csv_encoding":
        raise SpreadsheetError(CSV_ENCODING)
    raise SpreadsheetError(UNREADABLE)


def read_sheet(path: Path | str, limits: Limits | None = None) -> list[list[str]]:
    """Every row of the first sheet (or the CSV) as text, after ``inspect`` let the file through."""
    limits = limits or Limits.from_settings()
    return read_inspected(path, inspect(path, limits), limits)


def read_inspected(path: Path | str, inspection: Inspection, limits: Limits | None = None) -> list[list[str]]:
    """The rows of a file ``inspect`` already let through (its verdict kept, not asked again)."""
    limits = limits or Limits.from_settings()
    rows = parse(path, inspection.kind, limits)
    # The parse's own extent, for what inspect could not see (.xls, cells without references).
    if len(rows) > limits.rows:
        raise SpreadsheetError(TOO_MANY_ROWS, rows=len(rows), limit=limits.rows)
    widest = max((len(r) for r in rows), default=0)
    if widest > limits.columns:
        raise SpreadsheetError(TOO_MANY_COLUMNS, columns=widest, limit=limits.columns)
    return rows


def save_upload(upload: File[bytes], directory: Path, suffix: str) -> Path:
    """Write an uploaded file (Django's UploadedFile) to ``directory``, chunk by chunk."""
    path = directory / f"upload{suffix}"
    with path.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return path


__all__ = [
    "SUFFIXES",
    "Inspection",
    "Limits",
    "SpreadsheetError",
    "column_number",
    "inspect",
    "parse",
    "read_inspected",
    "read_sheet",
    "save_upload",
]
