"""Trainings and coverage (受训率): who was trained when, and what share of a workforce.

The definitions, from seeds 000 and 001 (联络点内企业受训率达到100%):

- trained(enterprise, year): the distinct ``person_key`` of the enterprise's participants in
  activities of kind *training* whose ``starts_at`` falls in ``year`` on the Asia/Shanghai
  calendar. Someone trained twice counts once; someone trained for two enterprises counts in each.
- rate(enterprise, year) = trained / employee_count, capped at 100 %. Unknown (``None``) when the
  employee count is missing or 0: shown as "unknown", never as 0 %, which would read as
  "nobody was trained".
- rate of a group (the liaison-point enterprises of a region) = sum of trained / sum of employees
  over the enterprises whose employee count is known, each enterprise's trained capped at its
  employees first, so that one over-recorded enterprise cannot hide another one's gap.

Counts read every training an enterprise's people attended, whoever organised it: an enterprise
of 江北区 trained at a session of the city is trained. Which enterprises are counted is the
caller's choice (a view passes its restricted queryset).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from shangmi.core.calendar import program_year, year_bounds
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.models import Activity, ActivityParticipant
from shangmi.regions.models import Region
from shangmi.regions.paths import child_code

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")

# The kinds of activity the standard's items ask for (培训、调查研究、宣传、研讨交流).
EVIDENCE_KINDS: tuple[str, ...] = (
    Activity.Kind.TRAINING,
    Activity.Kind.SURVEY,
    Activity.Kind.PUBLICITY,
    Activity.Kind.SEMINAR,
)


def in_year(year: int, prefix: str = "") -> Q:
    """Rows whose ``starts_at`` (reached through ``prefix``, e.g. "activity__") lies in ``year``."""
    start, end = year_bounds(year)
    return Q(**{f"{prefix}starts_at__gte": start, f"{prefix}starts_at__lt": end})


def percent(part: int, whole: int | None, *, cap: bool = True) -> Decimal | None:
    """``part`` of ``whole`` in per cent with one decimal, or None when ``whole`` is unknown or 0.

    Rounded down, never up: 99.96 % must not show as 100.0 % and pass a 100 % target.
    """
    if not whole:
        return None
    if cap:
        part = min(part, whole)
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class Coverage:
    """The training coverage of a group of enterprises (one enterprise is a group of one)."""

    # Distinct persons trained, summed over the enterprises, as recorded (not capped).
    trained: int = 0
    # What the rate counts: trained capped at each enterprise's employees, known counts only.
    counted: int = 0
    employees: int = 0
    enterprises: int = 0
    # Enterprises without an employee count: left out of the rate, and said so on the page.
    unknown: int = 0

    @property
    def rate(self) -> Decimal | None:
        return percent(self.counted, self.employees)

    @property
    def fully_trained(self) -> bool:
        return self.rate is not None and self.rate >= HUNDRED

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            trained=self.trained + other.trained,
            counted=self.counted + other.counted,
            employees=self.employees + other.employees,
            enterprises=self.enterprises + other.enterprises,
            unknown=self.unknown + other.unknown,
        )

    @classmethod
    def of_enterprise(cls, trained: int, employees: int | None) -> Coverage:
        if not employees:
            return cls(trained=trained, enterprises=1, unknown=1)
        return cls(trained=trained, counted=min(trained, employees), employees=employees, enterprises=1)


def total(coverages: Iterable[Coverage]) -> Coverage:
    result = Coverage()
    for coverage in coverages:
        result = result + coverage
    return result


def trained_counts(year: int, *, enterprises: QuerySet[Enterprise] | Iterable[int] | None = None) -> dict[int, int]:
    """Enterprise id → distinct persons trained in ``year``: one grouped query.

    ``enterprises`` limits the count (a queryset becomes a subquery, a list of ids an IN).
    """
    participants = ActivityParticipant.objects.filter(
        in_year(year, "activity__"), activity__kind=Activity.Kind.TRAINING, enterprise__isnull=False
    )
    if enterprises is not None:
        if isinstance(enterprises, QuerySet):
            participants = participants.filter(enterprise__in=enterprises)
        else:
            participants = participants.filter(enterprise_id__in=list(enterprises))
    rows = (
        participants.values("enterprise_id")
        .annotate(n=Count("person_key", distinct=True))
        .order_by()  # no Meta ordering in the GROUP BY
    )
    return {row["enterprise_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class EnterpriseCoverage:
    enterprise: Enterprise
    trained: int

    @property
    def coverage(self) -> Coverage:
        return Coverage.of_enterprise(self.trained, self.enterprise.employee_count)

    @property
    def rate(self) -> Decimal | None:
        return self.coverage.rate


def enterprises_coverage(enterprises: Iterable[Enterprise], year: int) -> list[EnterpriseCoverage]:
    """Each enterprise (a page of a list) with its distinct trained persons: one query."""
    rows = list(enterprises)
    counts = trained_counts(year, enterprises=[e.pk for e in rows])
    return [EnterpriseCoverage(e, counts.get(e.pk, 0)) for e in rows]


def enterprise_rate(enterprise: Enterprise, year: int) -> Decimal | None:
    trained = trained_counts(year, enterprises=[enterprise.pk]).get(enterprise.pk, 0)
    return percent(trained, enterprise.employee_count)


def group_coverage(enterprises: QuerySet[Enterprise], year: int) -> Coverage:
    """The coverage of ``enterprises`` together (the liaison points of a scope): two queries."""
    counts = trained_counts(year, enterprises=enterprises)
    return total(
        Coverage.of_enterprise(counts.get(pk, 0), employees)
        for pk, employees in enterprises.values_list("pk", "employee_count").order_by()
    )


@dataclass
class RegionCoverage:
    """Coverage of the enterprises of ``parent``'s subtree, rolled up by child region."""

    parent: Region
    # Child code → coverage of that child's whole subtree; "" for enterprises registered at
    # ``parent`` itself (a province whose districts hang directly below it, as 重庆市).
    by_child: dict[str, Coverage] = field(default_factory=dict)

    @property
    def total(self) -> Coverage:
        return total(self.by_child.values())

    def of(self, code: str) -> Coverage:
        return self.by_child.get(code, Coverage())


def region_coverage(
    parent: Region,
    year: int,
    *,
    enterprises: QuerySet[Enterprise] | None = None,
    liaison_only: bool = True,
) -> RegionCoverage:
    """Coverage per child region of ``parent`` (a city aggregates its districts): two queries,
    the enterprises and the grouped count of their trained persons, however many rows."""
    base = Enterprise.objects.all() if enterprises is None else enterprises
    chosen = base.filter(region__path__subtree=parent.path)
    if liaison_only:
        chosen = chosen.filter(is_liaison_point=True)
    counts = trained_counts(year, enterprises=chosen)
    result = RegionCoverage(parent=parent)
    # Summed as plain numbers (Coverage.of_enterprise's rule, inlined): a province's thousands
    # of liaison points were as many Coverage objects added one by one, a third of the page.
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    codes: dict[str, str] = {}
    for pk, path, employees in chosen.values_list("pk", "region__path", "employee_count").order_by():
        code = codes.get(path)
        if code is None:
            code = codes[path] = child_code(parent, path)
        trained = counts.get(pk, 0)
        row = sums[code]
        row[0] += trained
        row[3] += 1
        if employees:
            row[1] += min(trained, employees)
            row[2] += employees
        else:
            row[4] += 1  # unknown: left out of the rate
    result.by_child = {
        code: Coverage(trained=t, counted=c, employees=e, enterprises=n, unknown=u)
        for code, (t, c, e, n, u) in sums.items()
    }
    return result


# --- Who was trained when -----------------------------------------------------------------------


@dataclass
class TrainedPerson:
    """One person (one ``person_key``) of an enterprise with the trainings they attended."""

    key: str
    name: str
    employee_no: str
    position: str
    trainings: list[Activity] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.trainings)


def trained_people(participants: QuerySet[ActivityParticipant], year: int) -> list[TrainedPerson]:
    """The people among ``participants`` (the caller's scoped rows of one enterprise) trained in
    ``year``, each once with their trainings in date order: one query."""
    rows = (
        participants.filter(in_year(year, "activity__"), activity__kind=Activity.Kind.TRAINING)
        .select_related("activity")
        .order_by("activity__starts_at", "pk")
    )
    people: dict[str, TrainedPerson] = {}
    for row in rows:
        person = people.get(row.person_key)
        if person is None:
            person = people[row.person_key] = TrainedPerson(row.person_key, row.name, row.employee_no, row.position)
        else:
            # The latest spelling and post win: people are promoted, clerks fix typos.
            person.name = row.name or person.name
            person.position = row.position or person.position
            person.employee_no = row.employee_no or person.employee_no
        if row.activity not in person.trainings:
            person.trainings.append(row.activity)
    return sorted(people.values(), key=lambda p: (p.name, p.key))


def training_years(participants: QuerySet[ActivityParticipant]) -> list[int]:
    """The years in which ``participants`` hold trainings, newest first."""
    moments = participants.filter(activity__kind=Activity.Kind.TRAINING).values_list("activity__starts_at", flat=True)
    return sorted({program_year(m) for m in moments.order_by()}, reverse=True)


# --- For the standard's suggestions ---------------------------------------------------------------


def activity_evidence(enterprise: Enterprise, year: int) -> dict[str, Any]:
    """What the activity ledger says about ``enterprise`` in ``year``, for the items of the
    standard that ask for activities and full training (a reviewer confirms the suggestion).

    - ``activities``: ids of the trainings, surveys, publicity events and seminars the enterprise
      took part in (listed among the enterprises, or with a participant of its own);
    - ``ledger_count``: every activity of the year it took part in, of any kind;
    - ``training_rate``: its training rate (``None`` when the employee count is unknown);
    - ``fully_trained``: the rate is 100 %.
    """
    took_part = (
        Activity.objects.filter(in_year(year))
        .filter(Q(enterprises=enterprise) | Q(participants__enterprise=enterprise))
        .values_list("pk", "kind")
        .distinct()
        .order_by()
    )
    kinds = dict(took_part)
    rate = enterprise_rate(enterprise, year)
    return {
        "activities": sorted(pk for pk, kind in kinds.items() if kind in EVIDENCE_KINDS),
        "ledger_count": len(kinds),
        "training_rate": rate,
        "fully_trained": rate is not None and rate >= HUNDRED,
    }


__all__ = [
    "EVIDENCE_KINDS",
    "Coverage",
    "EnterpriseCoverage",
    "RegionCoverage",
    "TrainedPerson",
    "activity_evidence",
    "enterprise_rate",
    "enterprises_coverage",
    "group_coverage",
    "in_year",
    "percent",
    "region_coverage",
    "total",
    "trained_counts",
    "trained_people",
    "training_years",
]
