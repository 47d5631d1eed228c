"""Evidence files of a self-assessment: checked for type and size, hashed, kept with who
uploaded them and when. One file can back several items of the standard."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from shangmi.accounts.models import User
from shangmi.creation.models import Application, EvidenceFile
from shangmi.creation.services import CreationError, _require_editable
from shangmi.standards.models import Item

MAX_BYTES = 20 * 1024 * 1024

# Extension -> (content type, the bytes a real file of that kind starts with). The
# signature check stops an executable renamed to .pdf; office files are zip or OLE.
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".ofd": ("application/ofd", (ZIP,)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    ".doc": ("application/msword", (OLE,)),
    ".xls": ("application/vnd.ms-excel", (OLE,)),
}


def accepted_types() -> str:
    return ",".join(sorted(ALLOWED))


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Return (content type, sha256) or raise CreationError saying what is wrong."""
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise CreationError(
            _("%(name)s: files of this type are not accepted; use one of %(types)s.")
            % {"name": name, "types": " ".join(sorted(ALLOWED))}
        )
    if upload.size is None or upload.size == 0:
        raise CreationError(_("%(name)s is empty.") % {"name": name})
    if upload.size > MAX_BYTES:
        raise CreationError(
            _("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": MAX_BYTES // (1024 * 1024)}
        )
    content_type, signatures = ALLOWED[suffix]
    upload.seek(0)
    head = upload.read(8)
    if not any(head.startswith(sig) for sig in signatures):
        raise CreationError(_("%(name)s is not a real %(ext)s file.") % {"name": name, "ext": suffix})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


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
    evidence = EvidenceFile(
        application=application,
        original_name=PurePath(upload.name or "").name[:200],
        content_type=content_type,
        size=upload.size or 0,
        sha256=sha256,
        uploaded_by=user,
    )
    evidence.file.save(upload.name or "evidence", upload, save=True)
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
