"""The part of spreadsheet reading that runs in a child process (see core.spreadsheets).

Run as ``python -m shangmi.core.sheet_child PATH KIND MEMORY_BYTES``; kept free of Django, so
the child imports only this module, python-calamine and the csv module. Before it touches the
file it caps its own address space, so a file that makes the parser allocate without bound
ends this child (MemoryError, or an abort inside the Rust parser), never the web process or
the job worker that asked. It answers on stdout: a status line (``joined``, ``rows`` or
``error``), then the rows (see join_rows) or the pickled rows or the error's code.
"""

from __future__ import annotations

import csv
import io
import pickle
import sys
from datetime import date, datetime
from typing import Any

# Imported here, not in parse_workbook: the forkserver preloads this module, so every child
# starts with the parser already in memory.
from python_calamine import CalamineWorkbook


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # Excel stores 13800001111 and 120 as floats.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse_workbook(path: str) -> list[list[str]]:
    """Every row of the first sheet as text, merged ranges filled: index 0 is row 1."""
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    raw = sheet.to_python(skip_empty_area=False)
    merged = sheet.merged_cell_ranges or []
    # Most cells are text already; cell_text only for the others (1.2 million cells at 100,000 rows).
    rows = [[v if type(v) is str else cell_text(v) for v in r] for r in raw]
    # A merged range keeps its value in the top-left cell only; people mean it for every cell.
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                row[c] = value
    return rows


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without its BOM) or GB18030, as Chinese spreadsheets save CSV; None for neither."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def parse_csv(path: str) -> list[list[str]] | str:
    with open(path, "rb") as fh:
        text = decode(fh.read())
    if text is None:
        return "csv_encoding"
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]


CELL, ROW = "\x1f", "\x1e"


def join_rows(rows: list[list[str]]) -> bytes | None:
    """The rows as one string of text, cells and rows separated by control characters, or
    None when a cell holds one of them. Sending one string instead of a million small ones
    takes a fifth of the time (pickling each string dominates otherwise)."""
    text = ROW.join([CELL.join(row) for row in rows])
    if text.count(ROW) != max(len(rows) - 1, 0) or text.count(CELL) != sum(max(len(r) - 1, 0) for r in rows):
        return None
    return text.encode("utf-8", "surrogatepass")


def split_rows(data: bytes) -> list[list[str]]:
    if not data:
        return []
    return [row.split(CELL) for row in data.decode("utf-8", "surrogatepass").split(ROW)]


def answer(path: str, kind: str) -> tuple[bytes, bytes]:
    """(status, payload) for the parent."""
    try:
        if kind == "csv":
            parsed = parse_csv(path)
            if isinstance(parsed, str):
                return b"error", parsed.encode()
            rows = parsed
        else:
            rows = parse_workbook(path)
        joined = join_rows(rows)
        if joined is not None:
            return b"joined", joined
        return b"rows", pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return b"error", b"memory"
    except BaseException:  # calamine raises its own types (and panics) for broken files
        return b"error", b"unreadable"


def main(argv: list[str]) -> int:
    path, kind, memory_bytes = argv[1], argv[2], int(argv[3])
    try:
        import resource  # POSIX only: elsewhere the time limit and the checks before parsing remain
    except ImportError:
        resource = None  # type: ignore[assignment]
    if memory_bytes > 0 and resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    status, payload = answer(path, kind)
    try:
        sys.stdout.buffer.write(status + b"\n" + payload)
    except MemoryError:
        sys.stdout.buffer.write(b"error\nmemory")
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
