"""core.spreadsheets: every limit refuses its hostile file before a parser sees it, and a
parse that runs wild ends a child process, never the one that asked."""

from __future__ import annotations

import dataclasses
import resource
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from shangmi.core import spreadsheets
from shangmi.core.spreadsheets import Limits, SpreadsheetError, inspect, read_sheet
from tests.hostile import files


@pytest.fixture
def limits(settings) -> Limits:
    return Limits.from_settings()


def refused(path: Path, limits: Limits | None = None) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(path, limits)
    return caught.value


def test_a_plain_workbook_reads_with_merged_cells_filled(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.merge_range(0, 0, 0, 2, "标题")
    sheet.write_row(2, 0, ["企业名称", 120, 1.5])
    workbook.close()
    assert inspect(path).rows == 3
    assert read_sheet(path) == [["标题", "标题", "标题"], ["", "", ""], ["企业名称", "120", "1.5"]]


def test_the_dimension_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    """1.6 KB whose only cell sits at XFD1048576: calamine would lay out 17 billion cells."""
    path = files.dimension_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 2000
    assert refused(path).message is spreadsheets.TOO_MANY_ROWS
    # The column alone, on the first row: the grid is 16,384 wide.
    column_only = files._workbook(tmp_path / "wide.xlsx", files.sheet_xml([[("XFD1", "x")]]))
    assert refused(column_only).message is spreadsheets.TOO_MANY_COLUMNS
    # Within rows and columns, the area still counts: 150,000 rows x 200 columns.
    area = files._workbook(tmp_path / "area.xlsx", files.sheet_xml([[("A1", "x")], [("GR150000", "y")]]))
    assert refused(area).message is spreadsheets.TOO_MANY_CELLS


def test_a_declared_dimension_over_the_limits_is_refused(tmp_path: Path) -> None:
    error = refused(files.declared_dimension_bomb(tmp_path / "declared.xlsx"))
    assert error.message is spreadsheets.TOO_MANY_ROWS


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    path = files.zip_bomb(tmp_path / "bomb.xlsx", megabytes=300)
    started = time.perf_counter()
    error = refused(path)
    assert error.message is spreadsheets.MEMBER_TOO_LARGE
    assert "xl/worksheets/sheet1.xml" in error.text
    assert time.perf_counter() - started < 2  # nothing was inflated


def test_a_member_inflating_far_beyond_its_size_is_refused_as_a_bomb(tmp_path: Path) -> None:
    path = files.zip_bomb(tmp_path / "ratio.xlsx", megabytes=20)  # 20 MB of blanks, a few KB packed
    assert refused(path).message is spreadsheets.RATIO_TOO_HIGH


def test_the_total_and_the_number_of_members_are_bounded(tmp_path: Path, limits: Limits) -> None:
    path = files.zip_bomb(tmp_path / "total.xlsx", megabytes=3)
    small = dataclasses.replace(limits, total_bytes=2 << 20, ratio=10_000)
    assert refused(path, small).message is spreadsheets.TOTAL_TOO_LARGE
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(limits.members + 1):
            archive.writestr(f"xl/media/{i}.bin", b"")
    assert refused(many).message is spreadsheets.TOO_MANY_MEMBERS


def test_billion_laughs_is_refused_wherever_the_dtd_sits(tmp_path: Path) -> None:
    assert refused(files.billion_laughs(tmp_path / "laughs.xlsx")).message is spreadsheets.DTD_REFUSED
    # In another part than the sheet (the shared strings, the workbook): refused as well.
    path = tmp_path / "strings.xlsx"
    files._workbook(path, files.sheet_xml([[("A1", "x")]]))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "b">]><sst/>')
    assert refused(path).message is spreadsheets.DTD_REFUSED


def test_a_csv_with_a_long_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = files.csv_one_line(tmp_path / "line.csv", megabytes=20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    error = refused(path)
    assert error.message is spreadsheets.LINE_TOO_LONG
    assert error.params["line"] == 2
    assert time.perf_counter() - started < 1
    # One block at a time: the peak memory of this process did not grow by the file's size.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 10 * 1024


def test_a_csv_with_too_many_lines_is_refused(tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "lines.csv"
    path.write_text("企业名称\n" + "甲\n" * 50, encoding="utf-8")
    assert refused(path, dataclasses.replace(limits, rows=40)).message is spreadsheets.TOO_MANY_ROWS
    assert len(read_sheet(path)) == 51
    # Short lines, many cells: 3,000 separators on each of 50 lines.
    wide = tmp_path / "wide.csv"
    wide.write_text("企业名称\n" + ("," * 3000 + "\n") * 50, encoding="utf-8")
    assert refused(wide, dataclasses.replace(limits, cells=100_000)).message is spreadsheets.TOO_MANY_CELLS


def test_wrong_kinds_are_refused(tmp_path: Path) -> None:
    png = tmp_path / "photo.xlsx"
    png.write_bytes(files.png_bytes(10, 10))
    assert refused(png).message is spreadsheets.NOT_XLSX
    xls = tmp_path / "zip.xls"
    xls.write_bytes(b"PK\x03\x04rest")
    assert refused(xls).message is spreadsheets.NOT_XLS
    other = tmp_path / "list.pdf"
    other.write_bytes(b"%PDF-1.4")
    assert refused(other).message is spreadsheets.NOT_A_SPREADSHEET
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert refused(broken).message is spreadsheets.UNREADABLE
    gbk = tmp_path / "latin.csv"
    gbk.write_bytes(b"\xff\xfe\xfd\x80\x81")
    assert refused(gbk).message is spreadsheets.CSV_ENCODING


def test_a_parse_that_runs_wild_ends_the_child_not_this_process(tmp_path: Path, limits: Limits) -> None:
    """The dimension bomb let through (limits lifted): the capped child dies or fails, the
    caller gets a message, and this process carries on."""
    path = files.dimension_bomb(tmp_path / "bomb.xlsx")
    lifted = dataclasses.replace(limits, rows=2_000_000, columns=20_000, cells=10**12, memory_mb=512)
    error = refused(path, lifted)
    assert error.message in (spreadsheets.PARSE_MEMORY, spreadsheets.UNREADABLE)
    assert read_sheet(files._workbook(tmp_path / "ok.xlsx", files.sheet_xml([[("A1", "还在")]]))) == [["还在"]]


def test_a_zip_that_lies_about_its_size_passes_the_checks_but_not_the_parse(tmp_path: Path) -> None:
    """The directory says a few hundred bytes (with the CRC of that prefix); the stream holds a
    cell at XFD1048576. The checks read only what is declared; the parser in the child refuses
    the rest, and this process never sees it."""
    path = files.lying_zip(tmp_path / "lie.xlsx")
    assert inspect(path).rows == 1
    assert refused(path).message is spreadsheets.UNREADABLE


def test_a_parse_over_its_time_is_stopped(tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "slow.csv"
    path.write_text("企业名称\n甲\n", encoding="utf-8")
    assert refused(path, dataclasses.replace(limits, seconds=0)).message is spreadsheets.PARSE_TIME
