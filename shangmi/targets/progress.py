"""Progress against targets, counted from the applications and coaching lists, never typed.

For a target of region R, year Y, type T and levels L:

- candidates (培育): applications not withdrawn, round.year == Y, round.demo_type == T,
  round.level in L, applicant's region within R;
- submitted (已申报): those of them submitted at least once;
- approved (已命名): those approved (the title is issued).

A coaching target counts distinct enterprises of R on the coaching list of Y, together with
the enterprises that are candidates of any demonstration application of Y: seed 003 says
辅导服务企业数含培育数. An enterprise on both counts once.

``progress_table`` counts a whole table (a parent region, its children as rows) in a fixed
number of queries: one per kind of count, grouped by child region, whatever the number of
rows and columns.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from shangmi.core.calendar import program_today
from shangmi.creation.models import Application
from shangmi.enterprises.models import Enterprise
from shangmi.regions.models import Region
from shangmi.regions.paths import child_code_sql
from shangmi.targets.models import CoachingEnrolment, Target
from shangmi.targets.services import Column

# A target whose deadline is this close (or past) and whose candidates are still short is
# marked urgent: there is no time left to find more.
NEAR_DAYS = 30


@dataclass
class Cell:
    """One region against one kind of target."""

    column: Column
    today: datetime.date
    minimum: int | None = None
    deadline: datetime.date | None = None
    candidates: int = 0
    submitted: int = 0
    approved: int = 0
    # The row region's own target, when it has one (the page links to it).
    target: Target | None = None

    @property
    def achieved(self) -> int:
        """What meets the target: titles awarded, or enterprises coached."""
        return self.candidates if self.column.is_coaching else self.approved

    @property
    def behind(self) -> bool:
        return self.minimum is not None and self.achieved < self.minimum

    @property
    def deadline_near(self) -> bool:
        return self.deadline is not None and (self.deadline - self.today).days <= NEAR_DAYS

    @property
    def deadline_past(self) -> bool:
        return self.deadline is not None and self.deadline < self.today

    @property
    def urgent(self) -> bool:
        """Too few candidates with the deadline near or past: the target cannot be met as things stand."""
        return self.minimum is not None and self.deadline_near and self.candidates < self.minimum

    def add(self, other: Cell) -> None:
        if other.minimum is not None:
            self.minimum = (self.minimum or 0) + other.minimum
        if other.deadline is not None and (self.deadline is None or other.deadline < self.deadline):
            self.deadline = other.deadline
        self.candidates += other.candidates
        self.submitted += other.submitted
        self.approved += other.approved


@dataclass
class Row:
    label: str
    cells: list[Cell]
    region: Region | None = None
    is_total: bool = False

    @property
    def behind(self) -> bool:
        return any(cell.behind for cell in self.cells)


@dataclass
class ProgressTable:
    region: Region
    year: int
    today: datetime.date
    columns: list[Column]
    rows: list[Row]
    total: Row
    # The parent region's own targets (set by the level above), shown against the total.
    own: Row | None = None
    deadlines: list[datetime.date | None] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.columns

    @property
    def headers(self) -> list[tuple[Column, datetime.date | None]]:
        """Each column with its earliest deadline, for the header of a page."""
        return list(zip(self.columns, self.deadlines, strict=True))


def _row_code(parent: Region) -> Substr:
    """The child of ``parent`` a region lies in, read from its path ("" for the parent itself)."""
    return child_code_sql(parent)


def _topmost(targets: list[Target]) -> list[Target]:
    """The targets no other target of the list contains: a region's own target replaces the
    sum of its districts' (the city's number is the one the city must meet)."""
    paths = [t.region.path for t in targets]
    return [t for t in targets if not any(p != t.region.path and t.region.path.startswith(p) for p in paths)]


def _target_cells(
    targets: list[Target], column: Column, region: Region, today: datetime.date, own_only: bool = False
) -> Cell:
    cell = Cell(column=column, today=today)
    inside = [t for t in targets if t.region.path == region.path] if own_only else targets
    inside = [t for t in inside if t.region.path.startswith(region.path)]
    for target in _topmost(inside):
        cell.minimum = (cell.minimum or 0) + target.minimum
        if target.deadline is not None and (cell.deadline is None or target.deadline < cell.deadline):
            cell.deadline = target.deadline
        if target.region_id == region.pk:
            cell.target = target
    return cell


def demonstration_counts(
    parent: Region, year: int, columns: Sequence[Column]
) -> dict[tuple[str, str, str], Mapping[str, Any]]:
    """(child code, demo type, level) → candidates/submitted/approved, in one grouped query."""
    demo_columns = [c for c in columns if not c.is_coaching]
    if not demo_columns:
        return {}
    types = sorted({c.demo_type for c in demo_columns})
    levels = sorted({level for c in demo_columns for level in c.level_list})
    rows = (
        Application.objects.filter(
            region__path__subtree=parent.path,
            round__year=year,
            round__demo_type__in=types,
            round__level__in=levels,
        )
        .exclude(status=Application.Status.WITHDRAWN)
        .annotate(row=_row_code(parent))
        .values("row", "round__demo_type", "round__level")
        .annotate(
            candidates=Count("pk"),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            approved=Count("pk", filter=Q(status=Application.Status.APPROVED)),
        )
        .order_by()  # no Meta ordering in the GROUP BY
    )
    return {(r["row"], r["round__demo_type"], r["round__level"]): r for r in rows}


def coached_enterprises(year: int) -> QuerySet[Enterprise]:
    """Enterprises counted for coaching in ``year``: on the list, or cultivation candidates."""
    enrolled = CoachingEnrolment.objects.filter(enterprise=OuterRef("pk"), year=year)
    candidate = Application.objects.filter(enterprise=OuterRef("pk"), round__year=year).exclude(
        status=Application.Status.WITHDRAWN
    )
    return Enterprise.objects.filter(Exists(enrolled) | Exists(candidate))


def coaching_counts(parent: Region, year: int) -> dict[str, int]:
    """Child code → distinct enterprises coached, in one grouped query."""
    rows = (
        coached_enterprises(year)
        .filter(region__path__subtree=parent.path)
        .annotate(row=_row_code(parent))
        .values("row")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["row"]: r["n"] for r in rows}


def _fill(cell: Cell, code: str, demo: dict, coached: dict[str, int]) -> None:
    column = cell.column
    if column.is_coaching:
        cell.candidates = cell.submitted = cell.approved = coached.get(code, 0)
        return
    for level in column.level_list:
        counts = demo.get((code, column.demo_type, level))
        if counts:
            cell.candidates += counts["candidates"]
            cell.submitted += counts["submitted"]
            cell.approved += counts["approved"]


def _in_table_order(children: list[Region], targets: list[Target]) -> list[Region]:
    """The rows in the order the bureau's own table gives them: by the first target entered in
    each child's subtree (an import saves its rows in the file's order, and a re-import keeps
    the targets it updates), then the children without a target by code. Seed 003 lists 诸暨
    before 新昌, against their codes; the page and the export keep its order."""
    first: dict[str, int] = {}
    for target in sorted(targets, key=lambda t: t.pk):
        child = next((c for c in children if target.region.is_within(c)), None)
        if child is not None:
            first.setdefault(child.pk, target.pk)
    return sorted(children, key=lambda c: (c.pk not in first, first.get(c.pk, 0), c.code))


def progress_table(
    region: Region,
    year: int,
    *,
    targets: QuerySet[Target] | None = None,
    columns: Iterable[Column] | None = None,
    today: datetime.date | None = None,
) -> ProgressTable:
    """The children of ``region`` (or ``region`` alone, for a district) against every kind of
    target set in ``region``'s subtree for ``year``, with a total row.

    ``targets`` is the queryset to read targets from (a view passes its restricted one);
    ``columns`` forces columns (e.g. the four of the Shaoxing table) even without targets.
    Queries: children, targets, and one grouped count per kind (demonstration, coaching).
    """
    today = today or program_today()
    base = Target.objects.all() if targets is None else targets
    found = list(
        base.filter(region__path__subtree=region.path, year=year).select_related("region").order_by("region_id")
    )
    wanted = set(columns or ()) | {Column.of(t) for t in found}
    ordered = sorted(wanted, key=lambda c: (c.sort_key, c.levels))
    by_column: dict[Column, list[Target]] = defaultdict(list)
    for target in found:
        by_column[Column.of(target)].append(target)

    children = _in_table_order(list(Region.objects.filter(parent=region).order_by("code")), found)
    leaf = not children
    row_regions = [region] if leaf else children
    demo = demonstration_counts(region, year, ordered)
    coached = coaching_counts(region, year) if any(c.is_coaching for c in ordered) else {}

    rows: list[Row] = []
    for child in row_regions:
        code = "" if leaf else child.code
        cells = []
        for column in ordered:
            cell = _target_cells(by_column[column], column, child, today)
            _fill(cell, code, demo, coached)
            cells.append(cell)
        rows.append(Row(label=child.name, cells=cells, region=child))

    if not leaf and (any(key[0] == "" for key in demo) or "" in coached):
        # Applicants registered at the parent itself (a city without districts in between):
        # they count in the total, so they get a row of their own.
        cells = []
        for column in ordered:
            cell = Cell(column=column, today=today)
            _fill(cell, "", demo, coached)
            cells.append(cell)
        rows.append(Row(label=_("%(region)s (itself)") % {"region": region.name}, cells=cells, region=None))

    total = Row(label=_("Total"), cells=[Cell(column=c, today=today) for c in ordered], is_total=True)
    for row in rows:
        for into, cell in zip(total.cells, row.cells, strict=True):
            into.add(cell)

    own = None
    if not leaf:
        own_cells = []
        for column, total_cell in zip(ordered, total.cells, strict=True):
            cell = _target_cells(by_column[column], column, region, today, own_only=True)
            cell.candidates, cell.submitted, cell.approved = (
                total_cell.candidates,
                total_cell.submitted,
                total_cell.approved,
            )
            own_cells.append(cell)
        if any(cell.minimum is not None for cell in own_cells):
            own = Row(label=region.name, cells=own_cells, region=region)

    deadlines = []
    for column in ordered:
        dates = [t.deadline for t in by_column[column] if t.deadline is not None]
        deadlines.append(min(dates) if dates else None)
    return ProgressTable(
        region=region,
        year=year,
        today=today,
        columns=ordered,
        rows=rows,
        total=total,
        own=own,
        deadlines=deadlines,
    )


def targets_progress(targets: Sequence[Target], today: datetime.date | None = None) -> dict[int, Cell]:
    """Progress of each of ``targets`` (any regions and years): at most two queries in all,
    one conditional count per target and kind."""
    today = today or program_today()
    cells: dict[int, Cell] = {}
    demo_aggregates: dict[str, Count] = {}
    coaching_aggregates: dict[str, Count] = {}
    for target in targets:
        column = Column.of(target)
        cells[target.pk] = Cell(
            column=column, today=today, minimum=target.minimum, deadline=target.deadline, target=target
        )
        path = target.region.path
        if column.is_coaching:
            enrolled = CoachingEnrolment.objects.filter(enterprise=OuterRef("pk"), year=target.year)
            candidate = Application.objects.filter(enterprise=OuterRef("pk"), round__year=target.year).exclude(
                status=Application.Status.WITHDRAWN
            )
            coaching_aggregates[f"n{target.pk}"] = Count(
                "pk", filter=Q(region__path__subtree=path) & (Q(Exists(enrolled)) | Q(Exists(candidate)))
            )
            continue
        match = Q(
            region__path__subtree=path,
            round__year=target.year,
            round__demo_type=target.demo_type,
            round__level__in=column.level_list,
        )
        demo_aggregates[f"c{target.pk}"] = Count("pk", filter=match)
        demo_aggregates[f"s{target.pk}"] = Count("pk", filter=match & Q(submitted_at__isnull=False))
        demo_aggregates[f"a{target.pk}"] = Count("pk", filter=match & Q(status=Application.Status.APPROVED))
    if demo_aggregates:
        counts = Application.objects.exclude(status=Application.Status.WITHDRAWN).aggregate(**demo_aggregates)
        for pk, cell in cells.items():
            if not cell.column.is_coaching:
                cell.candidates, cell.submitted, cell.approved = counts[f"c{pk}"], counts[f"s{pk}"], counts[f"a{pk}"]
    if coaching_aggregates:
        counts = Enterprise.objects.aggregate(**coaching_aggregates)
        for pk, cell in cells.items():
            if cell.column.is_coaching:
                cell.candidates = cell.submitted = cell.approved = counts[f"n{pk}"]
    return cells


@dataclass
class CoachingEntry:
    """An enterprise counted for coaching: on the list, a cultivation candidate, or both."""

    enterprise: Enterprise
    enrolment: CoachingEnrolment | None
    candidate: bool


def coaching_entries(
    region: Region,
    year: int,
    *,
    enrolments: QuerySet[CoachingEnrolment] | None = None,
    enterprises: QuerySet[Enterprise] | None = None,
) -> list[CoachingEntry]:
    """Who counts for the coaching target of ``region`` in ``year``, each enterprise once.

    A view passes its restricted querysets, so a page lists only what its reader may see.
    """
    enrolments = CoachingEnrolment.objects.all() if enrolments is None else enrolments
    enterprises = Enterprise.objects.all() if enterprises is None else enterprises
    candidate = Application.objects.filter(enterprise=OuterRef("pk"), round__year=year).exclude(
        status=Application.Status.WITHDRAWN
    )
    candidates = {
        e.pk: e
        for e in enterprises.filter(Exists(candidate), region__path__subtree=region.path).select_related("region")
    }
    listed = list(
        enrolments.filter(year=year, enterprise__region__path__subtree=region.path).select_related("enterprise__region")
    )
    entries = [CoachingEntry(e.enterprise, e, e.enterprise_id in candidates) for e in listed]
    on_list = {e.enterprise_id for e in listed}
    entries += [CoachingEntry(ent, None, True) for pk, ent in candidates.items() if pk not in on_list]
    entries.sort(key=lambda entry: (entry.enterprise.region_id, entry.enterprise.name))
    return entries


__all__ = [
    "NEAR_DAYS",
    "Cell",
    "CoachingEntry",
    "ProgressTable",
    "Row",
    "coached_enterprises",
    "coaching_counts",
    "coaching_entries",
    "demonstration_counts",
    "progress_table",
    "targets_progress",
]
