"""Reminders before an agreement ends: to the enterprise's admins, 30 and 7 days before."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from shangmi.notices.models import Notification
from shangmi.protection import services
from shangmi.protection.models import Agreement
from shangmi.protection.reminders import reminders_send
from shangmi.protection.services import AgreementInput
from tests.protection.conftest import People

ENDS = datetime.date(2026, 9, 30)


@pytest.mark.django_db
def test_the_admins_are_told_thirty_and_seven_days_before(world, people: People):
    services.agreement_record(
        user=world.ent_admin_in,
        data=AgreementInput(
            person=people.staff, kind=Agreement.Kind.CONFIDENTIALITY, signed_on=datetime.date(2024, 10, 1),
            ends_on=ENDS, scope_text="在职期间保密",
        ),
    )  # fmt: skip
    assert reminders_send(ENDS - datetime.timedelta(days=31)) == 0
    assert reminders_send(ENDS - datetime.timedelta(days=30)) == 1
    assert reminders_send(ENDS - datetime.timedelta(days=29)) == 0
    assert reminders_send(ENDS - datetime.timedelta(days=7)) == 1
    notices = Notification.objects.all()
    assert {n.recipient for n in notices} == {world.ent_admin_in}  # not the staff, not another enterprise
    assert all("王员工" in n.title and "2026-09-30" in n.title and "在职期间保密" not in n.body for n in notices)
    # Someone who has left is handled by the departure list, not reminded of.
    services.person_depart(user=world.ent_admin_in, person=people.staff, left_on=datetime.date(2026, 1, 1))
    assert reminders_send(ENDS - datetime.timedelta(days=7)) == 0
    out = io.StringIO()
    call_command("protection_reminders", stdout=out)
    assert "reminder(s) sent" in out.getvalue()
