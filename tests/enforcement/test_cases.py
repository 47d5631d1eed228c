"""Cases: opening with the four conditions and two investigators, the 90-day limit with a
suspension and extensions (art. 64), the fine by the law in force on the date of the act, and
the criminal-transfer threshold (299,999 / 300,000; 100,000 after a prior penalty)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from shangmi.enforcement import procedure, services
from shangmi.enforcement.models import Case, Clue
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.services import CaseOpening
from shangmi.enforcement.workdays import calendars_load
from tests.enforcement.steps import noticed
from tests.refusals import refused_with

D = datetime.date
ALL_HOLD = (True, True, True, True)


@pytest.fixture
def loaded(db: Any, tmp_media: Any) -> None:
    calendars_load()
    rules_load()


def opened_clue(world: Any) -> Clue:
    return Clue.objects.create(
        region=world.jiangbei, tracking_hash="c" * 64, against="某精密模具有限公司", description="图纸",
        received_on=D(2026, 5, 6), status=Clue.Status.OPENED, decided_on=D(2026, 5, 20),
    )  # fmt: skip


def open_case(world: Any, **extra: Any) -> Case:
    data = CaseOpening(party="某精密模具有限公司", act_date=D(2026, 3, 1),
                       officers=[world.regulator_in, world.officer_in], conditions=ALL_HOLD, **extra)  # fmt: skip
    return services.case_open(user=world.regulator_in, clue=opened_clue(world), data=data)


def test_opening_needs_the_four_conditions_and_two_investigators(world: Any, loaded: None) -> None:
    clue = opened_clue(world)
    base = {"party": "某公司", "act_date": D(2026, 3, 1), "officers": [world.regulator_in, world.officer_in]}
    with refused_with(services.CASE_CONDITIONS):
        services.case_open(
            user=world.regulator_in, clue=clue, data=CaseOpening(conditions=(True, True, False, True), **base)
        )
    with refused_with(services.CASE_OFFICERS):
        services.case_open(
            user=world.regulator_in, clue=clue,
            data=CaseOpening(**{**base, "officers": [world.regulator_in, world.officer_out]}, conditions=ALL_HOLD),
        )  # fmt: skip
    assert not Case.objects.exists()
    case = services.case_open(user=world.regulator_in, clue=clue, data=CaseOpening(conditions=ALL_HOLD, **base))
    assert set(case.officers.all()) == {world.regulator_in, world.officer_in}
    with refused_with(services.CASE_CLUE):
        services.case_open(user=world.regulator_in, clue=clue, data=CaseOpening(conditions=ALL_HOLD, **base))


def test_the_90_day_limit_with_a_suspension_and_extensions(world: Any, loaded: None) -> None:
    case = open_case(world)
    Case.objects.filter(pk=case.pk).update(opened_on=D(2026, 6, 1))
    case = services.case_suspend(user=world.regulator_in, case=case, reason="委托鉴定", today=D(2026, 7, 1))
    assert case.status == Case.Status.SUSPENDED
    case = services.case_resume(user=world.regulator_in, case=case, today=D(2026, 7, 11))
    # 90 days + the 10 the clock stood, from 1 June: Wednesday 9 September.
    assert case.decision_due == D(2026, 9, 9) and case.stopped_days == 10
    case = services.case_extend(user=world.regulator_in, case=case, reason="负责人批准")
    assert case.decision_due == D(2026, 10, 9)  # +30 days
    with refused_with(services.CASE_EXTENDED):
        services.case_extend(user=world.regulator_in, case=case, reason="again")
    with refused_with(services.CASE_PERIOD):
        services.case_extend(user=world.regulator_in, case=case, reason="集体讨论", collective_days=0)
    case = services.case_extend(user=world.regulator_in, case=case, reason="负责人集体讨论", collective_days=20)
    assert case.decision_due == D(2026, 10, 29)
    assert [e.kind for e in case.events.all()] == ["opened", "suspended", "resumed", "extended", "extended"]


def test_a_limit_ending_on_a_holiday_moves_and_a_missing_year_is_not_counted(world: Any, loaded: None) -> None:
    case = open_case(world)
    Case.objects.filter(pk=case.pk).update(opened_on=D(2026, 6, 1))
    case = services.case_resume(
        user=world.regulator_in,
        case=services.case_suspend(user=world.regulator_in, case=case, reason="听证", today=D(2026, 7, 1)),
        today=D(2026, 8, 2),
    )
    # 90 + 32 days from 1 June end on 1 October, National Day: moved to Thursday 8 October.
    assert case.decision_due == D(2026, 10, 8)
    Case.objects.filter(pk=case.pk).update(opened_on=D(2026, 12, 1))
    case = services.case_extend(user=world.regulator_in, case=case, reason="负责人批准")
    assert case.decision_due is None and case.due_missing_year == 2027


def test_the_transfer_threshold(world: Any, loaded: None) -> None:
    case = open_case(world, loss_amount=Decimal("299999.99"))
    assert not services.case_proposes_transfer(case)
    case.loss_amount = Decimal("300000")
    assert services.case_proposes_transfer(case)
    case.loss_amount, case.prior_penalty = Decimal("100000"), True
    assert services.case_proposes_transfer(case)
    case.loss_amount = Decimal("99999")
    assert not services.case_proposes_transfer(case)


def test_the_fine_follows_the_law_on_the_date_of_the_act(world: Any, loaded: None) -> None:
    # Act of 1 March 2026: the 2025 law (serious: 1,000,000 to 5,000,000). The decision comes
    # after the review and the notice's window (tests/enforcement/test_procedure.py walks them).
    case = noticed(world, open_case(world), today=D(2026, 6, 1), fine=Decimal(1500000), serious=True)
    decide = {"user": world.regulator_in, "case": case, "decision": "penalty", "today": D(2026, 6, 9)}
    with refused_with(procedure.CASE_FINE):
        procedure.case_decide(**decide, fine=Decimal(600000), serious=True)
    with refused_with(procedure.CASE_FINE):
        procedure.case_decide(**decide, fine=None)
    case = procedure.case_decide(**decide, fine=Decimal(1200000), serious=True)
    assert case.status == Case.Status.DECIDED and case.fine == Decimal(1200000)
    with refused_with(services.CASE_DECIDED):
        services.case_suspend(user=world.regulator_in, case=case, reason="x")


def test_who_sees_a_case(world: Any, loaded: None, client: Any) -> None:
    case = open_case(world)
    for insider in (world.regulator_in, world.officer_in, world.city_regulator):
        client.force_login(insider)
        assert client.get(case.get_absolute_url()).status_code == 200
    before = Case.objects.filter(pk=case.pk).values().get()
    for stranger in (
        world.regulator_out,
        world.officer_out,
        world.ent_admin_in,
        world.judicial,
        world.park_operator_in,
    ):
        client.force_login(stranger)
        assert client.get(case.get_absolute_url()).status_code == 404
        for name in ("suspend", "resume", "extend", "decide"):
            response = client.post(
                reverse(f"enforcement:case_{name}", args=[case.pk]), {"reason": "x", "decision": "no_penalty"}
            )
            assert response.status_code == 404
    client.force_login(world.officer_in)  # an investigator reads; the bureau's head decides
    assert (
        client.post(reverse("enforcement:case_decide", args=[case.pk]), {"decision": "no_penalty"}).status_code == 404
    )
    assert Case.objects.filter(pk=case.pk).values().get() == before


def test_the_bureau_opens_a_case_from_the_clue_page(world: Any, loaded: None, client: Any) -> None:
    clue = opened_clue(world)
    client.force_login(world.regulator_in)
    page = client.get(clue.get_absolute_url()).content.decode()
    assert 'data-testid="open-case"' in page and world.officer_in.display_name in page
    form = {
        "party": "某精密模具有限公司",
        "act_date": "2026-03-01",
        "officers": [world.regulator_in.pk, world.officer_in.pk],
        **{f"condition_{n}": "on" for n in range(1, 5)},
    }
    # An amount that is not a number, or a missing condition: a message, and nothing written.
    client.post(reverse("enforcement:case_open", args=[clue.pk]), {**form, "condition_3": ""})
    assert not Case.objects.exists()
    response = client.post(reverse("enforcement:case_open", args=[clue.pk]), {**form, "loss_amount": "350,000"})
    case = Case.objects.get()
    assert response.url == case.get_absolute_url() and case.loss_amount == Decimal(350000)
    assert 'data-testid="transfer"' in client.get(case.get_absolute_url()).content.decode()
    # The decision comes after the report, the review and the notice (served long enough ago).
    case = noticed(world, case, today=D(2026, 6, 1), fine=Decimal(150000))
    client.post(reverse("enforcement:case_decide", args=[case.pk]), {"decision": "penalty", "fine": "十万"})
    case.refresh_from_db()
    assert case.status == Case.Status.INVESTIGATING  # "十万" is not a number: refused
    client.post(reverse("enforcement:case_decide", args=[case.pk]), {"decision": "penalty", "fine": "150000"})
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED and case.fine == Decimal(150000)
