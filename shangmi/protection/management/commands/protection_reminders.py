"""Remind enterprises' admins of agreements that end in 30 or 7 days."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shangmi.protection.reminders import reminders_send


class Command(BaseCommand):
    help = "Send today's reminders of confidentiality and non-compete agreements about to end (run once a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{reminders_send()} reminder(s) sent")
