"""The unread count in the navigation bar: one indexed count per page for a signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from shangmi.notices.models import Notification

    return {"unread_notices": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
