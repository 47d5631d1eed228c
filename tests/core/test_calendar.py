"""The program calendar cuts dates, years and halves in China, whatever the clock says in UTC."""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest

from shangmi.core.calendar import (
    PROGRAM_TZ,
    day_bounds,
    local_midnight,
    program_date,
    program_local,
    program_today,
    program_year,
    year_bounds,
)

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("utc", "local_day"),
    [
        # 19:30 UTC is 03:30 the next day in Shanghai: the evening hours in which a UTC date is wrong.
        (datetime.datetime(2026, 12, 6, 19, 30, tzinfo=UTC), datetime.date(2026, 12, 7)),
        (datetime.datetime(2026, 12, 6, 15, 59, tzinfo=UTC), datetime.date(2026, 12, 6)),
        (datetime.datetime(2026, 12, 6, 16, 0, tzinfo=UTC), datetime.date(2026, 12, 7)),
        # New year and the second half begin at Shanghai's midnight, 16:00 UTC the day before.
        (datetime.datetime(2026, 12, 31, 16, 30, tzinfo=UTC), datetime.date(2027, 1, 1)),
        (datetime.datetime(2027, 6, 30, 16, 30, tzinfo=UTC), datetime.date(2027, 7, 1)),
    ],
)
def test_a_moment_has_the_date_it_has_in_china(utc: datetime.datetime, local_day: datetime.date) -> None:
    assert program_date(utc) == local_day
    assert program_year(utc) == local_day.year
    assert program_local(utc).tzinfo == PROGRAM_TZ


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        program_date(datetime.datetime(2026, 12, 6, 19, 30))


def test_bounds_are_local_midnights() -> None:
    start, end = year_bounds(2027)
    assert start == datetime.datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert end == datetime.datetime(2027, 12, 31, 16, 0, tzinfo=UTC)
    assert day_bounds(datetime.date(2026, 7, 1)) == (
        datetime.datetime(2026, 6, 30, 16, 0, tzinfo=UTC),
        datetime.datetime(2026, 7, 1, 16, 0, tzinfo=UTC),
    )
    assert local_midnight(datetime.date(2026, 7, 1)).utcoffset() == datetime.timedelta(hours=8)


def test_today_follows_the_clock_in_china(settings, monkeypatch) -> None:
    # Freeze the clock at 23:30 UTC: Shanghai is already at 07:30 the next day.
    frozen = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: frozen)
    assert program_today() == datetime.date(2027, 1, 1)
    assert program_year() == 2027


# Calls that take a date from the machine's clock, from UTC or from whatever zone happens to be
# active; outside shangmi/core/calendar.py each is a date that may be wrong in the evening.
FORBIDDEN = re.compile(
    r"date\.today\(\)|datetime\.(utc)?now\(\)|timezone\.local(date|time)\(|now\(\)\.(date\(\)|year|month|day)"
    r"|\.astimezone\((?!(datetime\.)?UTC\))|_at__(date|year|month|day)(?![a-z])"
)
# The offline verifier runs without Django (and without this module) on a judge's machine.
EXEMPT = {"shangmi/core/calendar.py", "shangmi/evidence/verify.py", "tests/core/test_calendar.py"}


def test_every_date_is_cut_by_the_program_calendar() -> None:
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.joinpath("shangmi").rglob("*.py"), *root.joinpath("tests").rglob("*.py")]:
        name = path.relative_to(root).as_posix()
        if name in EXEMPT or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == [], "use shangmi.core.calendar instead:\n" + "\n".join(offenders)
