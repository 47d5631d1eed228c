"""Importing an activity's sign-in sheet: messy files land whole, bad ones not at all."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from shangmi.ledgers.activities.importing import HEADERS_ZH, participants_import, write_participant_template
from shangmi.ledgers.models import ActivityParticipant
from tests.conftest import make_enterprise
from tests.ledgers.activities.test_services import add_person, make_activity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages are asserted in English, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def english(client: Any) -> Any:
    client.cookies["django_language"] = "en"
    return client


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    workbook.close()
    return path


def test_a_messy_sign_in_sheet_lands_whole(world: Any, tmp_path: Path) -> None:
    second = make_enterprise("500105", "重庆江北（示范）电子有限公司", 41)
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    path = write_xlsx(
        tmp_path / "签到表.xlsx",
        [
            ["2026年商业秘密保护培训签到表"],  # a title above the header
            ["", "", "日期：2026年4月1日"],
            ["序号", " 姓 名 ", "单位／企业", "工号", "手机号码", "职务"],
            [1, " 张　三 ", world.ent_in.name, 1001.0, 13800001111.0, "法务经理"],
            [2, "李四", f" {world.ent_in.uscc.lower()} ", "", "１３９ ０００２ ２２２２", ""],
            [],  # blank lines between blocks of the sheet
            ["", "　", "", "", "", ""],
            [3, "王五", "重庆江北(示范)电子有限公司", "Ｅ-07", "", "工程师"],  # half-width brackets
            [4, "特邀专家", "", "", "", "讲师"],  # not from an enterprise
        ],
    )
    result = participants_import(user=world.regulator_in, activity=activity, path=path)
    assert result.errors == []
    assert (result.created, result.unchanged) == (4, 0)
    assert result.enterprises_added == [second.name]
    rows = {p.name: p for p in ActivityParticipant.objects.all()}
    assert set(rows) == {"张三", "李四", "王五", "特邀专家"}
    assert (rows["张三"].enterprise, rows["张三"].employee_no, rows["张三"].phone) == (
        world.ent_in,
        "1001",
        "13800001111",
    )
    assert rows["张三"].person_key == "no:1001"
    assert rows["李四"].person_key == "np:李四|13900022222"
    assert (rows["王五"].enterprise, rows["王五"].employee_no) == (second, "E-07")
    assert rows["特邀专家"].enterprise is None
    assert set(activity.enterprises.all()) == {world.ent_in, second}

    # The same file again: everyone is already recorded, nothing doubles.
    again = participants_import(user=world.regulator_in, activity=activity, path=path)
    assert (again.created, again.unchanged, again.errors) == (0, 4, [])
    assert ActivityParticipant.objects.count() == 4


def test_every_bad_row_is_named_and_nothing_is_saved(world: Any, tmp_path: Path) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    add_person(activity, world.ent_in, "已有学员", employee_no="9")
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [
            ["姓名", "单位/企业", "工号", "手机", "职务"],
            ["张三", world.ent_in.name, "1", "", ""],  # row 2: fine
            ["", world.ent_in.name, "2", "", ""],  # row 3: no name
            ["李四", world.ent_out.name, "3", "", ""],  # row 4: 江津, outside 江北's scope
            ["王五", world.ent_out.uscc, "4", "", ""],  # row 5: the same by its code
            ["赵六", "不存在的公司", "5", "", ""],  # row 6: no such enterprise
            ["孙七", world.ent_in.name, "6", "not a phone", ""],  # row 7
            ["张叁", world.ent_in.name, "０１", "", ""],  # row 8: employee 1 again, as row 2
            ["周八", world.ent_in.uscc[:-1] + "X", "", "", ""],  # row 9: a mistyped code
        ],
    )
    result = participants_import(user=world.regulator_in, activity=activity, path=path)
    rows = [e.row for e in result.errors]
    assert rows == sorted(rows)
    assert set(rows) == {3, 4, 5, 6, 7, 8, 9}
    by_row = {e.row: e.message for e in result.errors}
    assert "Name is required" in by_row[3]
    assert world.ent_out.name in by_row[4] and "in your scope" in by_row[4]
    assert world.ent_out.uscc in by_row[5] and "in your scope" in by_row[5]
    assert "不存在的公司" in by_row[6]
    assert "not a phone" in by_row[7]
    assert "row 2" in by_row[8]
    assert "check character" in by_row[9]
    assert "7 rows have problems" in result.message
    # All or nothing: not even row 2, and 江津 did not join.
    assert list(ActivityParticipant.objects.values_list("name", flat=True)) == ["已有学员"]
    assert list(activity.enterprises.all()) == [world.ent_in]


def test_the_city_regulator_may_name_both_districts(world: Any, tmp_path: Path) -> None:
    activity = make_activity(world.chongqing, world.city_regulator)
    path = write_xlsx(
        tmp_path / "city.xlsx",
        [["姓名", "企业", "手机"], ["张三", world.ent_in.name, "13800001111"], ["李四", world.ent_out.uscc, ""]],
    )
    result = participants_import(user=world.city_regulator, activity=activity, path=path)
    assert result.errors == [] and result.created == 2
    assert set(activity.enterprises.all()) == {world.ent_in, world.ent_out}


def test_ambiguous_names_ask_for_the_code(world: Any, tmp_path: Path) -> None:
    make_enterprise("500105", "重庆同名科技有限公司", 51)
    make_enterprise("500105", "重庆同名科技有限公司", 52)
    activity = make_activity(world.jiangbei, world.regulator_in)
    path = write_xlsx(tmp_path / "same.xlsx", [["姓名", "单位"], ["张三", "重庆同名科技有限公司"]])
    result = participants_import(user=world.regulator_in, activity=activity, path=path)
    assert [e.row for e in result.errors] == [2]
    assert "credit code" in result.errors[0].message


def test_a_csv_in_gb18030_and_a_file_without_unit_column(world: Any, tmp_path: Path) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    path = tmp_path / "名单.csv"
    path.write_bytes("姓名,工号,职务\n张三,001,法务\n\n李四,002,\n".encode("gb18030"))
    # One enterprise at the activity: a list without 单位 is that enterprise's people.
    result = participants_import(user=world.regulator_in, activity=activity, path=path)
    assert result.errors == [] and result.created == 2
    assert set(ActivityParticipant.objects.values_list("enterprise", flat=True)) == {world.ent_in.pk}
    # With two enterprises the column is needed, and the file as a whole is refused.
    activity.enterprises.add(make_enterprise("500105", "江北第二有限公司", 61))
    refused = participants_import(user=world.regulator_in, activity=activity, path=path)
    assert [e.row for e in refused.errors] == [0]
    assert "单位/企业" in refused.errors[0].message


def test_files_that_cannot_be_read(world: Any, tmp_path: Path) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    no_header = write_xlsx(tmp_path / "x.xlsx", [["名单"], ["张三", "某公司"]])
    result = participants_import(user=world.regulator_in, activity=activity, path=no_header)
    assert [e.row for e in result.errors] == [0]
    empty = write_xlsx(tmp_path / "y.xlsx", [["姓名", "单位"], [], ["", ""]])
    result = participants_import(user=world.regulator_in, activity=activity, path=empty)
    assert [e.row for e in result.errors] == [1]
    broken = tmp_path / "z.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert participants_import(user=world.regulator_in, activity=activity, path=broken).errors[0].row == 0
    # A reader of the activity may not import into it.
    refused = participants_import(user=world.ent_admin_in, activity=activity, path=no_header)
    assert "may not change" in refused.errors[0].message
    assert not ActivityParticipant.objects.exists()


def test_dry_run_checks_and_writes_nothing(world: Any, tmp_path: Path) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    path = write_xlsx(tmp_path / "ok.xlsx", [["姓名", "单位"], ["张三", world.ent_in.name]])
    result = participants_import(user=world.regulator_in, activity=activity, path=path, dry_run=True)
    assert result.ok and result.created == 1 and "nothing written" in result.message
    assert not ActivityParticipant.objects.exists()


def test_the_import_page(world: Any, english: Any, tmp_path: Path) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    url = reverse("ledgers:activity_participant_import", args=[activity.pk])
    english.force_login(world.regulator_in)
    assert english.get(url).status_code == 200

    bad = write_xlsx(tmp_path / "bad.xlsx", [["姓名", "单位"], ["张三", world.ent_out.name]]).read_bytes()
    response = english.post(url, {"file": SimpleUploadedFile("bad.xlsx", bad, content_type=XLSX)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page and "<td>2</td>" in page
    assert not ActivityParticipant.objects.exists()

    good = write_xlsx(tmp_path / "good.xlsx", [["姓名", "单位"], ["张三", world.ent_in.name]]).read_bytes()
    response = english.post(url, {"file": SimpleUploadedFile("good.xlsx", good, content_type=XLSX)})
    assert response.status_code == 302
    assert ActivityParticipant.objects.get().name == "张三"

    not_xlsx = english.post(url, {"file": SimpleUploadedFile("list.xlsx", b"just text")})
    assert "not an Excel" in not_xlsx.content.decode()
    english.force_login(world.regulator_out)
    assert english.post(url, {"file": SimpleUploadedFile("good.xlsx", good)}).status_code == 404


def test_the_template_reads_back_as_its_own_header(world: Any, english: Any, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    write_participant_template(buffer)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0).to_python()
    assert tuple(sheet[0]) == HEADERS_ZH == ("姓名", "单位/企业", "工号", "手机", "职务")

    # Filled in and imported: the template is a file the import accepts.
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    path = write_xlsx(tmp_path / "filled.xlsx", [list(HEADERS_ZH), ["张三", world.ent_in.name, "7", "", ""]])
    assert participants_import(user=world.regulator_in, activity=activity, path=path).created == 1

    english.force_login(world.park_operator_in)
    response = english.get(reverse("ledgers:activity_participant_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    english.force_login(world.ent_staff_in)  # who may not import gets no template page
    assert english.get(reverse("ledgers:activity_participant_template")).status_code == 404
