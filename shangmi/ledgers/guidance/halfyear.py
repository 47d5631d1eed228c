"""The half-year rule of the guidance ledger: every enterprise followed by an officer gets at
least one guidance in January–June and one in July–December of each year (seed 001, item 5.2
of the Chongqing standard: 每年1-6月开展不少于1次指导, 每年7-12月开展不少于1次指导).

Halves are calendar halves in the platform's local time (settings.TIME_ZONE, Asia/Shanghai),
not UTC: a visit at 00:10 on 1 July in Shanghai is 16:10 on 30 June in UTC and belongs to
the second half. The boundaries are built as aware local datetimes and compared with
``visited_at`` as ranges, which the (enterprise, visited_at) index answers and which mean the
same on SQLite and PostgreSQL whatever zone the database session runs in.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.accounts.models import User
from shangmi.core.calendar import local_midnight, program_local, year_bounds
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.models import (
    GuidanceOfficerCount,
    GuidanceRegionCount,
    GuidanceRegionHalf,
    GuidanceVisit,
)
from shangmi.notices.models import Notification
from shangmi.notices.services import notify
from shangmi.regions.models import Region

FIRST_HALF, SECOND_HALF = 1, 2
HALVES = (FIRST_HALF, SECOND_HALF)
HALF_LABELS = {FIRST_HALF: gettext_lazy("January–June"), SECOND_HALF: gettext_lazy("July–December")}
# Field names of the annotations, per half.
HALF_FIELDS = {FIRST_HALF: "first_half", SECOND_HALF: "second_half"}


def half_start(year: int, half: int) -> datetime.date:
    return datetime.date(year, 1 if half == FIRST_HALF else 7, 1)


def half_deadline(year: int, half: int) -> datetime.date:
    """The last day of the half: 30 June or 31 December."""
    return datetime.date(year, 6, 30) if half == FIRST_HALF else datetime.date(year, 12, 31)


def half_bounds(year: int, half: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the half as aware datetimes at local midnight."""
    if half not in HALVES:
        raise ValueError(f"half must be 1 or 2, not {half!r}")
    end = half_start(year, SECOND_HALF) if half == FIRST_HALF else datetime.date(year + 1, 1, 1)
    return local_midnight(half_start(year, half)), local_midnight(end)


def half_of(moment: datetime.datetime) -> tuple[int, int]:
    """(year, half) of an aware moment, in local time."""
    local = program_local(moment)
    return local.year, FIRST_HALF if local.month <= 6 else SECOND_HALF


def current_half(today: datetime.date) -> tuple[int, int]:
    return today.year, FIRST_HALF if today.month <= 6 else SECOND_HALF


def half_started(year: int, half: int, today: datetime.date) -> bool:
    return today >= half_start(year, half)


def days_left(year: int, half: int, today: datetime.date) -> int | None:
    """Days from ``today`` to the half's last day (0 on that day); None once it has ended."""
    left = (half_deadline(year, half) - today).days
    return left if left >= 0 else None


def guided_enterprises(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprises the rule applies to: those followed by the network, i.e. with a
    liaison or guidance officer, or designated a liaison point."""
    return enterprises.filter(
        Q(guidance_officer__isnull=False) | Q(liaison_officer__isnull=False) | Q(is_liaison_point=True)
    )


def half_year_status(enterprises: QuerySet[Enterprise], year: int) -> QuerySet[Enterprise]:
    """``enterprises`` annotated with ``first_half`` and ``second_half``: the number of
    guidance visits in each half of ``year`` (local time). One query for any number of rows.

    The counts come from the summary the database's triggers keep (GuidanceHalfCount), joined
    once per half: at most one summary row per enterprise, year and half, so the join neither
    multiplies rows nor upsets a DISTINCT (restrict() across a many-to-many), and a province's
    100,000 enterprises are one hash join instead of a count of their visits per row.
    """
    joins = {
        f"_half_{half}": FilteredRelation(
            "guidancehalfcount", condition=Q(guidancehalfcount__year=year) & Q(guidancehalfcount__half=half)
        )
        for half in HALVES
    }
    counts = {name: Coalesce(F(f"_half_{half}__visits"), 0) for half, name in HALF_FIELDS.items()}
    return enterprises.annotate(**joins).annotate(**counts)


def missing_q(year: int, today: datetime.date) -> Q | None:
    """Rows of half_year_status missing a half that has begun by ``today``; None when no
    half of ``year`` has begun (nothing can be missing yet)."""
    condition: Q | None = None
    for half, name in HALF_FIELDS.items():
        if half_started(year, half, today):
            part = Q(**{name: 0})
            condition = part if condition is None else condition | part
    return condition


def status_totals(status: QuerySet[Enterprise]) -> dict[str, int]:
    """How many rows of a half_year_status queryset are covered in each half: one query."""
    # Aggregates named apart from the annotations they read: an aggregate called first_half
    # would shadow the annotation first_half in its own filter.
    totals = status.aggregate(
        n=Count("pk"),
        covered_1=Count("pk", filter=Q(first_half__gt=0)),
        covered_2=Count("pk", filter=Q(second_half__gt=0)),
    )
    return {"enterprises": totals["n"], "first_half": totals["covered_1"], "second_half": totals["covered_2"]}


# --- the per-region summary: a region subtree without a pass over its enterprises ----------------
#
# For a reader whose scope is a region's whole subtree (core.scoping.scope_subtree: a regulator,
# a platform administrator) and no officer filter, the page's totals and its two filter choices
# are read from the summaries the database keeps per region (GuidanceRegionCount,
# GuidanceOfficerCount, GuidanceRegionHalf; migration 0004): a province is then a sum over its
# few dozen regions, where counting its guided enterprises read 100,000 rows. The rows of the
# page (50 at a time) still come from half_year_status.


@dataclass(frozen=True)
class RegionCounts:
    """Guided enterprises of some regions, and those covered in each half of a year and in both."""

    enterprises: int = 0
    first_half: int = 0
    second_half: int = 0
    both_halves: int = 0


def _within(rows: QuerySet[Any], paths: list[str]) -> QuerySet[Any]:
    """``rows`` (with a ``region``) at or under every one of ``paths`` ("" is everywhere)."""
    for path in paths:
        if path:
            rows = rows.filter(region__path__subtree=path)
    return rows


def region_counts(paths: list[str], year: int) -> RegionCounts:
    """The summary of the regions at or under every one of ``paths``, for ``year``: two queries
    over the summary tables, however many enterprises the regions hold."""
    guided = _within(GuidanceRegionCount.objects.all(), paths).aggregate(n=Sum("enterprises"))
    halves = _within(GuidanceRegionHalf.objects.filter(year=year), paths).aggregate(
        first=Sum("first_half"), second=Sum("second_half"), both=Sum("both_halves")
    )
    return RegionCounts(
        enterprises=guided["n"] or 0,
        first_half=halves["first"] or 0,
        second_half=halves["second"] or 0,
        both_halves=halves["both"] or 0,
    )


def counts_totals(counts: RegionCounts, year: int, today: datetime.date, *, only_missing: bool) -> dict[str, int]:
    """What status_totals() would count over the same enterprises, from their region summary:
    all of them, or (``only_missing``) those missing_q() keeps, which are the guided ones less
    those covered in every half begun by ``today``."""
    if not only_missing:
        return {"enterprises": counts.enterprises, "first_half": counts.first_half, "second_half": counts.second_half}
    started = [half for half in HALVES if half_started(year, half, today)]
    if not started:  # nothing can be missing yet (missing_q is None: the page shows no rows)
        return {"enterprises": 0, "first_half": 0, "second_half": 0}
    if started == [FIRST_HALF]:  # missing the first half; some of them covered in the second
        return {
            "enterprises": counts.enterprises - counts.first_half,
            "first_half": 0,
            "second_half": counts.second_half - counts.both_halves,
        }
    # Missing either half: every guided enterprise but those covered in both.
    return {
        "enterprises": counts.enterprises - counts.both_halves,
        "first_half": counts.first_half - counts.both_halves,
        "second_half": counts.second_half - counts.both_halves,
    }


def guided_regions(path: str) -> QuerySet[Region]:
    """The regions at or under ``path`` ("" everywhere) where guided enterprises are registered."""
    counts = _within(GuidanceRegionCount.objects.filter(enterprises__gt=0), [path])
    return Region.objects.filter(pk__in=counts.values("region_id"))


def guiding_officers(path: str) -> QuerySet[User]:
    """The officers (liaison or guidance) of enterprises registered at or under ``path``."""
    counts = _within(GuidanceOfficerCount.objects.filter(enterprises__gt=0), [path])
    return User.objects.filter(pk__in=counts.values("officer_id"))


@dataclass
class HalfVisits:
    year: int
    first_half: list[GuidanceVisit] = field(default_factory=list)
    second_half: list[GuidanceVisit] = field(default_factory=list)


def visits_by_half(enterprise: Enterprise, year: int) -> HalfVisits:
    """The enterprise's guidance visits of ``year``, split by half, oldest first."""
    start, end = year_bounds(year)
    result = HalfVisits(year=year)
    visits = GuidanceVisit.objects.filter(enterprise=enterprise, visited_at__gte=start, visited_at__lt=end)
    for visit in visits.select_related("officer").order_by("visited_at", "pk"):
        _year, half = half_of(visit.visited_at)
        (result.first_half if half == FIRST_HALF else result.second_half).append(visit)
    return result


def guidance_evidence(enterprise: Enterprise, year: int) -> dict[str, Any]:
    """What the guidance ledger shows for the standard's items on guidance (5.1.a fixed
    guidance officer, 5.2 a guidance in each half, the guidance ledger): visit ids per half,
    the fixed guidance officer's id (or None), and the number of ledger entries of the year."""
    halves = visits_by_half(enterprise, year)
    return {
        "first_half": [visit.pk for visit in halves.first_half],
        "second_half": [visit.pk for visit in halves.second_half],
        "officer": enterprise.guidance_officer_id,
        "ledger_count": len(halves.first_half) + len(halves.second_half),
    }


# --- reminders -------------------------------------------------------------------------------


def reminder_title(year: int, half: int, today: datetime.date) -> str:
    """Deterministic for an officer, half and day: a second run the same day finds the
    first one's notification by its title (created_at would be the real clock, not --today)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Guidance reminder %(today)s: %(half)s %(year)d is due by %(deadline)s") % {
            "today": today.isoformat(),
            "half": HALF_LABELS[half],
            "year": year,
            "deadline": half_deadline(year, half).isoformat(),
        }


def guidance_reminders(*, today: datetime.date, days: int = 30) -> int:
    """Tell each officer which of their enterprises still lack a guidance in the current
    half, when the half ends within ``days`` days. Returns how many notifications were sent.

    Once per officer, half and day: an officer who already has today's reminder for the
    half is skipped, so the command can run as often as cron likes. Nothing is stored but
    the notifications themselves.
    """
    year, half = current_half(today)
    left = days_left(year, half, today)
    if left is None or left > days:
        return 0
    missing = (
        half_year_status(guided_enterprises(Enterprise.objects.all()), year)
        .filter(**{HALF_FIELDS[half]: 0})
        .values_list("pk", "name", "liaison_officer_id", "guidance_officer_id")
        .order_by("name", "pk")
    )
    by_officer: dict[int, list[str]] = defaultdict(list)
    for _pk, name, liaison_officer_id, guidance_officer_id in missing:
        for officer_id in {liaison_officer_id, guidance_officer_id} - {None}:
            by_officer[officer_id].append(name)
    if not by_officer:
        return 0

    title = reminder_title(year, half, today)
    already = set(
        Notification.objects.filter(recipient_id__in=list(by_officer), title=title).values_list(
            "recipient_id", flat=True
        )
    )
    url = f"{reverse('ledgers:guidance_halfyear')}?year={year}&missing=on"
    sent = 0
    for officer in User.objects.filter(pk__in=set(by_officer) - already, is_active=True).order_by("pk"):
        names = by_officer[officer.pk]
        with translation.override(settings.LANGUAGE_CODE):
            body = _(
                "%(count)d of your enterprises have no guidance recorded in %(half)s %(year)d; "
                "the half ends on %(deadline)s (%(days)d days left): %(names)s"
            ) % {
                "count": len(names),
                "half": HALF_LABELS[half],
                "year": year,
                "deadline": half_deadline(year, half).isoformat(),
                "days": left,
                "names": "、".join(names),
            }
        sent += len(notify([officer], title, body, url))
    return sent


__all__ = [
    "FIRST_HALF",
    "HALF_FIELDS",
    "HALF_LABELS",
    "SECOND_HALF",
    "HalfVisits",
    "RegionCounts",
    "counts_totals",
    "current_half",
    "days_left",
    "guidance_evidence",
    "guidance_reminders",
    "guided_enterprises",
    "guided_regions",
    "guiding_officers",
    "half_bounds",
    "half_deadline",
    "half_of",
    "half_start",
    "half_started",
    "half_year_status",
    "missing_q",
    "region_counts",
    "reminder_title",
    "status_totals",
    "visits_by_half",
]
