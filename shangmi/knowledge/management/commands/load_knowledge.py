"""Load the laws (article by article) and the country guides: those shipped in data/, or the files named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.core.errors import AppError
from shangmi.knowledge.loading import knowledge_load


class Command(BaseCommand):
    help = "Load laws and regulations (article versions with their dates) and country guides from JSON data files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", help="law or country guide files; none: those shipped with the platform"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(name) for name in options["files"]] or None
        try:
            loaded = knowledge_load(paths)
        except AppError as exc:
            raise CommandError(exc.text) from exc
        for item in loaded:
            self.stdout.write(f"{item.path.name}: {item.name} ({item.parts})")
