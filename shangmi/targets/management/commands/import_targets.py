"""python manage.py import_targets FILE --region 330600 --year 2023 [--deadline 2023-09-30] [--dry-run]"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.regions.models import Region
from shangmi.targets.importing import targets_import


class Command(BaseCommand):
    help = (
        "Import a target breakdown table (like seed 003's Shaoxing table) from .xlsx or .csv for the "
        "districts of REGION in YEAR. Nothing is written if any row is bad; every bad row is printed "
        "and the exit status is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--region", required=True, help="division code of the region the table divides")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--deadline", type=datetime.date.fromisoformat, help="YYYY-MM-DD; default 30 September")
        parser.add_argument("--user", help="import as this user (within their region); default: no scope limit")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        region = Region.objects.filter(pk=options["region"]).first()
        if region is None:
            raise CommandError(f"no region has the code {options['region']!r}")
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user called {options['user']!r}") from exc
        result = targets_import(
            path=path,
            region=region,
            year=options["year"],
            user=user,
            deadline=options["deadline"],
            dry_run=options["dry_run"],
        )
        for error in result.errors:
            self.stderr.write(f"{path.name}:{error.row}: {error.message}")
        if result.errors:
            raise CommandError(result.message, returncode=1)
        self.stdout.write(result.message)
