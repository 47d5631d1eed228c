"""`manage.py deadline 2026-05-06 --working-days 15`: the due date on the loaded calendar."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.enforcement.workdays import deadline, deadline_in_days


class Command(BaseCommand):
    help = "Print the date N working days (or N calendar days) after a start date, on China's official calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", help="the start day (YYYY-MM-DD), itself not counted")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--working-days", type=int)
        group.add_argument("--days", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = datetime.date.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"{options['start']} is not a date (YYYY-MM-DD)") from exc
        count = options["working_days"] if options["working_days"] is not None else options["days"]
        if count < 0:
            raise CommandError("the number of days cannot be negative")
        due = deadline(start, count) if options["working_days"] is not None else deadline_in_days(start, count)
        if not due.counted:
            raise CommandError(due.describe())
        self.stdout.write(due.describe())
