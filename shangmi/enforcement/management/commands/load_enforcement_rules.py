"""Load the working-day calendars and the legal rules: those shipped in data/, or the files named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.enforcement.rules import RuleFileError, rules_load
from shangmi.enforcement.workdays import CalendarFileError, calendar_load, calendars_load


class Command(BaseCommand):
    help = "Load working-day calendars (a year's State Council notice) and legal rules (time limits, thresholds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="calendar or rules files; none: those shipped with the platform")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["files"]:
            years = calendars_load()
            rules = rules_load()
            self.stdout.write(f"calendars: {', '.join(str(y.year) for y in years)}; rules: {len(rules)}")
            return
        for name in options["files"]:
            try:
                data = json.loads(Path(name).read_text(encoding="utf-8"))
                if isinstance(data, dict) and "rules" in data:
                    self.stdout.write(f"{name}: {len(rules_load(name))} rules")
                else:
                    self.stdout.write(f"{name}: calendar {calendar_load(data).year}")
            except (OSError, ValueError, RuleFileError, CalendarFileError) as exc:
                raise CommandError(f"{name}: {exc}") from exc
