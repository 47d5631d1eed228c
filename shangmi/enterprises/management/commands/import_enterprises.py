"""python manage.py import_enterprises FILE --user USERNAME [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.enterprises.importing import enterprise_import


class Command(BaseCommand):
    help = (
        "Import enterprises from an .xlsx or .csv file as USER (within USER's region). "
        "Nothing is written if any row is bad; every bad row is printed and the exit status is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username of the regulator or platform admin")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no user called {options['user']!r}") from exc

        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 2:
                self.stderr.write(f"{done}/{total}")

        result = enterprise_import(user=user, path=path, dry_run=options["dry_run"], progress=progress)
        for error in result.errors:
            self.stderr.write(f"{path.name}:{error.row}: {error.message}")
        if result.errors:
            raise CommandError(result.message, returncode=1)
        self.stdout.write(result.message)
