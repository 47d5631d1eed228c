"""Reads of plan supervision that take the reader: a plan's tasks with their colours, the late
units, the phase a plan is in, and each target's live figure from the platform's own data.

The figures are read by the selectors of the apps that keep them, never recomputed here:
titles from creation (``effective_status``: a title past its validity is not counted), the
training and awareness rates from the rates dashboard of the ledgers (``rates_dashboard``: the
training of liaison-point enterprises from the activity ledger, awareness from the surveys),
liaison points from the registry and cases from enforcement. They are the plan's region's
totals, shown to the owner bureau only: a unit reads its tasks, not the district's figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet

from shangmi.core.calendar import program_today
from shangmi.core.scoping import CHANGE, in_scope, restricted
from shangmi.creation.models import DemoType, Title
from shangmi.creation.titles.services import effective_status
from shangmi.enforcement.models import Case
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.rates.services import rates_dashboard
from shangmi.plans.models import Phase, Plan, PlanTarget, PlanUnit, Task
from shangmi.plans.status import RANK, report_missing, task_colour

Measure = PlanTarget.Measure
VALID_TITLE = (Title.Status.ACTIVE, Title.Status.RE_EVALUATION)


def current_phase(plan: Plan, today: datetime.date) -> Phase | None:
    """The dated phase ``today`` falls in; None when the plan's phases are not dated or none holds it."""
    for phase in plan.phases.all():
        if not phase.dated:
            continue
        if (phase.starts_on is None or phase.starts_on <= today) and (phase.ends_on is None or today <= phase.ends_on):
            return phase
    return None


def compilation_open(plan: Plan, today: datetime.date) -> bool:
    """The results are compiled from the summary phase (梳理汇总) on; a plan whose phases are
    not dated compiles on request."""
    summary = next((p for p in plan.phases.all() if p.summary and p.starts_on is not None), None)
    if summary is None or summary.starts_on is None:
        return not any(p.dated for p in plan.phases.all())
    return today >= summary.starts_on


@dataclass
class TaskRow:
    task: Task
    colour: str
    last_report_on: datetime.date | None
    report_missing: bool


def plan_tasks(user: Any, plan: Plan) -> QuerySet[Task]:
    """The tasks of ``plan`` the reader may see (all of them for the owner, its unit's for a unit)."""
    return (
        restricted(Task, user)
        .filter(plan=plan)
        .select_related("plan", "phase", "lead_unit")
        .prefetch_related("co_units")
        .annotate(last_report_on=Max("reports__reported_on"))
        .order_by("number")
    )


def task_rows(tasks: QuerySet[Task], today: datetime.date) -> list[TaskRow]:
    rows = []
    for task in tasks:
        last: datetime.date | None = getattr(task, "last_report_on", None)
        rows.append(TaskRow(task, task_colour(task, today), last, report_missing(task, today, last)))
    return rows


@dataclass
class LateUnit:
    unit: PlanUnit
    overdue: list[int] = field(default_factory=list)
    unreported: list[int] = field(default_factory=list)


def late_units(rows: list[TaskRow]) -> list[LateUnit]:
    """The lead units with an overdue task or a report not made, and which tasks."""
    late: dict[int, LateUnit] = {}
    for row in rows:
        if row.colour == "red" or row.report_missing:
            entry = late.setdefault(row.task.lead_unit_id, LateUnit(row.task.lead_unit))
            if row.colour == "red":
                entry.overdue.append(row.task.number)
            if row.report_missing:
                entry.unreported.append(row.task.number)
    return list(late.values())


@dataclass
class Figure:
    target: PlanTarget
    value: Decimal | int | None  # None: the platform has no data for it (yet)
    percent: bool = False

    @property
    def reached(self) -> bool | None:
        if self.value is None or self.target.goal is None:
            return None
        return Decimal(self.value) >= self.target.goal


def target_figures(plan: Plan, today: datetime.date | None = None) -> list[Figure]:
    today = today or program_today()
    path = plan.region.path
    year = min(today.year, plan.ends_on.year)
    dashboard = None
    figures = []
    for target in plan.targets.all():
        value: Decimal | int | None = None
        percent = False
        if target.measure in (Measure.TITLES_BASE, Measure.TITLES_UNIT):
            demo_type = DemoType.BASE if target.measure == Measure.TITLES_BASE else DemoType.UNIT
            titles = Title.objects.filter(
                holder_region__path__subtree=path, demo_type=demo_type, awarded_on__gte=plan.starts_on
            )
            value = sum(1 for title in titles if effective_status(title, today) in VALID_TITLE)
        elif target.measure == Measure.LIAISON_POINTS:
            value = Enterprise.objects.filter(region__path__subtree=path, is_liaison_point=True).count()
        elif target.measure in (Measure.TRAINING_RATE, Measure.AWARENESS_RATE):
            if dashboard is None:
                dashboard = rates_dashboard(plan.region, year)
            total = dashboard.total
            value = total.training_rate if target.measure == Measure.TRAINING_RATE else total.awareness_rate
            percent = True
        elif target.measure == Measure.CASES:
            value = Case.objects.filter(region__path__subtree=path, opened_on__gte=plan.starts_on).count()
        figures.append(Figure(target, value, percent))
    return figures


@dataclass
class PlanPage:
    plan: Plan
    today: datetime.date
    phase: Phase | None
    rows: list[TaskRow]
    late: list[LateUnit]
    figures: list[Figure]
    owner: bool
    compilation: bool

    @property
    def counts(self) -> dict[str, int]:
        counts = {colour: 0 for colour in RANK}
        for row in self.rows:
            counts[row.colour] += 1
        return counts


def plan_page(user: Any, plan: Plan, today: datetime.date | None = None) -> PlanPage:
    today = today or program_today()
    owner = in_scope(plan, user, CHANGE)
    rows = task_rows(plan_tasks(user, plan), today)
    return PlanPage(
        plan=plan,
        today=today,
        phase=current_phase(plan, today),
        rows=rows,
        late=late_units(rows) if owner else [],
        figures=target_figures(plan, today) if owner else [],
        owner=owner,
        compilation=owner and compilation_open(plan, today),
    )
