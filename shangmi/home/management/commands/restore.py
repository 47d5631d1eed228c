"""`manage.py restore ARCHIVE --yes`: put back what `manage.py backup` archived."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.core.backup import backup_read_manifest, backup_restore, both_languages
from shangmi.core.errors import AppError
from shangmi.home.management.commands.backup import read_passphrase


class Command(BaseCommand):
    help = (
        "Replace the database, uploaded files and evidence key folder with a backup archive's; stop the platform first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="confirm: the current data is replaced")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        try:
            manifest = backup_read_manifest(archive)
            if not options["yes"]:
                raise CommandError(
                    "restore replaces the current database and files; add --yes to go ahead / "
                    "恢复将覆盖当前数据库和文件，确认请加 --yes"
                )
            passphrase = read_passphrase(confirm=False) if manifest.has_key else None
            manifest = backup_restore(archive=archive, passphrase=passphrase)
        except AppError as exc:
            raise CommandError(both_languages(exc)) from None
        self.stdout.write(
            f"restored {archive} (taken {manifest.created_at}): {len(manifest.tables)} tables with the archive's "
            f"row counts, {manifest.media_files} uploaded files; now run audit_evidence_log"
        )
