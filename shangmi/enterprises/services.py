"""Writes to the registry. Views, the API and commands all call these."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

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


@transaction.atomic
def enterprise_update(*, user: Any, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
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
