"""Recount the half-year summaries from the guidance visits and the enterprises.

    python manage.py rebuild_guidance_summary

The database keeps them by triggers, so this is a repair, not a chore for cron: after a
restore of some tables but not others, or to check them (it prints each table's rows).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shangmi.ledgers.guidance.summary import rebuild_summary


class Command(BaseCommand):
    help = "Recount the half-year summaries (per enterprise and per region) from the visits and the enterprises."

    def handle(self, *args: Any, **options: Any) -> None:
        for table, rows in rebuild_summary().items():
            self.stdout.write(f"{table}: {rows} row(s)")
