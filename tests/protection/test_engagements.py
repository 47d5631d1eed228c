"""Outsourcing and business activities: a disclosure only under an agreement signed before it,
the end recorded with what became of what was handed over; the admins' alone."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.protection import services
from shangmi.protection.models import Disclosure, Engagement
from shangmi.protection.services import DisclosureInput, EngagementInput
from tests.protection.conftest import People, propose
from tests.refusals import refused_with

DAY = datetime.date(2025, 3, 10)


def engagement(world: Any, signed: datetime.date | None = DAY) -> Engagement:
    return services.engagement_record(
        user=world.ent_admin_in,
        data=EngagementInput(
            kind=Engagement.Kind.OUTSOURCING,
            counterparty="重庆精测检测有限公司",
            purpose="委托检测电机控制器样机",
            starts_on=datetime.date(2025, 3, 1),
            agreement_signed_on=signed,
            agreement_ref="委外保密协议 2025-07",
        ),
    )


def disclose(world: Any, row: Engagement, point: Any, on: datetime.date) -> Disclosure:
    return services.engagement_disclose(
        user=world.ent_admin_in,
        engagement=row,
        data=DisclosureInput(secret_point=point, what="控制器样机一台及测试规程", approver="赵总经理", on=on),
    )


@pytest.mark.django_db
def test_a_disclosure_before_the_agreement_is_refused(world, people: People):
    point = propose(world.ent_admin_in, people.engineer)
    unsigned = engagement(world, signed=None)
    with refused_with(services.NO_AGREEMENT_YET):
        disclose(world, unsigned, point, DAY)
    row = engagement(world)
    with refused_with(services.DISCLOSED_BEFORE_AGREEMENT):
        disclose(world, row, point, DAY - datetime.timedelta(days=1))
    assert not Disclosure.objects.exists()
    done = disclose(world, row, point, DAY)  # the day it was signed is fine
    assert done.secret_point == point and done.on == DAY
    # The agreement cannot then be moved after the disclosure, nor removed.
    for later in (DAY + datetime.timedelta(days=1), None):
        with refused_with(services.AGREEMENT_AFTER_DISCLOSURE):
            services.engagement_update(
                user=world.ent_admin_in,
                engagement=row,
                data=EngagementInput(
                    kind=row.kind, counterparty=row.counterparty, purpose=row.purpose, starts_on=row.starts_on,
                    agreement_signed_on=later,
                ),
            )  # fmt: skip
    row.refresh_from_db()
    assert row.agreement_signed_on == DAY


@pytest.mark.django_db
def test_bad_input_changes_nothing(world, people: People):
    point = propose(world.ent_admin_in, people.engineer)
    row = engagement(world)
    tomorrow = program_today() + datetime.timedelta(days=1)
    with refused_with(services.AGREEMENT_IN_FUTURE):
        services.engagement_record(
            user=world.ent_admin_in,
            data=EngagementInput(kind="outsourcing", counterparty="某公司", purpose="检测", starts_on=DAY,
                                 agreement_signed_on=tomorrow),
        )  # fmt: skip
    with refused_with(services.COUNTERPARTY_EMPTY):
        services.engagement_record(
            user=world.ent_admin_in,
            data=EngagementInput(kind="outsourcing", counterparty="  ", purpose="检测", starts_on=DAY),
        )
    foreign = propose(world.ent_admin_out, people.stranger, name="外企配方")
    with refused_with(services.CARRIER_POINT_FOREIGN):
        disclose(world, row, foreign, DAY)
    services.secret_point_file(user=world.ent_admin_in, secret_point=point, approver="赵总")
    services.secret_point_declassify(user=world.ent_admin_in, secret_point=point, approver="赵总")
    with refused_with(services.DISCLOSURE_NOT_LIVE):
        disclose(world, row, point, DAY)
    with refused_with(services.ENDS_TOO_EARLY):
        services.engagement_end(
            user=world.ent_admin_in, engagement=row, ending="returned", on=datetime.date(2025, 2, 1)
        )
    with refused_with(services.ENDING_UNKNOWN):
        services.engagement_end(user=world.ent_admin_in, engagement=row, ending="lost", on=DAY)
    with refused_with(services.NOT_KEEPER):
        services.engagement_end(user=world.ent_staff_in, engagement=row, ending="returned", on=DAY)
    assert Engagement.objects.count() == 1 and not Disclosure.objects.exists()
    row.refresh_from_db()
    assert row.ended_on is None


@pytest.mark.django_db
def test_the_end_closes_it_and_the_dossier_names_the_disclosure(world, people: People, client, tmp_path):
    import subprocess

    point = propose(world.ent_admin_in, people.engineer)
    row = engagement(world)
    disclose(world, row, point, DAY)
    with refused_with(services.ENDS_TOO_EARLY):
        services.engagement_end(
            user=world.ent_admin_in, engagement=row, ending="returned", on=DAY - datetime.timedelta(days=1)
        )
    services.engagement_end(user=world.ent_admin_in, engagement=row, ending="destroyed", on=DAY, note="样机拆解销毁")
    with refused_with(services.ENGAGEMENT_ENDED):
        disclose(world, row, point, DAY)
    client.force_login(world.ent_admin_in)
    page = client.get(row.get_absolute_url()).content.decode()
    assert (
        "重庆精测检测有限公司" in page
        and "控制器样机一台及测试规程" in page
        and 'data-testid="disclose-form"' not in page
    )
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(client.get(reverse("protection:secret_point_dossier", args=[point.pk])).content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    # A table cell wraps its text: the pieces are there, in order.
    assert "重庆精测检测有限公司" in text and "控制器样机" in text and "已销毁" in text


@pytest.mark.django_db
def test_the_pages_post_through_the_services(world, people: People, client):
    point = propose(world.ent_admin_in, people.engineer)
    client.force_login(world.ent_admin_in)
    response = client.post(
        reverse("protection:engagement_create"),
        {"kind": "negotiation", "counterparty": "华东某投资基金", "purpose": "尽职调查", "starts_on": "2025-04-01",
         "agreement_signed_on": "2025-04-02"},
    )  # fmt: skip
    row = Engagement.objects.get(counterparty="华东某投资基金")
    assert response.status_code == 302 and row.recorded_by == world.ent_admin_in
    early = {"secret_point": point.pk, "what": "客户名单摘要", "approver": "赵总", "on": "2025-04-01"}
    client.post(reverse("protection:engagement_disclose", args=[row.pk]), early)
    assert not Disclosure.objects.exists()
    page = client.get(row.get_absolute_url())
    assert "2025-04-02" in page.content.decode()
    client.post(reverse("protection:engagement_disclose", args=[row.pk]), early | {"on": "2025-04-03"})
    assert Disclosure.objects.get().engagement == row
    export = client.get(reverse("protection:engagement_export"))
    assert export.status_code == 200
    # Staff of the same enterprise, other enterprises and the bureau: 404.
    for user in (world.ent_staff_in, world.ent_admin_out, world.regulator_in, world.admin):
        client.force_login(user)
        assert client.get(row.get_absolute_url()).status_code == 404
        assert (
            client.post(reverse("protection:engagement_end", args=[row.pk]), {"ending": "returned"}).status_code == 404
        )
