"""The record of what was done to an enterprise's accounts (AccountEvent), kept by User.save."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.apps import apps
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from shangmi.accounts.models import User

_WATCHED = {"role", "enterprise", "enterprise_id", "password"}


_acting: ContextVar[Any] = ContextVar("shangmi_account_actor", default=None)


@contextmanager
def acting(user: Any) -> Iterator[None]:
    """Name who acts for the saves inside (a service called outside any request)."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> Any:
    """Who is acting: as named by ``acting``, else the signed-in person of the request being
    served, else None (a command)."""
    if _acting.get() is not None:
        return _acting.get()
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def account_changes(user: User, update_fields: Any) -> dict[str, Any] | None:
    """What a save is about to change, read before it writes (None: nothing to record)."""
    if update_fields is not None and not _WATCHED & set(update_fields):
        return None
    before = None
    if user.pk is not None:
        before = type(user)._default_manager.filter(pk=user.pk).values("role", "enterprise_id").first()
    return {
        "created": before is None,
        "before": before,
        "password": user._password is not None,  # type: ignore[attr-defined]
    }


def _event_model() -> Any:
    # By name: User.save calls this module, which must not import the models back (a cycle).
    return apps.get_model("accounts", "AccountEvent")


def record_account_changes(user: User, changes: dict[str, Any] | None) -> None:
    AccountEvent = _event_model()

    if changes is None:
        return
    Kind = AccountEvent.Kind
    actor = current_actor()
    events: list[tuple[int, str, str]] = []
    before = changes["before"]
    if changes["created"]:
        if user.enterprise_id:
            kind = Kind.AWAITING if user.awaiting_approval else Kind.CREATED
            events.append((user.enterprise_id, kind, user.role))
    else:
        moved = before["role"] != user.role or before["enterprise_id"] != user.enterprise_id
        if moved:
            detail = f"{before['role']} → {user.role}"
            for enterprise_id in {before["enterprise_id"], user.enterprise_id} - {None}:
                events.append((enterprise_id, Kind.ROLE_CHANGED, detail))
        if changes["password"] and user.enterprise_id:
            by_self = actor is not None and actor.pk == user.pk
            events.append((user.enterprise_id, Kind.PASSWORD_SET, "self" if by_self else ""))
    AccountEvent.objects.bulk_create(
        AccountEvent(
            enterprise_id=enterprise_id,
            account=user,
            username=user.username,
            actor=actor,
            actor_name=actor.username if actor else "",
            kind=kind,
            detail=detail,
        )
        for enterprise_id, kind, detail in events
    )


def record_event(*, enterprise_id: int, account: User | None, username: str, actor: User, kind: str) -> None:
    _event_model().objects.create(
        enterprise_id=enterprise_id,
        account=account,
        username=username,
        actor=actor,
        actor_name=actor.username,
        kind=kind,
    )
