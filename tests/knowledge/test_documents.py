"""Guides and templates: versions checked on upload, immutable once published, superseded by the next."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shangmi.core.errors import AppError
from shangmi.knowledge import services
from shangmi.knowledge.models import VERSION_IMMUTABLE, DocumentVersion, GuideDocument
from tests.refusals import refused_with

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a template\n"


def _document(world: Any) -> GuideDocument:
    return services.document_create(
        user=world.regulator_in, title="保密协议示范文本", kind=GuideDocument.Kind.NDA_TEMPLATE
    )


def test_a_new_version_supersedes_the_published_one_which_never_changes(world: Any, tmp_media: Any) -> None:
    document = _document(world)
    first = services.document_publish_version(
        user=world.regulator_in, document=document, upload=SimpleUploadedFile("保密协议.pdf", PDF)
    )
    second = services.document_publish_version(
        user=world.regulator_in,
        document=document,
        upload=SimpleUploadedFile("保密协议-2026.pdf", PDF + b"v2"),
        note="增加离职交接条款",
    )
    assert (first.number, second.number) == (1, 2)
    assert document.versions.order_by("-number").first() == second
    first.refresh_from_db()
    assert first.file.read() == PDF and first.original_name == "保密协议.pdf"
    assert "保密协议" not in first.file.name  # the stored name carries nothing of the upload's
    first.note = "改写"
    with refused_with(VERSION_IMMUTABLE):
        first.save()
    assert DocumentVersion.objects.get(pk=first.pk).note == ""


def test_a_hostile_or_foreign_upload_changes_nothing(world: Any, tmp_media: Any) -> None:
    document = _document(world)
    with refused_with(services.UPLOAD_REFUSED) as refusal:
        services.document_publish_version(
            user=world.regulator_in, document=document, upload=SimpleUploadedFile("模板.pdf", b"MZ\x90\x00 not a pdf")
        )
    assert "模板.pdf" in str(refusal.value)
    with refused_with(services.UPLOAD_REFUSED):
        services.document_publish_version(
            user=world.regulator_in, document=document, upload=SimpleUploadedFile("run.exe", b"MZ")
        )
    with refused_with(services.NOT_YOURS):
        services.document_publish_version(
            user=world.regulator_out, document=document, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    with pytest.raises(AppError):
        services.document_create(user=world.ent_admin_in, title="x", kind=GuideDocument.Kind.WORK_GUIDE)
    assert not DocumentVersion.objects.exists()


def test_enterprises_download_and_only_the_bureau_publishes(world: Any, client: Any, tmp_media: Any) -> None:
    document = _document(world)
    client.force_login(world.regulator_in)
    response = client.post(
        reverse("knowledge:document_publish", args=[document.pk]),
        {"file": SimpleUploadedFile("竞业限制协议.docx", b"PK\x03\x04 docx"), "note": "首版"},
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get(document=document)
    bad = client.post(
        reverse("knowledge:document_publish", args=[document.pk]), {"file": SimpleUploadedFile("x.docx", b"nope")}
    )
    assert bad.status_code == 400 and "x.docx" in bad.content.decode()
    assert DocumentVersion.objects.filter(document=document).count() == 1
    for reader in (world.ent_admin_out, world.ent_staff_in):
        client.force_login(reader)
        download = client.get(reverse("knowledge:version_download", args=[version.pk]))
        assert download.status_code == 200 and b"".join(download.streaming_content) == b"PK\x03\x04 docx"
        assert client.post(reverse("knowledge:document_publish", args=[document.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("knowledge:version_download", args=[version.pk])).status_code == 302
