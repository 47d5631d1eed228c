"""The departure handover list: derived from the circles of knowledge and the carriers' log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.evidence.models import DepositAccess
from shangmi.protection import services
from shangmi.protection.models import Agreement, Carrier, CarrierEvent, Grade
from shangmi.protection.selectors import handover
from shangmi.protection.services import AgreementInput, CarrierInput, CarrierLogInput
from tests.protection.conftest import People, propose
from tests.refusals import refused_with
from tests.test_scope_walk import body_text

Kind = CarrierEvent.Kind


def carrier(world: Any, point: Any, custodian: Any, name: str, copies: int = 2) -> Carrier:
    data = CarrierInput(
        name=name, secret_points=[point], form=Carrier.Form.PAPER, grade_mark=Grade.CORE, custodian=custodian,
        location="保密柜", copies=copies,
    )  # fmt: skip
    return services.carrier_register(user=world.ent_admin_in, data=data)


def log(world: Any, row: Carrier, kind: str, person: Any, copies: int = 1) -> None:
    services.carrier_log(
        user=world.ent_admin_in, carrier=row, data=CarrierLogInput(kind=kind, person=person, copies=copies)
    )


@pytest.fixture
def leaving(world: Any, people: People) -> Any:
    """王员工 leaves: knows two live secret points and one declassified; keeps one carrier,
    holds a borrowed copy of another and a copy, and gave back a third."""
    admin = world.ent_admin_in
    knows = propose(admin, people.engineer, circle=(people.staff,), name="装配工艺")
    also = propose(admin, people.engineer, circle=(people.staff,), name="客户名单")
    services.secret_point_file(user=admin, secret_point=also, approver="赵总")
    old = services.secret_point_file(
        user=admin, secret_point=propose(admin, people.engineer, circle=(people.staff,), name="旧工艺"), approver="赵总"
    )
    services.secret_point_declassify(user=admin, secret_point=old, approver="赵总")
    propose(admin, people.engineer, name="电池配方")  # not in the circle

    kept = carrier(world, knows, people.staff, "工艺卡原件")
    borrowed = carrier(world, knows, people.engineer, "工艺图纸")
    log(world, borrowed, Kind.BORROW, people.staff)
    services.carrier_log(
        user=admin, carrier=borrowed, data=CarrierLogInput(kind=Kind.COPY, person=people.staff, approver="赵总")
    )
    returned = carrier(world, also, people.engineer, "客户名单打印件")
    log(world, returned, Kind.BORROW, people.staff)
    log(world, returned, Kind.RETURN, people.staff)
    destroyed = carrier(world, knows, people.staff, "作废草稿", copies=1)
    services.carrier_log(user=admin, carrier=destroyed, data=CarrierLogInput(kind=Kind.DESTROY, approver="赵总"))
    services.agreement_record(
        user=admin,
        data=AgreementInput(person=people.staff, kind=Agreement.Kind.CONFIDENTIALITY,
                            signed_on=datetime.date(2021, 1, 4), scope_text="工艺资料"),
    )  # fmt: skip
    return {"kept": kept, "borrowed": borrowed, "returned": returned}


def test_the_list_is_what_the_records_say(world: Any, people: People, leaving: Any) -> None:
    listed = handover(world.ent_admin_in, people.staff, program_today())
    assert sorted(p.name for p in listed.secret_points) == ["客户名单", "装配工艺"]
    assert [c.name for c in listed.kept] == ["工艺卡原件"]
    assert [(c.name, n) for c, n in listed.held] == [("工艺图纸", 2)]
    assert [a.kind for a in listed.agreements] == [Agreement.Kind.CONFIDENTIALITY]
    # Returning what was borrowed takes it off the list.
    log(world, leaving["borrowed"], Kind.RETURN, people.staff, copies=2)
    assert handover(world.ent_admin_in, people.staff, program_today()).held == []


def test_the_page_and_its_export(world: Any, people: People, leaving: Any, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("protection:person_departure", args=[people.staff.pk])).content.decode()
    for shown in ("装配工艺", "客户名单", "工艺卡原件", "工艺图纸"):
        assert shown in page
    for hidden in ("旧工艺", "电池配方", "客户名单打印件", "作废草稿"):
        assert hidden not in page
    sheet = body_text(client.get(reverse("protection:person_departure_export", args=[people.staff.pk])))
    assert "工艺图纸" in sheet and "装配工艺" in sheet and "电池配方" not in sheet
    assert set(DepositAccess.objects.filter(record_type="protection.Person").values_list("action", flat=True)) == {
        "departure_view", "departure_export",
    }  # fmt: skip


def test_the_departure_is_recorded_on_a_day_not_to_come(world: Any, people: People, client: Any) -> None:
    admin = world.ent_admin_in
    with refused_with(services.LEFT_IN_FUTURE):
        services.person_depart(user=admin, person=people.staff, left_on=program_today() + datetime.timedelta(1))
    with refused_with(services.LEFT_BEFORE_HIRED):
        services.person_depart(user=admin, person=people.staff, left_on=datetime.date(2019, 1, 1))
    client.force_login(admin)
    client.post(reverse("protection:person_depart", args=[people.staff.pk]), {"left_on": "2026-01-05"})
    people.staff.refresh_from_db()
    assert people.staff.left_on == datetime.date(2026, 1, 5)


@pytest.mark.parametrize("reader", ["ent_staff_in", "ent_admin_out", "regulator_in", "admin", "officer_in"])
def test_only_the_enterprise_admin_reads_it(world: Any, people: People, leaving: Any, client: Any, reader: str) -> None:
    client.force_login(getattr(world, reader))
    for name in ("person_departure", "person_departure_export", "person_depart"):
        url = reverse(f"protection:{name}", args=[people.staff.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"left_on": "2026-01-05"}).status_code == 404
    people.staff.refresh_from_db()
    assert people.staff.left_on is None
