"""Task colours at the edges of each threshold: the day before, at and after."""

from __future__ import annotations

import datetime

import pytest

from shangmi.plans.models import Task
from shangmi.plans.status import (
    GREEN,
    ORANGE,
    RED,
    YELLOW,
    expected_progress,
    report_dates,
    report_missing,
    task_colour,
)
from tests.plans.conftest import DUE, START, PlanWorld

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def colour(task: Task, today: datetime.date, progress: int) -> str:
    task.progress = progress
    return task_colour(task, today)


def test_overdue_edge(pw: PlanWorld) -> None:
    task = pw.task
    assert colour(task, DUE - DAY, 100) == YELLOW  # near, not behind
    assert colour(task, DUE, 100) == YELLOW  # the due day itself is still in time
    assert colour(task, DUE + DAY, 100) == RED


def test_near_deadline_edge(pw: PlanWorld) -> None:
    task = pw.task
    near = DUE - datetime.timedelta(days=pw.plan.near_days)
    assert colour(task, near - DAY, 100) == GREEN
    assert colour(task, near, 100) == YELLOW
    assert colour(task, near + DAY, 100) == YELLOW


def test_behind_expected_progress_edge(pw: PlanWorld) -> None:
    task = pw.task
    total = (DUE - START).days
    assert total == 333
    # Day 100: 100*100//333 = 30% of the time is spent.
    day = START + datetime.timedelta(days=100)
    assert expected_progress(task, day) == 30
    assert colour(task, day, 29) == ORANGE
    assert colour(task, day, 30) == GREEN
    assert colour(task, day, 31) == GREEN
    # The day before, 29% is spent: 29 is on track; the day after, 30%: 30 is on track, 29 behind.
    assert expected_progress(task, day - DAY) == 29 and colour(task, day - DAY, 29) == GREEN
    assert expected_progress(task, day + DAY) == 30 and colour(task, day + DAY, 29) == ORANGE
    assert expected_progress(task, START) == 0 and colour(task, START, 0) == GREEN


def test_worst_colour_wins(pw: PlanWorld) -> None:
    task = pw.task
    assert colour(task, DUE - DAY, 50) == ORANGE  # near and behind: behind
    assert colour(task, DUE + DAY, 0) == RED


def test_done_and_claimed_in_time_are_green(pw: PlanWorld) -> None:
    task = pw.task
    task.status, task.claimed_on = Task.Status.CLAIMED, DUE
    assert colour(task, DUE + DAY * 10, 50) == GREEN
    task.claimed_on = DUE + DAY  # reported done after the due date: still overdue until confirmed
    assert colour(task, DUE + DAY * 10, 50) == RED
    task.status = Task.Status.DONE
    assert colour(task, DUE + DAY * 10, 50) == GREEN


def test_report_dates_and_missed_reports(pw: PlanWorld) -> None:
    plan = pw.plan  # starts 2026-01-01, monthly by the 5th: first report 2026-02-05
    assert report_dates(plan, datetime.date(2026, 1, 20)) == (None, datetime.date(2026, 2, 5))
    assert report_dates(plan, datetime.date(2026, 2, 4)) == (None, datetime.date(2026, 2, 5))
    assert report_dates(plan, datetime.date(2026, 2, 5)) == (datetime.date(2026, 2, 5), datetime.date(2026, 3, 5))
    assert report_dates(plan, datetime.date(2026, 3, 6)) == (datetime.date(2026, 3, 5), datetime.date(2026, 4, 5))
    task = pw.task
    # On 6 March the March report (covering 6 Feb - 5 Mar) is due.
    today = datetime.date(2026, 3, 6)
    assert report_missing(task, today, None)
    assert report_missing(task, today, datetime.date(2026, 2, 5))  # that was February's
    assert not report_missing(task, today, datetime.date(2026, 2, 6))
    assert not report_missing(task, today, datetime.date(2026, 3, 6))  # late, but caught up
    assert not report_missing(task, datetime.date(2026, 3, 5), datetime.date(2026, 2, 5))  # due today, not missed
    plan.report_months = 3  # quarterly from February: 5 Feb, 5 May, 5 Aug
    assert report_dates(plan, datetime.date(2026, 4, 30)) == (datetime.date(2026, 2, 5), datetime.date(2026, 5, 5))
