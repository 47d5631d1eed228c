"""Restricted areas: grade, access rule, who may enter; visitors logged as the rule requires."""

from __future__ import annotations

import datetime
import subprocess
from typing import Any

import pytest
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.protection import services
from shangmi.protection.models import Area, Grade, Visit
from shangmi.protection.services import AreaInput, VisitInput
from tests.protection.conftest import People, propose
from tests.refusals import refused_with

NINE = datetime.time(9, 0)


def lab(world: Any, people: People, point: Any, **extra: Any) -> Area:
    data = AreaInput(
        name="电机控制实验室", grade=Grade.CORE, access_rule="门禁刷卡进入；禁止拍照；不得携带无线设备",
        allowed=[people.engineer], secret_points=[point], **extra,
    )  # fmt: skip
    return services.area_create(user=world.ent_admin_in, data=data)


def visit(world: Any, area: Area, **extra: Any) -> Visit:
    values: dict[str, Any] = {"visitor": "孙审核", "organisation": "某认证机构", "purpose": "体系审核",
                              "entered": NINE, "on": datetime.date(2026, 3, 2)} | extra  # fmt: skip
    return services.visit_record(user=world.ent_admin_in, area=area, data=VisitInput(**values))


@pytest.mark.django_db
def test_a_visit_meets_the_areas_rule_or_changes_nothing(world, people: People):
    point = propose(world.ent_admin_in, people.engineer)
    area = lab(world, people, point)
    with refused_with(services.VISIT_APPROVAL):
        visit(world, area, escort=people.engineer)
    with refused_with(services.VISIT_ESCORT):
        visit(world, area, approver="赵总")
    with refused_with(services.ESCORT_NOT_ALLOWED):  # not allowed in the area
        visit(world, area, approver="赵总", escort=people.staff)
    with refused_with(services.LEFT_BEFORE_ENTERED):
        visit(world, area, approver="赵总", escort=people.engineer, left=datetime.time(8, 0))
    with refused_with(services.DECIDED_IN_FUTURE):
        visit(world, area, approver="赵总", escort=people.engineer, on=program_today() + datetime.timedelta(days=1))
    with refused_with(services.NOT_KEEPER):
        services.visit_record(
            user=world.ent_staff_in, area=area, data=VisitInput(visitor="x", purpose="y", entered=NINE)
        )
    assert not Visit.objects.exists()
    done = visit(world, area, approver="赵总", escort=people.engineer, left=datetime.time(11, 30))
    assert done.escort == people.engineer and done.area == area
    # An escort who has left the enterprise escorts no one after that day.
    services.person_depart(user=world.ent_admin_in, person=people.engineer, left_on=datetime.date(2026, 3, 5))
    people.engineer.refresh_from_db()
    with refused_with(services.ESCORT_NOT_ALLOWED):
        visit(world, area, approver="赵总", escort=people.engineer, on=datetime.date(2026, 3, 6))
    # An area whose rule asks for neither takes a bare line.
    open_area = lab(world, people, point, visitor_approval=False, escort_required=False)
    assert visit(world, open_area).escort is None


@pytest.mark.django_db
def test_an_area_is_not_graded_below_what_it_keeps(world, people: People):
    point = propose(world.ent_admin_in, people.engineer)  # core
    with refused_with(services.AREA_GRADE_BELOW):
        services.area_create(
            user=world.ent_admin_in,
            data=AreaInput(name="资料室", grade=Grade.GENERAL, access_rule="登记进入", secret_points=[point]),
        )
    with refused_with(services.ACCESS_RULE_EMPTY):
        services.area_create(user=world.ent_admin_in, data=AreaInput(name="资料室", grade=Grade.CORE, access_rule=" "))
    foreign = propose(world.ent_admin_out, people.stranger, name="外企配方")
    with refused_with(services.CARRIER_POINT_FOREIGN):
        services.area_create(
            user=world.ent_admin_in,
            data=AreaInput(name="资料室", grade=Grade.CORE, access_rule="登记进入", secret_points=[foreign]),
        )
    with refused_with(services.PERSON_FOREIGN):
        services.area_create(
            user=world.ent_admin_in,
            data=AreaInput(name="资料室", grade=Grade.CORE, access_rule="登记进入", allowed=[people.stranger]),
        )
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_pages_scope_and_the_dossier(world, people: People, client, tmp_path):
    point = propose(world.ent_admin_in, people.engineer)
    area = lab(world, people, point)
    client.force_login(world.ent_admin_in)
    client.post(
        reverse("protection:area_visit", args=[area.pk]),
        {"visitor": "孙审核", "purpose": "体系审核", "entered": "09:00", "on": "2026-03-02", "approver": "赵总",
         "escort": people.engineer.pk},
    )  # fmt: skip
    assert Visit.objects.get().approver == "赵总"
    client.post(
        reverse("protection:area_visit", args=[area.pk]), {"visitor": "无审批", "purpose": "参观", "entered": "10:00"}
    )
    assert Visit.objects.count() == 1
    assert client.get(reverse("protection:area_export")).status_code == 200
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(client.get(reverse("protection:secret_point_dossier", args=[point.pk])).content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "电机控制实验室" in text and "孙审核" in text and "禁止拍照" in text
    # Staff allowed in read the area, not its visitor log; everyone else gets 404.
    staff_area = lab(world, people, point)
    staff_area.allowed.add(people.staff)
    client.force_login(world.ent_staff_in)
    assert client.get(area.get_absolute_url()).status_code == 404
    page = client.get(staff_area.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="visits"' not in page.content.decode()
    for user in (world.ent_admin_out, world.regulator_in, world.admin):
        client.force_login(user)
        assert client.get(area.get_absolute_url()).status_code == 404
