"""The guidance ledger (指导台账): an officer records each guidance of an enterprise, on site,
with photos and files. Views, commands and tests all write through these functions.

Who may record: whoever the scope grants ADD on guidance visits (officers, regulators), and
only for enterprises they may see: an officer's are the ones assigned to them (liaison or
guidance officer), a regulator's those of their region. The scope of a visit alone would
not stop an officer recording for a stranger's enterprise (the visit is "theirs" as its
officer), so the enterprise is checked here, before anything is written.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shangmi.core import uploads
from shangmi.core.calendar import program_year, year_bounds
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, ensure_in_scope, may
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance.halfyear import half_bounds
from shangmi.ledgers.models import GuidanceVisit, VisitAttachment

MAX_BYTES = uploads.MAX_BYTES
MAX_FILES = 20
# A phone's clock and the server's may differ by a few minutes; a visit cannot be much later than now.
FUTURE_SLACK = datetime.timedelta(minutes=15)
EARLIEST_YEAR = 2000
THUMBNAIL_SIZE = 320

# Photos from a phone (HEIC included) and the usual documents.
ALLOWED = {suffix: uploads.ALL_KINDS[suffix] for suffix in (*uploads.IMAGES, *uploads.DOCUMENTS) if suffix != ".ofd"}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".heif")
FILE_SUFFIXES = tuple(s for s in ALLOWED if s not in IMAGE_SUFFIXES)

NOT_YOUR_ENTERPRISE = Message(
    "guidance.not_your_enterprise",
    gettext_lazy(
        "You can record guidance only for the enterprises assigned to you (or, for a bureau, in your region)."
    ),
)
MAY_NOT_RECORD = Message(
    "guidance.may_not_record",
    gettext_lazy("Only liaison and guidance officers and the bureaus record guidance visits."),
)
MAY_NOT_EDIT = Message(
    "guidance.may_not_edit",
    gettext_lazy("Only the officer who recorded this visit, or a bureau of its region, may change it."),
)
IN_THE_FUTURE = Message("guidance.in_the_future", gettext_lazy("The time of a visit cannot be in the future."))
TOO_EARLY = Message("guidance.too_early", gettext_lazy("Check the year of the visit."))
TOO_MANY_FILES = Message("guidance.too_many_files", gettext_lazy("At most %(count)d photos and files per visit."))
# core.uploads already says what is wrong with the file, in the reader's words.
FILE_REFUSED = Message("guidance.file_refused", "%(reason)s")


def accepted_images() -> str:
    return ",".join(("image/*", *IMAGE_SUFFIXES))


def accepted_files() -> str:
    return ",".join(ALLOWED)


# --- who may do what ----------------------------------------------------------------------------


def may_record(user: Any) -> bool:
    return may(user, ADD, GuidanceVisit)


def recordable_enterprises(user: Any) -> QuerySet[Enterprise]:
    """The enterprises ``user`` may record a guidance for (an officer: those assigned to them)."""
    if not may_record(user):
        return Enterprise.objects.none()
    return Enterprise.objects.restrict(user, VIEW)


def may_edit(user: Any, visit: GuidanceVisit) -> bool:
    """Its officer, or a bureau whose scope covers it. Another officer of the same enterprise
    may read the visit but not rewrite a colleague's record."""
    if not GuidanceVisit.objects.restrict(user, CHANGE).filter(pk=visit.pk).exists():
        return False
    return user.role != Role.OFFICER or visit.officer_id == user.pk


def visits_for(user: Any) -> QuerySet[GuidanceVisit]:
    return GuidanceVisit.objects.restrict(user, VIEW)


def filter_visits(
    visits: QuerySet[GuidanceVisit],
    *,
    enterprise_id: int | None = None,
    officer_id: int | None = None,
    year: int | None = None,
    half: int | None = None,
) -> QuerySet[GuidanceVisit]:
    """Narrow visits already restricted to the reader. Year and half are local (Shanghai) time."""
    if enterprise_id is not None:
        visits = visits.filter(enterprise_id=enterprise_id)
    if officer_id is not None:
        visits = visits.filter(officer_id=officer_id)
    if year is not None:
        start, end = half_bounds(year, half) if half is not None else year_bounds(year)
        visits = visits.filter(visited_at__gte=start, visited_at__lt=end)
    return visits


# --- uploads -----------------------------------------------------------------------------------


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Return (content type, SHA-256) or raise AppError saying what is wrong."""
    try:
        return uploads.check_upload(upload, ALLOWED, MAX_BYTES)
    except uploads.UploadError as exc:
        raise AppError(FILE_REFUSED, reason=str(exc)) from exc


def _checked(uploads: Sequence[UploadedFile], already: int = 0) -> list[tuple[UploadedFile, str, str]]:
    """Every upload checked before any is stored: one bad file refuses them all."""
    if already + len(uploads) > MAX_FILES:
        raise AppError(TOO_MANY_FILES, count=MAX_FILES)
    return [(upload, *check_upload(upload)) for upload in uploads]


def _store(user: Any, visit: GuidanceVisit, checked: list[tuple[UploadedFile, str, str]]) -> list[VisitAttachment]:
    return [
        uploads.store_upload(VisitAttachment(visit=visit, uploaded_by=user), upload, content_type, sha256)
        for upload, content_type, sha256 in checked
    ]


# --- writes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitInput:
    enterprise: Enterprise
    visited_at: datetime.datetime
    place: str
    bureau_participants: str
    enterprise_participants: str
    content: str
    issues: str = ""
    advice: str = ""

    def fields(self) -> dict[str, Any]:
        return {
            "enterprise": self.enterprise,
            "visited_at": self.visited_at,
            "place": self.place.strip(),
            "bureau_participants": self.bureau_participants.strip(),
            "enterprise_participants": self.enterprise_participants.strip(),
            "content": self.content.strip(),
            "issues": self.issues.strip(),
            "advice": self.advice.strip(),
        }


def _check_time(moment: datetime.datetime) -> None:
    if moment > timezone.now() + FUTURE_SLACK:
        raise AppError(IN_THE_FUTURE, field="visited_at")
    if program_year(moment) < EARLIEST_YEAR:
        raise AppError(TOO_EARLY, field="visited_at")


@transaction.atomic
def visit_record(*, user: Any, data: VisitInput, uploads: Sequence[UploadedFile] = ()) -> GuidanceVisit:
    """Record a guidance visit with its photos and files. Raises AppError; nothing is kept then."""
    if not may_record(user):
        raise AppError(MAY_NOT_RECORD)
    if not recordable_enterprises(user).filter(pk=data.enterprise.pk).exists():
        raise AppError(NOT_YOUR_ENTERPRISE, field="enterprise")
    _check_time(data.visited_at)
    checked = _checked(uploads)
    visit = GuidanceVisit(officer=user, created_by=user, **data.fields())
    visit.full_clean()
    visit._history_user = user  # type: ignore[attr-defined]
    visit.save()
    _store(user, visit, checked)
    ensure_in_scope(visit, user, ADD)
    return visit


@transaction.atomic
def visit_update(
    *, user: Any, visit: GuidanceVisit, data: VisitInput, uploads: Sequence[UploadedFile] = ()
) -> GuidanceVisit:
    """Change a visit (its officer or a bureau) and add photos and files to it."""
    if not may_edit(user, visit):
        raise AppError(MAY_NOT_EDIT)
    if (
        data.enterprise.pk != visit.enterprise_id
        and not recordable_enterprises(user).filter(pk=data.enterprise.pk).exists()
    ):
        raise AppError(NOT_YOUR_ENTERPRISE, field="enterprise")
    _check_time(data.visited_at)
    checked = _checked(uploads, already=visit.attachments.count())
    for name, value in data.fields().items():
        setattr(visit, name, value)
    visit.full_clean()
    visit._history_user = user  # type: ignore[attr-defined]
    visit.save()
    _store(user, visit, checked)
    ensure_in_scope(visit, user, CHANGE)
    return visit


@transaction.atomic
def attachment_remove(*, user: Any, attachment: VisitAttachment) -> None:
    if not may_edit(user, attachment.visit):
        raise AppError(MAY_NOT_EDIT)
    attachment.file.delete(save=False)
    attachment.delete()


# --- thumbnails --------------------------------------------------------------------------------


def thumbnail(attachment: VisitAttachment, size: int = THUMBNAIL_SIZE) -> bytes | None:
    """A small JPEG of a photo, or None when there is none to make (HEIC, a damaged file).

    Made on request rather than stored: the model keeps one file per attachment, and JPEG's
    draft mode decodes a phone photo at 1/8 scale, which takes milliseconds.
    """
    if attachment.content_type not in ("image/jpeg", "image/png"):
        return None
    from PIL import Image, ImageOps

    try:
        with attachment.file.open("rb") as handle:
            # Pixels counted from the header first: a stored decompression bomb gets the icon.
            image = uploads.open_image(handle, attachment.content_type)
            if image is None:
                return None
            image.draft("RGB", (size, size))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((size, size))
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


__all__ = [
    "ALLOWED",
    "MAX_BYTES",
    "MAX_FILES",
    "VisitInput",
    "accepted_files",
    "accepted_images",
    "attachment_remove",
    "check_upload",
    "filter_visits",
    "may_edit",
    "may_record",
    "recordable_enterprises",
    "thumbnail",
    "visit_record",
    "visit_update",
    "visits_for",
]
