"""The one scoping mechanism: every model tied to a region, park or enterprise is read
through ``Model.objects.restrict(user, action)``.

A model says *how* its rows are tied to the world with a ``Scope`` (which lookups lead
to a region, a park, an enterprise, an assigned officer); this module alone decides
*who* may see or change them. Views, API viewsets and exports all call ``restrict``, so
a rule changed here changes everywhere at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, models, router
from django.db.models import Q
from django.http import Http404

from shangmi.core.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from shangmi.accounts.models import User

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)

_DEFAULT_GRANTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        Role.REGULATOR: frozenset(ACTIONS),
        Role.PARK_OPERATOR: frozenset({VIEW}),
        Role.ENTERPRISE_ADMIN: frozenset({VIEW, CHANGE}),
        Role.ENTERPRISE_STAFF: frozenset({VIEW}),
        Role.OFFICER: frozenset({VIEW}),
        Role.EXPERT: frozenset(),
        Role.JUDICIAL_LIAISON: frozenset(),
    }
)


@dataclass(frozen=True)
class Scope:
    """How a model's rows are tied to regions, parks, enterprises and people.

    Each entry is a tuple of ORM lookups from the model to the related object; a row is
    in a user's scope if any lookup of the user's kind matches.
    """

    regions: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()
    enterprises: tuple[str, ...] = ()
    officers: tuple[str, ...] = ()
    # Lookups to people who may only *look at* a row (an officer sees the trainings their
    # enterprises took part in, but changes only those they organised).
    officers_view: tuple[str, ...] = ()
    # Lookups to the experts a bureau assigned to a row (an application under review): an
    # expert reads what they were asked to judge and nothing else.
    experts: tuple[str, ...] = ()
    # Rows that belong to one person (their own account): always visible to that person.
    owners: tuple[str, ...] = ()
    # Lookups to the people named on an enterprise's row (a secret point's circle of
    # knowledge): an enterprise's user whose role has no right to read the enterprise's rows
    # reads a row that names them, and only in their own enterprise (``enterprises`` lookups).
    members: tuple[str, ...] = ()
    # Public reference data (the national division codes): any signed-in user may read.
    public_view: bool = False
    # An enterprise's own secrets (deposits, secret inventory): readable by that enterprise's
    # users alone. Not even a platform administrator reads them through the application.
    enterprise_private: bool = False
    # Rows that are one person's alone (their notifications): only the ``owners`` lookups
    # apply, for every action, and not even a platform administrator reads them.
    owner_only: bool = False
    grants: Mapping[str, frozenset[str]] = field(default_factory=lambda: _DEFAULT_GRANTS)


def scope_of(model: type[models.Model]) -> Scope:
    """The ``Scope`` a model declares as its class attribute ``scope``."""
    scope = model.scope  # type: ignore[attr-defined]  # declared by each scoped model, unknown to Model
    if not isinstance(scope, Scope):
        raise TypeError(f"{model.__name__}.scope is not a Scope")
    return scope


def is_platform_admin(user: Any) -> bool:
    """The platform's own administrators (and Django superusers): every region, no enterprise's
    private records. The one place this question is answered."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.role == Role.PLATFORM_ADMIN))


def may(user: Any, action: str, model: type[models.Model]) -> bool:
    """Whether ``user`` may do ``action`` on *some* rows of ``model``: the guard of pages that
    only write (a new row, an import, a template), which answer 404 to whoever may not.
    Decided like scope_q, without reading anything from the database."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    scope = scope_of(model)
    if scope.owner_only:
        return bool(scope.owners)
    if (is_platform_admin(user) and not scope.enterprise_private) or (action == VIEW and scope.public_view):
        return True
    if action == VIEW and (scope.owners or _member_parts(scope, user)):
        return True
    return action in scope.grants.get(user.role, frozenset()) and bool(_role_lookups(scope, user, action)[0])


def scope_q(model: type[models.Model], user: User | AnonymousUser | None, action: str = VIEW) -> Q | None:
    """The filter that limits ``model`` to what ``user`` may do ``action`` on.

    ``None`` means nothing at all; an empty ``Q()`` means everything.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    scope = scope_of(model)
    if scope.owner_only:
        return _any_of([Q(**{lookup: user.pk}) for lookup in scope.owners])
    if is_platform_admin(user) and not scope.enterprise_private:
        return Q()
    if action == VIEW and scope.public_view:
        return Q()

    parts: list[Q] = [Q(**{lookup: user.pk}) for lookup in scope.owners] if action == VIEW else []
    if action in scope.grants.get(user.role, frozenset()):
        parts.extend(_role_parts(scope, user, action))
    elif action == VIEW:
        parts.extend(_member_parts(scope, user))
    return _any_of(parts)


def _member_parts(scope: Scope, user: Any) -> list[Q]:
    """A row of the user's own enterprise that names the user (``Scope.members``); no query."""
    if not scope.members or user.role not in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF):
        return []
    if user.enterprise_id is None:
        return []
    named = _any_of([Q(**{lookup: user.pk}) for lookup in scope.members])
    assert named is not None
    return [Q(**{lookup: user.enterprise_id}) & named for lookup in scope.enterprises]


def _any_of(parts: list[Q]) -> Q | None:
    """The OR of ``parts``; None (nothing at all) when there are none."""
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def _role_lookups(scope: Scope, user: User, action: str) -> tuple[tuple[str, ...], Any]:
    """The lookups of the user's kind and the value they must match (no query is run)."""
    role = user.role
    if role == Role.REGULATOR and user.region_id is not None:
        return scope.regions, None  # matched against the region's path, read only when filtering
    if role == Role.PARK_OPERATOR and user.park_id is not None:
        return scope.parks, user.park_id
    if role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF) and user.enterprise_id is not None:
        return scope.enterprises, user.enterprise_id
    if role == Role.OFFICER:
        return scope.officers + (scope.officers_view if action == VIEW else ()), user.pk
    if role == Role.EXPERT:
        return scope.experts, user.pk
    return (), None


def _role_parts(scope: Scope, user: User, action: str) -> list[Q]:
    lookups, value = _role_lookups(scope, user, action)
    # A regulator has lookups only when bound to a region (_role_lookups).
    if user.role == Role.REGULATOR and lookups and user.region is not None:
        path = user.region.path
        return [Q(**{f"{lookup}__path__subtree": path}) for lookup in lookups]
    return [Q(**{lookup: value}) for lookup in lookups]


_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, action: str = VIEW) -> RestrictedQuerySet[_M]:
        condition = scope_q(self.model, user, action)
        if condition is None:
            return self.none()
        # A lookup across a to-many relation (a plan's units' members) repeats a row reached
        # twice; the rows are then chosen by id in a subquery rather than with DISTINCT, which
        # would refuse the FOR UPDATE of a service's locked read.
        if _crosses_many(self.model, condition):
            return self.filter(pk__in=self.model._default_manager.filter(condition).values("pk"))
        return self.filter(condition)


def _lookups(condition: Q) -> list[str]:
    """The lookups named in ``condition`` and the conditions inside it. (Q.flatten() yields a
    lookup's value, not the lookup, so it cannot answer this.)"""
    found: list[str] = []
    for child in condition.children:
        if isinstance(child, Q):
            found.extend(_lookups(child))
        elif isinstance(child, tuple):
            found.append(child[0])
    return found


def _crosses_many(model: type[models.Model], condition: Q) -> bool:
    for lookup in _lookups(condition):
        current = model
        for part in lookup.split("__"):
            try:
                fld = current._meta.get_field(part)
            except Exception:
                break
            if fld.one_to_many or fld.many_to_many:
                return True
            if not fld.is_relation or fld.related_model is None:
                break
            current = fld.related_model
    return False


def restricted(model: type[_M], user: Any, action: str = VIEW) -> RestrictedQuerySet[_M]:
    """``model.objects.restrict(user, action)``, typed: every scoped model's default manager
    is built on RestrictedQuerySet."""
    rows = model._default_manager.all()
    if not isinstance(rows, RestrictedQuerySet):
        raise TypeError(f"{model.__name__}'s default manager is not built on RestrictedQuerySet")
    return rows.restrict(user, action)


def in_scope(obj: models.Model, user: Any, action: str = VIEW) -> bool:
    return restricted(type(obj), user, action).filter(pk=obj.pk).exists()


def get_scoped_or_404(model: type[_M], user: Any, action: str = VIEW, **lookup: Any) -> _M:
    """A wrong guess of an id answers 404, never 403: it must not reveal that the row exists."""
    try:
        return restricted(model, user, action).get(**lookup)
    except ObjectDoesNotExist as exc:  # the model's DoesNotExist, the only one .get raises
        raise Http404 from exc


def regions_in_scope(model: type[models.Model], user: Any, action: str = VIEW) -> models.QuerySet[Any]:
    """The regions for whose rows of ``model`` (targets, rate targets: rows tied to a region by
    its ``region``) ``user`` may do ``action``: scope_q decides whether at all, and the
    subtree is then the person's own region, exactly what that filter allows."""
    # By name: core sits below every app and imports none of them.
    Region = apps.get_model("regions", "Region")
    condition = scope_q(model, user, action)
    if condition is None:
        return Region.objects.none()
    if not condition:  # the empty Q: everything (platform administrators)
        return Region.objects.all()
    home = user.home_region
    if home is None:
        return Region.objects.none()
    return Region.objects.filter(path__subtree=home.path)


def scope_subtree(model: type[models.Model], user: Any, action: str = VIEW) -> str | None:
    """The region path whose subtree is *exactly* ``user``'s rows of ``model`` (through the
    model's one ``regions`` lookup), for a page that reads a per-region summary instead of the
    rows: "" when every row is in scope (a platform administrator), the home region's path for
    a regulator bound to one, and None otherwise: no rows at all, or a scope that is not one
    subtree (an officer's own enterprises, a park's, an enterprise's), which the caller then
    reads row by row through restrict(). Decided like scope_q, without reading the database
    (but the regulator's region)."""
    condition = scope_q(model, user, action)
    if condition is None:
        return None
    if not condition:  # the empty Q: everything
        return ""
    scope = scope_of(model)
    if scope.owner_only or (action == VIEW and scope.owners) or len(scope.regions) != 1:
        return None
    if user.role != Role.REGULATOR or action not in scope.grants.get(user.role, frozenset()):
        return None
    region = user.region
    return region.path if region is not None else None


def restricted_for_planner(model: type[_M], user: Any, action: str = VIEW) -> models.QuerySet[_M]:
    """The rows of ``restricted(model, user, action)``, written so that PostgreSQL's planner
    counts them right on a large page.

    A regulator's scope is a join on ``region.path LIKE 'P%'``; PostgreSQL estimates that join
    from the share of *regions* under P (39 of 3,218 for a province: 1%), so for a province it
    expects a few hundred enterprises where there are 100,000 and picks nested loops over all
    of them before sorting for a page of 50 (the half-year page's "only missing" rows: 2,556 ms).
    For a scope that is exactly one subtree (scope_subtree) the same rows are the enterprises
    whose region is one of the subtree's codes, read first: an IN list on the indexed foreign
    key, which the planner estimates from the column's statistics and walks in page order
    (8 ms). SQLite keeps restrict(): a province-wide IN list there sorts every row
    (regions/lookups.py); its planner takes the path test row by row instead.
    """
    subtree = scope_subtree(model, user, action)
    if subtree is None or connections[router.db_for_read(model)].vendor != "postgresql":
        return restricted(model, user, action)
    rows = model._default_manager.all()
    if not subtree:
        return rows
    Region = apps.get_model("regions", "Region")
    codes = list(Region.objects.filter(path__subtree=subtree).values_list("code", flat=True))
    # scope_subtree answers only for a scope with one region lookup, so this is that lookup.
    return rows.filter(**{f"{scope_of(model).regions[0]}__in": codes})


def region_in_scope(model: type[models.Model], user: Any, region: Any, action: str = VIEW) -> bool:
    """Whether ``user`` may do ``action`` on rows of ``model`` in ``region`` (no query)."""
    condition = scope_q(model, user, action)
    if condition is None:
        return False
    if not condition:
        return True
    home = user.home_region
    return home is not None and region.is_within(home)


class OutOfScopeError(Exception):
    """A write would put a row outside the writer's scope (e.g. move an enterprise away)."""


def ensure_in_scope(obj: models.Model, user: Any, action: str = CHANGE) -> None:
    """Re-check a written row inside its transaction, as NetBox does after every save."""
    if not in_scope(obj, user, action):
        raise OutOfScopeError
