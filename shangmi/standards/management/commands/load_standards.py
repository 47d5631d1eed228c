"""Load evaluation standards from their data files into the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.standards.errors import StandardLoadError
from shangmi.standards.services import DATA_DIR, data_files, standard_load


class Command(BaseCommand):
    help = f"Load standards from TOML data files (default: every file in {DATA_DIR})."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="data files to load; none means every file of the data folder")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["files"] or data_files()
        failed = 0
        # Every file is tried, each in its own transaction, so one run reports every bad file.
        for path in paths:
            try:
                result = standard_load(path)
            except StandardLoadError as exc:
                failed += 1
                self.stderr.write(str(exc))
                continue
            standard = result.standard
            self.stdout.write(f"{result.origin}: {standard.code} {standard.version} {result.status}")
        if failed:
            raise CommandError(f"{failed} of {len(paths)} file(s) could not be loaded; nothing of them was written")
