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
