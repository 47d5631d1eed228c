"""score(): pure, exact to the half point, capped, monotone; and spec_of() = spec_from_file()."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shangmi.standards.errors import StandardFileError
from shangmi.standards.scoring import ScoreResult, score, spec_of
from shangmi.standards.spec import parse_standard
from tests.standards.conftest import CQ, ZJ

CQ_POINTS = {item.code: item.points for _category, _criterion, item in CQ.iter_items()}
CQ_CODES = sorted(CQ_POINTS)
BONUS = {code for code in CQ_CODES if code.startswith("7.")}
BASE = set(CQ_CODES) - BONUS
ZJ_CODES = sorted(ZJ.item_codes)

subsets = st.sets(st.sampled_from(CQ_CODES))


def hand_sum(codes) -> Decimal:
    return sum((CQ_POINTS[code] for code in codes), Decimal(0))


@given(subsets)
def test_the_total_stays_between_0_and_100(chosen):
    result = score(CQ, chosen)
    assert Decimal(0) <= result.total <= Decimal(100)
    assert result.maximum == 100


@given(subsets)
def test_the_total_is_the_capped_hand_sum(chosen):
    result = score(CQ, chosen)
    assert result.raw_total == hand_sum(chosen)
    assert result.total == min(Decimal(100), hand_sum(chosen))
    assert result.base == hand_sum(chosen & BASE) and result.bonus == hand_sum(chosen & BONUS)
    assert result.raw_total == result.base + result.bonus
    # Half points stay exact: twice any total is a whole number, and it is never a float.
    assert isinstance(result.total, Decimal) and (result.total * 2) % 1 == 0


@given(subsets, subsets)
def test_adding_items_never_lowers_the_total(chosen, more):
    assert score(CQ, chosen | more).total >= score(CQ, chosen).total


@given(subsets)
def test_categories_and_criteria_add_up_to_the_total(chosen):
    result = score(CQ, chosen)
    assert sum(c.earned for c in result.categories) == result.raw_total
    for category in result.categories:
        assert category.earned == sum(c.earned for c in category.criteria)
        for criterion in category.criteria:
            assert criterion.earned == hand_sum(criterion.met)
            assert set(criterion.met) == chosen & set(criterion.items)


@pytest.mark.parametrize(
    ("chosen", "total", "raw_total", "base", "bonus"),
    [
        (set(CQ_CODES), "100", "105", "100", "5"),
        (BASE, "100", "100", "100", "0"),
        ((BASE - {"4.1.c"}) | {"7.1.a"}, "98.5", "98.5", "97.5", "1"),
        ((BASE - {"4.1.c"}) | {"7.1.a", "7.1.b", "7.1.c"}, "100", "100.5", "97.5", "3"),
        (BONUS, "5", "5", "0", "5"),
        (set(), "0", "0", "0", "0"),
        ({"1.1.a", "4.1.c", "2.2.b"}, "8", "8", "8", "0"),
        ({"4.1.c"}, "2.5", "2.5", "2.5", "0"),
    ],
)
def test_worked_examples(chosen, total, raw_total, base, bonus):
    result = score(CQ, chosen)
    assert (result.total, result.raw_total, result.base, result.bonus) == tuple(
        Decimal(v) for v in (total, raw_total, base, bonus)
    )
    data = result.as_dict()
    assert (data["total"], data["raw_total"], data["base"], data["bonus"]) == (total, raw_total, base, bonus)
    assert result.passed is None  # the Chongqing standard sets no pass mark


def test_the_result_as_json():
    result = score(CQ, ["1.1.a", "4.1.c", "7.1.a"])
    data = json.loads(json.dumps(result.as_dict()))
    assert data["total"] == "6.5" and data["maximum"] == "100" and data["passed"] is None
    four = data["categories"][3]
    assert (four["number"], four["title"], four["points"], four["earned"]) == (4, "制度建设完备", "25", "2.5")
    assert four["criteria"][0] == {
        "code": "4.1",
        "title": "有较为完善的商业秘密保护制度",
        "points": "15",
        "earned": "2.5",
        "met": ["4.1.c"],
        "items": ["4.1.a", "4.1.b", "4.1.c", "4.1.d", "4.1.e"],
    }
    assert data["categories"][6]["is_bonus"] is True and data["categories"][6]["earned"] == "1"


def test_unknown_codes_are_named():
    with pytest.raises(ValueError, match=r"unknown item codes for cq-creation 2023: 4\.1\.z, 9\.9\.a"):
        score(CQ, ["1.1.a", "9.9.a", "4.1.z"])
    with pytest.raises(TypeError):
        score(CQ, "1.1.a")


@given(st.sets(st.sampled_from(ZJ_CODES)))
def test_the_zhejiang_zone_passes_only_with_all_six(chosen):
    result = score(ZJ, chosen)
    assert result.total == len(chosen) and result.maximum == 6
    assert result.passed is (chosen == set(ZJ_CODES))
    assert result.bonus == 0 and result.raw_total == result.total


def test_a_condition_is_met_only_when_named():
    result = score(ZJ, ["1.3.a"])
    criteria = result.categories[0].criteria
    assert [c.earned for c in criteria] == [0, 0, 1, 0, 0, 0]
    assert criteria[2].points is None and criteria[2].met == ("1.3.a",)
    assert result.as_dict()["passed"] is False


def small_standard(**extra):
    """A made-up standard, to try the rules the two shipped ones do not use."""
    data = {
        "code": "tiny",
        "version": "1",
        "title": "tiny",
        "kind": "points",
        "categories": [
            {
                "number": 1,
                "title": "A",
                "points": 10,
                "criteria": [
                    {
                        "code": "1.1",
                        "title": "a",
                        "points": 10,
                        "items": [
                            {"code": "1.1.a", "text": "x", "points": Decimal("7.5")},
                            {"code": "1.1.b", "text": "y", "points": Decimal("2.5")},
                        ],
                    }
                ],
            },
            {
                "number": 2,
                "title": "B",
                "points": 3,
                "bonus": True,
                "criteria": [
                    {"code": "2.1", "title": "", "points": 3, "items": [{"code": "2.1.a", "text": "z", "points": 3}]}
                ],
            },
        ],
        **extra,
    }
    return parse_standard(data, origin="tiny")


def test_a_pass_mark_decides_passed():
    spec = small_standard(pass_mark=Decimal("7.5"))
    assert score(spec, ["1.1.a"]).passed is True
    assert score(spec, ["1.1.b"]).passed is False
    assert score(spec, ["1.1.b", "2.1.a"]).passed is False  # 5.5 with the bonus


def test_without_a_cap_the_bonus_counts_in_full():
    result = score(small_standard(), ["1.1.a", "1.1.b", "2.1.a"])
    assert (result.total, result.maximum, result.passed) == (Decimal(13), Decimal(10), None)


def test_a_pass_mark_above_the_maximum_is_refused():
    with pytest.raises(StandardFileError, match=r"pass_mark: 10\.5 can never be reached"):
        small_standard(pass_mark=Decimal("10.5"))


def test_the_result_is_immutable():
    result = score(CQ, [])
    assert isinstance(result, ScoreResult)
    with pytest.raises(AttributeError):
        result.total = Decimal(1)  # type: ignore[misc]


@pytest.mark.django_db
def test_spec_of_the_rows_equals_the_file_in_three_queries(loaded, django_assert_num_queries):
    with django_assert_num_queries(3):
        spec = spec_of(loaded["cq-creation"])
    assert spec == CQ
    assert spec_of(loaded["zj-demo-zone"]) == ZJ
    # The same function gives the same answer from either source.
    assert score(spec, BASE).as_dict() == score(CQ, BASE).as_dict()
