"""Remind the enterprises that have not answered an open survey (for a daily timer or cron)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError
from shangmi.surveys.models import Survey
from shangmi.surveys.services import open_surveys_to_remind, survey_remind


class Command(BaseCommand):
    help = (
        "Notify the administrators of enterprises that have not answered an open survey, and mark them "
        "reminded. By default every open survey within its deadline; those reminded in the last "
        "--interval-hours are left alone, so a daily run does not repeat itself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", type=int, action="append", help="only this survey (id; may repeat)")
        parser.add_argument(
            "--days-before",
            type=int,
            default=None,
            help="only surveys whose deadline is at most this many days away",
        )
        parser.add_argument("--interval-hours", type=int, default=72, help="skip those reminded more recently")

    def handle(self, *args: Any, **options: Any) -> None:
        today = program_today()
        surveys = open_surveys_to_remind(today)
        if options["survey"]:
            surveys = Survey.objects.filter(pk__in=options["survey"]).order_by("pk")
            if surveys.count() != len(set(options["survey"])):
                raise CommandError("unknown survey id")
        if options["days_before"] is not None:
            surveys = surveys.filter(deadline__lte=today + datetime.timedelta(days=options["days_before"]))
        interval = datetime.timedelta(hours=options["interval_hours"])
        for survey in surveys:
            try:
                result = survey_remind(survey, min_interval=interval)
            except AppError as exc:
                self.stderr.write(f"survey {survey.pk} {survey.title}: {exc}")
                continue
            self.stdout.write(
                f"survey {survey.pk} {survey.title}: {result.reminded} reminded, "
                f"{result.without_admin} without administrator, {result.skipped} reminded recently"
            )
