"""Writes to the service network: stations and the enterprises they serve, liaison points,
and the liaison and guidance officers appointed to enterprises.

Every write checks the writer's scope before it changes anything, so a refused request
leaves the database as it was and says why. History is kept by simple_history on both
Station and Enterprise; ``_history_user`` names the writer when no request is around
(a command, a test).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, ensure_in_scope, is_platform_admin, may
from shangmi.enterprises.models import Enterprise
from shangmi.network.models import Station
from shangmi.regions.models import Region

# The programs put liaison points in these "key enterprises" first (seed 001 item 18, seed 002).
KEY_TAG_CODES = ("knowledge_intensive", "technology_intensive")

NOT_A_REGULATOR = Message(
    "network.not_a_regulator", _("Only a market supervision bureau designates liaison points and appoints officers.")
)
NO_ENTERPRISES = Message("network.no_enterprises", _("Choose at least one enterprise."))
UNKNOWN_ACTION = Message("network.unknown_action", _("Choose what to do with the chosen enterprises."))
OFFICER_REQUIRED = Message("network.officer_required", _("Choose the officer to appoint."))
ENTERPRISES_OUT_OF_SCOPE = Message(
    "network.enterprises_out_of_scope",
    _("%(count)d of the chosen enterprises are not in your region, or no longer exist: nothing was changed."),
)
OFFICER_OUT_OF_SCOPE = Message(
    "network.officer_out_of_scope",
    _("The chosen person is not a liaison or guidance officer of your region: nothing was changed."),
)
STATION_OUTSIDE = Message("network.station_outside", _("You cannot place a station outside your own region."))
PARK_ELSEWHERE = Message("network.park_elsewhere", _("This park is not in the station's district."))
STATION_OFFICER_OUT_OF_SCOPE = Message(
    "network.station_officer_out_of_scope", _("Choose a guidance officer of your own region.")
)
STATION_ENTERPRISES_OUT_OF_SCOPE = Message(
    "network.station_enterprises_out_of_scope", _("Some of the chosen enterprises are not in your scope.")
)


class AssignAction(models.TextChoices):
    LIAISON_POINT = "liaison_point", _("Designate as liaison points")
    NOT_LIAISON_POINT = "not_liaison_point", _("Withdraw the liaison point designation")
    LIAISON_OFFICER = "liaison_officer", _("Appoint as liaison officer")
    GUIDANCE_OFFICER = "guidance_officer", _("Appoint as guidance officer")
    CLEAR_LIAISON_OFFICER = "clear_liaison_officer", _("Remove the liaison officer")
    CLEAR_GUIDANCE_OFFICER = "clear_guidance_officer", _("Remove the guidance officer")


# action -> (field written, whether the action needs an officer)
_ACTION_FIELDS: dict[str, tuple[str, bool]] = {
    AssignAction.LIAISON_POINT: ("is_liaison_point", False),
    AssignAction.NOT_LIAISON_POINT: ("is_liaison_point", False),
    AssignAction.LIAISON_OFFICER: ("liaison_officer", True),
    AssignAction.GUIDANCE_OFFICER: ("guidance_officer", True),
    AssignAction.CLEAR_LIAISON_OFFICER: ("liaison_officer", False),
    AssignAction.CLEAR_GUIDANCE_OFFICER: ("guidance_officer", False),
}


def may_manage_network(user: Any) -> bool:
    """Designating liaison points and appointing officers is the bureaus' work."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_platform_admin(user) or (user.role == Role.REGULATOR and user.region_id is not None)


def may_add_stations(user: Any) -> bool:
    return may(user, ADD, Station)


def officer_candidates(user: Any) -> models.QuerySet[User]:
    """The officers ``user`` may appoint: active officers of the user's region and below."""
    officers = User.objects.filter(role=Role.OFFICER, is_active=True).select_related("region")
    if is_platform_admin(user):
        return officers
    home = user.home_region if user.is_authenticated else None
    if home is None:
        return officers.none()
    return officers.filter(region__path__subtree=home.path)


def station_region_choices(user: Any) -> models.QuerySet[Region]:
    """Where ``user`` may place a station: their region and below (a park operator: their park's district)."""
    if is_platform_admin(user):
        return Region.objects.exclude(level=Region.Level.PROVINCE)
    if user.role == Role.PARK_OPERATOR and user.park_id is not None:
        return Region.objects.filter(pk=user.park.region_id)
    home = user.home_region
    if home is None:
        return Region.objects.none()
    return Region.objects.filter(path__subtree=home.path)


@transaction.atomic
def network_assign(*, user: Any, enterprise_ids: Iterable[int], action: str, officer_id: int | None = None) -> int:
    """Designate (or withdraw) liaison points, or appoint (or remove) an officer, for many
    enterprises at once. Returns how many enterprises changed.

    All or nothing: one enterprise or the officer outside the writer's region refuses the
    whole request with AppError before anything is written.
    """
    if not may_manage_network(user):
        raise AppError(NOT_A_REGULATOR)
    if action not in _ACTION_FIELDS:
        raise AppError(UNKNOWN_ACTION)
    ids = set(enterprise_ids)
    if not ids:
        raise AppError(NO_ENTERPRISES)
    field, needs_officer = _ACTION_FIELDS[action]
    officer: User | None = None
    if needs_officer:
        if officer_id is None:
            raise AppError(OFFICER_REQUIRED)
        officer = officer_candidates(user).filter(pk=officer_id).first()
        if officer is None:
            raise AppError(OFFICER_OUT_OF_SCOPE)
    enterprises = list(Enterprise.objects.restrict(user, CHANGE).filter(pk__in=ids))
    if len(enterprises) != len(ids):
        raise AppError(ENTERPRISES_OUT_OF_SCOPE, count=len(ids) - len(enterprises))

    value: bool | User | None = officer
    if action == AssignAction.LIAISON_POINT:
        value = True
    elif action == AssignAction.NOT_LIAISON_POINT:
        value = False
    written = Enterprise._meta.get_field(field)
    if not isinstance(written, models.Field):  # every field in _ACTION_FIELDS is a column
        raise TypeError(f"Enterprise.{field} is not a column")
    attname = written.attname  # liaison_officer -> liaison_officer_id
    new = value.pk if isinstance(value, User) else value
    changed = 0
    for enterprise in enterprises:
        if getattr(enterprise, attname) == new:
            continue
        setattr(enterprise, field, value)
        enterprise._history_user = user  # type: ignore[attr-defined]
        # save() row by row (not update()) so simple_history records each change.
        enterprise.save(update_fields=[field, "updated_at"])
        changed += 1
    return changed


def _check_station(user: User, station: Station, enterprises: list[Enterprise] | None) -> None:
    """Refuse, on the field concerned, the first choice that lies outside the writer's scope."""
    if station.region_id is not None and not station_region_choices(user).filter(pk=station.region_id).exists():
        raise AppError(STATION_OUTSIDE, field="region")
    if station.park is not None and station.region is not None and not station.park.region.is_within(station.region):
        raise AppError(PARK_ELSEWHERE, field="park")
    if station.officer_id is not None and not officer_candidates(user).filter(pk=station.officer_id).exists():
        raise AppError(STATION_OFFICER_OUT_OF_SCOPE, field="officer")
    if enterprises:
        visible = Enterprise.objects.restrict(user, VIEW).filter(pk__in=[e.pk for e in enterprises]).count()
        if visible != len({e.pk for e in enterprises}):
            raise AppError(STATION_ENTERPRISES_OUT_OF_SCOPE, field="enterprises")


@transaction.atomic
def station_save(
    *, user: Any, station: Station | None, data: dict[str, Any], enterprises: Iterable[Enterprise] | None = None
) -> Station:
    """Create (``station`` None) or change a station and the enterprises it serves.

    Raises AppError (on the field concerned), ValidationError (the model's own rules) or
    OutOfScopeError; nothing is kept then.
    Enterprises served that the writer cannot see (a park operator editing a station that
    also serves enterprises outside the park) stay served: one cannot drop what one cannot see.
    """
    adding = station is None
    if station is None:
        station = Station()
    if not adding and not Station.objects.restrict(user, CHANGE).filter(pk=station.pk).exists():
        ensure_in_scope(station, user, CHANGE)  # raises OutOfScopeError
    chosen = list(enterprises) if enterprises is not None else None
    for name, value in data.items():
        setattr(station, name, value)
    _check_station(user, station, chosen)
    station.full_clean()
    station._history_user = user  # type: ignore[attr-defined]
    station.save()
    if chosen is not None:
        hidden = station.enterprises.exclude(pk__in=Enterprise.objects.restrict(user, VIEW).values("pk"))
        station.enterprises.set([*chosen, *hidden])
    ensure_in_scope(station, user, ADD if adding else CHANGE)
    return station


__all__ = [
    "KEY_TAG_CODES",
    "AssignAction",
    "may_add_stations",
    "may_manage_network",
    "network_assign",
    "officer_candidates",
    "station_region_choices",
    "station_save",
]
