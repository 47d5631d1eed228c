"""Hostile files, made by the tests themselves (no binaries in the repository)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_OPEN = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _workbook(path: Path, sheet_parts: list[bytes] | bytes, *, prologue: str = "") -> Path:
    """A minimal .xlsx whose first sheet's XML is ``sheet_parts`` (streamed: a bomb is never held whole)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prologue).encode())
            for part in [sheet_parts] if isinstance(sheet_parts, bytes) else sheet_parts:
                sheet.write(part)
    return path


def cell_xml(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[list[tuple[str, str]]], *, dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(
        f'<row r="{"".join(ch for ch in cells[0][0] if ch.isdigit())}">'
        + "".join(cell_xml(ref, text) for ref, text in cells)
        + "</row>"
        for cells in rows
    )
    return (SHEET_OPEN + dim + "<sheetData>" + body + "</sheetData></worksheet>").encode()


def dimension_bomb(path: Path) -> Path:
    """1.6 KB: one cell at the last column of the last row (XFD1048576)."""
    return _workbook(path, sheet_xml([[("XFD1048576", "x")]]))


def declared_dimension_bomb(path: Path) -> Path:
    """A small sheet that declares the whole grid as its dimension."""
    return _workbook(path, sheet_xml([[("A1", "企业名称")]], dimension="A1:XFD1048576"))


def zip_bomb(path: Path, megabytes: int = 1024) -> Path:
    """A few MB that inflate to ``megabytes`` MB of sheet XML (one cell, then blank space)."""
    blank = b" " * (1 << 20)
    parts = [SHEET_OPEN.encode() + b"<sheetData>"]
    parts += [blank] * megabytes
    parts.append(b"</sheetData></worksheet>")
    return _workbook(path, parts)


def billion_laughs(path: Path) -> Path:
    """Ten levels of ten entities each: 10^9 'lol's if a parser expands them."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    ]
    prologue = "<!DOCTYPE worksheet [" + "".join(entities) + "]>"
    return _workbook(path, sheet_xml([[("A1", "&lol9;")]]), prologue=prologue)


def png_bytes(width: int, height: int) -> bytes:
    """A valid grayscale PNG of width x height black pixels (tiny once compressed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def csv_one_line(path: Path, megabytes: int = 100) -> Path:
    """A CSV whose header is followed by one line of ``megabytes`` MB without a line break."""
    block = b"a" * (1 << 20)
    with path.open("wb") as fh:
        fh.write("企业名称,统一社会信用代码,所属区域\n".encode())
        for _ in range(megabytes):
            fh.write(block)
    return path


def lying_zip(path: Path) -> Path:
    """A workbook whose sheet claims to be a few hundred bytes (size and CRC of that prefix)
    while its deflate stream goes on to a cell at XFD1048576: a reader that trusts the
    directory sees a small, harmless sheet."""
    prefix = (SHEET_OPEN + "<sheetData>" + '<row r="1">' + cell_xml("A1", "企业名称") + "</row>").encode()
    hidden = ('<row r="1048576">' + cell_xml("XFD1048576", "x") + "</row></sheetData></worksheet>").encode()
    _workbook(path, [prefix, hidden])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    declared = len(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>') + len(prefix)
    crc = zlib.crc32(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prefix) & 0xFFFFFFFF
    # The local header: CRC at 14, uncompressed size at 22 (0xFFFFFFFF with zip64: patch the extra).
    local = info.header_offset
    struct.pack_into("<I", data, local + 14, crc)
    name = info.filename.encode()
    central = data.find(b"PK\x01\x02", local)
    while central >= 0 and data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 16, crc)
    for header, extra_at in ((local, local + 30), (central, central + 46)):
        usize_at = header + (22 if header == local else 24)
        if struct.unpack_from("<I", data, usize_at)[0] == 0xFFFFFFFF:
            # Zip64: the sizes live in the extra field (id 1), uncompressed first.
            name_len = struct.unpack_from("<H", data, header + (26 if header == local else 28))[0]
            extra = extra_at + name_len
            assert struct.unpack_from("<H", data, extra)[0] == 1
            struct.pack_into("<Q", data, extra + 4, declared)
        else:
            struct.pack_into("<I", data, usize_at, declared)
    path.write_bytes(bytes(data))
    return path
