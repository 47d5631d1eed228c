"""Writes of the expert pool: registering an expert, their fields and availability, and the
conflicts of interest they declare. Each refuses with an AppError and changes nothing then."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from shangmi.accounts.models import User
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, ensure_in_scope, in_scope, is_platform_admin
from shangmi.enterprises.uscc import normalise_uscc, uscc_errors
from shangmi.experts.models import Conflict, Expertise, ExpertProfile, Field

NOT_AN_EXPERT = Message("experts.not_an_expert", gettext_lazy("%(name)s does not have the expert role."))
ALREADY_IN_POOL = Message("experts.already_in_pool", gettext_lazy("%(name)s is already in the expert pool."))
MAY_NOT_REGISTER = Message(
    "experts.may_not_register", gettext_lazy("Only the bureau of the expert's region registers them in the pool.")
)
NO_FIELD = Message("experts.no_field", gettext_lazy("Choose at least one field of expertise."))
UNKNOWN_FIELD = Message("experts.unknown_field", gettext_lazy("%(value)s is not a field of expertise."))
MAY_NOT_CHANGE = Message("experts.may_not_change", gettext_lazy("You cannot change this expert's profile."))
UNTIL_IN_PAST = Message(
    "experts.until_in_past", gettext_lazy("The date until which the expert is away (%(date)s) has already passed.")
)
CONFLICT_BAD_USCC = Message("experts.conflict_bad_uscc", gettext_lazy("Unified social credit code: %(errors)s"))
CONFLICT_NAME_REQUIRED = Message(
    "experts.conflict_name_required", gettext_lazy("Name the enterprise and say why you must not judge it.")
)
FORM_REFUSED = Message("experts.form_refused", gettext_lazy("The profile was not saved: %(error)s"))
CONFLICT_DECLARED = Message("experts.conflict_declared", gettext_lazy("A conflict with %(uscc)s is already declared."))


def _fields(fields: Iterable[str]) -> list[str]:
    chosen = sorted(set(fields))
    if not chosen:
        raise AppError(NO_FIELD, field="fields")
    for value in chosen:
        if value not in Field.values:
            raise AppError(UNKNOWN_FIELD, field="fields", value=value)
    return chosen


@transaction.atomic
def expert_register(*, user: User, expert: User, fields: Iterable[str], title: str = "") -> ExpertProfile:
    """Put an expert account into the pool, by the bureau of the expert's region (or above)."""
    if expert.role != Role.EXPERT:
        raise AppError(NOT_AN_EXPERT, field="expert", name=expert.display_name)
    if not is_platform_admin(user) and not (
        user.role == Role.REGULATOR
        and user.region is not None
        and expert.region is not None
        and expert.region.is_within(user.region)
    ):
        raise AppError(MAY_NOT_REGISTER, field="expert")
    chosen = _fields(fields)
    try:
        with transaction.atomic():
            profile = ExpertProfile.objects.create(user=expert, title=title.strip(), registered_by=user)
    except IntegrityError as exc:
        raise AppError(ALREADY_IN_POOL, field="expert", name=expert.display_name) from exc
    Expertise.objects.bulk_create(Expertise(profile=profile, field=value) for value in chosen)
    ensure_in_scope(profile, user, ADD)
    return profile


@dataclass
class ProfileInput:
    fields: Iterable[str]
    title: str = ""
    availability: str = ExpertProfile.Availability.AVAILABLE
    unavailable_until: datetime.date | None = None


@transaction.atomic
def expert_update(*, user: User, profile: ExpertProfile, data: ProfileInput, today: datetime.date) -> ExpertProfile:
    """The expert (or their bureau) says what they know and whether they can take work now."""
    if not in_scope(profile, user, CHANGE):
        raise AppError(MAY_NOT_CHANGE)
    chosen = _fields(data.fields)
    until = data.unavailable_until if data.availability == ExpertProfile.Availability.UNAVAILABLE else None
    if until is not None and until < today:
        raise AppError(UNTIL_IN_PAST, field="unavailable_until", date=until.isoformat())
    profile.title = data.title.strip()
    profile.availability = data.availability
    profile.unavailable_until = until
    profile.save(update_fields=["title", "availability", "unavailable_until"])
    profile.expertise.exclude(field__in=chosen).delete()
    have = set(profile.expertise.values_list("field", flat=True))
    Expertise.objects.bulk_create(Expertise(profile=profile, field=value) for value in chosen if value not in have)
    return profile


@transaction.atomic
def conflict_declare(*, user: User, profile: ExpertProfile, uscc: str, name: str, reason: str) -> Conflict:
    """The expert (or their bureau) declares an enterprise the expert must not judge."""
    if not in_scope(profile, user, CHANGE):
        raise AppError(MAY_NOT_CHANGE)
    code = normalise_uscc(uscc)
    errors = uscc_errors(code)
    if errors:
        raise AppError(CONFLICT_BAD_USCC, field="uscc", errors=" ".join(errors))
    if not name.strip() or not reason.strip():
        raise AppError(CONFLICT_NAME_REQUIRED, field="name")
    try:
        with transaction.atomic():
            conflict = Conflict.objects.create(
                profile=profile, uscc=code, name=name.strip(), reason=reason.strip(), declared_by=user
            )
    except IntegrityError as exc:
        raise AppError(CONFLICT_DECLARED, field="uscc", uscc=code) from exc
    return conflict


def conflict_with(profile: ExpertProfile, uscc: str) -> Conflict | None:
    """The expert's declared conflict with the enterprise of this code, if any."""
    return profile.conflicts.filter(uscc=normalise_uscc(uscc)).first()


def is_available(profile: ExpertProfile, today: datetime.date) -> bool:
    if profile.availability == ExpertProfile.Availability.AVAILABLE:
        return True
    return profile.unavailable_until is not None and profile.unavailable_until < today
