"""Reminders before a deadline falls and on the day after it was missed, to the handler and
their head (the district's regulators): run once per working day (``manage.py
enforcement_reminders``, from cron or the job worker).

A step is reminded on the working day before its due date and on the first working day after
it, so a daily run tells each person twice, not every day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from shangmi.accounts.models import User
from shangmi.core.calendar import program_local, program_now, program_today
from shangmi.core.roles import Role
from shangmi.enforcement.models import Case, Clue, Demand, Measure
from shangmi.enforcement.workdays import CalendarMissing, WorkCalendar
from shangmi.notices.services import notify


def _heads(region_ids: Iterable[str]) -> dict[str, list[User]]:
    """The regulators of each district (the handler's head)."""
    heads: dict[str, list[User]] = {}
    for user in User.objects.filter(is_active=True, role=Role.REGULATOR, region_id__in=set(region_ids)):
        heads.setdefault(str(user.region_id), []).append(user)
    return heads


def reminders_send(today: datetime.date | None = None) -> int:
    """Send today's reminders; the number of notifications sent. Nothing on a day off, and
    nothing when today's year has no calendar (the deadlines are not counted either)."""
    today = today or program_today()
    calendar = WorkCalendar.loaded()
    try:
        if not calendar.is_working_day(today):
            return 0
        tomorrow = calendar.add_working_days(today, 1)
        yesterday = today - datetime.timedelta(days=1)
        while not calendar.is_working_day(yesterday):
            yesterday -= datetime.timedelta(days=1)
    except CalendarMissing:
        return 0
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        sent += _remind(
            Demand.objects.filter(status__in=(Demand.Status.FILED, Demand.Status.ASSIGNED)).select_related("handler"),
            "due_on", tomorrow, yesterday, lambda d: [d.handler], _("Demand"),
        )  # fmt: skip
        sent += _remind(
            Clue.objects.filter(status=Clue.Status.RECEIVED, stopped_since__isnull=True),
            "screening_due", tomorrow, yesterday, lambda c: [], _("Clue"),
        )  # fmt: skip
        sent += _remind(
            Case.objects.filter(status=Case.Status.INVESTIGATING).prefetch_related("officers"),
            "decision_due", tomorrow, yesterday, lambda c: list(c.officers.all()), _("Case"),
        )  # fmt: skip
        # The step a case waits for after its report (legal review, the party's window,
        # the hearing, service, payment, closing) and every preservation or seizure to decide.
        sent += _remind(
            Case.objects.exclude(stage__in=(Case.Stage.INVESTIGATION, Case.Stage.CLOSED)).prefetch_related("officers"),
            "step_due", tomorrow, yesterday, lambda c: list(c.officers.all()), _("Next step of the case"),
        )  # fmt: skip
        sent += _remind(
            Measure.objects.filter(ended_on__isnull=True).select_related("case").prefetch_related("case__officers"),
            "due_on", tomorrow, yesterday, lambda m: list(m.case.officers.all()), _("Preservation or seizure"),
            region=lambda m: m.case.region_id,
        )  # fmt: skip
        sent += _remind_onsite()
    return sent


def _remind_onsite() -> int:
    """On-site preservations not yet reported to the head once their hours have run out: the
    investigators and the district's regulators, every working day until it is reported."""
    now = program_now()
    rows = Measure.objects.filter(on_site=True, reported_at__isnull=True, report_due__lt=now, ended_on__isnull=True)
    rows = rows.select_related("case").prefetch_related("case__officers")
    heads = _heads(m.case.region_id for m in rows)
    sent = 0
    for measure in rows:
        assert measure.report_due is not None
        title = _("On-site preservation not reported to the head since %(at)s: %(name)s") % {
            "at": program_local(measure.report_due).strftime("%Y-%m-%d %H:%M"),
            "name": measure,
        }
        people = [*measure.case.officers.all(), *heads.get(str(measure.case.region_id), [])]
        sent += len(notify(people, title, url=measure.get_absolute_url()))
    return sent


def _remind(
    rows: Any, field: str, tomorrow: datetime.date, yesterday: datetime.date, handlers: Any, what: str,
    region: Any = lambda row: row.region_id,
) -> int:  # fmt: skip
    due_rows = list(rows.filter(**{f"{field}__in": [tomorrow, yesterday]}))
    heads = _heads(region(row) for row in due_rows)
    sent = 0
    for row in due_rows:
        due = getattr(row, field)
        if due == tomorrow:
            title = _("%(what)s due %(day)s: %(name)s") % {"what": what, "day": due.isoformat(), "name": row}
        else:
            title = _("%(what)s overdue since %(day)s: %(name)s") % {"what": what, "day": due.isoformat(), "name": row}
        people = [*handlers(row), *heads.get(str(region(row)), [])]
        sent += len(notify(people, title, url=row.get_absolute_url()))
    return sent
