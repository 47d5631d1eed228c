"""Working days on China's official calendar (市场监督管理行政处罚程序规定 arts. 80, 84).

The start day is not counted; N working days later is the Nth working day after it, make-up
working weekends (调休) included and holidays skipped; a period counted in calendar days that
ends on a day off moves to the next working day. The calendar of each year is data
(CalendarYear, loaded from data/calendars/ or a file the bureau gives), and a computation that
touches a year with no calendar refuses (CalendarMissing) instead of counting weekdays: the
caller shows "not counted", never a date that may be wrong.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shangmi.enforcement.models import CalendarYear

DATA_DIR = Path(__file__).resolve().parent / "data" / "calendars"
ONE_DAY = datetime.timedelta(days=1)
# A period longer than this is a mistake in the data or the caller, not a deadline.
MAX_SPAN_DAYS = 3 * 366


class CalendarMissing(Exception):
    """The year's calendar is not loaded: a deadline through it cannot be counted."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(year)


class CalendarFileError(ValueError):
    """A calendar file that cannot be loaded; nothing of it was written."""


@dataclass(frozen=True)
class WorkCalendar:
    """The loaded years: their holidays and working weekends."""

    years: frozenset[int]
    holidays: frozenset[datetime.date]
    working_weekends: frozenset[datetime.date]

    @classmethod
    def loaded(cls) -> WorkCalendar:
        """Every loaded year, in one query."""
        years: set[int] = set()
        holidays: set[datetime.date] = set()
        weekends: set[datetime.date] = set()
        for row in CalendarYear.objects.all():
            years.add(row.year)
            holidays.update(datetime.date.fromisoformat(d) for d in row.holidays)
            weekends.update(datetime.date.fromisoformat(d) for d in row.working_weekends)
        return cls(frozenset(years), frozenset(holidays), frozenset(weekends))

    def is_working_day(self, day: datetime.date) -> bool:
        if day.year not in self.years:
            raise CalendarMissing(day.year)
        if day in self.holidays:
            return False
        return day.weekday() < 5 or day in self.working_weekends

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        """The ``count``-th working day after ``start`` (start excluded)."""
        if count < 0:
            raise ValueError("a period cannot be negative")
        day, left = start, count
        while left:
            day += ONE_DAY
            if (day - start).days > MAX_SPAN_DAYS:
                raise ValueError("period too long")
            if self.is_working_day(day):
                left -= 1
        if count == 0:
            return self.next_working_day(start)
        return day

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_days(self, start: datetime.date, days: int) -> datetime.date:
        """``days`` calendar days after ``start``; a last day off moves to the next working day."""
        return self.next_working_day(start + datetime.timedelta(days=days))

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


@dataclass(frozen=True)
class Due:
    """A deadline, or why it could not be counted."""

    on: datetime.date | None
    missing_year: int | None = None

    @property
    def counted(self) -> bool:
        return self.on is not None

    def describe(self) -> str:
        if self.on is not None:
            return self.on.isoformat()
        return _("not counted: the calendar of %(year)s is not loaded") % {"year": self.missing_year}


def deadline(start: datetime.date, working_days: int, *, calendar: WorkCalendar | None = None) -> Due:
    """``working_days`` working days after ``start``, or "not counted" when a year it crosses
    has no calendar."""
    calendar = calendar or WorkCalendar.loaded()
    try:
        return Due(calendar.add_working_days(start, working_days))
    except CalendarMissing as exc:
        return Due(None, exc.year)


def deadline_in_days(start: datetime.date, days: int, *, calendar: WorkCalendar | None = None) -> Due:
    """``days`` calendar days after ``start``, moved off a holiday; or "not counted"."""
    calendar = calendar or WorkCalendar.loaded()
    try:
        return Due(calendar.add_days(start, days))
    except CalendarMissing as exc:
        return Due(None, exc.year)


def _dates(values: Any, year: int, what: str) -> list[str]:
    if not isinstance(values, list):
        raise CalendarFileError(_("%(what)s must be a list of dates.") % {"what": what})
    days = []
    for value in values:
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError as exc:
            raise CalendarFileError(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}) from exc
        if day.year != year:
            raise CalendarFileError(_("%(day)s is not in %(year)s.") % {"day": day, "year": year})
        days.append(day)
    return [d.isoformat() for d in sorted(set(days))]


def calendar_load(source: Path | str | dict[str, Any]) -> CalendarYear:
    """Load one year's calendar (a file of data/calendars/ or the same shape), replacing that
    year's row; a bad file writes nothing."""
    try:
        data = source if isinstance(source, dict) else json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CalendarFileError(_("%(source)s cannot be read: %(error)s") % {"source": source, "error": exc}) from exc
    try:
        year = int(data["year"])
        meta = data["source"]
        title = str(meta["title"]).strip()
        spans = data["holidays"]
    except (KeyError, TypeError, ValueError) as exc:
        raise CalendarFileError(
            _("A calendar file needs year, source.title, holidays and working_weekends (%(error)s missing).")
            % {"error": exc}
        ) from exc
    if not title:
        raise CalendarFileError(_("The calendar of %(year)s names no source.") % {"year": year})
    holidays: list[str] = []
    for span in spans:
        if not isinstance(span, dict):
            raise CalendarFileError(_("Each holiday needs from and to dates."))
        day = datetime.date.fromisoformat(_dates([span.get("from")], year, "holidays")[0])
        end = datetime.date.fromisoformat(_dates([span.get("to")], year, "holidays")[0])
        if end < day:
            raise CalendarFileError(_("A holiday ends before it starts (%(day)s).") % {"day": day})
        while day <= end:
            holidays.append(day.isoformat())
            day += ONE_DAY
    weekends = _dates(data.get("working_weekends", []), year, "working_weekends")
    for value in weekends:
        if datetime.date.fromisoformat(value).weekday() < 5:
            raise CalendarFileError(_("%(day)s is not a weekend day.") % {"day": value})
    issued = meta.get("issued") or None
    with transaction.atomic():
        row, _created = CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "holidays": sorted(set(holidays)),
                "working_weekends": weekends,
                "source_title": title[:200],
                "source_number": str(meta.get("number") or "")[:64],
                "source_issued": datetime.date.fromisoformat(issued) if issued else None,
                "source_url": str(meta.get("url") or "")[:300],
            },
        )
    return row


def calendars_load() -> list[CalendarYear]:
    """Every calendar shipped in data/calendars/."""
    return [calendar_load(path) for path in sorted(DATA_DIR.glob("*.json"))]
