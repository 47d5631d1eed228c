"""Writes of the protection system: keyword-only, typed user, each step of a secret point an
append-only event with its approver.

Only the enterprise's admins write (``restrict(user, CHANGE)`` decides); every person and
secret point a write names must be the writer's enterprise's own. A refusal is an AppError
with one of the messages below.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, ensure_in_scope, may, restricted
from shangmi.enforcement.rules import RuleMissing
from shangmi.evidence.models import Deposit
from shangmi.evidence.services import DepositError, DepositInput, deposits_create
from shangmi.protection import rules
from shangmi.protection.models import (
    GRADE_RANK,
    Agreement,
    Area,
    Carrier,
    CarrierEvent,
    Disclosure,
    Engagement,
    Grade,
    Measure,
    Person,
    SecretPoint,
    SecretPointDeposit,
    SecretPointEvent,
    Subject,
    TermKind,
    Visit,
    subject_category,
)
from shangmi.protection.selectors import carrier_state

NOT_KEEPER = Message("protection.not_keeper", _("Only the enterprise's administrators keep its protection registers."))
NAME_EMPTY = Message("protection.name_empty", _("Give it a name."))
SUBJECT_UNKNOWN = Message("protection.subject_unknown", _("%(subject)s is not one of the listed kinds of information."))
TERM_DATE_MISSING = Message("protection.term_date_missing", _("Say until which date it is kept secret."))
TERM_DATE_PAST = Message("protection.term_date_past", _("The term ends before today: choose a later date."))
TERM_DATE_UNWANTED = Message(
    "protection.term_date_unwanted", _("A long-term or until-published secret point has no end date.")
)
PERSON_FOREIGN = Message("protection.person_foreign", _("%(name)s is not one of your enterprise's people."))
MEASURE_UNKNOWN = Message("protection.measure_unknown", _("%(value)s is not one of the listed measures."))
APPROVER_MISSING = Message("protection.approver_missing", _("Say who approved it (name and post)."))
DATE_INVALID = Message("protection.date_invalid", _("Enter the date as YYYY-MM-DD."))
DECIDED_IN_FUTURE = Message("protection.decided_in_future", _("The decision date cannot be later than today."))
TRANSITION = Message("protection.transition", _("A secret point that is %(status)s cannot be %(step)s."))
NOTHING_CHANGED = Message("protection.nothing_changed", _("Nothing was changed."))
REASON_MISSING = Message("protection.reason_missing", _("Say why it is changed."))


def enterprise_people(user: User) -> Any:
    """The people a writer may name: their enterprise's own."""
    if user.enterprise_id is None:
        return Person.objects.none()
    return restricted(Person, user, CHANGE).filter(enterprise_id=user.enterprise_id)


def _keeper(user: User) -> int:
    if not may(user, ADD, SecretPoint) or user.enterprise_id is None:
        raise AppError(NOT_KEEPER)
    return user.enterprise_id


def _own_people(enterprise_id: int, people: Sequence[Person], field_name: str) -> None:
    for person in people:
        if person.enterprise_id != enterprise_id:
            raise AppError(PERSON_FOREIGN, field=field_name, name=person.name)


def _decision_day(on: datetime.date | None) -> datetime.date:
    today = program_today()
    if on is None:
        return today
    if on > today:
        raise AppError(DECIDED_IN_FUTURE, field="on")
    return on


@dataclass(frozen=True)
class SecretPointInput:
    name: str
    subject: str
    grade: str
    term_kind: str
    department: str
    responsible: Person
    location: str
    circle: Sequence[Person] = ()
    term_until: datetime.date | None = None
    measures: Sequence[str] = field(default_factory=tuple)
    measures_note: str = ""
    description: str = ""


def _checked(data: SecretPointInput, enterprise_id: int) -> dict[str, Any]:
    """The row's values from ``data``, every rule checked; the circle comes back as a list
    that always holds the responsible person."""
    if not data.name.strip():
        raise AppError(NAME_EMPTY, field="name")
    if data.subject not in Subject.values:
        raise AppError(SUBJECT_UNKNOWN, field="subject", subject=data.subject)
    if data.term_kind == TermKind.UNTIL_DATE:
        if data.term_until is None:
            raise AppError(TERM_DATE_MISSING, field="term_until")
        if data.term_until < program_today():
            raise AppError(TERM_DATE_PAST, field="term_until")
    elif data.term_until is not None:
        raise AppError(TERM_DATE_UNWANTED, field="term_until")
    for value in data.measures:
        if value not in Measure.values:
            raise AppError(MEASURE_UNKNOWN, field="measures", value=value)
    circle = list(dict.fromkeys([data.responsible, *data.circle]))
    _own_people(enterprise_id, [data.responsible], "responsible")
    _own_people(enterprise_id, circle, "circle")
    return {
        "name": data.name.strip(),
        "description": data.description.strip(),
        "category": subject_category(data.subject),
        "subject": data.subject,
        "grade": data.grade,
        "term_kind": data.term_kind,
        "term_until": data.term_until,
        "department": data.department.strip(),
        "responsible": data.responsible,
        "location": data.location.strip(),
        "measures": [value for value in Measure.values if value in data.measures],
        "measures_note": data.measures_note.strip(),
        "circle": circle,
    }


def secret_point_propose(*, user: User, data: SecretPointInput, note: str = "") -> SecretPoint:
    """A new secret point, proposed (提出): it becomes the enterprise's once filed."""
    enterprise_id = _keeper(user)
    values = _checked(data, enterprise_id)
    circle = values.pop("circle")
    with transaction.atomic():
        point = SecretPoint.objects.create(enterprise_id=enterprise_id, proposed_by=user, **values)
        point.circle.set(circle)
        ensure_in_scope(point, user, ADD)
        SecretPointEvent.objects.create(
            secret_point=point, kind=SecretPointEvent.Kind.PROPOSED, actor=user, on=program_today(), note=note.strip()
        )
    return point


# The steps of a secret point's life: from which states each may be taken, and where it leads.
STEPS: dict[str, tuple[tuple[str, ...], str | None]] = {
    SecretPointEvent.Kind.FILED: ((SecretPoint.Status.PROPOSED,), SecretPoint.Status.FILED),
    SecretPointEvent.Kind.CHANGED: ((SecretPoint.Status.PROPOSED, SecretPoint.Status.FILED), None),
    SecretPointEvent.Kind.DECLASSIFIED: ((SecretPoint.Status.FILED,), SecretPoint.Status.DECLASSIFIED),
    SecretPointEvent.Kind.DESTROYED: ((SecretPoint.Status.FILED,), SecretPoint.Status.DESTROYED),
}


def may_take(point: SecretPoint, step: str) -> bool:
    return point.status in STEPS[step][0]


def _locked(user: User, point: SecretPoint, step: str) -> SecretPoint:
    """The row, locked for the step and re-read through the writer's scope."""
    _keeper(user)
    locked = restricted(SecretPoint, user, CHANGE).select_for_update().filter(pk=point.pk).first()
    if locked is None:
        raise AppError(NOT_KEEPER)
    if not may_take(locked, step):
        raise AppError(
            TRANSITION,
            status=str(locked.get_status_display()).lower(),
            step=str(SecretPointEvent.Kind(step).label).lower(),
        )
    return locked


def _decide(
    *, user: User, point: SecretPoint, step: str, approver: str, on: datetime.date | None, note: str
) -> SecretPoint:
    if not approver.strip():
        raise AppError(APPROVER_MISSING, field="approver")
    day = _decision_day(on)
    with transaction.atomic():
        locked = _locked(user, point, step)
        target = STEPS[step][1]
        assert target is not None
        locked.status = target
        locked.save(update_fields=["status"])
        SecretPointEvent.objects.create(
            secret_point=locked, kind=step, actor=user, approver=approver.strip(), on=day, note=note.strip()
        )
    return locked


def secret_point_file(
    *, user: User, secret_point: SecretPoint, approver: str, on: datetime.date | None = None, note: str = ""
) -> SecretPoint:
    """Approved and filed (定密): the proposal becomes a secret point of the enterprise."""
    return _decide(user=user, point=secret_point, step=SecretPointEvent.Kind.FILED, approver=approver, on=on, note=note)


def secret_point_declassify(
    *, user: User, secret_point: SecretPoint, approver: str, on: datetime.date | None = None, note: str = ""
) -> SecretPoint:
    """No longer a secret (解密): it stays in the register with its history."""
    step = SecretPointEvent.Kind.DECLASSIFIED
    return _decide(user=user, point=secret_point, step=step, approver=approver, on=on, note=note)


def secret_point_destroy(
    *, user: User, secret_point: SecretPoint, approver: str, on: datetime.date | None = None, note: str = ""
) -> SecretPoint:
    """Destroyed (销毁): it stays in the register with its history."""
    step = SecretPointEvent.Kind.DESTROYED
    return _decide(user=user, point=secret_point, step=step, approver=approver, on=on, note=note)


def _readable(point: SecretPoint, name: str) -> Any:
    """A field's value as people read it, for the change record."""
    if name == "circle":
        return sorted(person.name for person in point.circle.all())
    value = getattr(point, name)
    if name == "measures":
        return point.measure_labels()
    if name == "responsible":
        return value.name
    display = getattr(point, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value if value is not None else ""


CHANGEABLE = (
    "name", "description", "subject", "grade", "term_kind", "term_until", "department", "responsible",
    "location", "measures", "measures_note",
)  # fmt: skip


def secret_point_change(
    *,
    user: User,
    secret_point: SecretPoint,
    data: SecretPointInput,
    approver: str = "",
    on: datetime.date | None = None,
    note: str = "",
) -> SecretPoint:
    """Changed (变更): what changed is recorded before and after. A filed secret point changes
    only with an approver and a reason; a proposal is revised freely until it is filed."""
    values = _checked(data, _keeper(user))
    day = _decision_day(on)
    with transaction.atomic():
        point = _locked(user, secret_point, SecretPointEvent.Kind.CHANGED)
        if point.status == SecretPoint.Status.FILED:
            if not approver.strip():
                raise AppError(APPROVER_MISSING, field="approver")
            if not note.strip():
                raise AppError(REASON_MISSING, field="note")
        before = {name: _readable(point, name) for name in (*CHANGEABLE, "circle")}
        circle = values.pop("circle")
        for name, value in values.items():
            setattr(point, name, value)
        after = {name: _readable(point, name) for name in CHANGEABLE}
        after["circle"] = sorted(person.name for person in circle)
        changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
        if not changes:
            raise AppError(NOTHING_CHANGED)
        point.save()
        point.circle.set(circle)
        ensure_in_scope(point, user, CHANGE)
        SecretPointEvent.objects.create(
            secret_point=point,
            kind=SecretPointEvent.Kind.CHANGED,
            actor=user,
            approver=approver.strip(),
            on=day,
            note=note.strip(),
            changes=changes,
        )
    return point


# --- people (涉密人员) ---------------------------------------------------------------------------

ACCOUNT_FOREIGN = Message(
    "protection.account_foreign", _("Link an account of your enterprise's own staff that no other person uses.")
)
LEFT_BEFORE_HIRED = Message("protection.left_before_hired", _("The person cannot leave before being hired."))


def linkable_accounts(user: User, person: Person | None = None) -> Any:
    """The accounts a person record may be linked to: the enterprise's own, not linked elsewhere."""
    if user.enterprise_id is None:
        return User.objects.none()
    taken = Person.objects.filter(account__isnull=False)
    if person is not None:
        taken = taken.exclude(pk=person.pk)
    return User.objects.filter(
        enterprise_id=user.enterprise_id, role__in=(Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
    ).exclude(pk__in=taken.values("account"))


@dataclass(frozen=True)
class PersonInput:
    name: str
    department: str = ""
    post: str = ""
    post_category: str = Person.PostCategory.OTHER
    grade: str = "general"
    account: User | None = None
    hired_on: datetime.date | None = None
    left_on: datetime.date | None = None


def _person_values(user: User, data: PersonInput, person: Person | None) -> dict[str, Any]:
    if not data.name.strip():
        raise AppError(NAME_EMPTY, field="name")
    if data.account is not None and not linkable_accounts(user, person).filter(pk=data.account.pk).exists():
        raise AppError(ACCOUNT_FOREIGN, field="account")
    if data.hired_on and data.left_on and data.left_on < data.hired_on:
        raise AppError(LEFT_BEFORE_HIRED, field="left_on")
    return {
        "name": data.name.strip(),
        "department": data.department.strip(),
        "post": data.post.strip(),
        "post_category": data.post_category,
        "grade": data.grade,
        "account": data.account,
        "hired_on": data.hired_on,
        "left_on": data.left_on,
    }


def person_create(*, user: User, data: PersonInput) -> Person:
    enterprise_id = _keeper(user)
    values = _person_values(user, data, None)
    with transaction.atomic():
        person = Person.objects.create(enterprise_id=enterprise_id, **values)
        ensure_in_scope(person, user, ADD)
    return person


def person_update(*, user: User, person: Person, data: PersonInput) -> Person:
    _keeper(user)
    values = _person_values(user, data, person)
    with transaction.atomic():
        locked = restricted(Person, user, CHANGE).select_for_update().filter(pk=person.pk).first()
        if locked is None:
            raise AppError(NOT_KEEPER)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
    return locked


# --- agreements ------------------------------------------------------------------------------------

END_BEFORE_START = Message("protection.end_before_start", _("The agreement cannot end before it starts."))
SCOPE_EMPTY = Message("protection.scope_empty", _("Say what the agreement covers."))
NONCOMPETE_WHO = Message(
    "protection.noncompete_who",
    _(
        "A non-compete binds only senior management, senior technical staff and others bound to "
        "confidentiality (%(source)s): record %(name)s's post category or a confidentiality agreement first."
    ),
)
NONCOMPETE_END = Message("protection.noncompete_end", _("Say when the non-compete ends."))
NONCOMPETE_TOO_LONG = Message(
    "protection.noncompete_too_long",
    _("A non-compete lasts at most %(months)d months (%(source)s): it must end by %(latest)s."),
)
NONCOMPETE_WAGE = Message(
    "protection.noncompete_wage", _("Give the person's average monthly wage of the last 12 months.")
)
NONCOMPETE_COMPENSATION = Message(
    "protection.noncompete_compensation",
    _(
        "The monthly compensation must be at least %(floor)s yuan: %(share)s%% of the average monthly wage "
        "(%(share_source)s) and not below the local minimum wage of %(minimum)s yuan."
    ),
)
RULES_MISSING = Message(
    "protection.rules_missing", _("The labour-law rules are not loaded (%(code)s): run load_reference_data.")
)


@dataclass(frozen=True)
class AgreementInput:
    person: Person
    kind: str
    signed_on: datetime.date
    scope_text: str
    starts_on: datetime.date | None = None  # None: the day it was signed
    ends_on: datetime.date | None = None
    area: str = ""
    monthly_compensation: Decimal | None = None
    average_monthly_wage: Decimal | None = None
    penalty: Decimal | None = None
    note: str = ""


def bound_to_confidentiality(person: Person, on: datetime.date, exclude: Agreement | None = None) -> bool:
    """Senior management or technical staff, or a confidentiality agreement in force on ``on``."""
    if person.post_category in (Person.PostCategory.SENIOR_MANAGEMENT, Person.PostCategory.SENIOR_TECHNICIAN):
        return True
    agreements = person.agreements.filter(kind=Agreement.Kind.CONFIDENTIALITY, starts_on__lte=on)
    if exclude is not None:
        agreements = agreements.exclude(pk=exclude.pk)
    return agreements.exclude(ends_on__lt=on).exists()


def _agreement_values(data: AgreementInput, agreement: Agreement | None) -> dict[str, Any]:
    starts_on = data.starts_on or data.signed_on
    if not data.scope_text.strip():
        raise AppError(SCOPE_EMPTY, field="scope_text")
    if data.ends_on is not None and data.ends_on < starts_on:
        raise AppError(END_BEFORE_START, field="ends_on")
    values: dict[str, Any] = {
        "kind": data.kind,
        "signed_on": data.signed_on,
        "starts_on": starts_on,
        "ends_on": data.ends_on,
        "scope_text": data.scope_text.strip(),
        "area": data.area.strip(),
        "monthly_compensation": data.monthly_compensation,
        "average_monthly_wage": data.average_monthly_wage,
        "penalty": data.penalty,
        "note": data.note.strip(),
        "checked": {},
    }
    if data.kind == Agreement.Kind.NON_COMPETE:
        values["checked"] = noncompete_check(data, starts_on, agreement)
    return values


def noncompete_check(data: AgreementInput, starts_on: datetime.date, agreement: Agreement | None) -> dict[str, Any]:
    """Refuse a non-compete outside the labour-law bounds; the bounds it was checked against."""
    person = data.person
    try:
        bounds = rules.noncompete_bounds(person.enterprise.region, starts_on)
    except RuleMissing as exc:
        raise AppError(RULES_MISSING, code=str(exc)) from exc
    if not bound_to_confidentiality(person, starts_on, exclude=agreement):
        raise AppError(NONCOMPETE_WHO, field="person", name=person.name, source="劳动合同法第二十四条")
    if data.ends_on is None:
        raise AppError(NONCOMPETE_END, field="ends_on")
    latest = bounds.latest_end(starts_on)
    if data.ends_on > latest:
        raise AppError(
            NONCOMPETE_TOO_LONG,
            field="ends_on",
            months=int(bounds.max_term.value),
            source=rules.source_of(bounds.max_term),
            latest=latest.isoformat(),
        )
    if data.average_monthly_wage is None or data.average_monthly_wage <= 0:
        raise AppError(NONCOMPETE_WAGE, field="average_monthly_wage")
    floor = bounds.compensation_floor(data.average_monthly_wage)
    if data.monthly_compensation is None or data.monthly_compensation < floor:
        raise AppError(
            NONCOMPETE_COMPENSATION,
            field="monthly_compensation",
            floor=f"{floor:.2f}",
            share=rules.plain(bounds.share.value),
            share_source=rules.source_of(bounds.share),
            minimum=f"{bounds.wage.value:.2f}" if bounds.wage is not None else "—",
        )
    return bounds.record(person.enterprise.region, data.average_monthly_wage)


def agreement_record(*, user: User, data: AgreementInput) -> Agreement:
    enterprise_id = _keeper(user)
    _own_people(enterprise_id, [data.person], "person")
    values = _agreement_values(data, None)
    with transaction.atomic():
        agreement = Agreement.objects.create(person=data.person, recorded_by=user, **values)
        ensure_in_scope(agreement, user, ADD)
    return agreement


def agreement_update(*, user: User, agreement: Agreement, data: AgreementInput) -> Agreement:
    enterprise_id = _keeper(user)
    _own_people(enterprise_id, [data.person], "person")
    values = _agreement_values(data, agreement)
    with transaction.atomic():
        locked = restricted(Agreement, user, CHANGE).select_for_update().filter(pk=agreement.pk).first()
        if locked is None:
            raise AppError(NOT_KEEPER)
        locked.person = data.person
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        ensure_in_scope(locked, user, CHANGE)
    return locked


# --- carriers (载体) and their log ---------------------------------------------------------------

CARRIER_POINTS = Message("protection.carrier_points", _("Name the secret points the carrier holds."))
CARRIER_POINT_FOREIGN = Message("protection.carrier_point_foreign", _("%(name)s is not one of your secret points."))
GRADE_BELOW = Message(
    "protection.grade_below",
    _("The carrier holds %(name)s, graded %(grade)s: its mark cannot be lower than that."),
)
COPIES_POSITIVE = Message("protection.copies_positive", _("The number of copies is a whole number of at least 1."))
CARRIER_GONE = Message("protection.carrier_gone", _("Every copy of this carrier is destroyed."))
PERSON_NEEDED = Message("protection.person_needed", _("Say who borrowed, returned or received it."))
NOT_IN_CUSTODY = Message(
    "protection.not_in_custody", _("Only %(available)d copies are in the custodian's hands; the rest are out.")
)
RETURN_TOO_MANY = Message(
    "protection.return_too_many", _("%(name)s holds %(held)d copies of this carrier, not %(copies)d.")
)
LOG_FORM = Message("protection.log_form", _("The log line was not recorded: %(error)s"))
LOG_KIND = Message("protection.log_kind", _("Borrow, return, copy or destroy: choose one."))


@dataclass(frozen=True)
class CarrierInput:
    name: str
    secret_points: Sequence[SecretPoint]
    form: str
    grade_mark: str
    custodian: Person
    location: str
    number: str = ""
    copies: int = 1


def _carrier_values(data: CarrierInput, enterprise_id: int) -> dict[str, Any]:
    if not data.name.strip():
        raise AppError(NAME_EMPTY, field="name")
    if not data.secret_points:
        raise AppError(CARRIER_POINTS, field="secret_points")
    for point in data.secret_points:
        if point.enterprise_id != enterprise_id:
            raise AppError(CARRIER_POINT_FOREIGN, field="secret_points", name=point.name)
        if GRADE_RANK[Grade(point.grade)] > GRADE_RANK[Grade(data.grade_mark)]:
            raise AppError(GRADE_BELOW, field="grade_mark", name=point.name, grade=str(point.get_grade_display()))
    _own_people(enterprise_id, [data.custodian], "custodian")
    if data.copies < 1:
        raise AppError(COPIES_POSITIVE, field="copies")
    return {
        "name": data.name.strip(),
        "number": data.number.strip(),
        "form": data.form,
        "grade_mark": data.grade_mark,
        "custodian": data.custodian,
        "location": data.location.strip(),
    }


def carrier_register(*, user: User, data: CarrierInput) -> Carrier:
    enterprise_id = _keeper(user)
    values = _carrier_values(data, enterprise_id)
    with transaction.atomic():
        carrier = Carrier.objects.create(enterprise_id=enterprise_id, copies=data.copies, registered_by=user, **values)
        carrier.secret_points.set(data.secret_points)
        ensure_in_scope(carrier, user, ADD)
    return carrier


def carrier_update(*, user: User, carrier: Carrier, data: CarrierInput, note: str = "") -> Carrier:
    """A carrier's description changes; a new custodian is a handover in its log. Its copies
    change only through the log."""
    enterprise_id = _keeper(user)
    values = _carrier_values(data, enterprise_id)
    with transaction.atomic():
        locked = restricted(Carrier, user, CHANGE).select_for_update().filter(pk=carrier.pk).first()
        if locked is None:
            raise AppError(NOT_KEEPER)
        handed_to = values["custodian"] if values["custodian"].pk != locked.custodian_id else None
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        locked.secret_points.set(data.secret_points)
        if handed_to is not None:
            CarrierEvent.objects.create(
                carrier=locked, kind=CarrierEvent.Kind.HANDOVER, person=handed_to, copies=0, on=program_today(),
                actor=user, note=note.strip()[:500],
            )  # fmt: skip
    return locked


@dataclass(frozen=True)
class CarrierLogInput:
    kind: str
    copies: int = 1
    person: Person | None = None
    on: datetime.date | None = None
    approver: str = ""
    note: str = ""


def carrier_log(*, user: User, carrier: Carrier, data: CarrierLogInput) -> CarrierEvent:
    """A line of the carrier's log, refused where the copies do not add up: a borrower returns
    only what they hold, and only copies in the custodian's hands are lent or destroyed."""
    Kind = CarrierEvent.Kind
    enterprise_id = _keeper(user)
    if data.kind not in (Kind.BORROW, Kind.RETURN, Kind.COPY, Kind.DESTROY):
        raise AppError(LOG_KIND, field="kind")
    if data.copies < 1:
        raise AppError(COPIES_POSITIVE, field="copies")
    if data.kind != Kind.DESTROY:
        if data.person is None:
            raise AppError(PERSON_NEEDED, field="person")
        _own_people(enterprise_id, [data.person], "person")
    if data.kind in (Kind.COPY, Kind.DESTROY) and not data.approver.strip():
        raise AppError(APPROVER_MISSING, field="approver")
    day = _decision_day(data.on)
    with transaction.atomic():
        locked = restricted(Carrier, user, CHANGE).select_for_update().filter(pk=carrier.pk).first()
        if locked is None:
            raise AppError(NOT_KEEPER)
        state = carrier_state(locked)
        if state.destroyed:
            raise AppError(CARRIER_GONE)
        if data.kind in (Kind.BORROW, Kind.DESTROY) and data.copies > state.in_custody:
            raise AppError(NOT_IN_CUSTODY, field="copies", available=state.in_custody)
        if data.kind == Kind.RETURN:
            assert data.person is not None
            held = state.holders.get(data.person.pk, 0)
            if data.copies > held:
                raise AppError(RETURN_TOO_MANY, field="copies", name=data.person.name, held=held, copies=data.copies)
        return CarrierEvent.objects.create(
            carrier=locked,
            kind=data.kind,
            person=data.person if data.kind != Kind.DESTROY else None,
            copies=data.copies,
            on=day,
            approver=data.approver.strip(),
            note=data.note.strip()[:500],
            actor=user,
        )


# --- departures (离职) ------------------------------------------------------------------------------

LEFT_IN_FUTURE = Message("protection.left_in_future", _("Record the departure on the day the person leaves."))


def person_depart(*, user: User, person: Person, left_on: datetime.date) -> Person:
    """The day the person left; the handover list stays derived from the records."""
    _keeper(user)
    if left_on > program_today():
        raise AppError(LEFT_IN_FUTURE, field="left_on")
    with transaction.atomic():
        locked = restricted(Person, user, CHANGE).select_for_update().filter(pk=person.pk).first()
        if locked is None:
            raise AppError(NOT_KEEPER)
        if locked.hired_on and left_on < locked.hired_on:
            raise AppError(LEFT_BEFORE_HIRED, field="left_on")
        locked.left_on = left_on
        locked.save(update_fields=["left_on"])
    return locked


# --- deposited versions of a secret point's document ---------------------------------------------

DEPOSIT_ONE_FILE = Message(
    "protection.deposit_one_file", _("Deposit one file at a time: each is the next version of the secret point.")
)
DEPOSIT_NOT_LIVE = Message("protection.deposit_not_live", _("A secret point that is %(status)s takes no new version."))
DEPOSIT_REFUSED = Message("protection.deposit_refused", _("The deposit was refused: %(reasons)s"))


def secret_point_deposit(*, user: User, secret_point: SecretPoint, item: DepositInput) -> SecretPointDeposit:
    """Deposit the next version of the secret point's document: its digests (or salted
    commitments) only, through the evidence log's one deposit service, chained to the version
    before it (``previous``) and linked to the secret point, or nothing at all."""
    _keeper(user)
    with transaction.atomic():
        # Locked so two versions deposited at once get two numbers and one chain.
        locked = restricted(SecretPoint, user, CHANGE).select_for_update().filter(pk=secret_point.pk).first()
        if locked is None:
            raise AppError(NOT_KEEPER)
        if not locked.is_live:
            raise AppError(DEPOSIT_NOT_LIVE, status=str(locked.get_status_display()).lower())
        last = SecretPointDeposit.objects.filter(secret_point=locked).order_by("-version").first()
        chained = DepositInput(
            title=item.title,
            sha256=item.sha256,
            sm3=item.sm3,
            file_name=item.file_name,
            file_size=item.file_size,
            secret_point=locked.name[:200],
            project=item.project,
            version_note=item.version_note,
            previous=str(last.deposit_id) if last else None,
            salt=item.salt,
            commitment=item.commitment,
            sm3_commitment=item.sm3_commitment,
        )
        try:
            deposit = deposits_create(user=user, items=[chained], source=Deposit.Source.BROWSER)[0]
        except DepositError as error:
            raise AppError(DEPOSIT_REFUSED, reasons="; ".join(error.errors)) from error
        return SecretPointDeposit.objects.create(
            secret_point=locked, deposit=deposit, version=(last.version + 1) if last else 1, linked_by=user
        )


# --- outsourcing and business activities (委外、商务活动) ---------------------------------------------

COUNTERPARTY_EMPTY = Message("protection.counterparty_empty", _("Name the counterparty."))
PURPOSE_EMPTY = Message("protection.purpose_empty", _("Say what the activity is for."))
ENGAGEMENT_KIND = Message("protection.engagement_kind", _("Choose one of the listed kinds of activity."))
AGREEMENT_IN_FUTURE = Message(
    "protection.agreement_in_future", _("Record the agreement on or after the day it is signed, not before.")
)
AGREEMENT_AFTER_DISCLOSURE = Message(
    "protection.agreement_after_disclosure",
    _("A secret point was disclosed on %(day)s: the agreement cannot be dated after it."),
)
NO_AGREEMENT_YET = Message(
    "protection.no_agreement_yet",
    _("Sign a confidentiality agreement with the counterparty before disclosing any secret point to it."),
)
DISCLOSED_BEFORE_AGREEMENT = Message(
    "protection.disclosed_before_agreement",
    _("The confidentiality agreement was signed on %(day)s: a disclosure cannot come before it."),
)
DISCLOSURE_NOT_LIVE = Message("protection.disclosure_not_live", _("%(name)s is no longer a secret: it is %(status)s."))
WHAT_MISSING = Message("protection.what_missing", _("Say what was handed over (documents, samples, access)."))
ENGAGEMENT_ENDED = Message("protection.engagement_ended", _("This activity ended on %(day)s."))
ENDING_UNKNOWN = Message("protection.ending_unknown", _("Say whether what was handed over was returned or destroyed."))
FORM_INVALID = Message("protection.form_invalid", _("Nothing was recorded: %(error)s"))
ENDS_TOO_EARLY = Message(
    "protection.ends_too_early", _("The activity cannot end before %(day)s (its start or its last disclosure).")
)


@dataclass(frozen=True)
class EngagementInput:
    kind: str
    counterparty: str
    purpose: str
    starts_on: datetime.date
    counterparty_uscc: str = ""
    agreement_signed_on: datetime.date | None = None
    agreement_ref: str = ""


def _engagement_values(data: EngagementInput, engagement: Engagement | None) -> dict[str, Any]:
    if data.kind not in Engagement.Kind.values:
        raise AppError(ENGAGEMENT_KIND, field="kind")
    if not data.counterparty.strip():
        raise AppError(COUNTERPARTY_EMPTY, field="counterparty")
    if not data.purpose.strip():
        raise AppError(PURPOSE_EMPTY, field="purpose")
    signed = data.agreement_signed_on
    if signed is not None and signed > program_today():
        raise AppError(AGREEMENT_IN_FUTURE, field="agreement_signed_on")
    if engagement is not None:
        first = engagement.disclosures.order_by("on").first()
        if first is not None and (signed is None or signed > first.on):
            raise AppError(AGREEMENT_AFTER_DISCLOSURE, field="agreement_signed_on", day=first.on.isoformat())
    return {
        "kind": data.kind,
        "counterparty": data.counterparty.strip(),
        "counterparty_uscc": data.counterparty_uscc.strip().upper(),
        "purpose": data.purpose.strip(),
        "starts_on": data.starts_on,
        "agreement_signed_on": signed,
        "agreement_ref": data.agreement_ref.strip(),
    }


def engagement_record(*, user: User, data: EngagementInput) -> Engagement:
    enterprise_id = _keeper(user)
    with transaction.atomic():
        engagement = Engagement.objects.create(
            enterprise_id=enterprise_id, recorded_by=user, **_engagement_values(data, None)
        )
        ensure_in_scope(engagement, user, ADD)
    return engagement


def _open_engagement(user: User, engagement: Engagement) -> Engagement:
    _keeper(user)
    locked = restricted(Engagement, user, CHANGE).select_for_update().filter(pk=engagement.pk).first()
    if locked is None:
        raise AppError(NOT_KEEPER)
    if locked.ended_on is not None:
        raise AppError(ENGAGEMENT_ENDED, day=locked.ended_on.isoformat())
    return locked


def engagement_update(*, user: User, engagement: Engagement, data: EngagementInput) -> Engagement:
    """Its details, the agreement's day included (never after a disclosure); not once ended."""
    with transaction.atomic():
        locked = _open_engagement(user, engagement)
        values = _engagement_values(data, locked)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
    return locked


@dataclass(frozen=True)
class DisclosureInput:
    secret_point: SecretPoint
    what: str
    approver: str
    on: datetime.date | None = None


def engagement_disclose(*, user: User, engagement: Engagement, data: DisclosureInput) -> Disclosure:
    """Record that a secret point was disclosed to the counterparty: only under an agreement
    signed on or before that day, only a live secret point of the enterprise's own."""
    day = _decision_day(data.on)
    if not data.what.strip():
        raise AppError(WHAT_MISSING, field="what")
    if not data.approver.strip():
        raise AppError(APPROVER_MISSING, field="approver")
    with transaction.atomic():
        locked = _open_engagement(user, engagement)
        point = restricted(SecretPoint, user, CHANGE).filter(pk=data.secret_point.pk).first()
        if point is None or point.enterprise_id != locked.enterprise_id:
            raise AppError(CARRIER_POINT_FOREIGN, field="secret_point", name=data.secret_point.name)
        if not point.is_live:
            raise AppError(
                DISCLOSURE_NOT_LIVE, field="secret_point", name=point.name, status=str(point.get_status_display())
            )
        if locked.agreement_signed_on is None:
            raise AppError(NO_AGREEMENT_YET, field="on")
        if day < locked.agreement_signed_on:
            raise AppError(DISCLOSED_BEFORE_AGREEMENT, field="on", day=locked.agreement_signed_on.isoformat())
        return Disclosure.objects.create(
            engagement=locked, secret_point=point, on=day, what=data.what.strip(), approver=data.approver.strip(),
            actor=user,
        )  # fmt: skip


def engagement_end(
    *, user: User, engagement: Engagement, ending: str, on: datetime.date | None, note: str = ""
) -> Engagement:
    """The activity ends: what was handed over is returned or destroyed, on a day not before
    its start or its last disclosure."""
    if ending not in Engagement.Ending.values:
        raise AppError(ENDING_UNKNOWN, field="ending")
    day = _decision_day(on)
    with transaction.atomic():
        locked = _open_engagement(user, engagement)
        last = locked.disclosures.order_by("-on").first()
        earliest = max(locked.starts_on, last.on) if last else locked.starts_on
        if day < earliest:
            raise AppError(ENDS_TOO_EARLY, field="on", day=earliest.isoformat())
        locked.ended_on, locked.ending, locked.ending_note = day, ending, note.strip()
        locked.save(update_fields=["ended_on", "ending", "ending_note"])
    return locked


# --- restricted areas (涉密区域) and their visitor log ----------------------------------------------

ACCESS_RULE_EMPTY = Message("protection.access_rule_empty", _("Say who may enter and on what terms."))
AREA_GRADE_BELOW = Message(
    "protection.area_grade_below",
    _("The area keeps %(name)s, graded %(grade)s: its grade cannot be lower than that."),
)
VISITOR_EMPTY = Message("protection.visitor_empty", _("Name the visitor."))
VISIT_PURPOSE_EMPTY = Message("protection.visit_purpose_empty", _("Say why the visitor enters."))
LEFT_BEFORE_ENTERED = Message("protection.left_before_entered", _("The visitor cannot leave before entering."))
VISIT_APPROVAL = Message("protection.visit_approval", _("Visitors to this area need an approval: say who approved it."))
VISIT_ESCORT = Message("protection.visit_escort", _("Visitors to this area are escorted: name the escort."))
ESCORT_NOT_ALLOWED = Message(
    "protection.escort_not_allowed", _("%(name)s may not enter this area on that day, so cannot escort a visitor.")
)


@dataclass(frozen=True)
class AreaInput:
    name: str
    grade: str
    access_rule: str
    allowed: Sequence[Person] = ()
    secret_points: Sequence[SecretPoint] = ()
    visitor_approval: bool = True
    escort_required: bool = True


def _area_values(data: AreaInput, enterprise_id: int) -> dict[str, Any]:
    if not data.name.strip():
        raise AppError(NAME_EMPTY, field="name")
    if not data.access_rule.strip():
        raise AppError(ACCESS_RULE_EMPTY, field="access_rule")
    _own_people(enterprise_id, data.allowed, "allowed")
    for point in data.secret_points:
        if point.enterprise_id != enterprise_id:
            raise AppError(CARRIER_POINT_FOREIGN, field="secret_points", name=point.name)
        if GRADE_RANK[Grade(point.grade)] > GRADE_RANK[Grade(data.grade)]:
            raise AppError(AREA_GRADE_BELOW, field="grade", name=point.name, grade=str(point.get_grade_display()))
    return {
        "name": data.name.strip(),
        "grade": data.grade,
        "access_rule": data.access_rule.strip(),
        "visitor_approval": data.visitor_approval,
        "escort_required": data.escort_required,
    }


def area_create(*, user: User, data: AreaInput) -> Area:
    enterprise_id = _keeper(user)
    values = _area_values(data, enterprise_id)
    with transaction.atomic():
        area = Area.objects.create(enterprise_id=enterprise_id, recorded_by=user, **values)
        area.allowed.set(data.allowed)
        area.secret_points.set(data.secret_points)
        ensure_in_scope(area, user, ADD)
    return area


def area_update(*, user: User, area: Area, data: AreaInput) -> Area:
    enterprise_id = _keeper(user)
    values = _area_values(data, enterprise_id)
    with transaction.atomic():
        locked = restricted(Area, user, CHANGE).select_for_update().filter(pk=area.pk).first()
        if locked is None:
            raise AppError(NOT_KEEPER)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        locked.allowed.set(data.allowed)
        locked.secret_points.set(data.secret_points)
    return locked


@dataclass(frozen=True)
class VisitInput:
    visitor: str
    purpose: str
    entered: datetime.time
    organisation: str = ""
    on: datetime.date | None = None
    left: datetime.time | None = None
    approver: str = ""
    escort: Person | None = None


def visit_record(*, user: User, area: Area, data: VisitInput) -> Visit:
    """A visitor's entry, refused where the area's rule is not met: approval, an escort who may
    enter the area themselves (and had not left the enterprise)."""
    day = _decision_day(data.on)
    if not data.visitor.strip():
        raise AppError(VISITOR_EMPTY, field="visitor")
    if not data.purpose.strip():
        raise AppError(VISIT_PURPOSE_EMPTY, field="purpose")
    if data.left is not None and data.left < data.entered:
        raise AppError(LEFT_BEFORE_ENTERED, field="left")
    with transaction.atomic():
        _keeper(user)
        locked = restricted(Area, user, CHANGE).select_for_update().filter(pk=area.pk).first()
        if locked is None:
            raise AppError(NOT_KEEPER)
        if locked.visitor_approval and not data.approver.strip():
            raise AppError(VISIT_APPROVAL, field="approver")
        if locked.escort_required and data.escort is None:
            raise AppError(VISIT_ESCORT, field="escort")
        escort = data.escort
        if escort is not None:
            allowed = locked.allowed.filter(pk=escort.pk).exists()
            if not allowed or (escort.left_on is not None and escort.left_on < day):
                raise AppError(ESCORT_NOT_ALLOWED, field="escort", name=escort.name)
        return Visit.objects.create(
            area=locked, visitor=data.visitor.strip(), organisation=data.organisation.strip(),
            purpose=data.purpose.strip(), on=day, entered=data.entered, left=data.left,
            approver=data.approver.strip(), escort=escort, actor=user,
        )  # fmt: skip
