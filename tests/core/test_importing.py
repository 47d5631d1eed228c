"""core.importing: headers as bureaus write them import; a sheet without one names what it saw."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.utils import translation

from shangmi.core import importing
from shangmi.core.importing import Column, Columns, ImportFileError, data_rows, header_key
from shangmi.enterprises import importing as enterprise_importing
from shangmi.enterprises.importing import enterprise_import
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.uscc import make_uscc
from shangmi.ledgers.activities.importing import participants_import
from shangmi.ledgers.models import ActivityParticipant
from shangmi.targets import importing as target_importing
from shangmi.targets.importing import targets_import
from tests.ledgers.activities.test_services import make_activity


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def write_xlsx(path: Path, rows: list[list[Any]], *, title: str | None = None) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    start = 0
    if title:
        sheet.merge_range(0, 0, 0, len(rows[0]) - 1, title)
        start = 2
    for index, row in enumerate(rows):
        sheet.write_row(start + index, 0, row)
    workbook.close()
    return path


COLUMNS = Columns(
    (
        Column("name", "企业名称", ("单位名称",), required=True),
        Column("region", "所属区域", ("所属区县", "属地"), required=True),
        Column("phone", "联系电话", ("联系方式",)),
    )
)


def test_header_keys_ignore_width_spaces_and_marks() -> None:
    assert header_key(" 企业\n名称 ") == header_key("企业名称*") == header_key("企业名称：") == "企业名称"
    assert header_key("ＵＳＣＣ") == "uscc"
    assert COLUMNS.field_of("单位名称（必填）") == "name"
    assert COLUMNS.field_of("所 属 区 县") == "region"
    assert COLUMNS.field_of("备注") is None


def test_the_header_is_found_below_title_rows() -> None:
    rows = [
        ["2026年企业名录", "", ""],
        ["", "", ""],
        ["序号", "单位名称", "属地", "联系方式"],
        ["1", "甲", "江北区", ""],
    ]
    header = COLUMNS.find_header(rows)
    assert (header.index, header.columns) == (2, {"name": 1, "region": 2, "phone": 3})
    assert [n for n, _r in data_rows(rows, header)] == [4]
    assert header.cells(["1", "甲"]) == {"name": "甲", "region": "", "phone": ""}


def test_no_recognisable_header_names_what_it_saw_and_what_it_expected() -> None:
    rows = [["名录"], ["编号", "公司", "地方", "电话号"], ["1", "甲", "江北", "1"]]
    with pytest.raises(ImportFileError) as caught:
        COLUMNS.find_header(rows)
    error = caught.value
    assert error.message is importing.NO_HEADER
    assert error.params["seen"] == "编号、公司、地方、电话号"
    assert error.params["expected"] == "企业名称、所属区域、联系电话"
    assert "编号、公司、地方、电话号" in error.text and "企业名称、所属区域" in error.text
    with translation.override("zh-hans"):
        assert "未找到表头行" in error.text and "编号、公司、地方、电话号" in error.text


def test_a_header_lacking_a_required_column_names_it() -> None:
    with pytest.raises(ImportFileError) as caught:
        COLUMNS.find_header([["单位名称", "地方", "联系方式"]])
    assert caught.value.message is importing.MISSING_COLUMNS
    assert caught.value.params["missing"] == "所属区域"
    assert caught.value.params["seen"] == "单位名称、地方、联系方式"


# --- the three imports, with headers as bureaus write them ---------------------------------------


@pytest.mark.parametrize("region_header", ["所属区县", "区县", "所在区县", "属地", "所在地区"])
def test_registry_region_column_under_the_names_bureaus_use(world: Any, tmp_path: Path, region_header: str) -> None:
    path = tmp_path / "list.csv"
    uscc = make_uscc("500105", 611)
    path.write_text(f"公司名称,信用代码,{region_header}\n重庆别名科技有限公司,{uscc},江北区\n", encoding="utf-8")
    result = enterprise_import(user=world.regulator_in, path=path)
    assert result.errors == [] and result.created == 1
    assert Enterprise.objects.get(uscc=uscc).region_id == "500105"


def test_a_bureau_list_with_its_own_headers_imports(world: Any, tmp_path: Path) -> None:
    """A title merged above, a blank line, then headers in the bureau's words and widths."""
    path = write_xlsx(
        tmp_path / "江北区重点企业.xlsx",
        [
            ["序号", "单位名称", "统一社会信用代码（必填）", "所 在 区 县", "从业人数", "联系方式", "是否为联络点"],
            [1, "重庆别名一号有限公司", make_uscc("500105", 621), "江北区", 35, 13800001111, "是"],
            [2, "重庆别名二号有限公司", make_uscc("500105", 622), "500105", "", "", "否"],
        ],
        title="江北区重点企业名单（2026年）",
    )
    result = enterprise_import(user=world.regulator_in, path=path)
    assert result.errors == [] and result.created == 2
    first = Enterprise.objects.get(uscc=make_uscc("500105", 621))
    assert (first.employee_count, first.contact_phone, first.is_liaison_point) == (35, "13800001111", True)


def test_a_registry_sheet_without_a_header_says_what_it_saw(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "odd.xlsx", [["编号", "公司", "地方"], [1, "甲", "江北"]])
    result = enterprise_import(user=world.regulator_in, path=path)
    assert [e.row for e in result.errors] == [0]
    text = result.errors[0].message
    assert "编号、公司、地方" in text and "企业名称、统一社会信用代码、所属区域" in text
    with pytest.raises(ImportFileError) as caught:
        enterprise_importing.find_header([["编号", "公司", "地方"]])
    assert caught.value.message is importing.NO_HEADER
    assert not Enterprise.objects.filter(name="甲").exists()


def test_a_sign_in_sheet_with_its_own_headers_imports(world: Any, tmp_path: Path) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    path = write_xlsx(
        tmp_path / "签到.xlsx",
        [
            ["参训人员姓名", "所在公司", "员工工号", "联系电话", "职务职称"],
            ["张三", world.ent_in.name, "77", "13800001111", "法务"],
        ],
        title="商业秘密保护培训签到表",
    )
    result = participants_import(user=world.regulator_in, activity=activity, path=path)
    assert result.errors == [] and result.created == 1
    person = ActivityParticipant.objects.get()
    assert (person.name, person.enterprise, person.employee_no) == ("张三", world.ent_in, "77")


def test_a_sign_in_sheet_without_a_header_says_what_it_saw(world: Any, tmp_path: Path) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in, world.ent_out)
    path = write_xlsx(tmp_path / "odd.xlsx", [["人", "哪里"], ["张三", "甲"]])
    result = participants_import(user=world.regulator_in, activity=activity, path=path)
    assert [e.row for e in result.errors] == [0]
    assert "人、哪里" in result.errors[0].message and "姓名、单位/企业" in result.errors[0].message


def test_a_target_table_without_a_header_says_what_it_saw(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "odd.xlsx", [["地区", "数量"], ["江北区", 3]])
    result = targets_import(path=path, region=world.chongqing, year=2026)
    assert [e.row for e in result.errors] == [0]
    assert "地区、数量" in result.errors[0].message
    with pytest.raises(ImportFileError) as caught:
        target_importing.find_layout([["地区", "数量"]])
    assert caught.value.message is target_importing.NO_HEADER
