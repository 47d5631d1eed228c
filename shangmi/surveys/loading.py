"""Loading questionnaires that ship as data files (shangmi/surveys/data/*.toml).

The file is the source of truth for the baseline questionnaire. Loading is idempotent: the
rows are matched by code (the questionnaire's, then each question's), updated in place when
the file changed, and left alone when it did not; answers already given stay attached to
their question. A question that has answers is never deleted: removing it from the file is
refused with a message, since the answers would lose their meaning.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from django.db import transaction

from shangmi.surveys.models import Answer, Question, Questionnaire
from shangmi.surveys.rules import metric_problems, question_problems

DATA_DIR = Path(__file__).resolve().parent / "data"
BASELINE_CODE = "baseline"

LoadStatus = Literal["created", "updated", "unchanged"]
CREATED: Final = "created"
UPDATED: Final = "updated"
UNCHANGED: Final = "unchanged"

QUESTION_FIELDS = ("order", "text", "kind", "choices", "correct", "metric", "required")


# Not an AppError, on purpose: data files are loaded by the commands (load_questionnaires,
# load_reference_data); the one page that reaches this module (issuing a survey) loads the
# shipped baseline, whose file the tests check, so the message is for whoever edits a data file.
class QuestionnaireLoadError(ValueError):
    """A data file that cannot be loaded; the message names the file and the question."""


@dataclass(frozen=True)
class LoadResult:
    questionnaire: Questionnaire
    status: LoadStatus
    origin: str


def data_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.glob("*.toml"))


def questionnaires_load(paths: Iterable[Path | str] | None = None) -> list[LoadResult]:
    """Load every data file (default: all of shangmi/surveys/data/); for install scripts."""
    return [questionnaire_load(path) for path in (data_files() if paths is None else paths)]


def questionnaire_load(path: Path | str) -> LoadResult:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise QuestionnaireLoadError(f"{path.name}: {exc}") from exc
    return questionnaire_save(data, origin=path.name)


def _question_rows(data: dict[str, Any], origin: str) -> list[dict[str, Any]]:
    rows = []
    for index, raw in enumerate(data.get("questions", []), start=1):
        code = str(raw.get("code", "")).strip()
        where = f"{origin}: question {index} ({code or 'no code'})"
        if not code or not raw.get("text") or not raw.get("kind"):
            raise QuestionnaireLoadError(f"{where}: code, text and kind are required")
        row = {
            "code": code,
            "order": index * 10,
            "text": str(raw["text"]).strip(),
            "kind": str(raw["kind"]),
            "choices": [{"value": str(c["value"]), "label": str(c["label"])} for c in raw.get("choices", [])],
            "correct": raw.get("correct"),
            "metric": str(raw.get("metric", "")),
            "required": bool(raw.get("required", True)),
        }
        problems = question_problems(row["kind"], row["choices"], row["correct"], row["metric"])
        if problems:
            raise QuestionnaireLoadError(f"{where}: {' '.join(problems)}")
        rows.append(row)
    codes = [row["code"] for row in rows]
    if not rows or len(set(codes)) != len(codes):
        raise QuestionnaireLoadError(f"{origin}: a questionnaire needs questions, each with its own code")
    problems = metric_problems(row["metric"] for row in rows)
    if problems:
        raise QuestionnaireLoadError(f"{origin}: {' '.join(problems)}")
    return rows


@transaction.atomic
def questionnaire_save(data: dict[str, Any], *, origin: str = "") -> LoadResult:
    """Write one questionnaire's data (as read from TOML) as rows, in one transaction."""
    code = str(data.get("code", "")).strip()
    origin = origin or code
    if not code or not data.get("title"):
        raise QuestionnaireLoadError(f"{origin}: code and title are required")
    rows = _question_rows(data, origin)
    fields: dict[str, Any] = {
        "title": str(data["title"]).strip(),
        "description": str(data.get("description", "")).strip(),
        "aware_threshold": int(data.get("aware_threshold", 80)),
        # Shipped questionnaires belong to no region: every regulator may issue them, none edit them.
        "is_baseline": bool(data.get("baseline", False)),
        "region": None,
    }
    if not 1 <= fields["aware_threshold"] <= 100:
        raise QuestionnaireLoadError(f"{origin}: aware_threshold is a percentage, 1 to 100")

    questionnaire = Questionnaire.objects.select_for_update().filter(code=code).first()
    created = questionnaire is None
    changed = created
    if questionnaire is None:
        questionnaire = Questionnaire(code=code)
    for name, value in fields.items():
        if getattr(questionnaire, name) != value:
            setattr(questionnaire, name, value)
            changed = True
    if changed:
        questionnaire.save()

    existing = {q.code: q for q in Question.objects.filter(questionnaire=questionnaire)}
    wanted = {row["code"] for row in rows}
    leftovers = [q for c, q in existing.items() if c not in wanted]
    answered = set(Answer.objects.filter(question__in=leftovers).values_list("question__code", flat=True))
    if answered:
        raise QuestionnaireLoadError(
            f"{origin}: question(s) {', '.join(sorted(answered))} have answers and cannot be removed from the file"
        )
    if leftovers:
        Question.objects.filter(pk__in=[q.pk for q in leftovers]).delete()
        changed = True
    for row in rows:
        question = existing.get(row["code"])
        if question is None:
            Question.objects.create(questionnaire=questionnaire, **row)
            changed = True
            continue
        updates = [name for name in QUESTION_FIELDS if getattr(question, name) != row[name]]
        if updates:
            for name in updates:
                setattr(question, name, row[name])
            question.save(update_fields=updates)
            changed = True
    status: LoadStatus = CREATED if created else UPDATED if changed else UNCHANGED
    return LoadResult(questionnaire, status, origin)


def baseline() -> Questionnaire:
    """The baseline questionnaire, loaded from its file the first time it is needed."""
    found = Questionnaire.objects.filter(code=BASELINE_CODE).first()
    return found or questionnaire_load(DATA_DIR / "baseline.toml").questionnaire
