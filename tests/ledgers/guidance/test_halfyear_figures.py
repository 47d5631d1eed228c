"""The half-year page shows the figures its former computation gave: totals, covered per half,
the row count, the rows of the page and the two filter choices, for every kind of reader
(platform administrator, province and district regulator, officer, park operator), with and
without the region, officer and "only missing" filters, for a year ended, one half begun and
one not begun.

"Former" is computed here from the visits themselves, as the page did before any summary
(each row's visits counted in each half, the choices read from the enterprises in scope), so
a wrong summary, per enterprise or per region, shows as a difference. Written against the page
as it was before the per-region summary, and passing there.
"""

from __future__ import annotations

import datetime
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q, QuerySet
from django.urls import reverse

from shangmi.accounts.models import User
from shangmi.core.roles import Role
from shangmi.core.scoping import VIEW
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance import views
from shangmi.ledgers.guidance.halfyear import guided_enterprises, missing_q
from shangmi.ledgers.models import GuidanceVisit
from shangmi.regions.models import Region
from tests.conftest import make_enterprise, make_user
from tests.ledgers.guidance.test_halfyear_summary import counted, counted_totals

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Province:
    """world's two districts of Chongqing (江北, 江津), a third (渝北) and a district of Sichuan,
    with guided enterprises (by a liaison officer, a guidance officer, both, or as a liaison
    point alone), unguided ones with visits, an officer following enterprises in two
    districts, and 300 visits over 2025-2026 in Shanghai time."""

    def __init__(self, world: Any, seed: int = 14) -> None:
        rng = random.Random(seed)
        self.world = world
        self.officer_in, self.officer_out = world.officer_in, world.officer_out
        self.officer_yb = make_user("officer_yb", Role.OFFICER, region_id="500112")
        self.officer_sc = make_user("officer_sc", Role.OFFICER, region_id="510104")
        self.sichuan_regulator = make_user("sc_regulator", Role.REGULATOR, region_id="510000")
        officers = {
            "500105": [self.officer_in],
            "500116": [self.officer_out, self.officer_in],
            "500112": [self.officer_yb],
            "510104": [self.officer_sc],
        }
        self.enterprises = [world.ent_in, world.ent_out]
        serial = 300
        for region, followers in officers.items():
            for n in range(9):
                serial += 1
                kind = n % 5
                extra: dict[str, Any] = {}
                if kind == 0:
                    extra = {"liaison_officer": followers[0]}
                elif kind == 1:
                    extra = {"guidance_officer": followers[-1]}
                elif kind == 2:
                    extra = {"liaison_officer": followers[0], "guidance_officer": followers[-1]}
                elif kind == 3:
                    extra = {"is_liaison_point": True}
                # kind 4: followed by nobody, outside the rule; its visits must not count.
                if n == 6:
                    extra["park"] = world.park_in if region == "500105" else None
                self.enterprises.append(make_enterprise(region, f"企业{region}-{n}", serial, **extra))
        start = datetime.datetime(2025, 1, 1, tzinfo=SHANGHAI)
        moments = [
            datetime.datetime(2025, 12, 31, 23, 55, tzinfo=SHANGHAI),
            datetime.datetime(2026, 1, 1, 0, 5, tzinfo=SHANGHAI),
            datetime.datetime(2026, 6, 30, 23, 59, tzinfo=SHANGHAI),
            datetime.datetime(2026, 7, 1, 0, 0, tzinfo=SHANGHAI),
            *(start + datetime.timedelta(hours=rng.randrange(24 * 700)) for _ in range(296)),
        ]
        # A few enterprises never visited, so that each half has its gaps.
        visited = [e for i, e in enumerate(self.enterprises) if i % 7 != 3]
        GuidanceVisit.objects.bulk_create(
            GuidanceVisit(
                enterprise=rng.choice(visited),
                officer=self.officer_in,
                created_by=self.officer_in,
                visited_at=moment,
                place="会议室",
                bureau_participants="指导员",
                enterprise_participants="商秘办",
                content="指导内容",
            )
            for moment in moments
        )


@pytest.fixture
def province(world: Any) -> Province:
    return Province(world)


def former_figures(user: Any, params: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """The page's figures as it computed them before any summary, from the visits."""
    base = guided_enterprises(Enterprise.objects.restrict(user, VIEW))
    regions = list(
        Region.objects.filter(pk__in=base.values("region_id")).order_by("code").values_list("code", flat=True)
    )
    officers = list(
        User.objects.filter(Q(pk__in=base.values("liaison_officer_id")) | Q(pk__in=base.values("guidance_officer_id")))
        .order_by("full_name", "username")
        .values_list("pk", flat=True)
    )
    rows: QuerySet[Enterprise] = base
    # A value outside the choices is refused (a filter error) and filters nothing.
    if params.get("region") in regions:
        rows = rows.filter(region__path__startswith=Region.objects.get(code=params["region"]).path)
    if params.get("officer") in officers:
        rows = rows.filter(Q(liaison_officer_id=params["officer"]) | Q(guidance_officer_id=params["officer"]))
    year = params.get("year", today.year)
    status = counted(rows, year)
    if params.get("missing"):
        missing = missing_q(year, today)
        status = status.filter(missing) if missing is not None else status.none()
    totals = counted_totals(status)
    return {
        "totals": totals,
        "covered": [totals["first_half"], totals["second_half"]],
        "count": totals["enterprises"],
        "rows": list(status.order_by("region_id", "name", "pk").values_list("pk", "first_half", "second_half")[:50]),
        "regions": regions,
        "officers": officers,
    }


def page_figures(client: Any, params: dict[str, Any]) -> dict[str, Any]:
    response = client.get(reverse("ledgers:guidance_halfyear"), params)
    assert response.status_code in (200, 400)
    context = response.context
    page = context["page"]
    return {
        "totals": context["totals"],
        "covered": [half["covered"] for half in context["halves"]],
        "count": page.paginator.count,
        "rows": [(row.pk, row.first_half, row.second_half) for row in page.object_list],
        "regions": [region.code for region in context["regions"]],
        "officers": [officer.pk for officer in context["officers"]],
    }


READERS = ("admin", "city_regulator", "regulator_in", "regulator_out", "sichuan_regulator", "officer_in", "park_in")
# today -> the years whose halves are then ended, begun or not begun.
TODAYS = {
    datetime.date(2026, 3, 1): (2025, 2026, 2027),  # 2026: only the first half has begun
    datetime.date(2026, 8, 1): (2025, 2026, 2027),  # 2026: both begun; 2027: none
}


def reader(province: Province, name: str) -> Any:
    world = province.world
    return {
        "admin": world.admin,
        "city_regulator": world.city_regulator,
        "regulator_in": world.regulator_in,
        "regulator_out": world.regulator_out,
        "sichuan_regulator": province.sichuan_regulator,
        "officer_in": world.officer_in,
        "park_in": world.park_operator_in,
    }[name]


def filter_cases(province: Province, year: int) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for extra in (
        {},
        {"region": "500105"},
        {"region": "500116"},  # outside 江北's regulator: a filter error, nothing filtered
        {"region": "510104"},
        {"officer": province.officer_in.pk},
        {"officer": province.officer_sc.pk},
        {"region": "500116", "officer": province.officer_in.pk},
    ):
        for missing in (False, True):
            cases.append({"year": year, **extra, **({"missing": "on"} if missing else {})})
    return cases


def assert_page_as_before(client: Any, province: Province, monkeypatch: Any) -> None:
    for today, years in TODAYS.items():
        monkeypatch.setattr(views, "program_today", lambda today=today: today)
        for name in READERS:
            user = reader(province, name)
            client.force_login(user)
            for year in years:
                for params in filter_cases(province, year):
                    assert page_figures(client, params) == former_figures(user, params, today), (name, today, params)


def test_the_page_shows_the_former_figures(client: Any, province: Province, monkeypatch: Any) -> None:
    assert_page_as_before(client, province, monkeypatch)


def test_a_province_regulator_sees_every_district_and_officer(client: Any, province: Province) -> None:
    # The comparison above would pass on two empty pages: these are the figures themselves.
    client.force_login(province.world.city_regulator)
    figures = page_figures(client, {"year": 2026})
    assert figures["regions"] == ["500105", "500112", "500116"]
    assert set(figures["officers"]) == {province.officer_in.pk, province.officer_out.pk, province.officer_yb.pk}
    guided = guided_enterprises(Enterprise.objects.filter(region_id__in=["500105", "500112", "500116"]))
    assert figures["count"] == guided.count() == 2 + 3 * 8
    assert 0 < figures["covered"][0] < figures["count"] and 0 < figures["covered"][1] < figures["count"]
