"""The owner of a locked account unlocks it by a link sent to the account's email address.

The request page answers the same whatever it was given (an unknown name, an account that is
not locked, one without an email address): it never says whether an account exists. The link
is signed (``django.core.signing`` with its own salt), expires after
``SHANGMI_UNLOCK_LINK_MINUTES``, and is good for one lock only: it carries a fingerprint of the
lock (its attempt records) and of the password hash, so once the lock is lifted, by the link,
by an administrator or by time, or the password changes, the same link is refused. One email is
sent per lock, however often it is asked for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.lockout import account_locked_out
from shangmi.accounts.models import User
from shangmi.core.errors import AppError, Message

SALT = "shangmi.accounts.unlock"
LINK_INVALID = Message(
    "account_unlock_link_invalid",
    _("This unlock link is not valid: it has expired, has been used, or the account is no longer locked."),
)
UNLOCK_SUBJECT = _("Unlock your account %(username)s")
UNLOCK_BODY = _(
    "Someone (we hope you) asked to unlock the account %(username)s after too many failed sign-in "
    "attempts. To unlock it, open this link within %(minutes)s minutes: %(link)s . If it was not you, "
    "ignore this email and tell your administrator: someone may be guessing your password."
)


def _lock_fingerprint(user: User) -> str:
    """What makes this lock this lock: its attempt records and the account's password hash."""
    attempts = AccessAttempt.objects.filter(username=user.username).order_by("pk").values_list("pk", "attempt_time")
    material = "|".join(f"{pk}@{at.isoformat()}" for pk, at in attempts)
    return hashlib.sha256(f"{user.pk}|{user.password}|{material}".encode()).hexdigest()[:32]


def unlock_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "f": _lock_fingerprint(user)}, salt=SALT)


def unlock_request(*, username: str, link_for: Callable[[str], str]) -> None:
    """Email an unlock link to ``username``'s address if that account exists and is locked.

    Says nothing back: the caller answers the same in every case. ``link_for(token)`` builds the
    absolute URL of the link page.
    """
    user = User.objects.filter(username=username, is_active=True).exclude(email="").first()
    if user is None or not account_locked_out(user.username):
        return
    token = unlock_token(user)
    # One email per lock: the cache key carries the lock's fingerprint.
    if not cache.add(f"{SALT}:{user.pk}:{_lock_fingerprint(user)}", 1, timeout=_minutes() * 60):
        return
    params = {"username": user.username, "minutes": _minutes(), "link": link_for(token)}
    subject, body = _bilingual(params)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email], fail_silently=True))


@transaction.atomic
def unlock_by_link(*, token: str) -> User:
    """Lift the lock the link was made for; refused if it expired, was used, or no longer fits."""
    try:
        data = signing.loads(token, salt=SALT, max_age=_minutes() * 60)
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        raise AppError(LINK_INVALID) from None
    user = User.objects.filter(pk=data.get("u") if isinstance(data, dict) else None, is_active=True).first()
    if user is None or not account_locked_out(user.username) or data.get("f") != _lock_fingerprint(user):
        raise AppError(LINK_INVALID)
    axes_reset(username=user.username)
    return user


def _minutes() -> int:
    return int(settings.SHANGMI_UNLOCK_LINK_MINUTES)


def _bilingual(params: dict[str, object]) -> tuple[str, str]:
    """Subject in Chinese; body in Chinese then English (the owner may read either)."""
    with translation.override("zh-hans"):
        subject = str(UNLOCK_SUBJECT) % params
        chinese = str(UNLOCK_BODY) % params
    with translation.override("en"):
        english_subject = str(UNLOCK_SUBJECT) % params
        english = str(UNLOCK_BODY) % params
    return subject, f"{subject}\n{chinese}\n\n{english_subject}\n{english}\n"
