"""restrict() through a to-many lookup gives each row once: a row reached by two paths (two of
the reader's units, a unit and the reader's region) is not repeated."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q

from shangmi.core.scoping import _crosses_many, restricted
from shangmi.plans.models import Plan, PlanUnit

pytestmark = pytest.mark.django_db


def test_crosses_many_reads_the_lookups_not_their_values() -> None:
    assert _crosses_many(Plan, Q(units__members=1) | Q(region__path__subtree="/50/"))
    assert not _crosses_many(Plan, Q(region__path__subtree="/50/"))


def test_a_row_reached_twice_is_listed_once(world) -> None:
    plan = Plan.objects.create(
        code="twice", title="方案", issuer="局", region=world.jiangbei,
        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
    )  # fmt: skip
    for name in ("甲", "乙"):
        PlanUnit.objects.create(plan=plan, name=name).members.add(world.regulator_in)
    assert list(restricted(Plan, world.regulator_in)) == [plan]
