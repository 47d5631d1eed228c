"""The targets pages: scope, forms, import and export through the browser's eyes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shangmi.core.calendar import program_year
from shangmi.creation.models import Application, DemoType, Level
from shangmi.targets.importing import targets_import
from shangmi.targets.models import CoachingEnrolment, Target, TargetProgram
from shangmi.targets.services import SHAOXING_COLUMNS
from tests.targets.conftest import SEED_ROWS, apply, make_round, write_seed_xlsx

ZONE, STATION_PROVINCIAL, STATION_LOCAL, COACHING = SHAOXING_COLUMNS
S = Application.Status


@pytest.fixture
def english(client: Any) -> Any:
    client.cookies["django_language"] = "en"
    return client


def sheet_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return workbook.get_sheet_by_index(0).to_python()


def progress_url(region: str | None = None, year: int = 2023) -> str:
    query = f"?year={year}" + (f"&region={region}" if region else "")
    return reverse("targets:progress") + query


# --- Scope ----------------------------------------------------------------------------------


def test_jiangbei_sees_only_jiangbei(world: Any, english: Any) -> None:
    client = english
    for region in (world.jiangbei, world.jiangjin):
        Target.objects.create(region=region, year=2023, demo_type="unit", levels="municipal", minimum=5)
    round_ = make_round(2023, DemoType.UNIT, Level.MUNICIPAL, world.chongqing, world.admin)
    apply(round_, world.jiangbei, S.APPROVED)
    apply(round_, world.jiangjin, S.IN_REVIEW)

    client.force_login(world.regulator_in)
    page = client.get(progress_url()).content.decode()
    assert "江北区" in page and "江津" not in page
    assert 'data-region="500105"' in page and 'data-region="500116"' not in page
    for outside in ("500116", "500000", "330600", "999999"):
        assert client.get(progress_url(outside)).status_code == 404
        assert client.get(reverse("targets:export") + f"?region={outside}&year=2023").status_code == 404
    sheet = sheet_rows(client.get(reverse("targets:export") + "?year=2023"))
    assert "江津" not in str(sheet)

    client.force_login(world.city_regulator)
    page = client.get(progress_url("500000")).content.decode()
    assert 'data-region="500105"' in page and 'data-region="500116"' in page


def test_other_roles_have_no_targets_pages(world: Any, client: Any) -> None:
    target = Target.objects.create(region=world.jiangbei, year=2023, demo_type="unit", levels="municipal", minimum=5)
    for user in (world.ent_admin_in, world.park_operator_in, world.officer_in):
        client.force_login(user)
        assert client.get(progress_url()).status_code == 404
        assert client.get(reverse("targets:import")).status_code == 404
        assert client.get(reverse("targets:create")).status_code == 404
        assert client.get(reverse("targets:update", args=[target.pk])).status_code == 404


def test_an_outsider_cannot_touch_an_inside_target(world: Any, client: Any) -> None:
    target = Target.objects.create(region=world.jiangbei, year=2023, demo_type="unit", levels="municipal", minimum=5)
    client.force_login(world.regulator_out)
    update = reverse("targets:update", args=[target.pk])
    assert client.get(update).status_code == 404
    data = {"region": "500116", "year": 2023, "metric": "demonstration", "demo_type": "unit", "levels": ["municipal"]}
    assert client.post(update, {**data, "minimum": 1}).status_code == 404
    assert client.post(reverse("targets:delete", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert (target.region_id, target.minimum) == ("500105", 5)


# --- One target -----------------------------------------------------------------------------


def test_create_edit_delete_a_target(shaoxing: Any, english: Any) -> None:
    client = english
    client.force_login(shaoxing.city_regulator)
    form = {
        "region": "330602",
        "year": 2023,
        "metric": "demonstration",
        "demo_type": "station",
        "levels": ["county", "municipal"],
        "minimum": 7,
        "deadline": "2023-09-30",
    }
    response = client.post(reverse("targets:create"), form)
    assert response.status_code == 302
    assert response.url == progress_url("330600")  # a district's target shows in its city's table
    target = Target.objects.get()
    assert (target.levels, target.minimum, target.updated_by) == ("municipal,county", 7, shaoxing.city_regulator)

    again = client.post(reverse("targets:create"), form)
    assert again.status_code == 200 and "already has this target" in again.content.decode()

    coaching = {**form, "metric": "coaching", "demo_type": "", "levels": [], "minimum": 20}
    assert client.post(reverse("targets:create"), coaching).status_code == 302
    assert Target.objects.get(metric="coaching").levels == ""

    page = client.get(reverse("targets:update", args=[target.pk]))
    assert page.status_code == 200 and 'value="7"' in page.content.decode()
    assert client.post(reverse("targets:update", args=[target.pk]), {**form, "minimum": 8}).status_code == 302
    target.refresh_from_db()
    assert target.minimum == 8

    assert client.get(reverse("targets:delete", args=[target.pk])).status_code == 405
    assert client.post(reverse("targets:delete", args=[target.pk])).status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()


def test_a_target_form_offers_only_regions_in_scope(shaoxing: Any, english: Any) -> None:
    client = english
    client.force_login(shaoxing.yuecheng_regulator)
    form = {"year": 2023, "metric": "demonstration", "demo_type": "station", "levels": ["municipal"], "minimum": 3}
    response = client.post(reverse("targets:create"), {**form, "region": "330603"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(reverse("targets:create"), {**form, "region": "330602", "demo_type": ""})
    assert "Choose the demonstration type" in response.content.decode()
    assert not Target.objects.exists()
    assert client.post(reverse("targets:create"), {**form, "region": "330602"}).status_code == 302


# --- Import ---------------------------------------------------------------------------------


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_import_page(shaoxing: Any, english: Any, tmp_path: Path) -> None:
    client = english
    client.force_login(shaoxing.city_regulator)
    page = client.get(reverse("targets:import")).content.decode()
    assert '<option value="330600" selected>' in page

    data = {"region": "330600", "year": 2023, "file": upload(write_seed_xlsx(tmp_path / "附件1.xlsx"))}
    response = client.post(reverse("targets:import"), data)
    body = response.content.decode()
    assert "24 created" in body
    assert Target.objects.count() == 24

    bad_rows = [list(r) for r in SEED_ROWS]
    bad_rows[4][0] = "鉴湖"
    data = {"region": "330600", "year": 2024, "file": upload(write_seed_xlsx(tmp_path / "bad.xlsx", rows=bad_rows))}
    body = client.post(reverse("targets:import"), data).content.decode()
    assert 'data-testid="import-errors"' in body and "<td>8</td>" in body and "鉴湖" in body
    assert not Target.objects.filter(year=2024).exists()


def test_import_for_a_region_out_of_scope_is_a_form_error(
    shaoxing: Any, world: Any, english: Any, tmp_path: Path
) -> None:
    client = english
    client.force_login(shaoxing.yuecheng_regulator)
    data = {"region": "330600", "year": 2023, "file": upload(write_seed_xlsx(tmp_path / "s.xlsx"))}
    response = client.post(reverse("targets:import"), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Target.objects.exists()


# --- Export ---------------------------------------------------------------------------------


def test_export_round_trips_in_the_seed_layout(shaoxing: Any, world: Any, english: Any, tmp_path: Path) -> None:
    sx = shaoxing
    assert targets_import(path=write_seed_xlsx(tmp_path / "seed.xlsx"), region=sx.city, year=2023).created == 24
    Target.objects.create(region=sx.city, year=2023, demo_type="station", levels="municipal,county", minimum=40)
    local = make_round(2023, DemoType.STATION, Level.MUNICIPAL, sx.city, world.admin)
    apply(local, sx.yuecheng, S.APPROVED)
    apply(local, sx.yuecheng, S.IN_REVIEW)
    apply(local, sx.keqiao)
    CoachingEnrolment.objects.create(enterprise=sx.enterprise(sx.shangyu, "上虞企业"), year=2023, added_by=world.admin)

    english.force_login(sx.city_regulator)
    rows = sheet_rows(english.get(reverse("targets:export") + "?region=330600&year=2023"))
    assert rows[0][0] == "2023年绍兴市商业秘密保护示范单位培育指标分解"
    assert rows[1][0] == "单位:个"
    assert rows[2][0] == "区、县(市)"
    assert [rows[2][c] for c in (1, 5, 9, 13)] == [c.label_zh for c in SHAOXING_COLUMNS]
    assert rows[3][1:] == ["指标", "培育", "已申报", "已命名"] * 3 + ["指标", "已辅导"]
    by_label = {row[0]: row[1:] for row in rows[4:]}
    # The bureau's own order, not the codes' (新昌 330624 comes before 诸暨 330681 by code).
    assert list(by_label)[:6] == ["越城区", "柯桥区", "上虞区", "诸暨市", "新昌县", "嵊州市"]
    assert by_label["越城区"] == [1, 0, 0, 0, 0, 0, 0, 0, 7, 2, 2, 1, 20, 0]
    assert by_label["柯桥区"][8:12] == [7, 1, 0, 0]
    assert by_label["上虞区"][12:] == [20, 1]
    assert by_label["合计"] == [1, 0, 0, 0, 5, 0, 0, 0, 42, 3, 2, 1, 120, 1]
    assert by_label["绍兴市"][8] == 40  # the city's own target, against the total
    assert [label for label in by_label if label.startswith("备注")]
    assert "辅导服务企业数含培育数" in rows[-1][0]

    # The exported 指标 columns import back unchanged.
    path = tmp_path / "export.xlsx"
    path.write_bytes(english.get(reverse("targets:export") + "?region=330600&year=2023").content)
    again = targets_import(path=path, region=sx.city, year=2023)
    assert again.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 25)


def test_the_progress_page_marks_what_is_behind(shaoxing: Any, world: Any, english: Any, tmp_path: Path) -> None:
    targets_import(path=write_seed_xlsx(tmp_path / "seed.xlsx"), region=shaoxing.city, year=2023)
    english.force_login(shaoxing.city_regulator)
    page = english.get(progress_url("330600")).content.decode()
    assert page.count('data-testid="progress-row"') == 7  # six districts and 合计
    assert "Total" in page and "deadline 2023-09-30" in page
    assert 'data-behind="1"' in page
    # Past the deadline with no candidates: at risk everywhere a minimum is above 0.
    assert 'data-urgent="1"' in page


def test_the_progress_page_runs_a_constant_number_of_queries(shaoxing: Any, world: Any, client: Any) -> None:
    client.force_login(shaoxing.city_regulator)
    round_ = make_round(2023, DemoType.STATION, Level.COUNTY, shaoxing.city, world.admin)

    def fill(districts: list[Any]) -> None:
        for district in districts:
            for column in SHAOXING_COLUMNS:
                Target.objects.get_or_create(
                    region=district, year=2023, **column.target_filter(), defaults={"minimum": 1}
                )
            apply(round_, district, S.APPROVED)

    districts = list(shaoxing.districts.values())
    fill(districts[:1])
    with CaptureQueriesContext(connection) as small:
        assert client.get(progress_url("330600")).status_code == 200
    fill(districts[1:])
    with CaptureQueriesContext(connection) as large:
        assert client.get(progress_url("330600")).status_code == 200
    assert len(large) == len(small)


# --- Programs -------------------------------------------------------------------------------


def test_program_pages(shaoxing: Any, english: Any) -> None:
    client = english
    client.force_login(shaoxing.city_regulator)
    form = {
        "region": "330600",
        "title": "千个市级示范站(点)",
        "metric": "demonstration",
        "demo_type": "station",
        "levels": ["municipal"],
        "total": 1000,
        "start_year": 2023,
        "shares": "20, 40, 30",
    }
    response = client.post(reverse("targets:program_create"), form)
    assert response.status_code == 200 and "add up to 90%" in response.content.decode()
    assert not TargetProgram.objects.exists()

    assert client.post(reverse("targets:program_create"), {**form, "shares": "20%、40%、40%"}).status_code == 302
    program = TargetProgram.objects.get()
    assert program.shares == [20, 40, 40]
    assert list(program.targets.order_by("year").values_list("minimum", flat=True)) == [200, 400, 400]

    listing = client.get(reverse("targets:program_list")).content.decode()
    assert "千个市级示范站(点)" in listing and "2024: 0 / 400" in listing

    edit = reverse("targets:program_update", args=[program.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**form, "total": 10, "shares": "20,40,40"}).status_code == 302
    assert list(program.targets.order_by("year").values_list("minimum", flat=True)) == [2, 4, 4]

    client.force_login(shaoxing.keqiao_regulator)
    assert client.get(edit).status_code == 404
    assert "千个" not in client.get(reverse("targets:program_list")).content.decode()


# --- Coaching lists -------------------------------------------------------------------------


def test_coaching_list_add_remove_export(shaoxing: Any, world: Any, english: Any) -> None:
    sx, client = shaoxing, english
    mine = sx.enterprise(sx.yuecheng, "越城辅导企业")
    candidate = sx.enterprise(sx.yuecheng, "越城培育企业")
    theirs = sx.enterprise(sx.keqiao, "柯桥企业")
    apply(make_round(2023, DemoType.UNIT, Level.MUNICIPAL, sx.city, world.admin), sx.yuecheng, enterprise=candidate)
    Target.objects.create(region=sx.yuecheng, year=2023, metric="coaching", minimum=20)

    client.force_login(sx.yuecheng_regulator)
    url = reverse("targets:coaching") + "?region=330602&year=2023"
    page = client.get(url).content.decode()
    assert "越城培育企业" in page and "越城辅导企业" not in page

    assert client.post(url, {"enterprise": f" {mine.uscc.lower()} ", "note": "首批"}).status_code == 302
    enrolment = CoachingEnrolment.objects.get()
    assert (enrolment.enterprise, enrolment.year, enrolment.note) == (mine, 2023, "首批")
    twice = client.post(url, {"enterprise": mine.name})
    assert "already on the coaching list" in twice.content.decode()
    outside = client.post(url, {"enterprise": theirs.uscc})
    assert "No enterprise in" in outside.content.decode()
    assert CoachingEnrolment.objects.count() == 1
    assert (
        client.post(reverse("targets:coaching") + "?region=330603&year=2023", {"enterprise": theirs.uscc}).status_code
        == 404
    )

    rows = sheet_rows(client.get(reverse("targets:coaching_export") + "?region=330602&year=2023"))
    names = {row[1]: row for row in rows[2:]}
    assert set(names) == {"越城辅导企业", "越城培育企业"}
    assert names["越城辅导企业"][2] == mine.uscc and names["越城辅导企业"][6] == "首批"

    client.force_login(sx.keqiao_regulator)
    assert client.post(reverse("targets:coaching_remove", args=[enrolment.pk])).status_code == 404
    client.force_login(sx.yuecheng_regulator)
    assert client.post(reverse("targets:coaching_remove", args=[enrolment.pk])).status_code == 302
    assert not CoachingEnrolment.objects.exists()


def test_pages_render_for_a_platform_admin_without_a_region(world: Any, client: Any) -> None:
    client.force_login(world.admin)
    for name in ("targets:progress", "targets:coaching", "targets:program_list", "targets:import", "targets:create"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(progress_url("330600", program_year())).status_code == 200
