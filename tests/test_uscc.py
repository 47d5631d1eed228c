"""The unified social credit code (GB 32100-2015): validity, every kind of error, normalisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from shangmi.enterprises.uscc import (
    ALPHABET,
    check_character,
    make_uscc,
    normalise_uscc,
    org_code_check_character,
    uscc_errors,
    validate_uscc,
)

VALID = ["91350100M000100Y43", "91110000600037341L", make_uscc("500105", 1), make_uscc("110101", 99999999)]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def errors(raw: str) -> list[str]:
    return uscc_errors(normalise_uscc(raw))


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code: str) -> None:
    assert errors(code) == []
    validate_uscc(code)


def test_make_uscc_structure() -> None:
    code = make_uscc("500105", 1234)
    assert code[:2] == "91"
    assert code[2:8] == "500105"
    assert code[8:16] == "00001234"
    assert code[16] == org_code_check_character("00001234")
    assert code[17] == check_character(code[:17])
    with pytest.raises(ValueError):
        make_uscc("500105", 10**8)


@pytest.mark.parametrize("code", ["9111000060003734", "91110000600037341LX", ""])
def test_wrong_length(code: str) -> None:
    (message,) = errors(code)
    assert "18 characters" in message
    assert f"this one has {len(code)}" in message


@pytest.mark.parametrize("bad", [*list("IOSVZ"), "-", "*"])
def test_forbidden_characters(bad: str) -> None:
    code = "91110000600037341L"
    wrong = code[:10] + bad + code[11:]
    (message,) = errors(wrong)
    assert "never appear" in message
    assert f"“{bad}” at position 11" in message


def test_every_forbidden_character_is_named() -> None:
    (message,) = errors("9111000060003734IO")
    assert "“I” at position 17" in message and "“O” at position 18" in message


def test_non_digit_division_code() -> None:
    messages = errors("9111A000600037341L")
    assert any("Positions 3-8" in m and "digits" in m for m in messages)


def test_wrong_organisation_code_check() -> None:
    messages = errors("91110000600037342L")
    assert any("organisation code (positions 9-17) should end in 1, not 2" in m for m in messages)


def test_wrong_final_check_character() -> None:
    (message,) = errors("91110000600037341M")
    assert "check character (position 18) should be L, not M" in message


def test_validator_raises_every_reason() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91110000600037342L")
    assert len(exc.value.messages) == 2


@pytest.mark.parametrize(
    "raw",
    [
        "91110000600037341l",  # lower case
        " 9111 0000 6000 3734 1L ",  # spaces
        "9111\u30000000600037341L",  # ideographic space
        "９１１１００００６０００３７３４１Ｌ",  # full width, as pasted from Word
        "91110000600037341L\n",
    ],
)
def test_normalisation(raw: str) -> None:
    assert normalise_uscc(raw) == "91110000600037341L"
    assert errors(raw) == []
    validate_uscc(raw)


def test_normalise_none() -> None:
    assert normalise_uscc(None) == ""  # type: ignore[arg-type]


def test_messages_are_translated_to_chinese() -> None:
    with translation.override("zh-hans"):
        (message,) = errors("9111000060003734")
    assert "18" in message and "16" in message


codes = st.builds(
    make_uscc,
    st.from_regex(r"\A[1-6][0-9]{5}\Z"),
    st.integers(min_value=0, max_value=99_999_999),
    st.sampled_from("159ABCDEFGNY"),
    st.sampled_from("123459"),
)


@given(codes)
def test_make_uscc_is_always_valid(code: str) -> None:
    assert len(code) == 18
    assert uscc_errors(code) == []


# Anything that does not normalise back to the original character: the alphabet, the
# forbidden letters, digits and symbols.
REPLACEMENTS = ALPHABET + "IOSVZ-#*"


@given(codes, st.integers(min_value=0, max_value=17), st.sampled_from(REPLACEMENTS))
def test_any_single_change_makes_a_code_invalid(code: str, position: int, replacement: str) -> None:
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    changed = code[:position] + replacement + code[position + 1 :]
    assert uscc_errors(normalise_uscc(changed)), changed
