"""Reminders: the working day before a deadline and the first working day after it, to the
handler and the district's regulators; nothing on a day off."""

from __future__ import annotations

import datetime
from typing import Any

from shangmi.enforcement.models import Demand
from shangmi.enforcement.reminders import reminders_send
from shangmi.enforcement.workdays import calendars_load
from shangmi.notices.models import Notification
from tests.test_scope_walk import _demand

D = datetime.date


def test_the_handler_and_the_head_are_reminded_before_and_after(world: Any, tmp_media: Any) -> None:
    calendars_load()
    demand = _demand(world, world.ent_admin_in, "in")  # handled by officer_in, due 2026-05-15 (Friday)
    Demand.objects.filter(pk=demand.pk).update(due_on=D(2026, 10, 9))  # Friday after National Day
    assert reminders_send(D(2026, 10, 3)) == 0  # a holiday
    assert reminders_send(D(2026, 10, 7)) == 0  # a holiday too
    assert reminders_send(D(2026, 10, 8)) == 2  # the working day before
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "officer_in",
        "jiangbei_regulator",
    }
    assert reminders_send(D(2026, 10, 9)) == 0  # the day itself: already told
    # Saturday 10 October is a working day (调休): the first one after the deadline.
    assert reminders_send(D(2026, 10, 10)) == 2
    assert Notification.objects.filter(title__contains="2026-10-09").count() == 4


def test_a_legal_review_and_a_preservation_are_reminded(world: Any, tmp_media: Any) -> None:
    from shangmi.enforcement import procedure
    from shangmi.enforcement.rules import rules_load
    from tests.enforcement.steps import new_case, reported

    calendars_load()
    rules_load()
    case = reported(world, new_case(world), today=D(2026, 5, 21))  # review due Thursday 4 June
    at_review = new_case(world, n=1)
    procedure.measure_start(user=world.regulator_in, case=at_review, kind="preservation", items="图纸",
                            approval="局长批准", started_on=D(2026, 5, 26), today=D(2026, 5, 26))  # fmt: skip
    # Preservation from Tuesday 26 May: due Thursday 4 June as well (7 working days).
    Notification.objects.all().delete()
    assert reminders_send(D(2026, 6, 3)) == 4  # each row: its two investigators (the head among them, told once)
    titles = sorted(Notification.objects.values_list("title", flat=True))
    assert any("2026-06-04" in t and str(case.party) in t for t in titles)
    assert reminders_send(D(2026, 6, 5)) == 4  # the first working day after: overdue
