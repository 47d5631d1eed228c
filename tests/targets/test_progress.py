"""Progress is counted from applications made with the ORM, never typed in."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shangmi.creation.models import Application, DemoType, Level
from shangmi.targets.models import CoachingEnrolment, Metric, Target
from shangmi.targets.progress import Cell, ProgressTable, progress_table, targets_progress
from shangmi.targets.services import SHAOXING_COLUMNS, Column
from tests.targets.conftest import apply, make_round

ZONE, STATION_PROVINCIAL, STATION_LOCAL, COACHING = SHAOXING_COLUMNS
S = Application.Status
EARLY = datetime.date(2023, 5, 1)


def set_target(region: Any, column: Column, minimum: int, year: int = 2023, **extra: Any) -> Target:
    return Target.objects.create(region=region, year=year, minimum=minimum, **column.target_filter(), **extra)


def cell(table: ProgressTable, label: str, column: Column) -> Cell:
    rows = [*table.rows, table.total] + ([table.own] if table.own else [])
    row = next(r for r in rows if r.label == label)
    return row.cells[table.columns.index(column)]


def counts(c: Cell) -> tuple[int | None, int, int, int]:
    return (c.minimum, c.candidates, c.submitted, c.approved)


def test_candidates_submitted_approved(shaoxing: Any, world: Any) -> None:
    sx = shaoxing
    for district in sx.districts.values():
        set_target(district, STATION_LOCAL, 7, deadline=datetime.date(2023, 9, 30))
    municipal = make_round(2023, DemoType.STATION, Level.MUNICIPAL, sx.city, world.admin)
    county = make_round(2023, DemoType.STATION, Level.COUNTY, sx.yuecheng, world.admin)
    apply(municipal, sx.yuecheng)  # a candidate (draft)
    apply(municipal, sx.yuecheng, S.IN_REVIEW)  # submitted
    apply(municipal, sx.yuecheng, S.RETURNED)  # submitted once, back for changes
    apply(county, sx.yuecheng, S.APPROVED)  # a county station: the column counts both levels
    apply(municipal, sx.keqiao, S.APPROVED)
    apply(municipal, sx.keqiao, S.REJECTED)  # submitted, not approved: still a candidate of the year
    # Ignored: withdrawn, another year, another type, another level, outside the city.
    apply(municipal, sx.yuecheng, S.WITHDRAWN)
    apply(make_round(2022, DemoType.STATION, Level.MUNICIPAL, sx.city, world.admin), sx.yuecheng, S.APPROVED)
    apply(make_round(2023, DemoType.UNIT, Level.MUNICIPAL, sx.city, world.admin), sx.yuecheng, S.APPROVED)
    apply(make_round(2023, DemoType.STATION, Level.PROVINCIAL, sx.province, world.admin), sx.yuecheng, S.APPROVED)
    apply(make_round(2023, DemoType.STATION, Level.MUNICIPAL, world.chongqing, world.admin), world.jiangbei)

    table = progress_table(sx.city, 2023, today=EARLY)
    assert table.columns == [STATION_LOCAL]
    assert [r.label for r in table.rows] == ["越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市"]
    assert counts(cell(table, "越城区", STATION_LOCAL)) == (7, 4, 3, 1)
    assert counts(cell(table, "柯桥区", STATION_LOCAL)) == (7, 2, 2, 1)
    assert counts(cell(table, "上虞区", STATION_LOCAL)) == (7, 0, 0, 0)
    assert counts(table.total.cells[0]) == (42, 6, 5, 2)
    assert table.deadlines == [datetime.date(2023, 9, 30)]
    assert table.own is None

    # The same numbers for the targets one by one.
    targets = list(Target.objects.select_related("region"))
    by_target = targets_progress(targets, today=EARLY)
    yuecheng = next(t for t in targets if t.region_id == sx.yuecheng.pk)
    assert counts(by_target[yuecheng.pk]) == (7, 4, 3, 1)


def test_a_district_rolls_up_into_its_city_and_the_total(shaoxing: Any, world: Any) -> None:
    sx = shaoxing
    hangzhou_district = sx.province.children.get(code="330100").children.order_by("code").first()
    set_target(sx.yuecheng, STATION_PROVINCIAL, 1)
    set_target(sx.keqiao, STATION_PROVINCIAL, 2)
    set_target(hangzhou_district, STATION_PROVINCIAL, 4)
    provincial = make_round(2023, DemoType.STATION, Level.PROVINCIAL, sx.province, world.admin)
    apply(provincial, sx.yuecheng, S.APPROVED)
    apply(provincial, sx.shangyu, S.IN_REVIEW)
    apply(provincial, hangzhou_district)

    table = progress_table(sx.province, 2023, today=EARLY)
    assert len(table.rows) == 11  # the eleven cities of Zhejiang
    assert counts(cell(table, "绍兴市", STATION_PROVINCIAL)) == (3, 2, 2, 1)
    assert counts(cell(table, "杭州市", STATION_PROVINCIAL)) == (4, 1, 0, 0)
    assert counts(cell(table, "宁波市", STATION_PROVINCIAL)) == (None, 0, 0, 0)
    assert counts(table.total.cells[0]) == (7, 3, 2, 1)

    # The city's own target (set by the province) replaces the sum of its districts' in the
    # province's table, and stands against the total in the city's own table.
    set_target(sx.city, STATION_PROVINCIAL, 5)
    province = progress_table(sx.province, 2023, today=EARLY)
    assert cell(province, "绍兴市", STATION_PROVINCIAL).minimum == 5
    assert province.total.cells[0].minimum == 9
    city = progress_table(sx.city, 2023, today=EARLY)
    assert city.total.cells[0].minimum == 3
    assert city.own is not None and counts(city.own.cells[0]) == (5, 2, 2, 1)
    assert city.own.cells[0].behind


def test_a_district_table_has_one_row(shaoxing: Any, world: Any) -> None:
    set_target(shaoxing.yuecheng, ZONE, 1)
    apply(make_round(2023, DemoType.ZONE, Level.PROVINCIAL, shaoxing.province, world.admin), shaoxing.yuecheng)
    table = progress_table(shaoxing.yuecheng, 2023, today=EARLY)
    assert [r.label for r in table.rows] == ["越城区"]
    assert counts(table.rows[0].cells[0]) == (1, 1, 0, 0)
    assert counts(table.total.cells[0]) == (1, 1, 0, 0)


def test_behind_and_at_risk(shaoxing: Any, world: Any) -> None:
    set_target(shaoxing.yuecheng, STATION_LOCAL, 2, deadline=datetime.date(2023, 9, 30))
    set_target(shaoxing.keqiao, STATION_LOCAL, 1, deadline=datetime.date(2023, 9, 30))
    round_ = make_round(2023, DemoType.STATION, Level.MUNICIPAL, shaoxing.city, world.admin)
    apply(round_, shaoxing.yuecheng)
    apply(round_, shaoxing.keqiao, S.APPROVED)

    early = progress_table(shaoxing.city, 2023, today=EARLY)
    yc, kq = cell(early, "越城区", STATION_LOCAL), cell(early, "柯桥区", STATION_LOCAL)
    assert yc.behind and not yc.urgent  # months left to find a second candidate
    assert not kq.behind and not kq.urgent
    assert early.rows[0].behind

    late = progress_table(shaoxing.city, 2023, today=datetime.date(2023, 9, 10))
    yc = cell(late, "越城区", STATION_LOCAL)
    assert yc.behind and yc.urgent and yc.deadline_near and not yc.deadline_past
    assert not cell(late, "柯桥区", STATION_LOCAL).urgent
    # No target, nothing to be behind on.
    assert not cell(late, "上虞区", STATION_LOCAL).behind


def test_coaching_counts_candidates_once(shaoxing: Any, world: Any) -> None:
    sx = shaoxing
    set_target(sx.yuecheng, COACHING, 20)
    set_target(sx.keqiao, COACHING, 20)
    listed, both, candidate = (sx.enterprise(sx.yuecheng, f"越城企业{i}") for i in range(3))
    withdrawn, last_year = sx.enterprise(sx.yuecheng, "撤回企业"), sx.enterprise(sx.yuecheng, "去年企业")
    keqiao = sx.enterprise(sx.keqiao, "柯桥企业")
    for enterprise in (listed, both, keqiao):
        CoachingEnrolment.objects.create(enterprise=enterprise, year=2023, added_by=world.admin)
    CoachingEnrolment.objects.create(enterprise=last_year, year=2022, added_by=world.admin)
    unit = make_round(2023, DemoType.UNIT, Level.MUNICIPAL, sx.city, world.admin)
    apply(unit, sx.yuecheng, enterprise=both)
    apply(unit, sx.yuecheng, S.APPROVED, enterprise=candidate)
    apply(unit, sx.yuecheng, S.WITHDRAWN, enterprise=withdrawn)
    # A second application of the same enterprise in the year does not count it twice.
    apply(make_round(2023, DemoType.STATION, Level.COUNTY, sx.yuecheng, world.admin), sx.yuecheng, enterprise=both)

    table = progress_table(sx.city, 2023, today=EARLY)
    assert table.columns == [COACHING]
    assert cell(table, "越城区", COACHING).candidates == 3
    assert cell(table, "柯桥区", COACHING).candidates == 1
    assert cell(table, "上虞区", COACHING).candidates == 0
    assert table.total.cells[0].candidates == 4 and table.total.cells[0].minimum == 40
    assert cell(table, "越城区", COACHING).behind

    targets = list(Target.objects.select_related("region"))
    cells = targets_progress(targets)
    assert sorted(c.candidates for c in cells.values()) == [1, 3]


def test_columns_follow_the_seed_order(shaoxing: Any) -> None:
    for column in reversed(SHAOXING_COLUMNS):
        set_target(shaoxing.yuecheng, column, 1)
    set_target(shaoxing.yuecheng, Column(Metric.DEMONSTRATION, DemoType.UNIT, Level.MUNICIPAL), 3)
    table = progress_table(shaoxing.city, 2023)
    assert table.columns[:2] == [ZONE, STATION_PROVINCIAL]
    assert table.columns[-1] == COACHING
    assert set(table.columns) == {*SHAOXING_COLUMNS, Column(Metric.DEMONSTRATION, DemoType.UNIT, Level.MUNICIPAL)}


def _fill_city(shaoxing: Any, world: Any, districts: list[Any], per_district: int) -> None:
    rounds = [
        make_round(2023, DemoType.STATION, level, shaoxing.city, world.admin)
        for level in (Level.PROVINCIAL, Level.MUNICIPAL, Level.COUNTY)
    ]
    for district in districts:
        for column in SHAOXING_COLUMNS:
            Target.objects.get_or_create(region=district, year=2023, **column.target_filter(), defaults={"minimum": 3})
        for i in range(per_district):
            enterprise = shaoxing.enterprise(district, f"{district.name}企业{i}")
            apply(rounds[i % 3], district, [S.DRAFT, S.IN_REVIEW, S.APPROVED][i % 3], enterprise=enterprise)
            CoachingEnrolment.objects.get_or_create(
                enterprise=enterprise, year=2023, defaults={"added_by": world.admin}
            )


def test_query_count_is_constant_as_rows_grow(shaoxing: Any, world: Any) -> None:
    districts = list(shaoxing.districts.values())
    _fill_city(shaoxing, world, districts[:1], 2)
    with CaptureQueriesContext(connection) as small:
        table = progress_table(shaoxing.city, 2023)
    assert table.total.cells[-1].candidates == 2

    _fill_city(shaoxing, world, districts, 9)
    with CaptureQueriesContext(connection) as large:
        table = progress_table(shaoxing.city, 2023)
    assert table.total.cells[-1].candidates == 2 + 6 * 9
    assert len(large) == len(small) <= 4

    # The province's table, eleven cities, the same few queries.
    with CaptureQueriesContext(connection) as province:
        progress_table(shaoxing.province, 2023)
    assert len(province) == len(small)

    targets = list(Target.objects.select_related("region"))
    assert len(targets) == 24
    with CaptureQueriesContext(connection) as each:
        targets_progress(targets)
    assert len(each) <= 2
