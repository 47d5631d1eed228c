"""Remind handlers and their heads of deadlines due on the next working day or just missed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shangmi.enforcement.reminders import reminders_send


class Command(BaseCommand):
    help = "Send the enforcement deadline reminders of today (run once per working day)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{reminders_send()} reminder(s) sent")
