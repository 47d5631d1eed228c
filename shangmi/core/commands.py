"""A management command that loads data files (standards, questionnaires) one by one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser


class LoadDataFilesCommand(BaseCommand, ABC):
    """Every file is tried, each in its own transaction (the loader's), so one run reports
    every bad file; the command fails when any did. Subclasses name the folder, the loader,
    the loader's refusal and how a loaded file is reported."""

    load_error: ClassVar[type[Exception]]

    @abstractmethod
    def data_files(self) -> list[Path]:
        """The files loaded when none are named."""

    @abstractmethod
    def load(self, path: Path | str) -> Any:
        """Load one file in its own transaction; raise ``load_error`` to refuse it whole."""

    @abstractmethod
    def describe(self, result: Any) -> str:
        """One line saying what a loaded file gave."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="data files to load; none means every file of the data folder")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["files"] or self.data_files()
        failed = 0
        for path in paths:
            try:
                result = self.load(path)
            except self.load_error as exc:
                failed += 1
                self.stderr.write(str(exc))
                continue
            self.stdout.write(self.describe(result))
        if failed:
            raise CommandError(f"{failed} of {len(paths)} file(s) could not be loaded; nothing of them was written")
