"""Carriers: the register and its log; copies and holders follow from the log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from shangmi.protection import services
from shangmi.protection.models import Carrier, CarrierEvent, Grade
from shangmi.protection.selectors import carrier_state, with_copies
from shangmi.protection.services import CarrierInput, CarrierLogInput
from tests.protection.conftest import People, propose
from tests.refusals import refused_with

Kind = CarrierEvent.Kind


def register(world: Any, people: People, **changes: Any) -> Carrier:
    point = changes.pop("point", None) or propose(world.ent_admin_in, people.engineer)
    values: dict[str, Any] = {
        "name": "电机控制算法说明书", "number": "ZT-001", "secret_points": [point], "form": Carrier.Form.PAPER,
        "grade_mark": Grade.CORE, "custodian": people.engineer, "location": "研发部保密柜", "copies": 3,
    }  # fmt: skip
    values.update(changes)
    return services.carrier_register(user=world.ent_admin_in, data=CarrierInput(**values))


def log(world: Any, carrier: Carrier, kind: str, **values: Any) -> CarrierEvent:
    return services.carrier_log(user=world.ent_admin_in, carrier=carrier, data=CarrierLogInput(kind=kind, **values))


def test_the_log_adds_up_copies_and_holders(world: Any, people: People) -> None:
    carrier = register(world, people)
    log(world, carrier, Kind.BORROW, person=people.staff, copies=2)
    state = carrier_state(carrier)
    assert (state.current, state.in_custody, state.holders) == (3, 1, {people.staff.pk: 2})
    # Only the copy left with the custodian can be lent or destroyed.
    with refused_with(services.NOT_IN_CUSTODY):
        log(world, carrier, Kind.BORROW, person=people.engineer, copies=2)
    with refused_with(services.NOT_IN_CUSTODY):
        log(world, carrier, Kind.DESTROY, copies=2, approver="赵总")
    # A borrower returns what they hold, no more; someone who holds nothing returns nothing.
    with refused_with(services.RETURN_TOO_MANY):
        log(world, carrier, Kind.RETURN, person=people.staff, copies=3)
    with refused_with(services.RETURN_TOO_MANY):
        log(world, carrier, Kind.RETURN, person=people.engineer, copies=1)
    log(world, carrier, Kind.RETURN, person=people.staff, copies=1)
    # A copy needs an approver, adds a copy and puts it in the receiver's hands.
    with refused_with(services.APPROVER_MISSING):
        log(world, carrier, Kind.COPY, person=people.engineer)
    log(world, carrier, Kind.COPY, person=people.engineer, approver="赵总")
    state = carrier_state(carrier)
    assert (state.current, state.in_custody) == (4, 2)
    assert state.holders == {people.staff.pk: 1, people.engineer.pk: 1}
    row = with_copies(Carrier.objects.filter(pk=carrier.pk)).get()
    assert (row.current, row.out) == (4, 2)


def test_a_destroyed_carrier_takes_no_more_lines(world: Any, people: People) -> None:
    carrier = register(world, people, copies=1)
    with refused_with(services.APPROVER_MISSING):
        log(world, carrier, Kind.DESTROY)
    log(world, carrier, Kind.DESTROY, approver="赵总", note="碎纸机销毁")
    assert carrier_state(carrier).destroyed
    with refused_with(services.CARRIER_GONE):
        log(world, carrier, Kind.BORROW, person=people.staff)
    assert carrier.events.count() == 1


def test_the_log_refuses_what_does_not_hold(world: Any, people: People) -> None:
    carrier = register(world, people)
    with refused_with(services.PERSON_NEEDED):
        log(world, carrier, Kind.BORROW)
    with refused_with(services.PERSON_FOREIGN):
        log(world, carrier, Kind.BORROW, person=people.stranger)
    with refused_with(services.COPIES_POSITIVE):
        log(world, carrier, Kind.BORROW, person=people.staff, copies=0)
    with refused_with(services.LOG_KIND):
        log(world, carrier, Kind.HANDOVER, person=people.staff)
    with refused_with(services.DECIDED_IN_FUTURE):
        log(world, carrier, Kind.BORROW, person=people.staff, on=datetime.date(2999, 1, 1))
    with refused_with(services.NOT_KEEPER):
        services.carrier_log(
            user=world.ent_staff_in, carrier=carrier, data=CarrierLogInput(kind=Kind.BORROW, person=people.staff)
        )
    assert not carrier.events.exists()


def test_the_mark_is_not_below_its_highest_secret_point(world: Any, people: People) -> None:
    with refused_with(services.GRADE_BELOW):
        register(world, people, grade_mark=Grade.IMPORTANT)
    with refused_with(services.CARRIER_POINTS):
        register(world, people, secret_points=[], point=object())
    stranger_point = propose(world.ent_admin_out, people.stranger, name="外企配方")
    with refused_with(services.CARRIER_POINT_FOREIGN):
        register(world, people, point=stranger_point)
    with refused_with(services.PERSON_FOREIGN):
        register(world, people, custodian=people.stranger)


def test_a_new_custodian_is_a_handover_in_the_log(world: Any, people: People) -> None:
    carrier = register(world, people)
    data = CarrierInput(
        name=carrier.name, number=carrier.number, secret_points=list(carrier.secret_points.all()), form=carrier.form,
        grade_mark=carrier.grade_mark, custodian=people.staff, location="档案室",
    )  # fmt: skip
    carrier = services.carrier_update(user=world.ent_admin_in, carrier=carrier, data=data)
    assert carrier.custodian == people.staff and carrier.copies == 3
    assert carrier.events.get().kind == Kind.HANDOVER and carrier.events.get().person == people.staff


def test_pages_and_who_reads_them(world: Any, people: People, client: Any) -> None:
    point = propose(world.ent_admin_in, people.engineer, name="电池配方")
    client.force_login(world.ent_admin_in)
    response = client.post(
        reverse("protection:carrier_create"),
        {"number": "ZT-9", "name": "配方工艺卡", "secret_points": [point.pk], "form": "paper", "grade_mark": "core",
         "custodian": people.staff.pk, "location": "档案室", "copies": 2},
    )  # fmt: skip
    carrier = Carrier.objects.get(number="ZT-9")
    assert response.status_code == 302
    client.post(reverse("protection:carrier_log", args=[carrier.pk]), {"kind": "borrow", "person": people.engineer.pk,
                                                                      "copies": 1})  # fmt: skip
    response = client.post(
        reverse("protection:carrier_log", args=[carrier.pk]),
        {"kind": "return", "person": people.staff.pk, "copies": 1},
        follow=True,
    )
    assert carrier.events.count() == 1 and response.status_code == 200
    detail = client.get(carrier.get_absolute_url()).content.decode()
    assert "李工 × 1" in detail and "配方工艺卡" in detail
    assert "配方工艺卡" in client.get(reverse("protection:carrier_list")).content.decode()

    # The custodian (staff) reads the carrier, but not the secret point whose circle lacks them.
    client.force_login(world.ent_staff_in)
    detail = client.get(carrier.get_absolute_url())
    assert detail.status_code == 200 and "电池配方" not in detail.content.decode()
    assert "电池配方" not in client.get(reverse("protection:carrier_list")).content.decode()
    assert client.post(reverse("protection:carrier_log", args=[carrier.pk]), {"kind": "borrow"}).status_code == 404


@pytest.mark.parametrize("reader", ["ent_admin_out", "ent_staff_out", "regulator_in", "admin", "park_operator_in"])
def test_no_one_outside_reads_a_carrier(world: Any, people: People, client: Any, reader: str) -> None:
    carrier = register(world, people)
    client.force_login(getattr(world, reader))
    for name in ("carrier_detail", "carrier_update", "carrier_log"):
        url = reverse(f"protection:{name}", args=[carrier.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"kind": "borrow", "person": people.staff.pk}).status_code == 404
    assert "电机控制算法说明书" not in client.get(reverse("protection:carrier_list")).content.decode()
    assert not carrier.events.exists()
