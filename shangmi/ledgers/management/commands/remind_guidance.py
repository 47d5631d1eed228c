"""Remind officers of their enterprises still lacking a guidance in the current half.

    python manage.py remind_guidance [--today YYYY-MM-DD] [--days 30]

Safe to run every day from cron: an officer is reminded at most once a day for a half.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.core.calendar import program_today
from shangmi.ledgers.guidance.halfyear import guidance_reminders


class Command(BaseCommand):
    help = "Notify officers of enterprises with no guidance yet in a half that ends within --days days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to act as (YYYY-MM-DD, local time); default today")
        parser.add_argument("--days", type=int, default=30, help="remind when the half ends within this many days")

    def handle(self, *args: Any, **options: Any) -> None:
        today = program_today()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {options['today']!r}") from exc
        if options["days"] < 0:
            raise CommandError("--days must not be negative")
        sent = guidance_reminders(today=today, days=options["days"])
        self.stdout.write(f"{sent} reminder(s) sent for {today.isoformat()}.")
