"""Reminders to an enterprise's admins before one of its people's agreements ends: thirty days
before and seven days before (``manage.py protection_reminders``, once a day), so a daily run
tells them twice, in time to renew a confidentiality agreement or to prepare the end of a
non-compete. The notice names the person and the day, never what the agreement covers."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.notices.services import notify
from shangmi.protection.models import Agreement

DAYS_BEFORE = (30, 7)


def reminders_send(today: datetime.date | None = None) -> int:
    """Send today's reminders; the number of notifications sent."""
    today = today or program_today()
    ending = [today + datetime.timedelta(days=days) for days in DAYS_BEFORE]
    agreements = list(
        Agreement.objects.filter(ends_on__in=ending, person__left_on__isnull=True)
        .select_related("person")
        .order_by("ends_on", "pk")
    )
    if not agreements:
        return 0
    admins: dict[int, list[User]] = defaultdict(list)
    enterprises = {agreement.person.enterprise_id for agreement in agreements}
    for user in User.objects.filter(is_active=True, role=Role.ENTERPRISE_ADMIN, enterprise_id__in=enterprises):
        admins[user.enterprise_id].append(user)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for agreement in agreements:
            assert agreement.ends_on is not None  # filtered on ends_on
            title = _("%(kind)s of %(person)s ends on %(day)s") % {
                "kind": agreement.get_kind_display(),
                "person": agreement.person.name,
                "day": agreement.ends_on.isoformat(),
            }
            body = _("%(days)d days left: renew it, or prepare what its end requires.") % {
                "days": (agreement.ends_on - today).days
            }
            sent += len(notify(admins[agreement.person.enterprise_id], title, body, agreement.get_absolute_url()))
    return sent
