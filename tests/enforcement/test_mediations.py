"""Disputes resolved by mediation, arbitration or a court: recorded with their outcome; bad
input refused; scoped like the enterprise."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.enforcement import services
from shangmi.enforcement.models import Mediation
from shangmi.enforcement.services import MediationInput
from tests.refusals import refused_with


def test_a_dispute_is_recorded_and_read_in_scope(world: Any, client: Any) -> None:
    client.force_login(world.officer_in)
    response = client.post(
        reverse("enforcement:mediation_create"),
        {"enterprise": world.ent_in.pk, "route": "mediation", "counterparty": "前员工王某", "outcome": "settled",
         "concluded_on": "2026-05-20"},
    )  # fmt: skip
    assert response.status_code == 302
    row = Mediation.objects.get()
    assert row.region == world.jiangbei and row.recorded_by == world.officer_in
    client.force_login(world.ent_admin_in)
    assert "前员工王某" in client.get(reverse("enforcement:mediation_list")).content.decode()
    for stranger in (world.ent_admin_out, world.regulator_out, world.officer_out):
        client.force_login(stranger)
        assert "前员工王某" not in client.get(reverse("enforcement:mediation_list")).content.decode()


def test_bad_input_changes_nothing(world: Any, client: Any) -> None:
    future = program_today() + datetime.timedelta(days=3)
    with refused_with(services.MEDIATION_FUTURE):
        data = MediationInput(
            enterprise=world.ent_in, route="court", counterparty="某公司", outcome="settled", concluded_on=future
        )
        services.mediation_record(user=world.regulator_in, data=data)
    with refused_with(services.MEDIATION_PENDING):
        services.mediation_record(user=world.regulator_in, data=MediationInput(
            enterprise=world.ent_in, route="court", counterparty="某公司", outcome="settled"))  # fmt: skip
    with refused_with(services.DEMAND_ENTERPRISE):
        services.mediation_record(user=world.regulator_in, data=MediationInput(
            enterprise=world.ent_out, route="court", counterparty="某公司"))  # fmt: skip
    client.force_login(world.regulator_in)
    client.post(reverse("enforcement:mediation_create"), {"enterprise": world.ent_in.pk, "route": "court",
                "counterparty": "某公司", "outcome": "settled", "concluded_on": "not a date"})  # fmt: skip
    assert not Mediation.objects.exists()
