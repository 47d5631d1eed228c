"""The half-year summary (GuidanceHalfCount, kept by database triggers) gives the same rows and
totals as counting the visits themselves, the way the page did before it, through every kind of
write: the service, bulk inserts, updates that move a visit across a half, a year or an
enterprise, deletes; at the calendar's edges in Shanghai time, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from shangmi.core.roles import Role
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance.halfyear import (
    HALF_FIELDS,
    guided_enterprises,
    half_bounds,
    half_year_status,
    missing_q,
    status_totals,
)
from shangmi.ledgers.guidance.services import VisitInput, visit_record, visit_update
from shangmi.ledgers.models import GuidanceHalfCount, GuidanceVisit
from tests.conftest import make_enterprise, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEARS = (2025, 2026, 2027)
# The moments where Shanghai's half or year differs from UTC's.
EDGES = [
    datetime.datetime(2026, 1, 1, 0, 5, tzinfo=SHANGHAI),  # 2025-12-31 16:05 UTC: 2026, first half
    datetime.datetime(2025, 12, 31, 23, 55, tzinfo=SHANGHAI),  # 2025, second half
    datetime.datetime(2026, 6, 30, 23, 59, 59, tzinfo=SHANGHAI),  # first half
    datetime.datetime(2026, 7, 1, 0, 0, tzinfo=SHANGHAI),  # 2026-06-30 16:00 UTC: second half
    datetime.datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI),
    datetime.datetime(2027, 1, 1, 0, 0, tzinfo=SHANGHAI),
]


def counted(enterprises: QuerySet[Enterprise], year: int) -> QuerySet[Enterprise]:
    """The page's former query: each row's visits counted in each half."""

    def between(start: datetime.datetime, end: datetime.datetime) -> Coalesce:
        visits = (
            GuidanceVisit.objects.filter(enterprise_id=OuterRef("pk"), visited_at__gte=start, visited_at__lt=end)
            .order_by()
            .values("enterprise_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(visits, output_field=IntegerField()), 0)

    return enterprises.annotate(**{name: between(*half_bounds(year, half)) for half, name in HALF_FIELDS.items()})


def counted_totals(status: QuerySet[Enterprise]) -> dict[str, int]:
    totals = status.aggregate(
        n=Count("pk"), c1=Count("pk", filter=Q(first_half__gt=0)), c2=Count("pk", filter=Q(second_half__gt=0))
    )
    return {"enterprises": totals["n"], "first_half": totals["c1"], "second_half": totals["c2"]}


def rows(status: QuerySet[Enterprise]) -> list[tuple[int, int, int]]:
    return list(status.order_by("pk").values_list("pk", "first_half", "second_half"))


def assert_same(enterprises: QuerySet[Enterprise]) -> None:
    for year in YEARS:
        new, old = half_year_status(enterprises, year), counted(enterprises, year)
        assert rows(new) == rows(old), year
        assert status_totals(new) == counted_totals(old), year
        for today in (datetime.date(year, 3, 1), datetime.date(year, 8, 1), datetime.date(year + 1, 1, 1)):
            missing = missing_q(year, today)
            assert rows(new.filter(missing)) == rows(old.filter(missing)), (year, today)
            assert status_totals(new.filter(missing)) == counted_totals(old.filter(missing))
    # Nothing but the visits' own halves is kept: no row for a half without visits.
    assert not GuidanceHalfCount.objects.filter(visits__lte=0).exists()


def visit_row(enterprise: Enterprise, officer: Any, when: datetime.datetime) -> GuidanceVisit:
    return GuidanceVisit(
        enterprise=enterprise,
        officer=officer,
        created_by=officer,
        visited_at=when,
        place="会议室",
        bureau_participants="指导员",
        enterprise_participants="商秘办",
        content="指导内容",
    )


@pytest.fixture
def network(db):
    officer = make_user("officer_jb", Role.OFFICER, region_id="500105")
    # A quarter of them without an officer: outside guided_enterprises().
    enterprises = [
        make_enterprise("500105", f"江北企业{n}", 100 + n, guidance_officer=officer if n % 4 else None)
        for n in range(12)
    ]
    return officer, enterprises


def test_the_summary_follows_every_write(network):
    officer, enterprises = network
    rng = random.Random(14)
    everyone = Enterprise.objects.filter(pk__in=[e.pk for e in enterprises])
    guided = guided_enterprises(everyone)

    # Bulk inserts, as the benchmark and data loads write them: the triggers see them too.
    moments = [*EDGES, *(EDGES[0] + datetime.timedelta(hours=rng.randrange(24 * 720)) for _ in range(150))]
    GuidanceVisit.objects.bulk_create(visit_row(rng.choice(enterprises), officer, m) for m in moments)
    assert_same(everyone)
    assert_same(guided)

    # The service, as an officer records a visit at 00:10 on 1 July in Shanghai.
    data = VisitInput(
        enterprise=enterprises[1],
        visited_at=datetime.datetime(2026, 7, 1, 0, 10, tzinfo=SHANGHAI),
        place="会议室",
        bureau_participants="指导员",
        enterprise_participants="商秘办",
        content="上门指导",
    )
    recorded = visit_record(user=officer, data=data)
    assert_same(everyone)

    # Moved across the half (and the year), then to another enterprise.
    data = dataclasses.replace(data, visited_at=datetime.datetime(2025, 12, 31, 23, 50, tzinfo=SHANGHAI))
    visit_update(user=officer, visit=recorded, data=data)
    assert_same(everyone)
    visit_update(user=officer, visit=recorded, data=dataclasses.replace(data, enterprise=enterprises[2]))
    assert_same(everyone)

    # Queryset updates and deletes, whatever writes them.
    GuidanceVisit.objects.filter(visited_at__lt=EDGES[3]).update(visited_at=EDGES[3])
    assert_same(everyone)
    GuidanceVisit.objects.filter(enterprise=enterprises[3]).update(enterprise=enterprises[5])
    assert_same(everyone)
    doomed = list(GuidanceVisit.objects.order_by("pk").values_list("pk", flat=True)[::3])
    GuidanceVisit.objects.filter(pk__in=doomed).delete()
    assert_same(everyone)
    GuidanceVisit.objects.all().delete()
    assert_same(everyone)
    assert not GuidanceHalfCount.objects.exists()


def test_the_counts_are_per_half_of_shanghai_time(network):
    officer, enterprises = network
    GuidanceVisit.objects.bulk_create(visit_row(enterprises[1], officer, m) for m in EDGES)
    kept = set(GuidanceHalfCount.objects.values_list("year", "half", "visits"))
    assert kept == {(2025, 2, 1), (2026, 1, 2), (2026, 2, 2), (2027, 1, 1)}
