"""Writes of plan supervision: keyword-only, typed user; a refusal is an AppError.

A responsible unit's member reports progress (lead and co-units alike: 协办 reports what it
did too), asks for more time and reports the task done (the lead unit alone, 主办); the owner
bureau (a regulator who may change the plan) decides the requests and confirms a task done
(销号) or sends it back. Services take ``today`` so tests stand on a deadline's edge.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core import uploads
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import CHANGE, VIEW, in_scope, restricted
from shangmi.notices.services import notify, todos_done
from shangmi.plans.models import Extension, PlanUnit, Report, ReportFile, Task

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10

NOT_A_UNIT = Message("plans.not_a_unit", _("Only a member of a unit responsible for this task may do this."))
NOT_LEAD = Message("plans.not_lead", _("Only a member of the task's lead unit may do this."))
NOT_OWNER = Message("plans.not_owner", _("Only the bureau that owns the plan may do this."))
TASK_CLOSED = Message("plans.task_closed", _("This task is confirmed done; nothing more is reported on it."))
TASK_CLAIMED = Message("plans.task_claimed", _("This task is reported done and awaits the owner's confirmation."))
PROGRESS_RANGE = Message("plans.progress_range", _("Progress is a whole percent from 0 to 100."))
REPORT_EMPTY = Message("plans.report_empty", _("Say what was done."))
UPLOAD_REFUSED = uploads.UPLOAD_REFUSED
TOO_MANY_FILES = uploads.TOO_MANY_FILES
EXTENSION_LATE = Message(
    "plans.extension_late", _("More time is asked by the due date (%(due)s); this task is overdue.")
)
EXTENSION_DATE = Message("plans.extension_date", _("The new date must be after the present due date (%(due)s)."))
EXTENSION_REASON = Message("plans.extension_reason", _("Give the reason for more time."))
EXTENSION_PENDING = Message("plans.extension_pending", _("A request for more time already awaits a decision."))
EXTENSION_DECIDED = Message("plans.extension_decided", _("This request is already decided."))
REFUSAL_NOTE = Message("plans.refusal_note", _("Say why the request is refused."))
NOT_CLAIMED = Message("plans.not_claimed", _("Only a task reported done can be confirmed or sent back."))
MEMBER_INACTIVE = Message("plans.member_inactive", _("The account %(name)s is not active."))
RETURN_NOTE = Message("plans.return_note", _("Say what is missing before the task can be confirmed."))


def unit_of(user: User, task: Task, *, lead_only: bool = False) -> PlanUnit | None:
    """The unit of ``task`` that ``user`` acts for (the lead unit first), or None."""
    if task.lead_unit.members.filter(pk=user.pk).exists():
        return task.lead_unit
    if lead_only:
        return None
    return task.co_units.filter(members=user).order_by("pk").first()


def is_owner(user: User, task: Task) -> bool:
    return in_scope(task, user, CHANGE)


def _locked(task: Task, user: User) -> Task:
    """The task again, locked, and still readable by the writer."""
    return restricted(Task, user, VIEW).select_for_update(of=("self",)).select_related("plan").get(pk=task.pk)


def checked_uploads(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """Every file checked (type by its bytes, size) before anything is written."""
    return uploads.check_uploads(files, max_files=MAX_FILES, max_bytes=MAX_BYTES)


@dataclass(frozen=True)
class ReportInput:
    progress: int
    text: str


def task_report(
    *,
    user: User,
    task: Task,
    data: ReportInput,
    files: Sequence[UploadedFile] = (),
    today: datetime.date | None = None,
) -> Report:
    today = today or program_today()
    if not 0 <= data.progress <= 100:
        raise AppError(PROGRESS_RANGE, field="progress")
    if not data.text.strip():
        raise AppError(REPORT_EMPTY, field="text")
    checked = checked_uploads(files)
    with transaction.atomic():
        task = _locked(task, user)
        unit = unit_of(user, task)
        if unit is None:
            raise AppError(NOT_A_UNIT)
        if task.status == Task.Status.DONE:
            raise AppError(TASK_CLOSED)
        report = Report.objects.create(
            task=task, unit=unit, progress=data.progress, text=data.text.strip(), reported_by=user, reported_on=today
        )
        for upload, content_type, sha256 in checked:
            uploads.store_upload(ReportFile(report=report, uploaded_by=user), upload, content_type, sha256)
        # The task's progress is the lead unit's: a co-unit reports its part without moving it.
        if unit.pk == task.lead_unit_id:
            task.progress = data.progress
            task.save(update_fields=["progress"])
    return report


def extension_ask(
    *, user: User, task: Task, reason: str, new_due: datetime.date, today: datetime.date | None = None
) -> Extension:
    """More time, asked by the lead unit on or before the due date, with a reason and a later date."""
    today = today or program_today()
    with transaction.atomic():
        task = _locked(task, user)
        if unit_of(user, task, lead_only=True) is None:
            raise AppError(NOT_LEAD)
        if task.status == Task.Status.DONE:
            raise AppError(TASK_CLOSED)
        if today > task.due_on:
            raise AppError(EXTENSION_LATE, due=task.due_on.isoformat())
        if not reason.strip():
            raise AppError(EXTENSION_REASON, field="reason")
        if new_due <= task.due_on:
            raise AppError(EXTENSION_DATE, field="new_due", due=task.due_on.isoformat())
        if task.extensions.filter(status=Extension.Status.PENDING).exists():
            raise AppError(EXTENSION_PENDING)
        extension = Extension.objects.create(
            task=task, reason=reason.strip(), old_due=task.due_on, new_due=new_due, asked_by=user, asked_on=today
        )
    notify(
        list(owners_of(task)),
        str(_("Request for more time on task %(number)d of %(plan)s")) % {"number": task.number, "plan": task.plan},
        url=task.get_absolute_url(),
    )
    return extension


def extension_decide(
    *, user: User, extension: Extension, approve: bool, note: str = "", today: datetime.date | None = None
) -> Extension:
    today = today or program_today()
    with transaction.atomic():
        extension = restricted(Extension, user, CHANGE).select_for_update(of=("self",)).get(pk=extension.pk)
        task = restricted(Task, user, CHANGE).select_for_update(of=("self",)).get(pk=extension.task_id)
        if extension.status != Extension.Status.PENDING:
            raise AppError(EXTENSION_DECIDED)
        if not approve and not note.strip():
            raise AppError(REFUSAL_NOTE, field="note")
        extension.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
        extension.decided_by = user
        extension.decided_on = today
        extension.note = note.strip()
        extension.save()
        if approve:
            task.due_on = extension.new_due
            task.save(update_fields=["due_on"])
    todos_done(task.get_absolute_url())
    return extension


def task_claim_done(*, user: User, task: Task, today: datetime.date | None = None) -> Task:
    """The lead unit reports the task done; the owner confirms it (销号)."""
    today = today or program_today()
    with transaction.atomic():
        task = _locked(task, user)
        if unit_of(user, task, lead_only=True) is None:
            raise AppError(NOT_LEAD)
        if task.status == Task.Status.DONE:
            raise AppError(TASK_CLOSED)
        if task.status == Task.Status.CLAIMED:
            raise AppError(TASK_CLAIMED)
        task.status = Task.Status.CLAIMED
        task.claimed_on = today
        task.save(update_fields=["status", "claimed_on"])
    notify(
        list(owners_of(task)),
        str(_("Task %(number)d of %(plan)s reported done: to confirm")) % {"number": task.number, "plan": task.plan},
        url=task.get_absolute_url(),
    )
    return task


def task_confirm(*, user: User, task: Task, today: datetime.date | None = None) -> Task:
    today = today or program_today()
    with transaction.atomic():
        task = restricted(Task, user, CHANGE).select_for_update(of=("self",)).get(pk=task.pk)
        if task.status != Task.Status.CLAIMED:
            raise AppError(NOT_CLAIMED)
        task.status = Task.Status.DONE
        task.confirmed_on = today
        task.confirmed_by = user
        task.progress = 100
        task.save(update_fields=["status", "confirmed_on", "confirmed_by", "progress"])
    todos_done(task.get_absolute_url())
    return task


def task_send_back(*, user: User, task: Task, note: str) -> Task:
    """The owner does not confirm: the task is open again, and the lead unit is told why."""
    with transaction.atomic():
        task = restricted(Task, user, CHANGE).select_for_update(of=("self",)).get(pk=task.pk)
        if task.status != Task.Status.CLAIMED:
            raise AppError(NOT_CLAIMED)
        if not note.strip():
            raise AppError(RETURN_NOTE, field="note")
        task.status = Task.Status.OPEN
        task.claimed_on = None
        task.save(update_fields=["status", "claimed_on"])
    todos_done(task.get_absolute_url())
    notify(
        list(task.lead_unit.members.filter(is_active=True)),
        str(_("Task %(number)d sent back: %(note)s")) % {"number": task.number, "note": note.strip()},
        url=task.get_absolute_url(),
    )
    return task


def owners_of(task: Task) -> list[User]:
    """The regulators of the plan's own region: the bureau that owns it."""
    return list(User.objects.filter(is_active=True, role=Role.REGULATOR, region_id=task.plan.region_id))


def unit_member_add(*, user: User, unit: PlanUnit, member: User) -> PlanUnit:
    """The owner bureau names an account that acts for a responsible unit."""
    with transaction.atomic():
        found = restricted(PlanUnit, user, CHANGE).filter(pk=unit.pk).first()
        if found is None:
            raise AppError(NOT_OWNER)
        if not member.is_active:
            raise AppError(MEMBER_INACTIVE, name=member.username)
        found.members.add(member)
    return found
