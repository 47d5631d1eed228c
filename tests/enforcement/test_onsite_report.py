"""A preservation taken on site in an emergency (市场监督管理行政处罚程序规定 art. 33) is reported
to the head within 24 hours of being taken: the heads are told when it is taken, the case page
shows the hour it is due and turns red once it is late, and the daily reminder names it until
it is reported."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from shangmi.core.calendar import PROGRAM_TZ, program_local, program_now, program_today
from shangmi.enforcement import procedure, reminders
from shangmi.enforcement.models import CaseEvent, Measure
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from shangmi.notices.models import Notification
from tests.enforcement.steps import new_case
from tests.refusals import refused_with

D = datetime.date


@pytest.fixture
def loaded(db: Any, tmp_media: Any) -> None:
    calendars_load()
    rules_load()


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 5, day, hour, 0, tzinfo=PROGRAM_TZ)


def take(world: Any, case: Any, **kw: Any) -> Measure:
    data = {"kind": Measure.Kind.PRESERVATION, "items": "涉案服务器硬盘两块", "approval": "", "started_on": None,
            "on_site": True, "taken_at": at(21, 15), "today": D(2026, 5, 21), **kw}  # fmt: skip
    return procedure.measure_start(user=world.regulator_in, case=case, **data)


def test_an_on_site_preservation_is_reported_within_24_hours(
    world: Any, loaded: None, django_capture_on_commit_callbacks: Any
) -> None:
    case = new_case(world)
    before = (Measure.objects.count(), CaseEvent.objects.count())
    with refused_with(procedure.MEASURE_TAKEN_AT):
        take(world, case, taken_at=None)
    with refused_with(procedure.MEASURE_TAKEN_AT):
        take(world, case, taken_at=at(22, 9))  # tomorrow
    with refused_with(procedure.MEASURE_EMPTY):  # not on site: the approval comes first
        take(world, case, on_site=False, started_on=D(2026, 5, 21))
    assert (Measure.objects.count(), CaseEvent.objects.count()) == before
    with django_capture_on_commit_callbacks(execute=True):
        measure = take(world, case)
    assert measure.started_on == D(2026, 5, 21) and measure.report_due == at(22, 15)
    assert measure.due_on == D(2026, 6, 1)  # the 7 working days run as for any preservation
    told = Notification.objects.filter(title__contains="2026-05-22 15:00")
    assert {n.recipient_id for n in told} >= {world.regulator_in.pk, world.officer_in.pk}
    assert not measure.report_late(at(22, 15)) and measure.report_late(at(22, 16))
    with refused_with(procedure.MEASURE_EMPTY):
        procedure.measure_report(user=world.regulator_in, case=case, measure=measure, approval=" ", now=at(22, 10))
    measure = procedure.measure_report(user=world.regulator_in, case=case, measure=measure,
                                       approval="局长王某 5月22日补批", now=at(22, 10))  # fmt: skip
    assert measure.reported_at == at(22, 10) and measure.approval == "局长王某 5月22日补批"
    assert not measure.report_late(at(30, 0))
    with refused_with(procedure.MEASURE_REPORTED):  # once
        procedure.measure_report(user=world.regulator_in, case=case, measure=measure, approval="再报", now=at(22, 11))
    assert case.events.filter(kind=CaseEvent.Kind.MEASURE_REPORTED).count() == 1


def test_a_late_report_is_red_and_reminded(world: Any, loaded: None, client: Any) -> None:
    case = new_case(world)
    taken = program_now().replace(microsecond=0) - datetime.timedelta(hours=30)
    measure = take(world, case, taken_at=taken, today=program_today())
    client.force_login(world.regulator_in)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="onsite-report" class="text-danger fw-bold"' in page
    Notification.objects.all().delete()
    sent = reminders._remind_onsite()
    reminded = Notification.objects.filter(url=case.get_absolute_url())
    assert sent >= 2 and {world.officer_in.pk, world.regulator_in.pk} <= set(
        reminded.values_list("recipient", flat=True)
    )
    # Reported late: recorded, and still shown as late.
    client.post(reverse("enforcement:case_measure_report", args=[case.pk]), {"measure": measure.pk, "approval": "补批"})
    measure.refresh_from_db()
    assert measure.reported_at is not None and measure.report_late(program_now())
    assert "逾期" in case.events.get(kind=CaseEvent.Kind.MEASURE_REPORTED).note  # the page spoke Chinese
    Notification.objects.all().delete()
    assert reminders._remind_onsite() == 0
    # A stranger cannot report it.
    client.force_login(world.regulator_out)
    url = reverse("enforcement:case_measure_report", args=[case.pk])
    assert client.post(url, {"measure": measure.pk, "approval": "x"}).status_code == 404


def test_a_case_page_form_takes_the_hour(world: Any, loaded: None, client: Any) -> None:
    case = new_case(world)
    client.force_login(world.regulator_in)
    taken = (program_now() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("enforcement:case_measure", args=[case.pk]),
                {"kind": "preservation", "items": "图纸", "on_site": "on", "taken_at": taken})  # fmt: skip
    measure = Measure.objects.get(case=case)
    assert measure.on_site and measure.taken_at is not None and measure.approval == ""
    assert program_local(measure.taken_at).strftime("%Y-%m-%dT%H:%M") == taken
