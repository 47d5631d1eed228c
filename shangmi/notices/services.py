"""Telling people what happened: one row per recipient, read on their notifications page."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from shangmi.notices.models import Notification


def notify(recipients: Iterable, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Send one notification to each distinct active recipient."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, title=title[:200], body=body, url=url))
    return Notification.objects.bulk_create(rows)


def unread_for(user) -> QuerySet[Notification]:
    return Notification.objects.restrict(user).filter(read_at__isnull=True)


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when no ids are given)."""
    qs = unread_for(user)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def todos_done(url: str, recipients: QuerySet | None = None) -> int:
    """The work a to-do asked for is done (by whoever did it): the to-dos that point at ``url``,
    the page where that work is done, go, for everyone they were sent to. A to-do left in the
    bell after the fact is a false signal; what was done is on the record of the thing itself
    (an application's events). Returns how many went."""
    todos = Notification.objects.filter(url=url)
    if recipients is not None:
        # Work each recipient does for themselves (an enterprise answering a survey sent to many):
        # only their to-dos go, the others' still wait.
        todos = todos.filter(recipient__in=recipients.values("pk"))
    deleted, _ = todos.delete()
    return deleted
