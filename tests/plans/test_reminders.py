"""plans_reminders: before a due date and a report date, and the day after each was missed."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from shangmi.notices.models import Notification
from shangmi.plans import services
from shangmi.plans.reminders import reminders_send
from shangmi.plans.services import ReportInput
from tests.plans.conftest import DUE, PlanWorld

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def titles(user: object) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_due_date_reminder_falls_on_one_day(pw: PlanWorld) -> None:
    before = DUE - datetime.timedelta(days=pw.plan.remind_days)
    assert reminders_send(before - DAY) == 0
    assert reminders_send(before) == 2  # the lead unit's member and the co-unit's
    assert any("将于 2026-11-30 到期" in t for t in titles(pw.lead_member))
    assert any("将于 2026-11-30 到期" in t for t in titles(pw.co_member))
    assert reminders_send(before + DAY) == 0


def test_overdue_tells_the_lead_and_the_owner(pw: PlanWorld) -> None:
    assert reminders_send(DUE) == 0
    assert reminders_send(DUE + DAY) == 2
    assert any("已于 2026-11-30 逾期" in t for t in titles(pw.owner))
    assert any("逾期" in t for t in titles(pw.lead_member))
    assert not any("逾期" in t for t in titles(pw.co_member))


def test_report_date_reminder_and_missed_report(pw: PlanWorld) -> None:
    # Monthly by the 5th: 3 days ahead of 5 March is 2 March.
    assert reminders_send(datetime.date(2026, 3, 2)) == 1
    assert any("测试方案 进展报送截止 2026-03-05" in t for t in titles(pw.lead_member))
    # 6 March: the report covering 6 Feb - 5 Mar was not made.
    assert reminders_send(datetime.date(2026, 3, 6)) == 1
    assert any("第1项任务未在 2026-03-05 前报送进展" in t for t in titles(pw.lead_member))
    # Reported within the next cycle: nothing missed on 6 April.
    services.task_report(
        user=pw.lead_member, task=pw.task, data=ReportInput(20, "调研"), today=datetime.date(2026, 3, 20)
    )
    Notification.objects.all().delete()
    assert reminders_send(datetime.date(2026, 4, 6)) == 0


def test_command_runs(pw: PlanWorld) -> None:
    out = io.StringIO()
    call_command("plans_reminders", stdout=out)
    assert "reminder(s) sent" in out.getvalue()
