"""Transfers to a judicial organ (国务院令第310号): proposed, sent with its five attachments,
the receipt signed and the decision recorded by the receiving liaison, who alone on the
organ's side sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from shangmi.core.calendar import program_date
from shangmi.core.roles import Role
from shangmi.enforcement import services
from shangmi.enforcement.models import Case, Transfer
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from tests.conftest import make_user
from tests.enforcement.test_cases import open_case
from tests.refusals import refused_with

FIVE = [key for key, _label in Transfer.ATTACHMENTS]


@pytest.fixture
def loaded(db: Any) -> None:
    calendars_load()
    rules_load()


def test_a_case_is_transferred_and_the_police_liaison_signs_and_decides(world: Any, loaded: None, client: Any) -> None:
    case = open_case(world)
    client.force_login(world.regulator_in)
    client.post(
        reverse("enforcement:transfer_propose", args=[case.pk]),
        {"organ": "police", "receiver": world.judicial.pk, "reason": "损失数额达到三十万元"},
    )
    transfer = Transfer.objects.get()
    assert transfer.status == Transfer.Status.PROPOSED and (transfer.decide_by - transfer.proposed_on).days == 3
    # Four attachments are not enough.
    client.post(reverse("enforcement:transfer_send", args=[transfer.pk]), {"attachments": FIVE[:4]})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PROPOSED
    client.post(reverse("enforcement:transfer_send", args=[transfer.pk]), {"attachments": FIVE})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SENT and transfer.attachments == FIVE
    assert Case.objects.get().decision == Case.Decision.TRANSFER

    client.force_login(world.judicial)
    assert case.party in client.get(reverse("enforcement:transfer_list")).content.decode()
    assert client.get(case.get_absolute_url()).status_code == 404  # the transfer, not the case file
    client.post(reverse("enforcement:transfer_receipt", args=[transfer.pk]))
    client.post(reverse("enforcement:transfer_decide", args=[transfer.pk]), {"decision": "accept"})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED and transfer.received_at is not None
    assert (transfer.organ_decide_by - program_date(transfer.received_at)).days == 3


def test_another_organs_liaison_and_strangers_get_404(world: Any, loaded: None, client: Any) -> None:
    case = open_case(world)
    transfer = services.transfer_propose(
        user=world.regulator_in, case=case, organ="police", receiver=world.judicial, reason="达到追诉标准"
    )
    services.transfer_send(user=world.regulator_in, transfer=transfer, attachments=FIVE)
    court = make_user("court_liaison", Role.JUDICIAL_LIAISON, region=world.jiangbei)
    before = Transfer.objects.filter(pk=transfer.pk).values().get()
    for stranger in (court, world.regulator_out, world.ent_admin_in, world.officer_in):
        client.force_login(stranger)
        assert client.get(transfer.get_absolute_url()).status_code == 404
        for name in ("send", "receipt", "decide"):
            response = client.post(reverse(f"enforcement:transfer_{name}", args=[transfer.pk]), {"decision": "accept"})
            assert response.status_code == 404
        assert case.party not in client.get(reverse("enforcement:transfer_list")).content.decode()
    assert Transfer.objects.filter(pk=transfer.pk).values().get() == before
    # The bureau cannot sign the organ's receipt.
    with refused_with(services.TRANSFER_NOT_RECEIVER):
        services.transfer_receipt(user=world.regulator_in, transfer=transfer)


def test_a_refusal_needs_reasons_and_the_case_can_go_again(world: Any, loaded: None) -> None:
    case = open_case(world)
    with refused_with(services.TRANSFER_RECEIVER):
        services.transfer_propose(
            user=world.regulator_in, case=case, organ="police", receiver=world.officer_in, reason="x"
        )
    transfer = services.transfer_propose(
        user=world.regulator_in, case=case, organ="police", receiver=world.judicial, reason="合理怀疑"
    )
    with refused_with(services.TRANSFER_OPEN):
        services.transfer_propose(
            user=world.regulator_in, case=case, organ="court", receiver=world.judicial, reason="x"
        )
    services.transfer_send(user=world.regulator_in, transfer=transfer, attachments=FIVE)
    services.transfer_receipt(user=world.judicial, transfer=transfer)
    with refused_with(services.CLUE_REASON):
        services.transfer_organ_decide(user=world.judicial, transfer=transfer, accepted=False)
    transfer = services.transfer_organ_decide(
        user=world.judicial, transfer=transfer, accepted=False, reason="未达追诉标准"
    )
    assert transfer.status == Transfer.Status.REFUSED and transfer.organ_reason == "未达追诉标准"


def test_the_letter_of_transfer_renders_chinese(world: Any, loaded: None, client: Any, tmp_path: Any) -> None:
    import shutil
    import subprocess

    case = open_case(world)
    transfer = services.transfer_propose(
        user=world.regulator_in, case=case, organ="police", receiver=world.judicial, reason="损失数额达到三十万元"
    )
    client.force_login(world.judicial)
    response = client.get(reverse("enforcement:transfer_letter", args=[transfer.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    path = tmp_path / "letter.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    for expected in ("涉嫌犯罪案件移送书", "公安机关", "某精密模具有限公司", "损失数额达到三十万元", "涉案物品清单"):
        assert expected in text
    client.force_login(world.regulator_out)
    assert client.get(reverse("enforcement:transfer_letter", args=[transfer.pk])).status_code == 404
