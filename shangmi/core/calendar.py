"""The program calendar: every date, year, half-year and deadline of the platform is China's.

The programs run on Asia/Shanghai whatever the server's or the database session's time zone
is: a visit on 1 January at 07:00 in Chongqing (31 December, 23:00 UTC) belongs to the new
year, and a title revoked at 01:00 in Shanghai was revoked "today" there, not "yesterday" as
UTC would have it. Every conversion from a moment to a date goes through this module, never
through ``date.today()``, ``moment.date()`` or ``timezone.now().year``, which read the
machine's or UTC's calendar. ``.ci/run`` runs the suite with the clock set to hours where the
two calendars differ (scripts/test-clock.sh), so a conversion made elsewhere fails there.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

PROGRAM_TZ = ZoneInfo("Asia/Shanghai")


def program_now() -> datetime.datetime:
    """Now, as an aware datetime in the program's zone."""
    return timezone.now().astimezone(PROGRAM_TZ)


def program_today() -> datetime.date:
    """Today's date in China."""
    return program_now().date()


def program_local(moment: datetime.datetime) -> datetime.datetime:
    """An aware moment as China's wall-clock time (for display and exports)."""
    if timezone.is_naive(moment):
        raise ValueError("a stored moment must be aware; a naive one has no time in China")
    return moment.astimezone(PROGRAM_TZ)


def program_date(moment: datetime.datetime) -> datetime.date:
    """The date in China of an aware moment (a stored timestamp)."""
    return program_local(moment).date()


def program_year(moment: datetime.datetime | None = None) -> int:
    """The year in China of ``moment`` (default: now)."""
    return (program_now() if moment is None else program_local(moment)).year


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in China, as an aware datetime."""
    return datetime.datetime(day.year, day.month, day.day, tzinfo=PROGRAM_TZ)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a Chinese calendar day, for range filters on timestamps."""
    return local_midnight(day), local_midnight(day + datetime.timedelta(days=1))


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a calendar year in China as aware datetimes."""
    return local_midnight(datetime.date(year, 1, 1)), local_midnight(datetime.date(year + 1, 1, 1))


def stamp(fmt: str = "%Y%m%d") -> str:
    """Now in China formatted for a file name (exports are named by the local date)."""
    return program_now().strftime(fmt)
