"""`manage.py backup`: one consistent archive of the installation (shangmi/core/backup.py)."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.core.backup import backup_create, both_languages
from shangmi.core.calendar import program_now
from shangmi.core.errors import AppError

PASSPHRASE_ENV = "SHANGMI_BACKUP_PASSPHRASE"


def read_passphrase(*, confirm: bool) -> str:
    """From the environment, or asked on a terminal; a cron job without either is refused."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CommandError(
            f"set {PASSPHRASE_ENV} or run on a terminal to type the passphrase / "
            f"请设置 {PASSPHRASE_ENV} 或在终端中输入备份口令"
        )
    value = getpass.getpass("backup passphrase / 备份口令: ")
    if confirm and getpass.getpass("again / 再输入一次: ") != value:
        raise CommandError("the two passphrases differ / 两次输入的口令不一致")
    return value


class Command(BaseCommand):
    help = "Back up the database, uploaded files and evidence signer state into one archive; the signing key encrypted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="archive path (default var/backups/shangmi-YYYYmmdd-HHMMSS.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or str(
            Path(settings.VAR_DIR) / "backups" / f"shangmi-{program_now():%Y%m%d-%H%M%S}.tar.gz"
        )
        try:
            manifest = backup_create(output=Path(output), passphrase=read_passphrase(confirm=True))
        except AppError as exc:
            raise CommandError(both_languages(exc)) from None
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"backup written to {output}: {manifest.vendor}, {len(manifest.tables)} tables, {rows} rows, "
            f"{manifest.media_files} uploaded files, {len(manifest.evidence_files)} evidence state files, "
            f"signing key {'encrypted' if manifest.has_key else 'absent'}"
        )
