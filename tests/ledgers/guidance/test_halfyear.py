"""The half-year rule at the calendar's edges, in Shanghai time, on whichever database runs
the suite (scripts/test.sh runs it on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance.halfyear import (
    FIRST_HALF,
    SECOND_HALF,
    days_left,
    guidance_evidence,
    guided_enterprises,
    half_bounds,
    half_deadline,
    half_of,
    half_year_status,
    missing_q,
    status_totals,
    visits_by_half,
)
from shangmi.ledgers.models import GuidanceVisit
from tests.conftest import make_enterprise

UTC = datetime.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=SHANGHAI)


def utc(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


def visit(enterprise: Enterprise, officer: Any, when: datetime.datetime) -> GuidanceVisit:
    return GuidanceVisit.objects.create(
        enterprise=enterprise,
        officer=officer,
        visited_at=when,
        place="会议室",
        bureau_participants="指导员",
        enterprise_participants="商秘办",
        content="指导内容",
        created_by=officer,
    )


def status_of(enterprise: Enterprise, year: int) -> tuple[int, int]:
    row = half_year_status(Enterprise.objects.filter(pk=enterprise.pk), year).get()
    return row.first_half, row.second_half


def test_the_platform_runs_on_shanghai_time() -> None:
    # Everything below assumes it; a changed setting must be a conscious decision.
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


def test_half_bounds_are_local_midnights() -> None:
    start, end = half_bounds(2026, FIRST_HALF)
    assert (start, end) == (shanghai(2026, 1, 1), shanghai(2026, 7, 1))
    assert start.astimezone(UTC) == utc(2025, 12, 31, 16, 0)
    assert end.astimezone(UTC) == utc(2026, 6, 30, 16, 0)
    assert half_bounds(2026, SECOND_HALF) == (shanghai(2026, 7, 1), shanghai(2027, 1, 1))
    assert half_deadline(2026, FIRST_HALF) == datetime.date(2026, 6, 30)
    assert half_deadline(2026, SECOND_HALF) == datetime.date(2026, 12, 31)
    with pytest.raises(ValueError):
        half_bounds(2026, 3)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 6, 30, 15, 30), (2026, FIRST_HALF)),  # 23:30 on 30 June in Shanghai
        (utc(2026, 6, 30, 16, 10), (2026, SECOND_HALF)),  # 00:10 on 1 July in Shanghai
        (shanghai(2026, 12, 31, 23, 59), (2026, SECOND_HALF)),
        (shanghai(2027, 1, 1, 0, 0), (2027, FIRST_HALF)),  # 16:00 on 31 Dec 2026 in UTC
    ],
)
def test_half_of_a_moment_is_read_in_shanghai(moment: datetime.datetime, expected: tuple[int, int]) -> None:
    assert half_of(moment) == expected


def test_visits_at_the_calendar_edges_count_in_the_right_half(world: Any) -> None:
    officer = world.officer_in
    end_of_june = make_enterprise("500105", "六月三十日深夜公司", 101)
    start_of_july = make_enterprise("500105", "七月一日凌晨公司", 102)
    new_years_eve = make_enterprise("500105", "除夕公司", 103)
    new_year = make_enterprise("500105", "元旦公司", 104)
    visit(end_of_june, officer, utc(2026, 6, 30, 15, 30))  # 2026-06-30 23:30 Shanghai
    visit(start_of_july, officer, utc(2026, 6, 30, 16, 10))  # 2026-07-01 00:10 Shanghai
    visit(new_years_eve, officer, shanghai(2026, 12, 31, 23, 59))
    visit(new_year, officer, shanghai(2027, 1, 1, 0, 0))

    assert status_of(end_of_june, 2026) == (1, 0)
    assert status_of(start_of_july, 2026) == (0, 1)
    assert status_of(new_years_eve, 2026) == (0, 1)
    assert status_of(new_year, 2026) == (0, 0)
    assert status_of(new_year, 2027) == (1, 0)
    # A UTC reading (the trap this guards against) would put the first two in the same half
    # and the last visit in 2026.
    assert half_bounds(2026, SECOND_HALF)[1] == utc(2026, 12, 31, 16, 0)


def test_visits_by_half_and_the_evidence_for_the_standard(world: Any) -> None:
    enterprise = world.ent_in
    enterprise.guidance_officer = world.officer_in
    enterprise.save()
    spring = visit(enterprise, world.officer_in, shanghai(2026, 3, 12, 10, 0))
    june = visit(enterprise, world.officer_in, utc(2026, 6, 30, 15, 30))
    july = visit(enterprise, world.officer_in, utc(2026, 6, 30, 16, 10))
    visit(enterprise, world.officer_in, shanghai(2027, 1, 1, 0, 0))
    visit(enterprise, world.officer_in, shanghai(2025, 12, 31, 23, 59))

    halves = visits_by_half(enterprise, 2026)
    assert [v.pk for v in halves.first_half] == [spring.pk, june.pk]
    assert [v.pk for v in halves.second_half] == [july.pk]
    assert guidance_evidence(enterprise, 2026) == {
        "first_half": [spring.pk, june.pk],
        "second_half": [july.pk],
        "officer": world.officer_in.pk,
        "ledger_count": 3,
    }
    empty = guidance_evidence(world.ent_out, 2026)
    assert empty == {"first_half": [], "second_half": [], "officer": None, "ledger_count": 0}


def test_status_of_many_enterprises_is_one_query(world: Any, django_assert_num_queries: Any) -> None:
    officer = world.officer_in
    for serial in range(30):
        enterprise = make_enterprise("500105", f"批量企业{serial:02d}", 200 + serial, liaison_officer=officer)
        if serial % 2:
            visit(enterprise, officer, shanghai(2026, 2, 1, 9, 0))
        if serial % 3 == 0:
            visit(enterprise, officer, shanghai(2026, 8, 1, 9, 0))
            visit(enterprise, officer, shanghai(2026, 9, 1, 9, 0))
    enterprises = Enterprise.objects.filter(name__startswith="批量企业")
    with django_assert_num_queries(1):
        rows = {row.name: (row.first_half, row.second_half) for row in half_year_status(enterprises, 2026)}
    assert len(rows) == 30
    assert rows["批量企业01"] == (1, 0)
    assert rows["批量企业03"] == (1, 2)
    assert rows["批量企业06"] == (0, 2)
    assert rows["批量企业04"] == (0, 0)
    with django_assert_num_queries(1):
        totals = status_totals(half_year_status(enterprises, 2026))
    assert totals == {"enterprises": 30, "first_half": 15, "second_half": 10}


def test_the_status_is_right_on_a_queryset_that_crosses_a_many_to_many(world: Any) -> None:
    """A caller may pass enterprises filtered through their tags (a join): counts must not multiply."""
    from shangmi.enterprises.models import Tag

    enterprise = world.ent_in
    enterprise.tags.set(Tag.objects.filter(code__in=["knowledge_intensive", "technology_intensive"]))
    visit(enterprise, world.officer_in, shanghai(2026, 2, 1, 9, 0))
    tagged = Enterprise.objects.filter(tags__code__in=["knowledge_intensive", "technology_intensive"]).distinct()
    assert [(row.first_half, row.second_half) for row in half_year_status(tagged, 2026)] == [(1, 0)]


def test_missing_counts_only_halves_that_have_begun(world: Any) -> None:
    enterprise = world.ent_in
    visit(enterprise, world.officer_in, shanghai(2026, 2, 1, 9, 0))
    status = half_year_status(guided_enterprises(Enterprise.objects.filter(pk=enterprise.pk)), 2026)
    # In May the second half has not begun: nothing is missing yet.
    assert not status.filter(missing_q(2026, datetime.date(2026, 5, 1))).exists()
    # From 1 July, the second half is missing.
    assert status.filter(missing_q(2026, datetime.date(2026, 7, 1))).exists()
    assert missing_q(2027, datetime.date(2026, 7, 1)) is None
    assert days_left(2026, FIRST_HALF, datetime.date(2026, 6, 30)) == 0
    assert days_left(2026, FIRST_HALF, datetime.date(2026, 7, 1)) is None
    assert days_left(2026, SECOND_HALF, datetime.date(2026, 12, 1)) == 30


def test_only_enterprises_followed_by_the_network_are_subject_to_the_rule(world: Any) -> None:
    plain = make_enterprise("500105", "无人联络公司", 301)
    guided = make_enterprise("500105", "有指导员公司", 302, guidance_officer=world.officer_in)
    subject = set(guided_enterprises(Enterprise.objects.all()).values_list("pk", flat=True))
    assert guided.pk in subject and world.ent_in.pk in subject  # ent_in: liaison point with an officer
    assert plain.pk not in subject
