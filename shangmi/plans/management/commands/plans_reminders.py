"""Remind responsible units of due dates and report dates, and tell owners of what was missed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shangmi.plans.reminders import reminders_send


class Command(BaseCommand):
    help = "Send today's plan supervision reminders (run once a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{reminders_send()} reminder(s) sent")
