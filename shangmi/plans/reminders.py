"""Reminders of plan supervision, sent by ``manage.py plans_reminders`` once a day (cron or the
job worker), through notices: ``plan.remind_days`` days before a task's due date and before
each report date, to the members of the units responsible; and on the day after a due date or a
report date was missed, to the lead unit and the owner bureau. Each falls on one day, so a
daily run tells each person once per date, not every day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.notices.services import notify
from shangmi.plans.models import Plan, Task
from shangmi.plans.services import owners_of
from shangmi.plans.status import report_dates, report_missing

DAY = datetime.timedelta(days=1)


def _members(task: Task, *, co: bool = True) -> list[User]:
    people = list(task.lead_unit.members.all())
    if co:
        for unit in task.co_units.all():
            people.extend(unit.members.all())
    return people


def reminders_send(today: datetime.date | None = None) -> int:
    """Send today's reminders; the number of notifications sent."""
    today = today or program_today()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        open_tasks = (
            Task.objects.filter(status=Task.Status.OPEN)
            .select_related("plan", "lead_unit", "phase")
            .prefetch_related("lead_unit__members", "co_units__members")
            .annotate(last_report_on=Max("reports__reported_on"))
        )
        by_plan: dict[int, list[Any]] = defaultdict(list)
        for task in open_tasks:
            by_plan[task.plan_id].append(task)
            plan = task.plan
            if task.due_on - datetime.timedelta(days=plan.remind_days) == today:
                title = _("Task %(number)d of %(plan)s is due %(day)s") % {
                    "number": task.number, "plan": plan.title, "day": task.due_on.isoformat()}  # fmt: skip
                sent += len(notify(_members(task), title, url=task.get_absolute_url()))
            if task.due_on == today - DAY:
                title = _("Task %(number)d of %(plan)s is overdue since %(day)s") % {
                    "number": task.number, "plan": plan.title, "day": task.due_on.isoformat()}  # fmt: skip
                people = [*_members(task, co=False), *owners_of(task)]
                sent += len(notify(people, title, url=task.get_absolute_url()))
        for plan in Plan.objects.filter(pk__in=by_plan):
            sent += _report_reminders(plan, by_plan[plan.pk], today)
    return sent


def _report_reminders(plan: Plan, tasks: list[Any], today: datetime.date) -> int:
    sent = 0
    _last, upcoming = report_dates(plan, today)
    if upcoming - datetime.timedelta(days=plan.remind_days) == today and upcoming <= plan.ends_on:
        title = _("Progress report on %(plan)s due %(day)s") % {"plan": plan.title, "day": upcoming.isoformat()}
        people = [person for task in tasks for person in _members(task, co=False)]
        sent += len(notify(people, title, url=plan.get_absolute_url()))
    missed, _next = report_dates(plan, today - DAY)
    if missed == today - DAY:
        for task in tasks:
            task.plan = plan
            if report_missing(task, today, task.last_report_on):
                title = _("No progress report on task %(number)d of %(plan)s by %(day)s") % {
                    "number": task.number, "plan": plan.title, "day": missed.isoformat()}  # fmt: skip
                sent += len(notify(_members(task, co=False), title, url=task.get_absolute_url()))
    return sent
