"""Writes to the registry. Views, the API and commands all call these."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, OutOfScopeError, ensure_in_scope, may
from shangmi.enterprises.models import Enterprise


def may_add_enterprises(user: Any) -> bool:
    """Registering enterprises (by hand or by import) is the bureaus' work."""
    return may(user, ADD, Enterprise)


OUT_OF_SCOPE = _("You cannot place an enterprise outside your own region.")


@transaction.atomic
def enterprise_create(*, user: Any, data: dict[str, Any]) -> Enterprise:
    tags = data.pop("tags", None)
    enterprise = Enterprise(**data)
    enterprise.full_clean()
    enterprise.save()
    if tags is not None:
        enterprise.tags.set(tags)
    # Re-checked inside the transaction: a row written outside the scope rolls back.
    ensure_in_scope(enterprise, user, ADD)
    return enterprise


# What places an enterprise in the bureau's programs: its code, district, park, liaison status
# and officer. Its own people keep its contacts and description, but moving it out of its park
# (or region) would take it from under the park operator and the bureau that oversee it.
BUREAU_FIELDS = ("uscc", "region", "park", "is_liaison_point", "liaison_officer")
BUREAU_ONLY = Message("enterprise_bureau_field", _("Only the bureau can change this field of an enterprise."))


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def enterprise_check_fields(*, user: Any, enterprise: Enterprise, data: dict[str, Any]) -> None:
    """Refuse a change by the enterprise's own people to a field only the bureau sets."""
    if user.role not in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF):
        return
    for name in BUREAU_FIELDS:
        if name in data and _plain(data[name]) != _plain(getattr(enterprise, name)):
            raise AppError(BUREAU_ONLY, field=name)


@transaction.atomic
def enterprise_update(*, user: Any, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
    enterprise_check_fields(user=user, enterprise=enterprise, data=data)
    tags = data.pop("tags", None)
    for field, value in data.items():
        setattr(enterprise, field, value)
    enterprise.full_clean()
    enterprise.save()
    if tags is not None:
        enterprise.tags.set(tags)
    ensure_in_scope(enterprise, user, CHANGE)
    return enterprise


__all__ = ["OUT_OF_SCOPE", "OutOfScopeError", "enterprise_create", "enterprise_update"]
