"""Evidence items carry files: checked by their bytes as every upload is (an executable named
.pdf, an oversized file and a missing file are refused and change nothing), stored under a
name that carries no user input, served only to those who read the case; a stranger gets 404."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.enforcement import procedure, services
from shangmi.enforcement.models import Case, CaseEvent, EvidenceAttachment, EvidenceItem
from shangmi.enforcement.procedure import EvidenceInput
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from tests.enforcement.steps import new_case
from tests.refusals import refused_with

D = datetime.date
PDF = b"%PDF-1.4 scanned labour contract"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def loaded(db: Any, tmp_media: Any) -> None:
    calendars_load()
    rules_load()


def shown(response: Any) -> str:
    """The messages the page shows (in the reader's language: Chinese here)."""
    return " ".join(str(m) for m in response.context["messages"])


def counts(case: Case) -> tuple[int, int, int]:
    return (
        EvidenceItem.objects.filter(case=case).count(),
        EvidenceAttachment.objects.filter(item__case=case).count(),
        CaseEvent.objects.filter(case=case).count(),
    )


def add(world: Any, case: Case, files: list[Any]) -> EvidenceItem:
    today = D(2026, 5, 21)
    data = EvidenceInput(kind="documentary", title="劳动合同及保密协议", source="权利人提供", obtained_on=today,
                         files=files)  # fmt: skip
    return procedure.evidence_add(user=world.officer_in, case=case, data=data, today=today)


def test_an_item_recorded_with_its_files(world: Any, loaded: None, tmp_media: Path) -> None:
    case = new_case(world)
    item = add(world, case, [SimpleUploadedFile("保密协议扫描件.pdf", PDF), SimpleUploadedFile("现场照片.png", PNG)])
    files = list(item.files.order_by("pk"))
    assert [(f.original_name, f.content_type, f.size) for f in files] == [
        ("保密协议扫描件.pdf", "application/pdf", len(PDF)),
        ("现场照片.png", "image/png", len(PNG)),
    ]
    import hashlib

    assert files[0].sha256 == hashlib.sha256(PDF).hexdigest()
    # Stored under a generated name: the user's name is nowhere in the path.
    assert "保密协议" not in files[0].file.name and Path(files[0].file.path).read_bytes() == PDF
    event = case.events.get(kind=CaseEvent.Kind.EVIDENCE)
    assert "保密协议扫描件.pdf" in event.note and "现场照片.png" in event.note
    with pytest.raises(ValueError):
        files[0].save()  # part of the case file: never rewritten


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 an executable named .pdf"),
        SimpleUploadedFile("脚本.html", b"<script>alert(1)</script>"),
        SimpleUploadedFile("空.pdf", b""),
    ],
)
def test_hostile_files_are_refused_and_change_nothing(world: Any, loaded: None, upload: Any) -> None:
    case = new_case(world)
    before = counts(case)
    with refused_with(services.UPLOAD_REFUSED):
        add(world, case, [SimpleUploadedFile("好的.pdf", PDF), upload])
    assert counts(case) == before  # not even the good file, nor the item


def test_too_many_files_are_refused(world: Any, loaded: None) -> None:
    case = new_case(world)
    before = counts(case)
    with refused_with(services.TOO_MANY_FILES):
        add(world, case, [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(services.MAX_FILES + 1)])
    assert counts(case) == before


def test_files_added_later_to_an_item(world: Any, loaded: None) -> None:
    case = new_case(world)
    item = add(world, case, [])
    other = new_case(world, n=1)
    foreign = add(world, other, [])
    before = counts(case)
    with refused_with(procedure.EVIDENCE_FILE_MISSING):
        procedure.evidence_attach(user=world.officer_in, case=case, item=item, files=[])
    with refused_with(procedure.EVIDENCE_ITEM):  # an item of another case
        procedure.evidence_attach(user=world.officer_in, case=case, item=foreign,
                                  files=[SimpleUploadedFile("a.pdf", PDF)])  # fmt: skip
    with refused_with(procedure.CASE_NOT_YOURS):  # the other district's officer
        procedure.evidence_attach(user=world.officer_out, case=case, item=item,
                                  files=[SimpleUploadedFile("a.pdf", PDF)])  # fmt: skip
    assert counts(case) == before
    [added] = procedure.evidence_attach(
        user=world.officer_in, case=case, item=item, files=[SimpleUploadedFile("补充扫描.pdf", PDF)]
    )
    assert added.item == item and added.uploaded_by == world.officer_in
    assert case.events.filter(kind=CaseEvent.Kind.EVIDENCE_FILE, note__contains="补充扫描.pdf").exists()
    # After the investigation no file is added.
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.REVIEW)
    before = counts(case)
    with refused_with(procedure.CASE_ORDER):
        procedure.evidence_attach(user=world.officer_in, case=case, item=item,
                                  files=[SimpleUploadedFile("迟到.pdf", PDF)])  # fmt: skip
    assert counts(case) == before


def test_the_file_is_served_through_the_case_scope(world: Any, loaded: None, client: Any) -> None:
    case = new_case(world)
    item = add(world, case, [SimpleUploadedFile("保密协议扫描件.pdf", PDF)])
    stored = item.files.get()
    url = reverse("enforcement:case_evidence_file", args=[stored.pk])
    for reader in (world.officer_in, world.regulator_in, world.city_regulator):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200, reader
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
    for stranger in (world.regulator_out, world.officer_out, world.ent_admin_in, world.judicial):
        client.force_login(stranger)
        assert client.get(url).status_code == 404, stranger
    # The case page links the file for its readers.
    client.force_login(world.officer_in)
    page = client.get(case.get_absolute_url()).content.decode()
    assert url in page and "保密协议扫描件.pdf" in page


def test_the_case_page_records_evidence_with_files(world: Any, loaded: None, client: Any) -> None:
    case = new_case(world)
    client.force_login(world.officer_in)
    today = program_today()
    response = client.post(
        reverse("enforcement:case_evidence", args=[case.pk]),
        {"kind": "physical", "title": "涉案图纸", "source": "当事人车间", "obtained_on": today.isoformat(),
         "files": [SimpleUploadedFile("图纸.pdf", PDF)]},
    )  # fmt: skip
    assert response.status_code == 302
    item = case.evidence.get()
    assert [f.original_name for f in item.files.all()] == ["图纸.pdf"]
    # A bad file: a clear message, nothing changed.
    before = counts(case)
    response = client.post(
        reverse("enforcement:case_evidence_attach", args=[case.pk]),
        {"item": item.pk, "files": [SimpleUploadedFile("x.pdf", b"MZ\x90")]},
        follow=True,
    )
    assert counts(case) == before
    assert "文件未被接受" in shown(response)
    response = client.post(reverse("enforcement:case_evidence_attach", args=[case.pk]), {"item": item.pk}, follow=True)
    assert counts(case) == before
    assert "选择要加入证据的文件" in shown(response)
    client.post(
        reverse("enforcement:case_evidence_attach", args=[case.pk]),
        {"item": item.pk, "files": [SimpleUploadedFile("补充.png", PNG)]},
    )
    assert sorted(f.original_name for f in item.files.all()) == ["图纸.pdf", "补充.png"]
