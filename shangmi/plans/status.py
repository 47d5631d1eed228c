"""A task's colour, computed from its dates and its last reported progress, never typed.

The usual local scheme (reference C: 宜昌, 宿迁, 三明), from best to worst:

- green: on track, or done (confirmed, or reported done by its due date and awaiting the owner);
- yellow: near its deadline: ``plan.near_days`` days or fewer left (the due day itself included);
- orange: behind its expected progress (序时进度): the last reported percent is below the share of
  the task's time already spent, counted in whole days from the plan's start (or its phase's) to
  the due date;
- red: overdue: the due date has passed and the owner has not confirmed it done.

The worst colour that applies wins. Report dates: by day ``plan.report_day`` of every
``plan.report_months``-th month; a unit is late when it has an overdue task or a report it has
not made since the last report date passed.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from shangmi.plans.models import Plan, Task

GREEN, YELLOW, ORANGE, RED = "green", "yellow", "orange", "red"
LABELS = {
    GREEN: _("On track"),
    YELLOW: _("Near its deadline"),
    ORANGE: _("Behind its expected progress"),
    RED: _("Overdue"),
}
RANK = {GREEN: 0, YELLOW: 1, ORANGE: 2, RED: 3}


def task_start(task: Task) -> datetime.date:
    """When the task's clock starts: its phase's start if dated, else the plan's."""
    phase = task.phase
    if phase is not None and phase.starts_on is not None:
        return phase.starts_on
    return task.plan.starts_on


def expected_progress(task: Task, today: datetime.date) -> int:
    """The percent of the task's time spent by ``today`` (0 before it starts, 100 at its due date)."""
    start = task_start(task)
    total = (task.due_on - start).days
    if total <= 0 or today >= task.due_on:
        return 100
    if today <= start:
        return 0
    return (today - start).days * 100 // total


def task_colour(task: Task, today: datetime.date) -> str:
    if task.status == Task.Status.DONE:
        return GREEN
    if task.status == Task.Status.CLAIMED and task.claimed_on is not None and task.claimed_on <= task.due_on:
        return GREEN
    if today > task.due_on:
        return RED
    if task.progress < expected_progress(task, today):
        return ORANGE
    if (task.due_on - today).days <= task.plan.near_days:
        return YELLOW
    return GREEN


def report_dates(plan: Plan, today: datetime.date) -> tuple[datetime.date | None, datetime.date]:
    """(the last report date on or before ``today`` inside the plan, the next one after it).

    Report months are counted from the plan's first month: the first report is due in the
    month after it starts, then every ``report_months`` months."""
    first_index = plan.starts_on.year * 12 + plan.starts_on.month  # the month after the start
    index = today.year * 12 + today.month - 1
    step = plan.report_months

    def date_of(month_index: int) -> datetime.date:
        return datetime.date(month_index // 12, month_index % 12 + 1, plan.report_day)

    if index < first_index:
        return None, date_of(first_index)
    offset = (index - first_index) // step * step
    candidate = first_index + offset
    if date_of(candidate) > today:
        previous = candidate - step
        return (date_of(previous) if previous >= first_index else None), date_of(candidate)
    return date_of(candidate), date_of(candidate + step)


def report_missing(task: Task, today: datetime.date, last_report_on: datetime.date | None) -> bool:
    """An open task has no report in the cycle that ended on the last report date: none made
    after the report date before it. A report made late, after that date, catches it up."""
    if task.status != Task.Status.OPEN:
        return False
    # A report date is missed the day after it: the last one strictly before today.
    last_due, _next = report_dates(task.plan, today - datetime.timedelta(days=1))
    if last_due is None or task_start(task) >= last_due:
        return False
    previous, _same = report_dates(task.plan, last_due - datetime.timedelta(days=1))
    cycle_start = previous if previous is not None else task.plan.starts_on - datetime.timedelta(days=1)
    return last_report_on is None or last_report_on <= cycle_start
