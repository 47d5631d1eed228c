"""Enforcement figures of a region and year (shangmi.enforcement.tallies): the counts against
a hand count over a few rows in two districts and the city itself, the roll-up, the year's
boundary in China, the reader's scope, the export against the page, and a query count that
does not grow with the regions."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shangmi.enforcement import services
from shangmi.enforcement.models import Case, Clue, Demand, Transfer
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.tallies import case_figures
from shangmi.enforcement.workdays import calendars_load
from shangmi.regions.models import Region

D = datetime.date
serial = count(1)


@pytest.fixture
def loaded(db: Any, tmp_media: Any) -> None:
    calendars_load()
    rules_load()


def clue(world: Any, region: Region, received_on: datetime.date) -> Clue:
    return Clue.objects.create(
        region=region, tracking_hash=f"{next(serial):064d}", against="某模具有限公司", description="图纸",
        received_on=received_on, status=Clue.Status.OPENED, decided_on=received_on,
    )  # fmt: skip


def case(world: Any, region: Region, opened_on: datetime.date, **extra: Any) -> Case:
    return Case.objects.create(
        region=region, clue=clue(world, region, opened_on), party="某模具有限公司", act_date=D(2025, 11, 3),
        opened_on=opened_on, opened_by=world.city_regulator, **extra,
    )  # fmt: skip


def demand(world: Any, region: Region, filed_on: datetime.date) -> Demand:
    enterprise = world.ent_in if region == world.jiangbei else world.ent_out
    return Demand.objects.create(
        enterprise=enterprise, region=region, kind=Demand.Kind.COMPLAINT, title="诉求", description="被挖走图纸",
        filed_by=world.ent_admin_in, filed_on=filed_on,
    )  # fmt: skip


def transfer(world: Any, of: Case, status: str, sent: datetime.datetime | None) -> Transfer:
    return Transfer.objects.create(
        case=of, organ=Transfer.Organ.POLICE, receiver=world.judicial, reason="涉嫌犯罪", status=status,
        proposed_by=world.regulator_in, proposed_on=D(2026, 6, 1), decide_by=D(2026, 6, 4), sent_at=sent,
    )  # fmt: skip


def shanghai(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def hand(world: Any, loaded: None) -> dict[str, Any]:
    """江北: 2 demands, 3 cases opened in 2026 (one closed after 30 days, one fined 300,000 and
    closed after 61 days, one with its step overdue), one opened in 2025; 2 transfers sent
    (accepted, refused) and one proposed only. 江津 (outside 江北's bureau): 1 demand, 1 case fined
    50,000 and closed after 10 days. The city itself: 1 case."""
    jb, jj, cq = world.jiangbei, world.jiangjin, world.chongqing
    demand(world, jb, D(2026, 3, 1))
    demand(world, jb, D(2026, 12, 31))
    demand(world, jb, D(2025, 12, 31))
    demand(world, jj, D(2026, 7, 1))
    first = case(world, jb, D(2026, 2, 1), closed_on=D(2026, 3, 3), status=Case.Status.DECIDED)
    case(world, jb, D(2026, 3, 1), decision=Case.Decision.PENALTY, fine=Decimal(300000),
         decided_on=D(2026, 4, 20), closed_on=D(2026, 5, 1), status=Case.Status.DECIDED)  # fmt: skip
    case(world, jb, D(2026, 4, 1), step_due=D(2026, 4, 15))
    case(world, jb, D(2025, 6, 1), step_due=D(2099, 1, 1))
    case(world, jj, D(2026, 5, 1), decision=Case.Decision.PENALTY, fine=Decimal(50000),
         decided_on=D(2026, 5, 9), closed_on=D(2026, 5, 11), status=Case.Status.DECIDED)  # fmt: skip
    case(world, cq, D(2026, 8, 1))
    transfer(world, first, Transfer.Status.ACCEPTED, shanghai(2026, 6, 2, 10))
    transfer(world, first, Transfer.Status.REFUSED, shanghai(2026, 6, 3, 10))
    transfer(world, first, Transfer.Status.PROPOSED, None)
    # Sent on 1 January 2026 at 07:00 in China (31 December 2025 in UTC): a transfer of 2026.
    transfer(world, first, Transfer.Status.SENT, shanghai(2026, 1, 1, 7))
    return {"jb": jb, "jj": jj, "cq": cq}


def row_of(figures: Any, region: Region) -> Any:
    return next(row for row in figures.rows if row.region == region)


def test_the_figures_against_a_hand_count(world: Any, hand: dict[str, Any]) -> None:
    figures = case_figures(world.chongqing, 2026, reader=world.city_regulator)
    jb = row_of(figures, world.jiangbei)
    assert (jb.demands, jb.clues, jb.cases) == (2, 3, 3)
    assert (jb.transfers, jb.accepted, jb.refused, jb.pending) == (3, 1, 1, 1)
    assert jb.fines == Decimal(300000)
    assert jb.average_days == Decimal("45.5")  # (30 + 61) / 2
    assert jb.overdue == 1
    jj = row_of(figures, world.jiangjin)
    assert (jj.demands, jj.cases, jj.fines, jj.average_days, jj.overdue) == (1, 1, Decimal(50000), Decimal(10), 0)
    itself = figures.rows[0]
    assert itself.region is None and itself.cases == 1
    # The roll-up: the total is the sum of the rows, the city's own row included.
    total = figures.total
    assert (total.demands, total.cases, total.transfers, total.fines) == (3, 5, 3, Decimal(350000))
    assert total.average_days == Decimal("33.7")  # (30 + 61 + 10) / 3
    assert figures.target is None


def test_a_reader_never_counts_what_they_may_not_read(world: Any, hand: dict[str, Any]) -> None:
    # 江北's bureau asked about the whole city: 江津's rows are not theirs to count.
    figures = case_figures(world.chongqing, 2026, reader=world.regulator_in)
    jj = row_of(figures, world.jiangjin)
    assert (jj.demands, jj.cases, jj.fines, jj.closed) == (0, 0, Decimal(0), 0)
    assert figures.total.cases == 3
    assert figures.total.fines == Decimal(300000)


def test_a_district_is_its_own_table(world: Any, hand: dict[str, Any]) -> None:
    figures = case_figures(world.jiangbei, 2025, reader=world.regulator_in)
    assert figures.lines == [figures.total]
    assert (figures.total.demands, figures.total.cases) == (1, 1)


def test_a_case_opened_at_2330_on_31_december_in_china_counts_in_that_year(
    world: Any, loaded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 15:30 UTC on 31 December is 23:30 in Shanghai: still the old year there.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 31, 15, 30, tzinfo=datetime.UTC))
    opened = services.case_open(
        user=world.regulator_in, clue=clue(world, world.jiangbei, D(2026, 12, 1)),
        data=services.CaseOpening(party="某公司", act_date=D(2026, 3, 1),
                                  officers=[world.regulator_in, world.officer_in], conditions=(True,) * 4),
    )  # fmt: skip
    assert opened.opened_on == D(2026, 12, 31)
    assert case_figures(world.jiangbei, 2026, reader=world.regulator_in).total.cases == 1
    assert case_figures(world.jiangbei, 2027, reader=world.regulator_in).total.cases == 0


def page_cells(html: str) -> list[list[str]]:
    table = html.split('data-testid="figures-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in rows]  # fmt: skip


def same(page: str, sheet: Any) -> bool:
    if isinstance(sheet, float):
        return Decimal(page) == Decimal(str(sheet))
    return page == str(sheet)


def test_the_page_and_its_export_show_the_same_cells(world: Any, hand: dict[str, Any], client: Any) -> None:
    from python_calamine import CalamineWorkbook

    client.force_login(world.city_regulator)
    query = {"region": world.chongqing.code, "year": 2026}
    page = client.get(reverse("enforcement:figures"), query)
    assert page.status_code == 200
    shown = page_cells(page.content.decode())
    export = client.get(reverse("enforcement:figures_export"), query)
    assert export.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    written = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    # The header, the city itself, a row per district, the total.
    assert len(shown) == len(written) == 1 + 1 + Region.objects.filter(parent=world.chongqing).count() + 1
    for shown_row, written_row in zip(shown, written, strict=True):
        assert len(shown_row) == len(written_row)
        assert all(same(a, b) for a, b in zip(shown_row, written_row, strict=True)), (shown_row, written_row)
    assert written[-1][3] == 5  # the total of cases opened
    assert shown[-1][-1] == "无指标"  # no case target exists in the targets app


@pytest.mark.parametrize("name", ["enforcement:figures", "enforcement:figures_export"])
def test_a_reader_outside_the_region_gets_404(world: Any, hand: dict[str, Any], client: Any, name: str) -> None:
    client.force_login(world.regulator_out)
    assert client.get(reverse(name), {"region": world.jiangbei.code, "year": 2026}).status_code == 404
    assert client.get(reverse(name), {"region": world.chongqing.code, "year": 2026}).status_code == 404
    client.force_login(world.ent_admin_in)
    assert client.get(reverse(name), {"region": world.jiangbei.code, "year": 2026}).status_code == 404
    client.force_login(world.regulator_in)
    assert client.get(reverse(name), {"region": world.jiangbei.code, "year": 2026}).status_code == 200


def test_the_query_count_does_not_grow_with_the_regions(world: Any, hand: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as few:
        case_figures(world.chongqing, 2026, reader=world.city_regulator)
    for code in ("500101", "500102", "500103", "500104", "500106"):
        region = Region.objects.get(code=code)
        case(world, region, D(2026, 9, 1))
        demand(world, region, D(2026, 9, 1))
    with CaptureQueriesContext(connection) as more:
        figures = case_figures(world.chongqing, 2026, reader=world.city_regulator)
    assert figures.total.cases == 10
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_bad_year_falls_back_to_this_year_and_an_unknown_region_is_404(
    world: Any, hand: dict[str, Any], client: Any
) -> None:
    from shangmi.core.calendar import program_year

    client.force_login(world.city_regulator)
    page = client.get(reverse("enforcement:figures"), {"region": world.chongqing.code, "year": "二〇二六"})
    assert page.status_code == 200 and page.context["year"] == program_year()
    assert client.get(reverse("enforcement:figures"), {"region": "999999"}).status_code == 404
    # Without a region: the reader's own.
    assert client.get(reverse("enforcement:figures")).context["region"] == world.chongqing


def test_the_enforcement_menu_links_the_figures_for_bureaus_only(world: Any, client: Any) -> None:
    link = f'href="{reverse("enforcement:figures")}"'
    client.force_login(world.regulator_in)
    assert link in client.get(reverse("enforcement:demand_list")).content.decode()
    client.force_login(world.ent_admin_in)
    assert link not in client.get(reverse("enforcement:demand_list")).content.decode()
