"""Write an enterprise's receipts to a folder and, on request, forget what it escrowed.

    manage.py evidence_export_receipts --user ADMIN --out DIR [--forget]

Run for an enterprise admin (``--user``), whose scope decides which deposits are read: their
own enterprise's, every read recorded. Each sequenced deposit's complete receipt is written
(and fsynced) to DIR; with ``--forget`` the platform then forgets the salt and digests of
each escrowed deposit whose receipt was just written, so only the enterprise's copy opens the
commitment. Pending deposits are skipped (their receipts are not complete yet).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shangmi.core.errors import AppError
from shangmi.core.scoping import CHANGE, VIEW, OutOfScopeError
from shangmi.evidence.access import record_access
from shangmi.evidence.models import Deposit
from shangmi.evidence.receipts import receipt_for, receipt_handed_out
from shangmi.evidence.services import deposit_forget_escrow


class Command(BaseCommand):
    help = "Write an enterprise's complete receipts to a folder; with --forget, then forget its escrowed secrets."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="username of the enterprise admin who asked")
        parser.add_argument("--out", type=Path, required=True, help="folder for the receipt files")
        parser.add_argument(
            "--forget", action="store_true", help="after writing, forget the salt and digests the platform holds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no user {options['user']!r}") from exc
        action = CHANGE if options["forget"] else VIEW
        deposits = (
            Deposit.objects.restrict(user, action)
            .filter(leaf_index__isnull=False)
            .select_related("enterprise", "created_by")
            .order_by("leaf_index")
        )
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        written = forgotten = 0
        for deposit in deposits.iterator(chunk_size=500):
            receipt = receipt_for(deposit)
            _write_durably(out / f"receipt-{deposit.pk}.json", json.dumps(receipt, ensure_ascii=False, indent=2))
            record_access(user, deposit, "receipt")
            receipt_handed_out(deposit, receipt)
            written += 1
            if options["forget"] and receipt["salt"]:
                try:
                    deposit_forget_escrow(user=user, deposit=deposit)
                except (AppError, OutOfScopeError) as exc:
                    self.stderr.write(f"{deposit.pk}: not forgotten: {exc}")
                    continue
                forgotten += 1
        self.stdout.write(f"wrote {written} receipt(s) to {out}; forgot the escrowed secrets of {forgotten}")


def _write_durably(path: Path, text: str) -> None:
    """The receipt is on disk before the platform forgets the only other copy of its salt."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
