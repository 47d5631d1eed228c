from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.lockout import account_locked_out
from shangmi.accounts.models import User
from shangmi.core.errors import AppError, Message
from shangmi.core.scoping import ADD, CHANGE, ensure_in_scope


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


NOT_LOCKED = Message("account_not_locked", _("This account is not locked."))


@transaction.atomic
def account_unlock(*, user: User, account: User) -> int:
    """Lift a sign-in lock on ``account`` (an administrator of it: a regulator of its region, its
    enterprise's admin, the platform administrator). Returns the attempt records removed."""
    ensure_in_scope(account, user, CHANGE)
    if not account_locked_out(account.username):
        raise AppError(NOT_LOCKED)
    return axes_reset(username=account.username)
