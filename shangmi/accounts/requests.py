"""The signed-in user of a request, typed as the platform's User."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shangmi.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """``request.user`` as a User, for views behind the sign-in mixins.

    Django types ``request.user`` as ``User | AnonymousUser``; behind sign-in it is always a
    User, and a view reached otherwise is refused rather than run with an anonymous user.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
