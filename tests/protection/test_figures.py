"""What a bureau sees: counts and rates of the enterprises in its region, never a record."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from shangmi.protection import services
from shangmi.protection.figures import protection_figures
from shangmi.protection.models import Grade
from shangmi.protection.services import AreaInput, CarrierInput, EngagementInput
from tests.protection.conftest import People, person, propose
from tests.protection.test_agreements import confidentiality, noncompete

ON = datetime.date(2026, 6, 1)


@pytest.mark.django_db
def test_a_regulator_sees_the_counts_and_no_record(world, people: People, rules, client):
    admin = world.ent_admin_in
    core = propose(admin, people.engineer, circle=(people.engineer, people.staff))
    propose(admin, people.engineer, name="客户名单")  # a second live one, core too
    old = services.secret_point_file(
        user=admin, secret_point=propose(admin, people.engineer, name="旧工艺"), approver="赵总"
    )
    services.secret_point_declassify(user=admin, secret_point=old, approver="赵总")  # no longer counted
    signed = services.agreement_record(user=admin, data=confidentiality(people.engineer))
    services.agreement_record(user=admin, data=confidentiality(people.staff))
    services.agreement_record(user=admin, data=noncompete(people.engineer))
    gone = person(world.ent_in, "已离职者", hired_on=datetime.date(2020, 1, 1))
    services.person_depart(user=admin, person=gone, left_on=datetime.date(2026, 1, 5))

    figures = protection_figures(world.ent_in, ON)
    assert figures.secret_points[Grade.CORE] == 2 and figures.secret_points_total == 2
    assert figures.staff == 2  # 李工 and 王员工; the one who left is not counted
    assert (figures.with_confidentiality, figures.confidentiality_rate) == (2, 100.0)
    assert (figures.with_non_compete, figures.non_compete_rate) == (1, 50.0)

    client.force_login(world.regulator_in)
    page = client.get(reverse("protection:figures")).content.decode()
    assert world.ent_in.name in page and "100.0%" in page and "50.0%" in page
    for secret in ("电机控制算法", "客户名单", "李工", "王员工", world.ent_out.name):
        assert secret not in page, secret

    # Every record of the enterprise's protection system: 404 to the bureau that sees its figures.
    rows = {
        "secret_point": core,
        "person": people.engineer,
        "agreement": signed,
        "carrier": services.carrier_register(
            user=admin,
            data=CarrierInput(
                name="图纸",
                secret_points=[core],
                form="paper",
                grade_mark="core",
                custodian=people.staff,
                location="保密柜",
            ),
        ),
        "area": services.area_create(
            user=admin, data=AreaInput(name="实验室", grade="core", access_rule="门禁", secret_points=[core])
        ),
        "engagement": services.engagement_record(
            user=admin,
            data=EngagementInput(kind="outsourcing", counterparty="外包方", purpose="测试", starts_on=ON),
        ),
    }
    names = {
        "secret_point": ["detail", "update", "deposit", "dossier", "receipts"],
        "person": ["detail", "update", "departure", "departure_export"],
        "agreement": ["detail", "update"],
        "carrier": ["detail", "update"],
        "area": ["detail", "update"],
        "engagement": ["detail", "update"],
    }
    for model, row in rows.items():
        for name in names[model]:
            assert client.get(reverse(f"protection:{model}_{name}", args=[row.pk])).status_code == 404, (model, name)
    # Another district's bureau does not see this enterprise's figures at all.
    client.force_login(world.regulator_out)
    assert world.ent_in.name not in client.get(reverse("protection:figures")).content.decode()
