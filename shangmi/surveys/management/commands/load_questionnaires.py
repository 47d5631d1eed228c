"""Load the questionnaires that ship as data files (the baseline of seed 002)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shangmi.core.commands import LoadDataFilesCommand
from shangmi.surveys.loading import DATA_DIR, QuestionnaireLoadError, data_files, questionnaire_load


class Command(LoadDataFilesCommand):
    help = f"Load questionnaires from TOML data files (default: every file in {DATA_DIR}). Safe to run again."
    load_error = QuestionnaireLoadError

    def data_files(self) -> list[Path]:
        return data_files()

    def load(self, path: Path | str) -> Any:
        return questionnaire_load(path)

    def describe(self, result: Any) -> str:
        questionnaire = result.questionnaire
        return f"{result.origin}: {questionnaire.code} ({questionnaire.questions.count()} questions) {result.status}"
