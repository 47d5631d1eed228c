"""Multi-year programs: seed 003's 1,000 city-level stations over three years at 20/40/40."""

from __future__ import annotations

import datetime
from fractions import Fraction
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shangmi.core.scoping import OutOfScopeError
from shangmi.creation.models import DemoType, Level
from shangmi.targets import services
from shangmi.targets.models import Target, TargetProgram
from shangmi.targets.services import parse_shares, program_save, split_total
from tests.refusals import refused_with


def test_the_seed_split() -> None:
    assert split_total(1000, [20, 40, 40]) == [200, 400, 400]
    assert split_total(10, [20, 40, 40]) == [2, 4, 4]
    # 1.4 / 2.8 / 2.8: the two largest remainders get the two left over.
    assert split_total(7, [20, 40, 40]) == [1, 3, 3]
    assert split_total(1, [50, 50]) == [1, 0]  # a tie goes to the earlier year
    assert split_total(0, [20, 40, 40]) == [0, 0, 0]


@st.composite
def shares(draw: Any) -> list[int]:
    """Random percentages adding up to 100: cuts of 0..100 into 1-10 pieces."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=0, max_size=9)))
    points = [0, *cuts, 100]
    return [b - a for a, b in pairwise(points)]


@given(total=st.integers(0, 10**7), split=shares())
def test_the_years_always_add_up_to_the_total(total: int, split: list[int]) -> None:
    parts = split_total(total, split)
    assert sum(parts) == total
    assert len(parts) == len(split)
    for part, share in zip(parts, split, strict=True):
        exact = Fraction(total * share, 100)
        # Largest remainder: each year is its exact share rounded down or up, never further.
        assert exact - 1 < part < exact + 1
        assert part >= 0


def test_shares_are_read_tolerantly_and_must_make_100() -> None:
    assert parse_shares("20,40,40") == [20, 40, 40]
    assert parse_shares("20%、40%、40%") == [20, 40, 40]
    assert parse_shares("２０，４０，４０") == [20, 40, 40]
    assert parse_shares([50, 50]) == [50, 50]
    with refused_with(services.SHARES_NOT_100):
        parse_shares("20, 30, 40")
    with refused_with(services.SHARE_NOT_WHOLE):
        parse_shares("20, forty, 40")
    with refused_with(services.SHARE_NEGATIVE):
        parse_shares("120, -20")


def _data(shaoxing: Any, **extra: Any) -> dict[str, Any]:
    return {
        "region": shaoxing.city,
        "title": "千个市级示范站(点)",
        "metric": "demonstration",
        "demo_type": DemoType.STATION,
        "levels": Level.MUNICIPAL,
        "total": 1000,
        "start_year": 2023,
        "shares": [20, 40, 40],
        **extra,
    }


def yearly(program: TargetProgram) -> list[tuple[int, int]]:
    return list(program.targets.order_by("year").values_list("year", "minimum"))


def test_a_program_writes_its_yearly_targets(shaoxing: Any) -> None:
    user = shaoxing.city_regulator
    program = program_save(user=user, program=None, data=_data(shaoxing))
    assert yearly(program) == [(2023, 200), (2024, 400), (2025, 400)]
    assert program.created_by == user
    target = program.targets.get(year=2024)
    assert (target.region, target.demo_type, target.levels) == (shaoxing.city, "station", "municipal")
    assert target.deadline == datetime.date(2024, 12, 31)

    # Editing the total and the shares rewrites the years; a dropped year goes.
    program = program_save(user=user, program=program, data={"total": 7, "shares": "50, 50"})
    assert yearly(program) == [(2023, 4), (2024, 3)]
    assert not Target.objects.filter(year=2025).exists()
    assert [h.minimum for h in program.targets.get(year=2023).history.order_by("history_date")] == [200, 4]


def test_a_program_does_not_overwrite_a_target_set_by_hand(shaoxing: Any) -> None:
    Target.objects.create(region=shaoxing.city, year=2024, demo_type="station", levels="municipal", minimum=9)
    with refused_with(services.YEAR_TAKEN):
        program_save(user=shaoxing.city_regulator, program=None, data=_data(shaoxing))
    assert not TargetProgram.objects.exists()
    assert Target.objects.get().minimum == 9


def test_shares_not_adding_up_to_100_change_nothing(shaoxing: Any) -> None:
    with refused_with(services.SHARES_NOT_100):
        program_save(user=shaoxing.city_regulator, program=None, data=_data(shaoxing, shares=[20, 40, 30]))
    assert not TargetProgram.objects.exists() and not Target.objects.exists()


def test_a_program_stays_in_the_writers_region(shaoxing: Any) -> None:
    with pytest.raises(OutOfScopeError):
        program_save(user=shaoxing.yuecheng_regulator, program=None, data=_data(shaoxing))
    assert not TargetProgram.objects.exists() and not Target.objects.exists()
