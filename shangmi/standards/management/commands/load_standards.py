"""Load evaluation standards from their data files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shangmi.core.commands import LoadDataFilesCommand
from shangmi.standards.errors import StandardLoadError
from shangmi.standards.services import DATA_DIR, data_files, standard_load


class Command(LoadDataFilesCommand):
    help = f"Load standards from TOML data files (default: every file in {DATA_DIR})."
    load_error = StandardLoadError

    def data_files(self) -> list[Path]:
        return data_files()

    def load(self, path: Path | str) -> Any:
        return standard_load(path)

    def describe(self, result: Any) -> str:
        return f"{result.origin}: {result.standard.code} {result.standard.version} {result.status}"
