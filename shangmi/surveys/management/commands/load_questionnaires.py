"""Load the questionnaires that ship as data files (the baseline of seed 002)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.surveys.loading import DATA_DIR, QuestionnaireLoadError, data_files, questionnaire_load


class Command(BaseCommand):
    help = f"Load questionnaires from TOML data files (default: every file in {DATA_DIR}). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="data files to load; none means every file of the data folder")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["files"] or data_files()
        failed = 0
        # Each file in its own transaction, every file tried: one run reports every bad file.
        for path in paths:
            try:
                result = questionnaire_load(path)
            except QuestionnaireLoadError as exc:
                failed += 1
                self.stderr.write(str(exc))
                continue
            questionnaire = result.questionnaire
            self.stdout.write(
                f"{result.origin}: {questionnaire.code} ({questionnaire.questions.count()} questions) {result.status}"
            )
        if failed:
            raise CommandError(f"{failed} of {len(paths)} file(s) could not be loaded; nothing of them was written")
