from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.core.mail import send_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.audit import acting, record_event
from shangmi.accounts.lockout import account_locked_out
from shangmi.accounts.models import AccountEvent, User
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, ensure_in_scope
from shangmi.notices.services import notify, todos_done


def enterprise_admins(enterprise_id: int) -> models.QuerySet[User]:
    """The enterprise's approved, active admins: those who decide who else reads its secrets."""
    return User.objects.filter(
        enterprise_id=enterprise_id, role=Role.ENTERPRISE_ADMIN, is_active=True, awaiting_approval=False
    )


@transaction.atomic
def account_create(*, creator: User, data: dict[str, Any]) -> User:
    """Create an account the creator may manage; it must change its password at first sign-in.

    An account bound to an enterprise is where its secrets are read, so no one else decides
    alone who holds one: made by someone other than that enterprise's own admin for an
    enterprise that has an admin, it waits, inactive, for an admin's approval; the first
    account of an enterprise without one is announced to the enterprise's registered contact.
    """
    password = data.pop("password")
    user = User(**data, must_change_password=True)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    enterprise_id = user.enterprise_id
    made_by_own_admin = creator.role == Role.ENTERPRISE_ADMIN and creator.enterprise_id == enterprise_id
    has_admin = enterprise_id is not None and enterprise_admins(enterprise_id).exists()
    if enterprise_id is not None and has_admin and not made_by_own_admin:
        user.awaiting_approval = True
        user.is_active = False
    enterprise = user.enterprise
    if enterprise is not None and not has_admin and not made_by_own_admin and not enterprise.contact_email:
        # The enterprise is told of its first account at its registered contact: without one,
        # the account would be made unseen.
        raise AppError(NO_CONTACT, field="enterprise", enterprise=enterprise.name)
    with acting(creator):
        user.save()
    ensure_in_scope(user, creator, ADD)
    if enterprise_id is not None and not made_by_own_admin:
        _tell_the_enterprise(user, creator, awaiting=user.awaiting_approval)
    return user


def _tell_the_enterprise(account: User, creator: User, *, awaiting: bool) -> None:
    """Its admins get a notification (an approval to give); its registered contact an email."""
    enterprise = account.enterprise
    if enterprise is None:  # only an account bound to an enterprise concerns one
        return
    params = {
        "enterprise": enterprise.name,
        "username": account.username,
        "role": Role(account.role).label,  # rendered in each language below
        "creator": f"{creator.display_name} ({creator.username})",
    }
    if awaiting:
        notify(
            enterprise_admins(enterprise.pk),
            str(ACCOUNT_AWAITING_TITLE) % params,
            url=reverse("accounts:approvals"),
        )
    if enterprise.contact_email:
        subject, body = _bilingual(ACCOUNT_AWAITING_TITLE if awaiting else ACCOUNT_CREATED_TITLE, params)
        transaction.on_commit(lambda: send_mail(subject, body, None, [enterprise.contact_email], fail_silently=True))


def _bilingual(text: Any, params: dict[str, Any]) -> tuple[str, str]:
    """The subject in Chinese, and a body in Chinese then English (the recipient may be either)."""
    with translation.override("zh-hans"):
        chinese = str(text) % params
        chinese_body = str(ACCOUNT_MAIL_BODY) % params
    with translation.override("en"):
        english = str(text) % params
        english_body = str(ACCOUNT_MAIL_BODY) % params
    return chinese, f"{chinese}\n{chinese_body}\n\n{english}\n{english_body}\n"


ACCOUNT_CREATED_TITLE = _("An account %(username)s (%(role)s) was created for %(enterprise)s by %(creator)s")
ACCOUNT_AWAITING_TITLE = _(
    "An account %(username)s (%(role)s) for %(enterprise)s, created by %(creator)s, awaits your admin's approval"
)
ACCOUNT_MAIL_BODY = _(
    "Whoever holds an account of your enterprise can read its evidence deposits. If you did not ask for "
    "this account, tell your bureau at once; your enterprise's admins see every account change on the "
    "platform's account log page."
)
NO_CONTACT = Message(
    "account_enterprise_no_contact",
    _(
        "%(enterprise)s has no registered contact email: register it on the enterprise's page first, so "
        "that the enterprise is told of its first account."
    ),
)
NOT_AWAITING = Message("account_not_awaiting", _("This account is not awaiting approval."))


def _approvals_done(enterprise_id: int) -> None:
    """The to-do is the approvals page; once nothing of this enterprise waits there, it goes
    from each of its admins (another enterprise's admins keep theirs)."""
    if not User.objects.filter(enterprise_id=enterprise_id, awaiting_approval=True).exists():
        todos_done(reverse("accounts:approvals"), recipients=User.objects.filter(enterprise_id=enterprise_id))


def approvable_accounts(user: User) -> models.QuerySet[User]:
    """The accounts waiting for ``user``'s decision: only an enterprise's own admin decides."""
    if user.role != Role.ENTERPRISE_ADMIN or not user.enterprise_id or not user.is_active:
        return User.objects.none()
    return User.objects.restrict(user, CHANGE).filter(enterprise_id=user.enterprise_id, awaiting_approval=True)


@transaction.atomic
def account_decide(*, user: User, account: User, approve: bool) -> User | None:
    """An enterprise admin approves (the account becomes active) or refuses (it is deleted)."""
    if not approvable_accounts(user).filter(pk=account.pk).exists():
        raise AppError(NOT_AWAITING)
    enterprise_id = account.enterprise_id
    if enterprise_id is None:  # approvable accounts belong to the admin's enterprise; this is for the type
        raise AppError(NOT_AWAITING)
    if approve:
        # save(), not update(): the account's history records the approval and who gave it.
        account.awaiting_approval, account.is_active = False, True
        account._history_user = user  # type: ignore[attr-defined]  # simple_history reads it; no field declares it
        account.save(update_fields=["awaiting_approval", "is_active"])
        record_event(
            enterprise_id=enterprise_id,
            account=account,
            username=account.username,
            actor=user,
            kind=AccountEvent.Kind.APPROVED,
        )
        account.refresh_from_db()
        _approvals_done(enterprise_id)
        return account
    record_event(
        enterprise_id=enterprise_id,
        account=None,
        username=account.username,
        actor=user,
        kind=AccountEvent.Kind.REJECTED,
    )
    account.delete()
    _approvals_done(enterprise_id)
    return None


NOT_LOCKED = Message("account_not_locked", _("This account is not locked."))


@transaction.atomic
def account_unlock(*, user: User, account: User) -> int:
    """Lift a sign-in lock on ``account`` (an administrator of it: a regulator of its region, its
    enterprise's admin, the platform administrator). Returns the attempt records removed."""
    ensure_in_scope(account, user, CHANGE)
    if not account_locked_out(account.username):
        raise AppError(NOT_LOCKED)
    return axes_reset(username=account.username)
