"""The activity ledger (活动台账): trainings, surveys, publicity events and seminars with their
participants and materials — 活动名称、时间、地点、参与人员、活动内容 as the standard asks.

Every write is a plain function here; views and the import only parse. A write is checked
against the writer's scope before it happens and re-checked inside its transaction
(``ensure_in_scope``), so a form that let something through still rolls back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.core import uploads
from shangmi.core.errors import AppError, Message
from shangmi.core.filetypes import DOCUMENTS_AND_PHOTOS
from shangmi.core.roles import Role
from shangmi.core.scoping import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    OutOfScopeError,
    ensure_in_scope,
    in_scope,
    is_platform_admin,
    may,
)
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.uscc import normalise_uscc
from shangmi.ledgers.activities.training import in_year
from shangmi.ledgers.models import Activity, ActivityMaterial, ActivityParticipant
from shangmi.regions.models import Park, Region
from shangmi.regions.resolve import normalise

NAME_MAX = 64
EMPLOYEE_NO_MAX = 64
PHONE_MAX = 32
POSITION_MAX = 64
KEY_MAX = 160

# Chinese words for the kinds, as the ledgers handed to inspectors write them.
KIND_ZH: dict[str, str] = {
    Activity.Kind.TRAINING: "培训",
    Activity.Kind.SURVEY: "调研",
    Activity.Kind.PUBLICITY: "宣传",
    Activity.Kind.SEMINAR: "研讨交流",
    Activity.Kind.OTHER: "其他",
}


# The refusals of the activity ledger.
UNKNOWN_KIND = Message("activity.unknown_kind", gettext_lazy("Unknown kind of activity: %(kind)s."))
NAME_MISSING = Message("activity.name_missing", gettext_lazy("The activity needs a name."))
REGION_OUTSIDE = Message(
    "activity.region_outside", gettext_lazy("%(region)s is outside the regions whose ledger you keep.")
)
PARK_OWN = Message("activity.park_own", gettext_lazy("Activities of a park administration are held in its own park."))
PARK_ELSEWHERE = Message("activity.park_elsewhere", gettext_lazy("%(park)s is not in %(region)s."))
PARK_OUT_OF_SCOPE = Message("activity.park_out_of_scope", gettext_lazy("%(park)s is outside your scope."))
ENTERPRISES_OUT_OF_SCOPE = Message(
    "activity.enterprises_out_of_scope", gettext_lazy("Some of the chosen enterprises are outside your scope.")
)
ENTERPRISES_WITH_PEOPLE = Message(
    "activity.enterprises_with_people",
    gettext_lazy("%(names)s cannot leave the activity: participants of it are recorded. Remove them first."),
)
MAY_NOT_RECORD = Message("activity.may_not_record", gettext_lazy("You may not record activities."))
MAY_NOT_CHANGE = Message("activity.may_not_change", gettext_lazy("You may not change this activity."))
MAY_NOT_DELETE = Message("activity.may_not_delete", gettext_lazy("You may not delete this activity."))
WOULD_LEAVE_SCOPE = Message(
    "activity.would_leave_scope", gettext_lazy("The activity would be outside your scope; nothing was saved.")
)
ENTERPRISE_OUT_OF_SCOPE = Message(
    "activity.enterprise_out_of_scope", gettext_lazy("This enterprise is outside your scope.")
)
ALREADY_RECORDED = Message("activity.already_recorded", gettext_lazy("%(name)s is already recorded at this activity."))
# The reasons below are already in the reader's words (check_person, core.uploads): the
# constant names the refusal, its text is the reason itself.
PERSON_INVALID = Message("activity.person_invalid", "%(problems)s")
FILE_REFUSED = Message("activity.file_refused", "%(reason)s")


# --- People: names, phones and who is who ------------------------------------------------------

_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_PHONE = re.compile(r"^\+?\d{5,20}$", re.ASCII)


def clean_text(value: str) -> str:
    """Full-width letters and digits to half-width, runs of spaces (of any width) to one."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def clean_name(value: str) -> str:
    """A person's name as typed in Excel: 张 三 and 张　三 are 张三; John  Smith is John Smith."""
    return _CJK_SPACE.sub("", clean_text(value))


def clean_phone(value: str) -> str:
    """The phone as stored: half-width, without spaces, dashes or brackets."""
    return _PHONE_SEPARATORS.sub("", clean_text(value))


def phone_digits(phone: str) -> str:
    """The digits that identify a phone: +86 138… and 138… are the same mobile."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""), flags=re.ASCII)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11 and digits[len(prefix)] == "1":
            return digits[len(prefix) :]
    return digits


def clean_employee_no(value: str) -> str:
    return normalise(value or "").upper()


def person_key(*, name: str, employee_no: str = "", phone: str = "") -> str:
    """Who a participant is, across the activities of one enterprise.

    The employee number when there is one: it is how the enterprise itself tells its people
    apart, and it survives a name written 张三 once and 张 三 the next time. A number of digits
    only loses its leading zeros, because Excel drops them (00123 comes back as 123).
    Without a number, the name together with the phone: a name alone would merge the two 张伟
    of one company (common names repeat in any workforce of a few hundred), a phone alone the
    people who share a desk phone. Without a phone either, the name alone: the best the ledger
    has. Someone recorded once with and once without an employee number counts twice, so the
    participant template asks for the number every time.
    """
    number = clean_employee_no(employee_no)
    if number.isdigit():
        number = number.lstrip("0") or "0"
    if number:
        return f"no:{number}"[:KEY_MAX]
    return f"np:{normalise(clean_name(name)).lower()}|{phone_digits(phone)}"[:KEY_MAX]


@dataclass(frozen=True)
class Person:
    """A participant's fields, cleaned, with what is wrong with them."""

    name: str
    employee_no: str
    phone: str
    position: str
    problems: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return person_key(name=self.name, employee_no=self.employee_no, phone=self.phone)


def check_person(*, name: str, employee_no: str = "", phone: str = "", position: str = "") -> Person:
    """Clean a participant's fields and say what is wrong, the same for the form and the import."""
    cleaned = Person(clean_name(name), clean_text(employee_no), clean_phone(phone), clean_text(position))
    problems = []
    if not cleaned.name:
        problems.append(_("Name is required."))
    elif len(cleaned.name) > NAME_MAX:
        problems.append(_("Name is longer than %(n)d characters.") % {"n": NAME_MAX})
    if len(cleaned.employee_no) > EMPLOYEE_NO_MAX:
        problems.append(_("Employee number is longer than %(n)d characters.") % {"n": EMPLOYEE_NO_MAX})
    if len(cleaned.phone) > PHONE_MAX:
        problems.append(_("Phone is longer than %(n)d characters.") % {"n": PHONE_MAX})
    elif cleaned.phone and not _PHONE.match(cleaned.phone):
        # Said as written, not as cleaned: the person looks for it in their file.
        problems.append(_("%(phone)s is not a phone number.") % {"phone": clean_text(phone)})
    if len(cleaned.position) > POSITION_MAX:
        problems.append(_("Position is longer than %(n)d characters.") % {"n": POSITION_MAX})
    return Person(cleaned.name, cleaned.employee_no, cleaned.phone, cleaned.position, tuple(problems))


# --- Who may write where -------------------------------------------------------------------------


def may_add_activities(user: Any) -> bool:
    return may(user, ADD, Activity)


def activity_regions(user: Any) -> QuerySet[Region]:
    """The regions whose ledger ``user`` may record an activity in.

    A regulator or officer: their own region and below. A park operator: their park's
    district. A platform administrator: any.
    """
    if not may_add_activities(user):
        return Region.objects.none()
    if is_platform_admin(user):
        return Region.objects.all()
    home = user.home_region
    if home is None:
        return Region.objects.none()
    if user.role == Role.PARK_OPERATOR:
        return Region.objects.filter(pk=home.pk)
    return Region.objects.filter(path__subtree=home.path)


def region_allowed(user: Any, region: Region) -> bool:
    if not may_add_activities(user):
        return False
    if is_platform_admin(user):
        return True
    home = user.home_region
    if home is None:
        return False
    if user.role == Role.PARK_OPERATOR:
        return region.pk == home.pk
    return region.is_within(home)


def activity_parks(user: Any) -> QuerySet[Park]:
    """Parks an activity of ``user`` may be held in: the parks they may see."""
    return Park.objects.restrict(user, VIEW).select_related("region").order_by("region_id", "name")


def activity_enterprises(user: Any) -> QuerySet[Enterprise]:
    """Enterprises ``user`` may name as taking part: the ones they may see."""
    return Enterprise.objects.restrict(user, VIEW)


def visible_enterprises(user: Any, activity: Activity) -> QuerySet[Enterprise]:
    """The activity's enterprises ``user`` may see: an enterprise sees itself, not the others."""
    return activity.enterprises.filter(pk__in=Enterprise.objects.restrict(user, VIEW).values("pk")).order_by("name")


def visible_participants(user: Any, activity: Activity) -> QuerySet[ActivityParticipant]:
    """The activity's participants ``user`` may see: an enterprise sees only its own people."""
    return (
        ActivityParticipant.objects.restrict(user, VIEW)
        .filter(activity=activity)
        .select_related("enterprise")
        .order_by("enterprise__name", "name", "pk")
    )


def visible_materials(user: Any, activity: Activity) -> QuerySet[ActivityMaterial]:
    return ActivityMaterial.objects.restrict(user, VIEW).filter(activity=activity).select_related("uploaded_by")


# --- Activities ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityInput:
    kind: str
    name: str
    starts_at: datetime
    place: str
    organiser: str
    region: Region
    park: Park | None
    enterprises: Sequence[Enterprise]
    content: str


def _check_input(user: Any, data: ActivityInput) -> None:
    if data.kind not in Activity.Kind.values:
        raise AppError(UNKNOWN_KIND, field="kind", kind=data.kind)
    if not data.name.strip():
        raise AppError(NAME_MISSING, field="name")
    if not region_allowed(user, data.region):
        raise AppError(REGION_OUTSIDE, field="region", region=data.region.full_name)
    if user.role == Role.PARK_OPERATOR and (data.park is None or data.park.pk != user.park_id):
        raise AppError(PARK_OWN, field="park")
    if data.park is not None:
        if not data.park.region.is_within(data.region):
            raise AppError(PARK_ELSEWHERE, field="park", park=data.park.name, region=data.region.full_name)
        if not activity_parks(user).filter(pk=data.park.pk).exists():
            raise AppError(PARK_OUT_OF_SCOPE, field="park", park=data.park.name)
    wanted = {e.pk for e in data.enterprises}
    allowed = set(activity_enterprises(user).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise AppError(ENTERPRISES_OUT_OF_SCOPE, field="enterprises")


def _enterprise_ids(user: Any, activity: Activity, chosen: set[int]) -> set[int]:
    """The enterprises after an edit: the chosen ones, plus those the editor cannot see.

    The editor picks among the enterprises they may see; an enterprise added by someone with a
    wider scope (the city's regulator) is not theirs to remove, so it stays.
    """
    current = set(activity.enterprises.values_list("pk", flat=True))
    seen = set(activity_enterprises(user).filter(pk__in=current).values_list("pk", flat=True))
    keep = current - seen
    result = chosen | keep
    dropped = current - result
    with_people = (
        Enterprise.objects.filter(pk__in=dropped, activity_participants__activity=activity)
        .distinct()
        .values_list("name", flat=True)
    )
    names = sorted(with_people)
    if names:
        raise AppError(ENTERPRISES_WITH_PEOPLE, field="enterprises", names="、".join(names))
    return result


def activity_save(
    *, user: Any, activity: Activity | None, data: ActivityInput, materials: Sequence[UploadedFile] = ()
) -> Activity:
    """Create (``activity`` None) or change an activity, with new ``materials`` if any; raises
    AppError saying why not. Every file is checked before anything is written, so a bad
    one leaves neither the activity nor the other files."""
    adding = activity is None
    if adding and not may_add_activities(user):
        raise AppError(MAY_NOT_RECORD)
    if activity is not None and not in_scope(activity, user, CHANGE):
        raise AppError(MAY_NOT_CHANGE)
    _check_input(user, data)
    checked = [(upload, *_check_material(upload)) for upload in materials]
    try:
        with transaction.atomic():
            if activity is None:
                activity = Activity(created_by=user)
                enterprise_ids = {e.pk for e in data.enterprises}
            else:
                enterprise_ids = _enterprise_ids(user, activity, {e.pk for e in data.enterprises})
            activity.kind = data.kind
            activity.name = clean_text(data.name)[:200]
            activity.starts_at = data.starts_at
            activity.place = clean_text(data.place)[:255]
            activity.organiser = clean_text(data.organiser)[:200]
            activity.region = data.region
            activity.park = data.park
            activity.content = data.content.strip()
            activity.save()
            activity.enterprises.set(sorted(enterprise_ids))
            ensure_in_scope(activity, user, ADD if adding else CHANGE)
            for upload, content_type, sha256 in checked:
                _store_material(user, activity, upload, content_type, sha256)
    except OutOfScopeError as exc:
        raise AppError(WOULD_LEAVE_SCOPE) from exc
    return activity


def activity_delete(*, user: Any, activity: Activity) -> None:
    """Delete an activity with its participants and materials (their files once committed)."""
    if not in_scope(activity, user, DELETE):
        raise AppError(MAY_NOT_DELETE)
    files = [m.file for m in activity.materials.all()]

    def delete_files() -> None:
        for file in files:
            file.delete(save=False)

    with transaction.atomic():
        activity.delete()
        # The files go only once the rows are gone for good: a rollback keeps both.
        transaction.on_commit(delete_files)


def filter_activities(
    activities: QuerySet[Activity],
    *,
    kind: str = "",
    year: int | None = None,
    region: Region | None = None,
    enterprises: QuerySet[Enterprise] | None = None,
) -> QuerySet[Activity]:
    """The list's and the export's filters over an already restricted queryset."""
    if kind:
        activities = activities.filter(kind=kind)
    if year is not None:
        activities = activities.filter(in_year(year))
    if region is not None:
        activities = activities.filter(region__path__subtree=region.path)
    if enterprises is not None:
        activities = activities.filter(pk__in=Activity.objects.filter(enterprises__in=enterprises).values("pk"))
    return activities


def find_enterprises(user: Any, text: str) -> QuerySet[Enterprise]:
    """Enterprises ``user`` may see matching ``text``: an id, a credit code or part of a name."""
    scoped = Enterprise.objects.restrict(user, VIEW)
    text = (text or "").strip()
    if text.isdigit() and len(text) < 18:
        return scoped.filter(pk=int(text))
    code = normalise_uscc(text)
    return scoped.filter(Q(uscc=code) | Q(name__icontains=text))


# --- Participants ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantInput:
    name: str
    enterprise: Enterprise | None
    employee_no: str = ""
    phone: str = ""
    position: str = ""


def require_change(user: Any, activity: Activity) -> None:
    if not in_scope(activity, user, CHANGE):
        raise AppError(MAY_NOT_CHANGE)


@transaction.atomic
def participant_add(*, user: Any, activity: Activity, data: ParticipantInput) -> ActivityParticipant:
    """Record one person at ``activity``. Their enterprise must be one the user may see; if it
    is not yet among the activity's enterprises, it joins them."""
    require_change(user, activity)
    person = check_person(name=data.name, employee_no=data.employee_no, phone=data.phone, position=data.position)
    if person.problems:
        raise AppError(PERSON_INVALID, problems=" ".join(person.problems))
    enterprise = data.enterprise
    if enterprise is not None and not activity_enterprises(user).filter(pk=enterprise.pk).exists():
        raise AppError(ENTERPRISE_OUT_OF_SCOPE, field="enterprise")
    key = person.key
    if ActivityParticipant.objects.filter(activity=activity, enterprise=enterprise, person_key=key).exists():
        raise AppError(ALREADY_RECORDED, name=person.name)
    if enterprise is not None:
        activity.enterprises.add(enterprise)
    return ActivityParticipant.objects.create(
        activity=activity,
        enterprise=enterprise,
        name=person.name,
        employee_no=person.employee_no,
        phone=person.phone,
        position=person.position,
        person_key=key,
    )


def participant_remove(*, user: Any, participant: ActivityParticipant) -> None:
    if not in_scope(participant, user, CHANGE):
        raise AppError(MAY_NOT_CHANGE)
    participant.delete()


# --- Materials --------------------------------------------------------------------------------------


def _check_material(upload: UploadedFile) -> tuple[str, str]:
    """(content type, SHA-256) of an upload, or AppError saying what is wrong with it;
    materials accept what creation's evidence files accept."""
    try:
        return uploads.check_upload(upload, DOCUMENTS_AND_PHOTOS)
    except uploads.UploadError as exc:
        raise AppError(FILE_REFUSED, field="file", reason=str(exc)) from exc


def _store_material(
    user: Any, activity: Activity, upload: UploadedFile, content_type: str, sha256: str
) -> ActivityMaterial:
    return uploads.store_upload(ActivityMaterial(activity=activity, uploaded_by=user), upload, content_type, sha256)


@transaction.atomic
def material_add(*, user: Any, activity: Activity, upload: UploadedFile) -> ActivityMaterial:
    """Keep a file of the activity (slides, sign-in sheet, photos): type and size checked, the
    content's signature matched to its extension, hashed with SHA-256 — as evidence files are."""
    require_change(user, activity)
    content_type, sha256 = _check_material(upload)
    return _store_material(user, activity, upload, content_type, sha256)


def material_remove(*, user: Any, material: ActivityMaterial) -> None:
    if not in_scope(material, user, CHANGE):
        raise AppError(MAY_NOT_CHANGE)
    file = material.file
    with transaction.atomic():
        material.delete()
        transaction.on_commit(lambda: file.delete(save=False))


__all__ = [
    "KIND_ZH",
    "ActivityInput",
    "ParticipantInput",
    "Person",
    "activity_delete",
    "activity_enterprises",
    "activity_parks",
    "activity_regions",
    "activity_save",
    "check_person",
    "clean_name",
    "clean_phone",
    "clean_text",
    "filter_activities",
    "find_enterprises",
    "material_add",
    "material_remove",
    "may_add_activities",
    "participant_add",
    "participant_remove",
    "person_key",
    "phone_digits",
    "region_allowed",
    "require_change",
    "visible_enterprises",
    "visible_materials",
    "visible_participants",
]
