"""Writes of the enforcement app: keyword-only, typed user, each step an append-only event.

A refusal is an AppError with one of the messages below; the views turn it into a form error
(save_through) or a message (refusals_as_messages). Every written row is re-checked against the
writer's scope inside its transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core import uploads
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import (
    ADD,
    CHANGE,
    VIEW,
    ensure_in_scope,
    is_platform_admin,
    regions_in_scope,
    restricted,
)
from shangmi.enforcement import rules
from shangmi.enforcement.challenge import challenge_passed
from shangmi.enforcement.models import (
    CalendarYear,
    Case,
    CaseEvent,
    Clue,
    ClueAttachment,
    ClueEvent,
    Demand,
    DemandAttachment,
    DemandEvent,
    IncomingCase,
    IncomingDocument,
    Mediation,
    Transfer,
    TransferEvent,
)
from shangmi.enforcement.workdays import (
    CalendarFileError,
    CalendarMissing,
    Due,
    WorkCalendar,
    calendar_load,
    deadline,
    deadline_in_days,
)
from shangmi.enterprises.models import Enterprise
from shangmi.regions.models import Region

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
UPLOAD_REFUSED = uploads.UPLOAD_REFUSED
TOO_MANY_FILES = uploads.TOO_MANY_FILES
NOTE_EMPTY = Message("enforcement.note_empty", _("Write the note."))


def is_bureau(user: Any) -> bool:
    return bool(is_platform_admin(user) or getattr(user, "role", None) in BUREAU_ROLES)


def checked_uploads(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """Every file checked (type by its bytes, size) before anything is written."""
    return uploads.check_uploads(files, max_files=MAX_FILES, max_bytes=MAX_BYTES)


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


# --- clues ---------------------------------------------------------------------------------------

CLUE_EMPTY = Message("clue.empty", _("Say who infringed and what happened."))
CLUE_REGION = Message(
    "clue.region",
    _(
        "Name the district where the infringement took place, with its city where the name is not unique (重庆市江北区)."  # noqa: E501
    ),
)
CLUE_NAME = Message("clue.name", _("A report by name needs your name and a way to reach you."))
CLUE_CHALLENGE = Message("clue.challenge", _("The answer to the check question is wrong or expired; try again."))
CLUE_LIMIT = Message("clue.limit", _("Too many reports from your address in the last hour; try again later."))
CLUE_DECIDED = Message("clue.decided", _("This clue is already decided."))
CLUE_EXTENDED = Message("clue.extended", _("The screening period was already extended once."))
CLUE_STOPPED = Message("clue.stopped", _("The clock is already stopped."))
CLUE_RUNNING = Message("clue.running", _("The clock is not stopped."))
CLUE_REASON = Message("clue.reason", _("Give the reasons."))
CLUE_NOT_REAL_NAME = Message("clue.not_real_name", _("An anonymous reporter has no notice to be sent."))
CLUE_NOT_DECIDED = Message("clue.not_decided", _("The reporter is told once the clue is decided."))
CLUE_FORWARD = Message("clue.forward", _("Forward to another district."))
CLUE_MERGE = Message("clue.merge", _("Merge into another open clue of your region."))
DEMAND_HAS_CLUE = Message("demand.has_clue", _("This demand is already a clue."))


def tracking_hash(code: str) -> str:
    """The stored form of a tracking code: the code itself is shown once and never kept."""
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"clue:{normal}".encode()).hexdigest()


def new_tracking_code() -> str:
    # 16 characters of an alphabet without look-alikes (80 bits): not guessable, easy to copy.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def address_hash(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"clue-address:{address}".encode(), hashlib.sha256).hexdigest()


def district_named(text: str) -> Region | None:
    """The district a reporter names: its 6-digit code, or its name with as much of the names
    above it as makes it unique (江津区, 重庆市江北区, 宁波市江北区)."""
    key = "".join(text.split())
    if not key:
        return None
    found = list(
        Region.objects.filter(level=Region.Level.DISTRICT).filter(Q(code=key) | Q(full_name__endswith=key))[:2]
    )
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class ClueInput:
    district: str
    against: str
    description: str
    real_name: bool = False
    reporter_name: str = ""
    reporter_contact: str = ""


def _screening_due(start: datetime.date) -> Due:
    return deadline(start, rules.period("clue.screening", start))


def clue_report(
    *, data: ClueInput, files: Sequence[UploadedFile], address: str, challenge_token: str, challenge_answer: str
) -> tuple[Clue, str]:
    """A public report: returns the clue and its tracking code (shown once, only its hash kept)."""
    if not challenge_passed(challenge_token, challenge_answer):
        raise AppError(CLUE_CHALLENGE, field="answer")
    hashed = address_hash(address)
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    if (
        Clue.objects.filter(address_hash=hashed, received_at__gte=hour_ago).count()
        >= settings.SHANGMI_CLUE_HOURLY_LIMIT
    ):
        raise AppError(CLUE_LIMIT)
    region = district_named(data.district)
    if region is None:
        raise AppError(CLUE_REGION, field="district")
    if not data.against.strip() or not data.description.strip():
        raise AppError(CLUE_EMPTY, field="description")
    if data.real_name and not (data.reporter_name.strip() and data.reporter_contact.strip()):
        raise AppError(CLUE_NAME, field="reporter_name")
    checked = checked_uploads(files)
    code = new_tracking_code()
    today = program_today()
    due = _screening_due(today)
    with transaction.atomic():
        clue = Clue.objects.create(
            region=region,
            tracking_hash=tracking_hash(code),
            real_name=data.real_name,
            reporter_name=data.reporter_name.strip() if data.real_name else "",
            reporter_contact=data.reporter_contact.strip() if data.real_name else "",
            against=data.against.strip(),
            description=data.description.strip(),
            received_on=today,
            address_hash=hashed,
            screening_due=due.on,
            screening_missing_year=due.missing_year,
        )
        ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.REPORTED)
        for upload, content_type, sha256 in checked:
            stored = uploads.store_upload(ClueAttachment(clue=clue), upload, content_type, sha256)
            ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.ATTACHED, note=stored.original_name)
    return clue, code


def clue_tracked(code: str) -> Clue | None:
    """The clue a tracking code stands for (following a merge), or None."""
    clue = Clue.objects.select_related("region").filter(tracking_hash=tracking_hash(code)).first()
    seen = 0
    while clue is not None and clue.merged_into_id is not None and seen < 10:
        clue, seen = Clue.objects.select_related("region").get(pk=clue.merged_into_id), seen + 1
    return clue


def _locked_clue(clue: Clue, user: User) -> Clue:
    return restricted(Clue, user, CHANGE).select_for_update(of=("self",)).get(pk=clue.pk)


def _open_clue(clue: Clue, user: User) -> Clue:
    clue = _locked_clue(clue, user)
    if not clue.is_open:
        raise AppError(CLUE_DECIDED)
    return clue


def clue_extend(*, user: User, clue: Clue, reason: str) -> Clue:
    """The head's approval of 15 more working days (art. 18), once."""
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        clue = _open_clue(clue, user)
        if clue.extended:
            raise AppError(CLUE_EXTENDED)
        clue.extended = True
        if clue.screening_due is not None:
            due = deadline(clue.screening_due, rules.period("clue.screening_extension", clue.received_on))
            clue.screening_due, clue.screening_missing_year = due.on, due.missing_year
        clue.save(update_fields=["extended", "screening_due", "screening_missing_year"])
        ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.EXTENDED, actor=user, note=reason.strip())
    return clue


def clue_stop_clock(*, user: User, clue: Clue, reason: str) -> Clue:
    """Appraisal or the right holder's identification: the time does not count (art. 18)."""
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        clue = _open_clue(clue, user)
        if clue.stopped_since is not None:
            raise AppError(CLUE_STOPPED)
        clue.stopped_since = program_today()
        clue.save(update_fields=["stopped_since"])
        ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.STOPPED, actor=user, note=reason.strip())
    return clue


def clue_resume_clock(*, user: User, clue: Clue, today: datetime.date | None = None) -> Clue:
    """The clock runs again; the working days it stood are added to the deadline."""
    today = today or program_today()
    with transaction.atomic():
        clue = _open_clue(clue, user)
        if clue.stopped_since is None:
            raise AppError(CLUE_RUNNING)
        calendar = WorkCalendar.loaded()
        note = ""
        try:
            stood = calendar.working_days_between(clue.stopped_since, today)
            note = str(stood)
            if clue.screening_due is not None:
                due = deadline(clue.screening_due, stood, calendar=calendar)
                clue.screening_due, clue.screening_missing_year = due.on, due.missing_year
        except CalendarMissing as exc:
            clue.screening_due, clue.screening_missing_year = None, exc.year
        clue.stopped_since = None
        clue.save(update_fields=["stopped_since", "screening_due", "screening_missing_year"])
        ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.RESUMED, actor=user, note=note)
    return clue


def clue_decide(*, user: User, clue: Clue, open_case: bool, reason: str, public_answer: str = "") -> Clue:
    """Open a case or not; a reporter by name is to be told within clue.notify_reporter working days."""
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    today = program_today()
    with transaction.atomic():
        clue = _open_clue(clue, user)
        clue.status = Clue.Status.OPENED if open_case else Clue.Status.NOT_OPENED
        clue.decided_on = today
        clue.decision_reason = reason.strip()
        clue.public_answer = public_answer.strip()
        clue.stopped_since = None
        if clue.real_name:
            due = deadline(today, rules.period("clue.notify_reporter", today))
            clue.notify_due, clue.notify_missing_year = due.on, due.missing_year
        clue.save()
        ClueEvent.objects.create(
            clue=clue,
            kind=ClueEvent.Kind.DECIDED,
            actor=user,
            note=f"{clue.get_status_display()}: {clue.decision_reason}",
        )
    return clue


def clue_notified(*, user: User, clue: Clue, how: str) -> Clue:
    """Record that the reporter by name was told of the decision (and how)."""
    if not how.strip():
        raise AppError(CLUE_REASON, field="how")
    with transaction.atomic():
        clue = _locked_clue(clue, user)
        if not clue.real_name:
            raise AppError(CLUE_NOT_REAL_NAME)
        if clue.decided_on is None:
            raise AppError(CLUE_NOT_DECIDED)
        clue.notified_on = program_today()
        clue.save(update_fields=["notified_on"])
        ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.NOTIFIED, actor=user, note=how.strip())
    return clue


def clue_forward(*, user: User, clue: Clue, to: Region, reason: str) -> Clue:
    """Outside the bureau's jurisdiction: the clue goes to the district where the conduct took
    place (投诉举报处理暂行办法 art. 25), whose own screening period starts on receipt."""
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    if to.level != Region.Level.DISTRICT:
        raise AppError(CLUE_FORWARD, field="to")
    with transaction.atomic():
        clue = _open_clue(clue, user)
        if to.pk == clue.region_id:
            raise AppError(CLUE_FORWARD, field="to")
        ClueEvent.objects.create(
            clue=clue, kind=ClueEvent.Kind.FORWARDED, actor=user,
            note=f"{clue.region.full_name} → {to.full_name}: {reason.strip()}",
        )  # fmt: skip
        today = program_today()
        due = _screening_due(today)
        clue.forwarded_from_id = clue.region_id
        clue.region = to
        clue.received_on = today
        clue.extended = False
        clue.stopped_since = None
        clue.screening_due, clue.screening_missing_year = due.on, due.missing_year
        clue.save()
    return clue


def clue_merge(*, user: User, clue: Clue, into: Clue) -> Clue:
    """A duplicate: merged into the clue that carries on; its reporter's code follows it."""
    with transaction.atomic():
        clue = _open_clue(clue, user)
        target = restricted(Clue, user, CHANGE).filter(pk=into.pk, status=Clue.Status.RECEIVED).first()
        if target is None or target.pk == clue.pk:
            raise AppError(CLUE_MERGE, field="into")
        clue.status = Clue.Status.MERGED
        clue.merged_into = target
        clue.save(update_fields=["status", "merged_into"])
        ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.MERGED, actor=user, note=str(target.pk))
    return clue


def demand_to_clue(*, user: User, demand: Demand) -> Clue:
    """A complaint in the ledger becomes a clue with one action, keeping the link; the
    enterprise is a reporter by name."""
    if not (user.role == Role.REGULATOR or is_platform_admin(user)):
        raise AppError(DEMAND_NOT_BUREAU)
    today = program_today()
    due = _screening_due(today)
    with transaction.atomic():
        demand = _locked(demand, user, CHANGE)
        if Clue.objects.filter(demand=demand).exists():
            raise AppError(DEMAND_HAS_CLUE)
        clue = Clue.objects.create(
            region=demand.region,
            tracking_hash=tracking_hash(new_tracking_code()),
            real_name=True,
            reporter_name=demand.enterprise.name,
            reporter_contact=demand.filed_by.display_name,
            against=demand.title,
            description=demand.description,
            received_on=today,
            screening_due=due.on,
            screening_missing_year=due.missing_year,
            demand=demand,
        )
        ensure_in_scope(clue, user, ADD)
        ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.FROM_DEMAND, actor=user, note=str(demand.pk))
        DemandEvent.objects.create(demand=demand, kind=DemandEvent.Kind.TO_CLUE, actor=user)
    return clue


# --- cases ---------------------------------------------------------------------------------------

CASE_CONDITIONS = Message(
    "case.conditions",
    _(
        "A case is opened only when all four conditions hold: prima facie evidence, a penalty applies, "
        "the bureau's jurisdiction, within the limitation period."
    ),
)
CASE_OFFICERS = Message("case.officers", _("At least two investigators of the district are needed."))
CASE_CLUE = Message("case.clue", _("Only a clue decided as 'case opened' becomes a case, once."))
CASE_ACT_DATE = Message("case.act_date", _("The date of the act cannot be after the opening."))
CASE_DECIDED = Message("case.decided", _("This case is already decided."))
CASE_SUSPENDED = Message("case.suspended", _("The case is already suspended."))
CASE_RUNNING = Message("case.running", _("The case is not suspended."))
CASE_EXTENDED = Message(
    "case.extended", _("The head's extension is used; a further one needs a collective decision with its period.")
)
CASE_PERIOD = Message("case.period", _("A collective extension names its period in days (1 to 365)."))


def investigator_choices(region: Region) -> Any:
    """Regulators and officers of the district (or above it) who may investigate there."""
    ancestors = [region.path[:i] for i in range(len(region.path)) if region.path[i - 1 : i] == "/"]
    return User.objects.filter(is_active=True, role__in=BUREAU_ROLES, region__path__in=[*ancestors, region.path])


def _decision_due(case: Case, calendar: WorkCalendar | None = None) -> Due:
    days = rules.period("case.decision", case.opened_on) + case.extended_days + case.collective_days
    return deadline_in_days(case.opened_on, days + case.stopped_days, calendar=calendar)


def set_decision_due(case: Case) -> None:
    due = _decision_due(case)
    case.decision_due, case.due_missing_year = due.on, due.missing_year


@dataclass(frozen=True)
class CaseOpening:
    party: str
    act_date: datetime.date
    officers: Sequence[User]
    conditions: tuple[bool, bool, bool, bool]
    loss_amount: Decimal | None = None
    prior_penalty: bool = False


def case_open(*, user: User, clue: Clue, data: CaseOpening) -> Case:
    """立案 from a clue decided as 'case opened', with the four conditions (art. 19) and at
    least two investigators (art. 22)."""
    if not all(data.conditions):
        raise AppError(CASE_CONDITIONS)
    today = program_today()
    if data.act_date > today:
        raise AppError(CASE_ACT_DATE, field="act_date")
    with transaction.atomic():
        clue = _locked_clue(clue, user)
        if clue.status != Clue.Status.OPENED or Case.objects.filter(clue=clue).exists():
            raise AppError(CASE_CLUE)
        allowed = investigator_choices(clue.region).filter(pk__in=[o.pk for o in data.officers])
        if allowed.count() < 2:
            raise AppError(CASE_OFFICERS, field="officers")
        case = Case(
            region=clue.region, clue=clue, party=data.party.strip() or clue.against, act_date=data.act_date,
            loss_amount=data.loss_amount, prior_penalty=data.prior_penalty, opened_on=today, opened_by=user,
        )  # fmt: skip
        set_decision_due(case)
        case.save()
        case.officers.set(allowed)
        ensure_in_scope(case, user, ADD)
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, actor=user)
    return case


def _locked_case(case: Case, user: User) -> Case:
    case = restricted(Case, user, CHANGE).select_for_update(of=("self",)).get(pk=case.pk)
    if not case.is_open:
        raise AppError(CASE_DECIDED)
    return case


def case_suspend(*, user: User, case: Case, reason: str, today: datetime.date | None = None) -> Case:
    """中止 (art. 46), a hearing, appraisal or public notice: the 90-day clock stops (art. 64)."""
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        case = _locked_case(case, user)
        if case.suspended_since is not None:
            raise AppError(CASE_SUSPENDED)
        case.suspended_since = today or program_today()
        case.status = Case.Status.SUSPENDED
        case.save(update_fields=["suspended_since", "status"])
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.SUSPENDED, actor=user, note=reason.strip())
    return case


def case_resume(*, user: User, case: Case, today: datetime.date | None = None) -> Case:
    """The clock runs again: the calendar days it stood move the decision deadline."""
    today = today or program_today()
    with transaction.atomic():
        case = _locked_case(case, user)
        if case.suspended_since is None:
            raise AppError(CASE_RUNNING)
        stood = max((today - case.suspended_since).days, 0)
        case.stopped_days += stood
        case.suspended_since = None
        case.status = Case.Status.INVESTIGATING
        set_decision_due(case)
        case.save(update_fields=["stopped_days", "suspended_since", "status", "decision_due", "due_missing_year"])
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RESUMED, actor=user, note=str(stood))
    return case


def case_extend(*, user: User, case: Case, reason: str, collective_days: int | None = None) -> Case:
    """+30 days with the head's approval, once; after that only a collective decision of the
    heads, for the period it fixes (art. 64)."""
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        case = _locked_case(case, user)
        if collective_days is None:
            if case.extended_days:
                raise AppError(CASE_EXTENDED)
            case.extended_days = rules.period("case.decision_extension", case.opened_on)
        else:
            if not 1 <= collective_days <= 365:
                raise AppError(CASE_PERIOD, field="collective_days")
            if not case.extended_days:
                case.extended_days = rules.period("case.decision_extension", case.opened_on)
            case.collective_days += collective_days
        set_decision_due(case)
        case.save(update_fields=["extended_days", "collective_days", "decision_due", "due_missing_year"])
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.EXTENDED, actor=user, note=reason.strip())
    return case


def case_proposes_transfer(case: Case) -> bool:
    """The loss or gain reaches the criminal threshold in force on the date of the act."""
    if case.loss_amount is None:
        return False
    return rules.reaches_criminal_threshold(case.loss_amount, case.act_date, prior_penalty=case.prior_penalty)


# --- transfers -----------------------------------------------------------------------------------

TRANSFER_RECEIVER = Message("transfer.receiver", _("Choose the judicial liaison of the receiving organ."))
TRANSFER_OPEN = Message("transfer.open", _("Only an open case is transferred, and only once at a time."))
TRANSFER_STATE = Message("transfer.state", _("This transfer is not at that step."))
TRANSFER_ATTACHMENTS = Message(
    "transfer.attachments", _("A transfer carries all five attachments: %(missing)s missing.")
)
TRANSFER_NOT_RECEIVER = Message("transfer.not_receiver", _("Only the receiving liaison signs and decides."))


def liaison_choices() -> Any:
    return (
        User.objects.filter(is_active=True, role=Role.JUDICIAL_LIAISON)
        .select_related("region")
        .order_by("full_name", "pk")
    )


def transfer_propose(*, user: User, case: Case, organ: str, receiver: User | None, reason: str) -> Transfer:
    """The investigators' written report: the head decides within transfer.head_decision days (art. 5)."""
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    if organ not in Transfer.Organ.values or receiver is None or receiver.role != Role.JUDICIAL_LIAISON:
        raise AppError(TRANSFER_RECEIVER, field="receiver")
    today = program_today()
    with transaction.atomic():
        case = restricted(Case, user, CHANGE).select_for_update(of=("self",)).get(pk=case.pk)
        busy = case.transfers.exclude(status=Transfer.Status.REFUSED).exists()
        if not case.is_open or busy:
            raise AppError(TRANSFER_OPEN)
        transfer = Transfer.objects.create(
            case=case, organ=organ, receiver=receiver, reason=reason.strip(), proposed_by=user, proposed_on=today,
            decide_by=today + datetime.timedelta(days=rules.period("transfer.head_decision", today)),
        )  # fmt: skip
        ensure_in_scope(transfer, user, ADD)
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.TRANSFER, actor=user, note=transfer.get_organ_display())
    return transfer


def transfer_send(*, user: User, transfer: Transfer, attachments: Sequence[str]) -> Transfer:
    """The head approves and the case goes within 24 hours, with the five attachments of art. 6."""
    keys = [key for key, _label in Transfer.ATTACHMENTS]
    missing = [str(label) for key, label in Transfer.ATTACHMENTS if key not in attachments]
    if missing:
        raise AppError(TRANSFER_ATTACHMENTS, field="attachments", missing="、".join(missing))
    with transaction.atomic():
        transfer = restricted(Transfer, user, CHANGE).select_for_update(of=("self",)).get(pk=transfer.pk)
        if transfer.status != Transfer.Status.PROPOSED:
            raise AppError(TRANSFER_STATE)
        transfer.status = Transfer.Status.SENT
        transfer.sent_at, transfer.sent_by, transfer.attachments = timezone.now(), user, keys
        transfer.save(update_fields=["status", "sent_at", "sent_by", "attachments"])
        today = program_today()
        closing = deadline(today, rules.period("case.closing", today))
        Case.objects.filter(pk=transfer.case_id).update(
            status=Case.Status.DECIDED, decision=Case.Decision.TRANSFER, decided_on=today,
            stage=Case.Stage.DECIDED, step_due=closing.on, step_missing_year=closing.missing_year,
        )  # fmt: skip
        CaseEvent.objects.create(
            case_id=transfer.case_id, kind=CaseEvent.Kind.DECIDED, actor=user, note=transfer.get_organ_display()
        )
    return transfer


def _receiver_locked(user: User, transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer.pk)
    if locked.receiver_id != user.pk or user.role != Role.JUDICIAL_LIAISON:
        raise AppError(TRANSFER_NOT_RECEIVER)
    return locked


def transfer_receipt(*, user: User, transfer: Transfer) -> Transfer:
    """The receiving liaison signs the 回执; the organ decides within transfer.police_decision days (art. 8)."""
    with transaction.atomic():
        transfer = _receiver_locked(user, transfer)
        if transfer.status != Transfer.Status.SENT:
            raise AppError(TRANSFER_STATE)
        today = program_today()
        transfer.status, transfer.received_at = Transfer.Status.RECEIVED, timezone.now()
        transfer.organ_decide_by = today + datetime.timedelta(days=rules.period("transfer.police_decision", today))
        transfer.save(update_fields=["status", "received_at", "organ_decide_by"])
    return transfer


def transfer_organ_decide(*, user: User, transfer: Transfer, accepted: bool, reason: str = "") -> Transfer:
    """立案, or a refusal with its reasons (art. 8)."""
    if not accepted and not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        transfer = _receiver_locked(user, transfer)
        if transfer.status != Transfer.Status.RECEIVED:
            raise AppError(TRANSFER_STATE)
        transfer.status = Transfer.Status.ACCEPTED if accepted else Transfer.Status.REFUSED
        transfer.organ_decided_on, transfer.organ_reason = program_today(), reason.strip()
        transfer.save(update_fields=["status", "organ_decided_on", "organ_reason"])
    return transfer


TRANSFER_LATE = Message("transfer.late", _("The time for this step ended on %(day)s."))


def _bureau_locked(user: User, transfer: Transfer) -> Transfer:
    return restricted(Transfer, user, CHANGE).select_for_update(of=("self",)).get(pk=transfer.pk)


def _transfer_step(
    transfer: Transfer, user: User, kind: str, today: datetime.date, due: datetime.date | None, note: str
) -> None:
    transfer.step_due = due
    transfer.save(update_fields=["status", "step_due"])
    TransferEvent.objects.create(transfer=transfer, kind=kind, actor=user, on=today, due=due, note=note)


def transfer_reconsider(*, user: User, transfer: Transfer, reason: str, today: datetime.date | None = None) -> Transfer:
    """The bureau asks the organ to reconsider its refusal within transfer.reconsideration days
    of it (art. 9); the organ answers within transfer.reconsideration_answer days."""
    today = today or program_today()
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        transfer = _bureau_locked(user, transfer)
        if transfer.status != Transfer.Status.REFUSED or transfer.organ_decided_on is None:
            raise AppError(TRANSFER_STATE)
        last = transfer.organ_decided_on + datetime.timedelta(days=rules.period("transfer.reconsideration", today))
        if today > last:
            raise AppError(TRANSFER_LATE, day=last.isoformat())
        transfer.status = Transfer.Status.RECONSIDERATION
        due = today + datetime.timedelta(days=rules.period("transfer.reconsideration_answer", today))
        _transfer_step(transfer, user, TransferEvent.Kind.RECONSIDERATION, today, due, reason.strip())
    return transfer


def transfer_reconsider_answer(
    *, user: User, transfer: Transfer, accepted: bool, reason: str = "", today: datetime.date | None = None
) -> Transfer:
    """The organ's answer, recorded by its liaison: the case filed, or the refusal upheld, after
    which the bureau may ask the procuratorate within transfer.supervision days."""
    today = today or program_today()
    if not accepted and not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        transfer = _receiver_locked(user, transfer)
        if transfer.status != Transfer.Status.RECONSIDERATION:
            raise AppError(TRANSFER_STATE)
        due = None
        if accepted:
            transfer.status = Transfer.Status.ACCEPTED
        else:
            transfer.status = Transfer.Status.UPHELD
            due = today + datetime.timedelta(days=rules.period("transfer.supervision", today))
        transfer.organ_decided_on, transfer.organ_reason = today, reason.strip()
        transfer.save(update_fields=["organ_decided_on", "organ_reason"])
        _transfer_step(transfer, user, TransferEvent.Kind.ANSWERED, today, due, transfer.get_status_display())
    return transfer


def transfer_supervision(*, user: User, transfer: Transfer, note: str, today: datetime.date | None = None) -> Transfer:
    """The refusal upheld: the bureau asks the procuratorate to supervise the filing (art. 9)."""
    today = today or program_today()
    if not note.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        transfer = _bureau_locked(user, transfer)
        if transfer.status != Transfer.Status.UPHELD or transfer.step_due is None:
            raise AppError(TRANSFER_STATE)
        if today > transfer.step_due:
            raise AppError(TRANSFER_LATE, day=transfer.step_due.isoformat())
        transfer.status = Transfer.Status.SUPERVISION
        _transfer_step(transfer, user, TransferEvent.Kind.SUPERVISION, today, None, note.strip())
    return transfer


# --- cases from judicial organs ----------------------------------------------------------------------

INCOMING_EMPTY = Message(
    "incoming.empty", _("Give the kind, the sending organ, its document number, the party and what it found.")
)
INCOMING_DOCUMENTS = Message("incoming.documents", _("Attach the organ's documents."))
INCOMING_DATE = Message("incoming.date", _("Give the day the documents were received (not in the future)."))
INCOMING_REGION = Message("incoming.region", _("Record cases received by your own bureau."))
INCOMING_TRANSFER = Message("incoming.transfer", _("A returned case names one of this bureau's transfers."))


@dataclass(frozen=True)
class IncomingInput:
    kind: str
    organ: str
    organ_name: str
    document_number: str
    received_on: datetime.date | None
    party: str
    summary: str
    documents: Sequence[UploadedFile]
    transfer: Transfer | None = None
    region: Region | None = None  # the bureau's district; a district regulator's own by default


def incoming_record(*, user: User, data: IncomingInput, today: datetime.date | None = None) -> IncomingCase:
    """The receiving bureau records the organ's case with its documents; a clue is made of it,
    to be screened within clue.screening working days of receipt."""
    today = today or program_today()
    fields = (data.organ_name, data.document_number, data.party, data.summary)
    if (
        data.kind not in IncomingCase.Kind.values
        or data.organ not in Transfer.Organ.values
        or not all(value.strip() for value in fields)
    ):
        raise AppError(INCOMING_EMPTY, field="organ_name")
    if data.received_on is None or data.received_on > today:
        raise AppError(INCOMING_DATE, field="received_on")
    if not data.documents:
        raise AppError(INCOMING_DOCUMENTS, field="documents")
    checked = checked_uploads(list(data.documents))
    region = data.region or user.home_region
    if region is None or not regions_in_scope(IncomingCase, user, ADD).filter(pk=region.pk).exists():
        raise AppError(INCOMING_REGION, field="region")
    with transaction.atomic():
        transfer = None
        if data.kind == IncomingCase.Kind.RETURNED:
            transfer = (
                restricted(Transfer, user, CHANGE).filter(pk=data.transfer.pk, case__region=region).first()
                if data.transfer is not None
                else None
            )
            if transfer is None:
                raise AppError(INCOMING_TRANSFER, field="transfer")
        due = _screening_due(data.received_on)
        clue = Clue.objects.create(
            region=region, tracking_hash=tracking_hash(new_tracking_code()), real_name=False,
            against=data.party.strip()[:200], description=data.summary.strip(), received_on=data.received_on,
            screening_due=due.on, screening_missing_year=due.missing_year,
        )  # fmt: skip
        incoming = IncomingCase.objects.create(
            region=region, kind=data.kind, organ=data.organ, organ_name=data.organ_name.strip()[:200],
            document_number=data.document_number.strip()[:64], received_on=data.received_on,
            party=data.party.strip()[:200], summary=data.summary.strip(), transfer=transfer, clue=clue,
            recorded_by=user,
        )  # fmt: skip
        ensure_in_scope(incoming, user, ADD)
        for upload, content_type, sha256 in checked:
            uploads.store_upload(IncomingDocument(incoming=incoming, uploaded_by=user), upload, content_type, sha256)
        note = f"{incoming.get_kind_display()} · {incoming.organ_name} {incoming.document_number}"
        ClueEvent.objects.create(clue=clue, kind=ClueEvent.Kind.FROM_ORGAN, actor=user, note=note)
    return incoming


# --- other routes ----------------------------------------------------------------------------------

MEDIATION_EMPTY = Message("mediation.empty", _("Name the other party and the route."))
MEDIATION_FUTURE = Message("mediation.future", _("A dispute cannot be concluded in the future."))
MEDIATION_PENDING = Message("mediation.pending", _("A concluded dispute has an outcome; a pending one has no date."))


@dataclass(frozen=True)
class MediationInput:
    enterprise: Enterprise | None
    route: str
    counterparty: str
    outcome: str = "pending"
    concluded_on: datetime.date | None = None
    note: str = ""


def mediation_record(*, user: User, data: MediationInput) -> Mediation:
    if not data.counterparty.strip() or data.route not in Mediation.Route.values:
        raise AppError(MEDIATION_EMPTY, field="counterparty")
    if data.concluded_on is not None and data.concluded_on > program_today():
        raise AppError(MEDIATION_FUTURE, field="concluded_on")
    if data.outcome not in Mediation.Outcome.values or (data.outcome == Mediation.Outcome.PENDING) != (
        data.concluded_on is None
    ):
        raise AppError(MEDIATION_PENDING, field="outcome")
    enterprise = data.enterprise
    if enterprise is None or not restricted(Enterprise, user, VIEW).filter(pk=enterprise.pk).exists():
        raise AppError(DEMAND_ENTERPRISE, field="enterprise")
    with transaction.atomic():
        row = Mediation.objects.create(
            enterprise=enterprise, region=enterprise.region, route=data.route, counterparty=data.counterparty.strip(),
            outcome=data.outcome, concluded_on=data.concluded_on, note=data.note.strip(), recorded_by=user,
        )  # fmt: skip
        ensure_in_scope(row, user, ADD)
    return row


# --- the calendar --------------------------------------------------------------------------------

CALENDAR_FILE = Message("calendar.file", _("The calendar file is refused: %(reason)s"))
CALENDAR_MAX_BYTES = 64 * 1024


def calendar_upload(*, upload: UploadedFile | None) -> CalendarYear:
    """A new year's calendar uploaded on the calendar page (the shape of data/calendars/)."""
    try:
        if upload is None or not upload.size or upload.size > CALENDAR_MAX_BYTES:
            raise CalendarFileError(_("Choose a calendar file (.json, at most 64 KB)."))
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CalendarFileError(_("The file is not a calendar in JSON.")) from exc
        if not isinstance(data, dict):
            raise CalendarFileError(_("The file is not a calendar in JSON."))
        return calendar_load(data)
    except CalendarFileError as exc:
        raise AppError(CALENDAR_FILE, field="calendar", reason=str(exc)) from exc
