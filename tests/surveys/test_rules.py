"""What a question and an answer may be; and the awareness rule."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shangmi.surveys.aggregation import is_aware
from shangmi.surveys.models import Question, is_correct_answer
from shangmi.surveys.rules import (
    format_choice_lines,
    parse_choice_lines,
    question_problems,
    validate_answers,
    validate_value,
)

PKS = itertools.count(1)
CHOICES = [{"value": "a", "label": "秘密性"}, {"value": "b", "label": "价值性"}, {"value": "c", "label": "新颖性"}]


def q(kind: str, code: str = "q", required: bool = True, **extra: Any) -> Question:
    return Question(pk=next(PKS), code=code, text=code, kind=kind, required=required, **extra)


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("integer", "12", 12),
        ("integer", 0, 0),
        ("integer", " 3 ", 3),
        ("number", "2.5", 2.5),
        ("number", "-4", -4),
        ("percent", "100", 100),
        ("percent", "37.5", 37.5),
        ("percent", "0", 0),
        ("yes_no", "yes", True),
        ("yes_no", "no", False),
        ("yes_no", True, True),
        ("text", "  需要培训  ", "需要培训"),
        ("integer", "", None),
        ("text", "   ", None),
    ],
)
def test_valid_answers_are_stored_typed(kind: str, raw: Any, stored: Any) -> None:
    value = validate_value(q(kind), raw)
    assert value == stored and type(value) is type(stored)


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("integer", "-1", "Enter a whole number, 0 or more."),
        ("integer", "2.5", "Enter a whole number, 0 or more."),
        ("integer", "many", "Enter a whole number, 0 or more."),
        ("integer", True, "Enter a whole number, 0 or more."),
        ("percent", "120", "Enter a percentage between 0 and 100."),
        ("percent", "-0.5", "Enter a percentage between 0 and 100."),
        ("percent", "NaN", "Enter a percentage between 0 and 100."),
        ("number", "1e400", "Enter a number."),
        ("yes_no", "maybe", "Answer yes or no."),
        ("text", "字" * 2001, "Write at most 2000 characters."),
    ],
)
def test_invalid_answers_get_a_clear_message(kind: str, raw: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_value(q(kind), raw)
    assert caught.value.messages == [message]


def test_choices_must_come_from_the_list() -> None:
    single = q("single", choices=CHOICES)
    multiple = q("multiple", choices=CHOICES)
    assert validate_value(single, "b") == "b"
    assert validate_value(single, ["b"]) == "b"
    # Stored in the options' order, each once, whatever the order they were sent in.
    assert validate_value(multiple, ["c", "a", "c"]) == ["a", "c"]
    with pytest.raises(ValidationError, match="Choose one of the listed options"):
        validate_value(single, "z")
    with pytest.raises(ValidationError, match="Choose one of the listed options"):
        validate_value(single, ["a", "b"])
    with pytest.raises(ValidationError, match="Choose among the listed options"):
        validate_value(multiple, ["a", "z"])


def test_validate_answers_reports_every_problem_by_code() -> None:
    questions = [
        q("integer", "secrets"),
        q("percent", "nda"),
        q("yes_no", "system"),
        q("text", "needs", required=False),
        q("single", "term", choices=CHOICES),
    ]
    values, errors = validate_answers(questions, {"secrets": "-3", "nda": "80", "term": "z"})
    assert errors == {
        "secrets": "Enter a whole number, 0 or more.",
        "system": "This question must be answered.",
        "term": "Choose one of the listed options.",
    }
    values, errors = validate_answers(questions, {"secrets": "3", "nda": "80", "system": "no", "term": "a"})
    assert errors == {}
    assert values == {questions[0].pk: 3, questions[1].pk: 80, questions[2].pk: False, questions[3].pk: None,
                      questions[4].pk: "a"}  # fmt: skip


def test_awareness_rule() -> None:
    # At least 80% right: 5 of 6 is aware (83%), 4 of 6 is not (67%); 4 of 5 is exactly 80%.
    assert is_aware(6, 6, 80) and is_aware(5, 6, 80)
    assert not is_aware(4, 6, 80)
    assert is_aware(4, 5, 80) and not is_aware(3, 5, 80)
    assert not is_aware(0, 0, 80)
    # A multiple-choice answer is right only with exactly the right options.
    assert is_correct_answer("multiple", ["a", "b"], ["a", "b"])
    assert not is_correct_answer("multiple", ["a", "b"], ["a"])
    assert not is_correct_answer("multiple", ["a", "b"], ["a", "b", "c"])
    assert is_correct_answer("single", "c", "c") and not is_correct_answer("single", "c", "a")
    assert not is_correct_answer("single", "c", None)


def test_question_definitions_are_checked() -> None:
    assert question_problems("integer", [], None, "trade_secrets") == []
    assert question_problems("single", CHOICES, "a", "awareness") == []
    assert question_problems("multiple", CHOICES, ["a", "b"], "awareness") == []
    assert question_problems("text", [], None, "patents") == [
        "The indicator “Number of patents” needs a question of kind Whole number."
    ]
    assert question_problems("single", CHOICES, None, "awareness") == [
        "An awareness question needs its right answer marked."
    ]
    assert question_problems("single", CHOICES, ["a", "b"], "awareness") == [
        "A single choice question has exactly one right answer."
    ]
    assert question_problems("single", CHOICES, "z", "awareness") == ["A right answer is not one of the options."]
    assert question_problems("single", CHOICES[:1], None, "") == ["A choice question needs at least two options."]
    assert question_problems("integer", CHOICES, None, "") == [
        "Only single and multiple choice questions have options."
    ]
    assert question_problems("single", CHOICES, "a", "") == ["Only awareness questions have a right answer."]


def test_option_lines_mark_right_answers_with_a_star() -> None:
    choices, right = parse_choice_lines("*秘密性\n  价值性 \n\n＊保密性\n")
    assert choices == [
        {"value": "a", "label": "秘密性"},
        {"value": "b", "label": "价值性"},
        {"value": "c", "label": "保密性"},
    ]
    assert right == ["a", "c"]
    assert format_choice_lines(choices, right) == "*秘密性\n价值性\n*保密性"
