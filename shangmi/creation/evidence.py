"""Evidence files of a self-assessment: checked for type and size, hashed, kept with who
uploaded them and when. One file can back several items of the standard."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from shangmi.accounts.models import User
from shangmi.core import uploads
from shangmi.core.filetypes import DOCUMENTS_AND_PHOTOS, documents_and_photos_accept
from shangmi.creation.errors import CreationError
from shangmi.creation.models import Application, EvidenceFile
from shangmi.creation.services import _require_editable
from shangmi.standards.models import Item

MAX_BYTES = uploads.MAX_BYTES
ALLOWED = DOCUMENTS_AND_PHOTOS


def accepted_types() -> str:
    return documents_and_photos_accept()


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Return (content type, sha256) or raise CreationError saying what is wrong."""
    try:
        return uploads.check_upload(upload, ALLOWED, MAX_BYTES)
    except uploads.UploadError as exc:
        raise CreationError(str(exc)) from exc


def _items(application: Application, codes: Iterable[str]) -> list[Item]:
    codes = {c.strip() for c in codes if c and c.strip()}
    items = list(Item.objects.filter(standard_id=application.standard_id, code__in=codes))
    unknown = codes - {i.code for i in items}
    if unknown:
        raise CreationError(
            _("The standard of this application has no item %(code)s.") % {"code": ", ".join(sorted(unknown))}
        )
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
        raise CreationError(_("Evidence a reviewer has seen is kept; unlink it from the items instead."))
    evidence.file.delete(save=False)
    evidence.delete()
