"""Nightly: expire titles past their last day and open re-evaluation for those close to it."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.creation.titles.services import RE_EVALUATION_DAYS, expire_titles


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Mark titles past their validity as expired and put those within "
        f"{RE_EVALUATION_DAYS} days of their end under re-evaluation. Safe to run any number of times."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="run as of this date (YYYY-MM-DD); default: today in Beijing time")
        parser.add_argument(
            "--days", type=int, default=RE_EVALUATION_DAYS, help="re-evaluation window in days before the end"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else None
        result = expire_titles(today, days=options["days"])
        self.stdout.write(f"expired: {len(result.expired)}, re-evaluation opened: {len(result.re_evaluation)}")
        for title in result.expired:
            self.stdout.write(f"  expired {title.number} {title.holder_name} (valid until {title.valid_until})")
        for title in result.re_evaluation:
            self.stdout.write(f"  re-evaluation {title.number} {title.holder_name} (valid until {title.valid_until})")
