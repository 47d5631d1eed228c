"""Writes to the registry. Views, the API and commands all call these."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.services import enterprise_admins
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, OutOfScopeError, ensure_in_scope, may
from shangmi.enterprises.models import Enterprise
from shangmi.notices.services import notify


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
    # Read from the database: a bound form has already written its values onto the instance.
    old_contact = stored_contact_email(enterprise.pk)
    tags = data.pop("tags", None)
    for field, value in data.items():
        setattr(enterprise, field, value)
    enterprise.full_clean()
    enterprise.save()
    if tags is not None:
        enterprise.tags.set(tags)
    ensure_in_scope(enterprise, user, CHANGE)
    announce_contact_change(
        enterprise_id=enterprise.pk, name=enterprise.name, old=old_contact, new=enterprise.contact_email, actor=user
    )
    return enterprise


# The registered contact is where an enterprise hears of a new account made for it by someone
# else (shangmi.accounts.services.account_create). Whoever could change it unannounced could
# point that notice at themselves and then make an account silently: so the old address is
# told of the change, and so are the enterprise's admins, on every path that writes it (the
# edit page, the API, the import).
CONTACT_CHANGED_TITLE = _("The registered contact email of %(enterprise)s was changed by %(actor)s")
CONTACT_CHANGED_BODY = _(
    "From now on the platform writes to %(new)s instead of %(old)s about your enterprise, such as an account "
    "someone else made for it. Whoever holds an account of your enterprise can read its evidence deposits: if "
    "your enterprise did not ask for this change, tell your bureau at once."
)


def stored_contact_email(enterprise_id: int | None) -> str:
    if enterprise_id is None:
        return ""
    return Enterprise.objects.filter(pk=enterprise_id).values_list("contact_email", flat=True).first() or ""


def announce_contact_change(*, enterprise_id: int, name: str, old: str, new: str, actor: Any) -> None:
    """Tell the old contact address (by email, after commit) and the enterprise's admins (a
    notification) that the registered contact email changed; nothing if it did not."""
    if (old or "").strip().lower() == (new or "").strip().lower():
        return
    actor_name = getattr(actor, "username", "") or "—"
    params = {"enterprise": name, "actor": actor_name, "old": old or "—", "new": new or "—"}
    notify(enterprise_admins(enterprise_id), str(CONTACT_CHANGED_TITLE) % params, str(CONTACT_CHANGED_BODY) % params)
    if not old:
        return
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append((str(CONTACT_CHANGED_TITLE) % params, str(CONTACT_CHANGED_BODY) % params))
    subject = texts[0][0]
    body = "\n\n".join(f"{title}\n{text}" for title, text in texts) + "\n"
    transaction.on_commit(lambda: send_mail(subject, body, None, [old], fail_silently=True))


__all__ = ["OUT_OF_SCOPE", "OutOfScopeError", "enterprise_create", "enterprise_update"]
