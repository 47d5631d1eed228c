"""The protection tests' people: on each side of the walk's world, people of the enterprise,
one of them the staff member's own record."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from shangmi.enforcement.rules import rules_load
from shangmi.protection.models import Grade, Person, SecretPoint, Subject, TermKind
from shangmi.protection.rules import RULES_FILE
from shangmi.protection.services import SecretPointInput, secret_point_propose


@pytest.fixture
def rules(db: Any) -> None:
    """The labour-law bounds as shipped (data/rules.json)."""
    rules_load(RULES_FILE)


def person(enterprise: Any, name: str, **extra: Any) -> Person:
    return Person.objects.create(enterprise=enterprise, name=name, department="研发部", **extra)


def propose(
    admin: Any, responsible: Person, *, circle: tuple[Person, ...] = (), name: str = "电机控制算法"
) -> SecretPoint:
    return secret_point_propose(
        user=admin,
        data=SecretPointInput(
            name=name,
            subject=Subject.TECH_ALGORITHM,
            grade=Grade.CORE,
            term_kind=TermKind.LONG_TERM,
            department="研发部",
            responsible=responsible,
            circle=circle,
            location="研发中心服务器机房",
            measures=("marking", "devices"),
        ),
    )


class People:
    def __init__(self, world: Any) -> None:
        self.engineer = person(
            world.ent_in, "李工", post="总工程师", post_category=Person.PostCategory.SENIOR_TECHNICIAN
        )
        self.staff = person(world.ent_in, "王员工", account=world.ent_staff_in, hired_on=datetime.date(2020, 3, 1))
        self.stranger = person(world.ent_out, "外企张三")


@pytest.fixture
def people(world: Any) -> People:
    return People(world)
