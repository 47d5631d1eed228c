from __future__ import annotations

from typing import Any

from django.db import transaction

from shangmi.accounts.models import User
from shangmi.core.scoping import ADD, ensure_in_scope


@transaction.atomic
def account_create(*, creator: User, data: dict[str, Any]) -> User:
    """Create an account the creator may manage; it must change its password at first sign-in."""
    password = data.pop("password")
    user = User(**data, must_change_password=True)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    ensure_in_scope(user, creator, ADD)
    return user
