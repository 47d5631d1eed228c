"""Load work plans from their data files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shangmi.core.commands import LoadDataFilesCommand
from shangmi.plans.loading import DATA_DIR, PlanLoadError, data_files, plan_load


class Command(LoadDataFilesCommand):
    help = f"Load work plans from TOML data files (default: every file in {DATA_DIR})."
    load_error = PlanLoadError

    def data_files(self) -> list[Path]:
        return data_files()

    def load(self, path: Path | str) -> Any:
        return plan_load(path)

    def describe(self, result: Any) -> str:
        return f"{result.origin}: {result.plan.code} {result.status}, {result.tasks} tasks"
