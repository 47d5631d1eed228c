"""Replace the evidence log's signing key, announcing the new key under both keys.

    manage.py evidence_rotate_key

Prints the new public key and the rotation note. Publish the new key with the note (it is on
/evidence/log/keys/ at once); verifiers, the monitor and the audit that pinned the old key
follow the announcement. Witnesses must be given the new key (docs/evidence-log.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shangmi.evidence.log import LogCorruptionError, log_rotate_key, log_verifier_key


class Command(BaseCommand):
    help = "Replace the log's signing key; the new key is announced in a note signed by the old and the new key."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rotation = log_rotate_key()
        except LogCorruptionError as exc:
            raise CommandError(f"{exc.code}: {exc}") from exc
        self.stdout.write(f"new key: {log_verifier_key()}\n")
        self.stdout.write(rotation.note)
