"""Sign-in lockout: per account and per address, over a window that an attacker cannot stretch.

django-axes counts the failures; this handler changes two things about how:

- The window runs from an attempt record's *first* failure. Axes moves a record's time to its
  latest failure, so anyone who kept typing a wrong password for an account kept it locked
  for ever; here the record keeps its first time, and failures while locked are not recorded
  at all (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``).
- An address gets a larger allowance than an account (``SHANGMI_LOGIN_ADDRESS_FAILURE_LIMIT``):
  a whole bureau can sit behind one address, and a few typos there must not lock it out, while
  one address guessing across many accounts still is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


class FixedWindowHandler(AxesDatabaseHandler):
    def user_login_failed(self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        if request is None or getattr(request, "axes_locked_out", False):
            super().user_login_failed(sender, credentials, request, **kwargs)
            return
        record = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
        )
        first = record.values_list("attempt_time", flat=True).first()
        super().user_login_failed(sender, credentials, request, **kwargs)
        if first is not None and first > get_cool_off_threshold(request):
            record.update(attempt_time=first)

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        """Failures in the window, scaled so that reaching either limit counts as the account limit."""
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.SHANGMI_LOGIN_ADDRESS_FAILURE_LIMIT
        counts: list[int] = []
        for parameters, attempts in zip(
            settings.AXES_LOCKOUT_PARAMETERS, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameters == "ip_address":
                failures = failures * account_limit // address_limit
            counts.append(failures)
        return max(counts, default=0)


def account_locked_out(username: str) -> bool:
    """Whether the account has reached its limit inside the current window (for its admins' page)."""
    threshold = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = (
        AccessAttempt.objects.filter(username=username, attempt_time__gte=threshold).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        or 0
    )
    return failures >= settings.AXES_FAILURE_LIMIT
