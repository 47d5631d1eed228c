"""A small plan of 江北区 with two units (a lead and a co-unit), each with a member account."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from shangmi.accounts.models import User
from shangmi.core.roles import Role
from shangmi.plans.models import Plan, PlanUnit, Task
from tests.conftest import World, make_user

START = datetime.date(2026, 1, 1)
DUE = datetime.date(2026, 11, 30)  # 333 days after START


@dataclass
class PlanWorld:
    world: World
    plan: Plan
    lead: PlanUnit
    co: PlanUnit
    task: Task
    lead_member: User
    co_member: User
    owner: User


@pytest.fixture
def pw(world: World) -> PlanWorld:
    plan = Plan.objects.create(
        code="test-plan", title="测试方案", issuer="江北区市场监管局", region=world.jiangbei,
        starts_on=START, ends_on=datetime.date(2026, 12, 31), near_days=15,
    )  # fmt: skip
    lead = PlanUnit.objects.create(plan=plan, name="区市场监管局")
    co = PlanUnit.objects.create(plan=plan, name="区法院")
    lead_member = make_user("unit_lead", Role.OFFICER, region=world.jiangbei)
    co_member = world.judicial
    lead.members.add(lead_member)
    co.members.add(co_member)
    task = Task.objects.create(
        plan=plan, number=1, area_number=1, area="机制", text="建立案件移交机制", lead_unit=lead, due_on=DUE
    )
    task.co_units.add(co)
    return PlanWorld(world, plan, lead, co, task, lead_member, co_member, world.regulator_in)
