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
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.scoping import ADD, CHANGE, ensure_in_scope, may, restricted
from shangmi.protection.models import (
    Measure,
    Person,
    SecretPoint,
    SecretPointEvent,
    Subject,
    TermKind,
    subject_category,
)

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
