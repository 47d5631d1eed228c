"""Writes of the enforcement app: keyword-only, typed user, each step an append-only event.

A refusal is an AppError with one of the messages below; the views turn it into a form error
(save_through) or a message (refusals_as_messages). Every written row is re-checked against the
writer's scope inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core import uploads
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, ensure_in_scope, is_platform_admin, restricted
from shangmi.enforcement import rules
from shangmi.enforcement.models import Demand, DemandAttachment, DemandEvent
from shangmi.enforcement.workdays import deadline
from shangmi.enterprises.models import Enterprise

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
BUREAU_ROLES = (Role.REGULATOR, Role.OFFICER)

DEMAND_ENTERPRISE = Message("demand.enterprise", _("Choose an enterprise you serve."))
DEMAND_EMPTY = Message("demand.empty", _("Say what the demand is about."))
DEMAND_NOT_BUREAU = Message("demand.not_bureau", _("Only the bureau handles a demand."))
DEMAND_HANDLER = Message(
    "demand.handler", _("%(name)s cannot handle this demand: choose an officer or regulator of its district.")
)
DEMAND_CLOSED = Message("demand.closed", _("This demand is already answered."))
DEMAND_ANSWER_EMPTY = Message("demand.answer_empty", _("Write the answer."))
DEMAND_NOT_ANSWERED = Message("demand.not_answered", _("A demand can be rated once it is answered."))
DEMAND_RATE_OWN = Message("demand.rate_own", _("Only the enterprise that filed the demand rates its answer."))
DEMAND_RATING = Message("demand.rating", _("A rating is a whole number from 1 to 5."))
UPLOAD_REFUSED = Message("enforcement.upload", _("The file was refused: %(reason)s"))
TOO_MANY_FILES = Message("enforcement.too_many_files", _("At most %(limit)d files at once."))
NOTE_EMPTY = Message("enforcement.note_empty", _("Write the note."))


def is_bureau(user: Any) -> bool:
    return bool(is_platform_admin(user) or getattr(user, "role", None) in BUREAU_ROLES)


def checked_uploads(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """Every file checked (type by its bytes, size) before anything is written."""
    if len(files) > MAX_FILES:
        raise AppError(TOO_MANY_FILES, field="attachments", limit=MAX_FILES)
    checked = []
    for upload in files:
        try:
            checked.append((upload, *uploads.check_upload(upload, uploads.ALL_KINDS, MAX_BYTES)))
        except uploads.UploadError as exc:
            raise AppError(UPLOAD_REFUSED, field="attachments", reason=str(exc)) from exc
    return checked


@dataclass(frozen=True)
class DemandInput:
    kind: str
    title: str
    description: str
    channel: str = Demand.Channel.ONLINE
    enterprise: Enterprise | None = None  # the bureau's choice; an enterprise files for itself


def demand_enterprises(user: User) -> Any:
    """The enterprises for which ``user`` may record a demand."""
    if user.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF) and user.enterprise_id is not None:
        return Enterprise.objects.filter(pk=user.enterprise_id)
    if is_bureau(user):
        return restricted(Enterprise, user, VIEW)
    return Enterprise.objects.none()


def demand_file(*, user: User, data: DemandInput, files: Sequence[UploadedFile] = ()) -> Demand:
    if not data.title.strip() or not data.description.strip():
        raise AppError(DEMAND_EMPTY, field="description")
    enterprise = user.enterprise if user.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF) else data.enterprise
    if enterprise is None or not demand_enterprises(user).filter(pk=enterprise.pk).exists():
        raise AppError(DEMAND_ENTERPRISE, field="enterprise")
    checked = checked_uploads(files)
    today = program_today()
    due = deadline(today, rules.period("demand.response", today))
    channel = data.channel if is_bureau(user) else Demand.Channel.ONLINE
    with transaction.atomic():
        demand = Demand.objects.create(
            enterprise=enterprise,
            region=enterprise.region,
            kind=data.kind,
            channel=channel,
            title=data.title.strip(),
            description=data.description.strip(),
            filed_by=user,
            filed_on=today,
            due_on=due.on,
            due_missing_year=due.missing_year,
        )
        ensure_in_scope(demand, user, ADD)
        DemandEvent.objects.create(demand=demand, kind=DemandEvent.Kind.FILED, actor=user)
        _attach(demand, user, checked)
    return demand


def _attach(demand: Demand, user: User, checked: list[tuple[UploadedFile, str, str]]) -> None:
    for upload, content_type, sha256 in checked:
        stored = uploads.store_upload(DemandAttachment(demand=demand, uploaded_by=user), upload, content_type, sha256)
        DemandEvent.objects.create(demand=demand, kind=DemandEvent.Kind.ATTACHED, actor=user, note=stored.original_name)


def demand_attach(*, user: User, demand: Demand, files: Sequence[UploadedFile]) -> list[DemandAttachment]:
    if not files:
        raise AppError(UPLOAD_REFUSED, field="attachments", reason=_("Choose a file."))
    checked = checked_uploads(files)
    with transaction.atomic():
        demand = _locked(demand, user, VIEW)
        _attach(demand, user, checked)
    return list(demand.attachments.order_by("-pk")[: len(checked)])


def _locked(demand: Demand, user: User, action: str) -> Demand:
    """The row again, locked, and still within the writer's scope for ``action``."""
    return restricted(Demand, user, action).select_for_update(of=("self",)).get(pk=demand.pk)


def handler_choices(demand: Demand) -> Any:
    """Officers and regulators whose region holds the demand's district."""
    region = demand.region
    ancestors = [region.path[:i] for i in range(len(region.path)) if region.path[i - 1 : i] == "/"]
    return User.objects.filter(
        is_active=True, role__in=BUREAU_ROLES, region__path__in=[*ancestors, region.path]
    ).order_by("role", "full_name", "pk")


def demand_assign(*, user: User, demand: Demand, handler: User) -> Demand:
    if not is_bureau(user):
        raise AppError(DEMAND_NOT_BUREAU)
    with transaction.atomic():
        demand = _locked(demand, user, CHANGE)
        if not demand.is_open:
            raise AppError(DEMAND_CLOSED)
        if not handler_choices(demand).filter(pk=handler.pk).exists():
            raise AppError(DEMAND_HANDLER, field="handler", name=handler.display_name)
        demand.handler = handler
        demand.status = Demand.Status.ASSIGNED
        demand.save(update_fields=["handler", "status"])
        DemandEvent.objects.create(demand=demand, kind=DemandEvent.Kind.ASSIGNED, actor=user, note=handler.display_name)
    return demand


def demand_answer(*, user: User, demand: Demand, answer: str) -> Demand:
    if not is_bureau(user):
        raise AppError(DEMAND_NOT_BUREAU)
    if not answer.strip():
        raise AppError(DEMAND_ANSWER_EMPTY, field="answer")
    with transaction.atomic():
        demand = _locked(demand, user, CHANGE)
        if not demand.is_open:
            raise AppError(DEMAND_CLOSED)
        demand.answer = answer.strip()
        demand.answered_at = timezone.now()
        demand.answered_on = program_today()
        demand.status = Demand.Status.ANSWERED
        if demand.handler_id is None:
            demand.handler = user
        demand.save(update_fields=["answer", "answered_at", "answered_on", "status", "handler"])
        DemandEvent.objects.create(demand=demand, kind=DemandEvent.Kind.ANSWERED, actor=user)
    return demand


def demand_rate(*, user: User, demand: Demand, rating: int, comment: str = "") -> Demand:
    if user.role not in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF) or user.enterprise_id != demand.enterprise_id:
        raise AppError(DEMAND_RATE_OWN)
    if not 1 <= rating <= 5:
        raise AppError(DEMAND_RATING, field="rating")
    with transaction.atomic():
        demand = _locked(demand, user, CHANGE)
        if demand.status != Demand.Status.ANSWERED:
            raise AppError(DEMAND_NOT_ANSWERED)
        demand.rating = rating
        demand.rating_comment = comment.strip()[:500]
        demand.status = Demand.Status.RATED
        demand.save(update_fields=["rating", "rating_comment", "status"])
        DemandEvent.objects.create(demand=demand, kind=DemandEvent.Kind.RATED, actor=user, note=str(rating))
    return demand


def demand_note(*, user: User, demand: Demand, note: str) -> DemandEvent:
    """A bureau's internal note: never shown to the enterprise."""
    if not is_bureau(user):
        raise AppError(DEMAND_NOT_BUREAU)
    if not note.strip():
        raise AppError(NOTE_EMPTY, field="note")
    with transaction.atomic():
        demand = _locked(demand, user, CHANGE)
        return DemandEvent.objects.create(
            demand=demand, kind=DemandEvent.Kind.NOTE, actor=user, note=note.strip(), internal=True
        )
