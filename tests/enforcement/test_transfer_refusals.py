"""After a judicial organ refuses a transfer (国务院令第310号 art. 9): the bureau asks for
reconsideration within 3 days, the organ answers within 3 days, and a refusal upheld may go to
the procuratorate within 3 days; each step an append-only event with its deadline, late steps
refused. Cases sent by a judicial organ (returned, or for administrative handling, art. 13)
are recorded by the receiving bureau with the organ's documents and become clues."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.enforcement import services
from shangmi.enforcement.models import Clue, ClueEvent, IncomingCase, IncomingDocument, Transfer, TransferEvent
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from tests.enforcement.test_cases import open_case
from tests.refusals import refused_with

D = datetime.date
FIVE = [key for key, _label in Transfer.ATTACHMENTS]
LETTER = b"%PDF-1.4 police decision not to file"


@pytest.fixture
def loaded(db: Any, tmp_media: Any) -> None:
    calendars_load()
    rules_load()


def refused(world: Any, on: datetime.date) -> Transfer:
    case = open_case(world)
    transfer = services.transfer_propose(
        user=world.regulator_in, case=case, organ="police", receiver=world.judicial, reason="达到追诉标准"
    )
    services.transfer_send(user=world.regulator_in, transfer=transfer, attachments=FIVE)
    services.transfer_receipt(user=world.judicial, transfer=transfer)
    services.transfer_organ_decide(user=world.judicial, transfer=transfer, accepted=False, reason="损失未达标准")
    Transfer.objects.filter(pk=transfer.pk).update(organ_decided_on=on)  # the refusal dated for the test
    transfer.refresh_from_db()
    return transfer


def state(transfer: Transfer) -> tuple[Any, ...]:
    return (Transfer.objects.filter(pk=transfer.pk).values().get(), TransferEvent.objects.count())


def test_reconsideration_then_the_procuratorate(world: Any, loaded: None) -> None:
    transfer = refused(world, D(2026, 6, 1))
    before = state(transfer)
    with refused_with(services.TRANSFER_LATE):  # 3 days after the refusal: 4 June is too late
        services.transfer_reconsider(user=world.regulator_in, transfer=transfer, reason="鉴定意见已补充",
                                     today=D(2026, 6, 5))  # fmt: skip
    with refused_with(services.CLUE_REASON):
        services.transfer_reconsider(user=world.regulator_in, transfer=transfer, reason=" ", today=D(2026, 6, 4))
    with refused_with(services.TRANSFER_STATE):  # the organ answers only what was asked
        services.transfer_reconsider_answer(user=world.judicial, transfer=transfer, accepted=True,
                                            today=D(2026, 6, 4))  # fmt: skip
    assert state(transfer) == before
    services.transfer_reconsider(user=world.regulator_in, transfer=transfer, reason="鉴定意见已补充",
                                 today=D(2026, 6, 4))  # fmt: skip
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.RECONSIDERATION and transfer.step_due == D(2026, 6, 7)
    with refused_with(services.TRANSFER_NOT_RECEIVER):  # the bureau does not answer for the organ
        services.transfer_reconsider_answer(user=world.regulator_in, transfer=transfer, accepted=True)
    services.transfer_reconsider_answer(user=world.judicial, transfer=transfer, accepted=False,
                                        reason="维持不予立案", today=D(2026, 6, 6))  # fmt: skip
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.UPHELD and transfer.step_due == D(2026, 6, 9)
    before = state(transfer)
    with refused_with(services.TRANSFER_LATE):
        services.transfer_supervision(user=world.regulator_in, transfer=transfer, note="建议立案监督",
                                      today=D(2026, 6, 10))  # fmt: skip
    with refused_with(services.TRANSFER_STATE):  # the refusal was reconsidered once: not again
        services.transfer_reconsider(user=world.regulator_in, transfer=transfer, reason="x", today=D(2026, 6, 9))
    assert state(transfer) == before
    services.transfer_supervision(user=world.regulator_in, transfer=transfer, note="建议江北区人民检察院立案监督",
                                  today=D(2026, 6, 9))  # fmt: skip
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SUPERVISION and transfer.step_due is None
    events = list(transfer.events.values_list("kind", "on", "due"))
    assert events == [
        ("reconsideration", D(2026, 6, 4), D(2026, 6, 7)),
        ("answered", D(2026, 6, 6), D(2026, 6, 9)),
        ("supervision", D(2026, 6, 9), None),
    ]
    with pytest.raises(ValueError):
        transfer.events.first().save()  # type: ignore[union-attr]


def test_the_organ_files_the_case_on_reconsideration(world: Any, loaded: None) -> None:
    transfer = refused(world, D(2026, 6, 1))
    services.transfer_reconsider(user=world.regulator_in, transfer=transfer, reason="补充证据", today=D(2026, 6, 2))
    services.transfer_reconsider_answer(user=world.judicial, transfer=transfer, accepted=True, today=D(2026, 6, 3))
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED and transfer.step_due is None


def test_the_pages_of_the_steps(world: Any, loaded: None, client: Any) -> None:
    transfer = refused(world, D(2026, 6, 1))
    Transfer.objects.filter(pk=transfer.pk).update(organ_decided_on=program_today())
    client.force_login(world.regulator_in)
    page = client.get(transfer.get_absolute_url()).content.decode()
    assert 'data-testid="reconsider"' in page
    client.post(reverse("enforcement:transfer_reconsider", args=[transfer.pk]), {"reason": "鉴定意见已补充"})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.RECONSIDERATION
    for stranger in (world.regulator_out, world.officer_in, world.ent_admin_in):
        client.force_login(stranger)
        for name in ("transfer_reconsider", "transfer_answer", "transfer_supervision"):
            assert client.post(reverse(f"enforcement:{name}", args=[transfer.pk]), {"reason": "x"}).status_code == 404
    client.force_login(world.judicial)
    assert 'data-testid="answer"' in client.get(transfer.get_absolute_url()).content.decode()
    client.post(reverse("enforcement:transfer_answer", args=[transfer.pk]), {"decision": "refuse", "reason": "维持"})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.UPHELD
    client.force_login(world.regulator_in)
    page = client.get(transfer.get_absolute_url()).content.decode()
    assert 'data-testid="supervision"' in page and "维持" in page


# --- cases from judicial organs ----------------------------------------------------------------------


def incoming(world: Any, **kw: Any) -> services.IncomingInput:
    data = {
        "kind": IncomingCase.Kind.FOR_HANDLING, "organ": "police", "organ_name": "重庆市公安局江北区分局",
        "document_number": "江北公（经）移字〔2026〕7号", "received_on": D(2026, 6, 2), "party": "某模具公司",
        "summary": "不构成犯罪，建议依法给予行政处罚", "documents": [SimpleUploadedFile("移送函.pdf", LETTER)], **kw,
    }  # fmt: skip
    return services.IncomingInput(**data)


def counts() -> tuple[int, int, int]:
    return IncomingCase.objects.count(), IncomingDocument.objects.count(), Clue.objects.count()


def test_a_case_sent_for_administrative_handling_becomes_a_clue(world: Any, loaded: None) -> None:
    before = counts()
    with refused_with(services.INCOMING_DOCUMENTS):
        services.incoming_record(user=world.regulator_in, data=incoming(world, documents=[]))
    with refused_with(services.INCOMING_EMPTY):
        services.incoming_record(user=world.regulator_in, data=incoming(world, document_number=" "))
    with refused_with(services.INCOMING_DATE):
        services.incoming_record(user=world.regulator_in, data=incoming(world, received_on=D(2999, 1, 1)))
    with refused_with(services.UPLOAD_REFUSED):
        services.incoming_record(user=world.regulator_in,
                                 data=incoming(world, documents=[SimpleUploadedFile("a.pdf", b"MZ\x90")]))  # fmt: skip
    with refused_with(services.INCOMING_TRANSFER):  # a returned case names our transfer
        services.incoming_record(user=world.regulator_in, data=incoming(world, kind=IncomingCase.Kind.RETURNED))
    with refused_with(services.INCOMING_REGION):  # into another district
        services.incoming_record(user=world.regulator_in, data=incoming(world, region=world.jiangjin))
    assert counts() == before
    row = services.incoming_record(user=world.regulator_in, data=incoming(world))
    assert row.region == world.jiangbei and row.documents.get().original_name == "移送函.pdf"
    clue = row.clue
    assert clue.region == world.jiangbei and clue.against == "某模具公司" and clue.status == Clue.Status.RECEIVED
    assert clue.received_on == D(2026, 6, 2) and clue.screening_due == D(2026, 6, 24)  # 15 working days
    assert clue.events.get().kind == ClueEvent.Kind.FROM_ORGAN


def test_a_returned_transfer(world: Any, loaded: None) -> None:
    transfer = refused(world, D(2026, 6, 1))
    row = services.incoming_record(
        user=world.regulator_in, data=incoming(world, kind=IncomingCase.Kind.RETURNED, transfer=transfer)
    )
    assert list(transfer.returns.all()) == [row]


def test_incoming_pages_and_strangers(world: Any, loaded: None, client: Any) -> None:
    client.force_login(world.regulator_in)
    response = client.post(
        reverse("enforcement:incoming_create"),
        {"kind": "for_handling", "organ": "court", "organ_name": "江北区人民法院",
         "document_number": "（2026）渝0105刑初1号",
         "received_on": "2026-06-02", "party": "某模具公司", "summary": "免予刑事处罚，建议行政处罚",
         "documents": [SimpleUploadedFile("判决书.pdf", LETTER)]},
    )  # fmt: skip
    row = IncomingCase.objects.get()
    assert response.status_code == 302 and response["Location"] == row.get_absolute_url()
    page = client.get(row.get_absolute_url()).content.decode()
    document = row.documents.get()
    file_url = reverse("enforcement:incoming_file", args=[document.pk])
    assert "判决书.pdf" in page and file_url in page
    assert b"".join(client.get(file_url).streaming_content) == LETTER
    assert "江北区人民法院" in client.get(reverse("enforcement:incoming_list")).content.decode()
    # Missing documents: a clear message, nothing written.
    response = client.post(
        reverse("enforcement:incoming_create"),
        {"kind": "for_handling", "organ": "court", "organ_name": "x", "document_number": "y",
         "received_on": "2026-06-02", "party": "z", "summary": "w"}, follow=True,
    )  # fmt: skip
    assert IncomingCase.objects.count() == 1
    assert "请附上" in " ".join(str(m) for m in response.context["messages"])
    for stranger in (world.regulator_out, world.officer_in, world.ent_admin_in, world.judicial):
        client.force_login(stranger)
        assert client.get(row.get_absolute_url()).status_code == 404
        assert client.get(file_url).status_code == 404
        assert "江北区人民法院" not in client.get(reverse("enforcement:incoming_list")).content.decode()
