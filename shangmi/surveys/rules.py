"""What a question may be, and what an answer to it may be.

Both the data-file loader and the regulator's question editor check a question with
``question_problems``; the answer page, the services and any future API check an answer with
``validate_answers``. One place for each rule, so a page and a command never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shangmi.surveys.models import Question

Kind = Question.Kind
Metric = Question.Metric

# The kind an indicator's answer must have for the aggregation to read it.
METRIC_KINDS: dict[str, frozenset[str]] = {
    Metric.TRADE_SECRETS: frozenset({Kind.INTEGER}),
    Metric.PATENTS: frozenset({Kind.INTEGER}),
    Metric.NDA_RATE: frozenset({Kind.PERCENT}),
    Metric.NON_COMPETE_RATE: frozenset({Kind.PERCENT}),
    Metric.HAS_SYSTEM: frozenset({Kind.YES_NO}),
    Metric.AWARENESS: frozenset({Kind.SINGLE, Kind.MULTIPLE}),
}
# Indicators a questionnaire may ask once only (awareness takes several questions).
SINGLE_METRICS = frozenset(METRIC_KINDS) - {Metric.AWARENESS}
CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE})
TEXT_MAX = 2000
# Numbers beyond this are typing mistakes (a count of 10^12 patents), not data.
NUMBER_MAX = Decimal("1e12")
YES_WORDS = frozenset({"yes", "true", "1", "是", "y"})
NO_WORDS = frozenset({"no", "false", "0", "否", "n"})


# --- questions --------------------------------------------------------------------------------


def question_problems(kind: str, choices: Sequence[Mapping[str, Any]], correct: Any, metric: str) -> list[str]:
    """Everything wrong with a question definition, as sentences for the person who wrote it."""
    problems: list[str] = []
    if kind not in Kind.values:
        return [_("Unknown question kind %(kind)s.") % {"kind": kind}]
    if metric not in Metric.values:
        return [_("Unknown indicator %(metric)s.") % {"metric": metric}]
    values = [str(choice.get("value", "")).strip() for choice in choices]
    labels = [str(choice.get("label", "")).strip() for choice in choices]
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            problems.append(_("A choice question needs at least two options."))
        if any(not v for v in values) or any(not label for label in labels):
            problems.append(_("Every option needs a value and a text."))
        if len(set(values)) != len(values) or len(set(labels)) != len(labels):
            problems.append(_("Two options are the same."))
    elif choices:
        problems.append(_("Only single and multiple choice questions have options."))
    if metric and kind not in METRIC_KINDS[metric]:
        problems.append(
            _("The indicator “%(metric)s” needs a question of kind %(kinds)s.")
            % {
                "metric": Metric(metric).label,
                "kinds": " / ".join(str(Kind(k).label) for k in sorted(METRIC_KINDS[metric])),
            }
        )
    if metric == Metric.AWARENESS:
        problems.extend(_correct_problems(kind, values, correct))
    elif correct not in (None, "", []):
        problems.append(_("Only awareness questions have a right answer."))
    return problems


def _correct_problems(kind: str, values: list[str], correct: Any) -> list[str]:
    if correct in (None, "", []):
        return [_("An awareness question needs its right answer marked.")]
    if kind == Kind.SINGLE and not isinstance(correct, str):
        return [_("A single choice question has exactly one right answer.")]
    if kind == Kind.MULTIPLE and not isinstance(correct, list):
        return [_("The right answers of a multiple choice question are a list of options.")]
    chosen = [correct] if isinstance(correct, str) else correct
    if any(str(value) not in values for value in chosen):
        return [_("A right answer is not one of the options.")]
    return []


def metric_problems(metrics: Iterable[str]) -> list[str]:
    """A questionnaire asks each indicator (other than awareness) at most once."""
    seen: set[str] = set()
    problems = []
    for metric in metrics:
        if metric in SINGLE_METRICS and metric in seen:
            problems.append(_("The indicator “%(metric)s” is asked twice.") % {"metric": Metric(metric).label})
        seen.add(metric)
    return problems


def parse_choice_lines(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Options typed one per line, a leading * marking a right answer: ([{value, label}], right values).

    Values are letters in order (a, b, c, ...): an editable questionnaire has no answers yet, so
    renumbering on each save loses nothing.
    """
    choices: list[dict[str, str]] = []
    right: list[str] = []
    for line in text.splitlines():
        label = line.strip()
        marked = label.startswith(("*", "＊"))
        label = label.lstrip("*＊").strip()
        if not label:
            continue
        value = _letter(len(choices))
        choices.append({"value": value, "label": label})
        if marked:
            right.append(value)
    return choices, right


def format_choice_lines(choices: Sequence[Mapping[str, Any]], correct: Any) -> str:
    right = set(correct if isinstance(correct, list) else [correct] if correct else [])
    return "\n".join(("*" if choice["value"] in right else "") + str(choice["label"]) for choice in choices)


def _letter(index: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < len(letters) else f"o{index + 1}"


# --- answers ----------------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)


def validate_value(question: Question, value: Any) -> Any:
    """The stored form of one answer (int, float, bool, str or list of option values), or a
    ValidationError saying in plain words what is wrong. A blank answer is None."""
    if is_blank(value):
        return None
    kind = question.kind
    if kind == Kind.INTEGER:
        number = _decimal(value, _("Enter a whole number, 0 or more."))
        if number != number.to_integral_value() or number < 0 or number > NUMBER_MAX:
            raise ValidationError(_("Enter a whole number, 0 or more."))
        return int(number)
    if kind == Kind.NUMBER:
        number = _decimal(value, _("Enter a number."))
        if abs(number) > NUMBER_MAX:
            raise ValidationError(_("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == Kind.PERCENT:
        number = _decimal(value, _("Enter a percentage between 0 and 100."))
        if not 0 <= number <= 100:
            raise ValidationError(_("Enter a percentage between 0 and 100."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == Kind.YES_NO:
        return _yes_no(value)
    if kind == Kind.SINGLE:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, str) or value not in question.choice_labels():
            raise ValidationError(_("Choose one of the listed options."))
        return value
    if kind == Kind.MULTIPLE:
        chosen = [value] if isinstance(value, str) else value
        known = list(question.choice_labels())
        if not isinstance(chosen, list) or any(not isinstance(v, str) or v not in known for v in chosen):
            raise ValidationError(_("Choose among the listed options."))
        # The options' own order, each once: two answers with the same choices store the same.
        return [v for v in known if v in set(chosen)]
    text = str(value).strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(_("Write at most %(max)d characters.") % {"max": TEXT_MAX})
    return text


def _decimal(value: Any, message: str) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(message)
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("%", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(message) from exc
    if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise ValidationError(message)
    return number


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValidationError(_("Answer yes or no."))


def validate_answers(questions: Sequence[Question], raw: Mapping[str, Any]) -> tuple[dict[int, Any], dict[str, str]]:
    """Check a whole questionnaire's answers, keyed by question code.

    Returns (values by question id, blank ones as None) and (error by question code); the
    answers are saved only when there is no error at all.
    """
    values: dict[int, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        try:
            value = validate_value(question, raw.get(question.code))
        except ValidationError as exc:
            errors[question.code] = " ".join(exc.messages)
            continue
        if value is None and question.required:
            errors[question.code] = _("This question must be answered.")
            continue
        values[question.pk] = value
    return values, errors
