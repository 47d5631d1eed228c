"""Evidence files of a self-assessment: checked for type and size, hashed, kept with who
uploaded them and when. One file can back several items of the standard."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy

from shangmi.accounts.models import User
from shangmi.core import uploads
from shangmi.core.errors import AppError, Message
from shangmi.core.filetypes import DOCUMENTS_AND_PHOTOS, documents_and_photos_accept
from shangmi.creation.models import Application, EvidenceFile
from shangmi.creation.services import UNKNOWN_ITEM, _require_editable
from shangmi.standards.models import Item

MAX_BYTES = uploads.MAX_BYTES
ALLOWED = DOCUMENTS_AND_PHOTOS

EVIDENCE_KEPT = Message(
    "creation.evidence_kept", gettext_lazy("Evidence a reviewer has seen is kept; unlink it from the items instead.")
)
# core.uploads already says what is wrong with the file, in the reader's words.
FILE_REFUSED = Message("creation.file_refused", "%(reason)s")


def accepted_types() -> str:
    return documents_and_photos_accept()


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Return (content type, sha256) or raise AppError saying what is wrong."""
    try:
        return uploads.check_upload(upload, ALLOWED, MAX_BYTES)
    except uploads.UploadError as exc:
        raise AppError(FILE_REFUSED, field="file", reason=str(exc)) from exc


def _items(application: Application, codes: Iterable[str]) -> list[Item]:
    codes = {c.strip() for c in codes if c and c.strip()}
    items = list(Item.objects.filter(standard_id=application.standard_id, code__in=codes))
    unknown = codes - {i.code for i in items}
    if unknown:
        raise AppError(UNKNOWN_ITEM, field="items", code=", ".join(sorted(unknown)))
    return items


@transaction.atomic
def evidence_add(user: User, application: Application, upload: UploadedFile, item_codes: Iterable[str]) -> EvidenceFile:
    _require_editable(user, application)
    items = _items(application, item_codes)
    content_type, sha256 = check_upload(upload)
    evidence = uploads.store_upload(
        EvidenceFile(application=application, uploaded_by=user), upload, content_type, sha256
    )
    evidence.items.set(items)
    return evidence


def evidence_link(user: User, evidence: EvidenceFile, item_codes: Iterable[str]) -> None:
    _require_editable(user, evidence.application)
    evidence.items.set(_items(evidence.application, item_codes))


def evidence_remove(user: User, evidence: EvidenceFile) -> None:
    _require_editable(user, evidence.application)
    if evidence.application.submitted_at is not None:
        # A reviewer may have relied on it: it stays on the record, only its links can change.
        raise AppError(EVIDENCE_KEPT)
    evidence.file.delete(save=False)
    evidence.delete()
