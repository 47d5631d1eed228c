"""The two seed plans load with every task, unit, phase and target, each text as the document
writes it: every text is looked up in the seed file itself."""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shangmi.plans.loading import DATA_DIR, PlanLoadError, plan_load, plans_load
from shangmi.plans.models import Phase, Plan, PlanTarget, PlanUnit, Task

SEEDS = Path("/work/shared/seeds")
# Seed 000 prints a pinyin reading after many characters (區(qū)); its plan file leaves them out.
READING = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")

pytestmark = pytest.mark.django_db


def seed_text(name: str) -> str:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return READING.sub("", text) if name.startswith("000_") else text


def seed_tasks_001() -> list[tuple[int, str, str]]:
    """(number, text, responsible units) of every numbered task of seed 001, read from the seed."""
    found = re.findall(r"^(\d+)\.(.*)\(责任单位:(.*)\)$", seed_text("001_1bfd74ab417b3053.txt"), re.M)
    return [(int(n), text, units) for n, text, units in found]


@pytest.fixture
def plans() -> dict[str, Plan]:
    plans_load()
    return {plan.code: plan for plan in Plan.objects.all()}


def test_seed_001_loads_all_27_tasks_verbatim(plans: dict[str, Plan]) -> None:
    plan = plans["jiangbei-2023"]
    seed = seed_text(plan.source)
    expected = seed_tasks_001()
    assert len(expected) == 27
    tasks = list(plan.tasks.order_by("number"))
    assert [(t.number, t.text, t.units_text) for t in tasks] == expected
    for task in tasks:
        assert task.text in seed and f"({'责任单位'}:{task.units_text})" in seed
        assert f"{task.number}.{task.text}" in seed
        # Every unit of the task is a unit of the plan named in its (责任单位:...) text.
        names = [task.lead_unit.name, *(u.name for u in task.co_units.all())]
        assert task.units_text.startswith(task.lead_unit.name)
        for name in names:
            assert name in task.units_text
    assert {t.area_number for t in tasks} == {1, 2, 3, 4, 5, 6}
    for task in tasks:
        assert task.area in seed
    courts = Task.objects.get(plan=plan, number=5)
    assert {u.name for u in courts.co_units.all()} == {"区法院", "区检察院", "区公安分局", "区司法局"}
    assert PlanUnit.objects.filter(plan=plan, name="江北嘴中央商务区管委办").exists()
    assert PlanUnit.objects.filter(plan=plan, name="区经济信息委").exists()


def test_seed_001_phases_and_targets(plans: dict[str, Plan]) -> None:
    plan = plans["jiangbei-2023"]
    seed = seed_text(plan.source)
    phases = list(plan.phases.order_by("number"))
    assert [p.name for p in phases] == ["启动阶段", "推进实施阶段", "梳理汇总阶段", "推广运用阶段"]
    for phase in phases:
        assert f"{phase.name}({phase.period})。{phase.text}" in seed
    assert [p.summary for p in phases] == [False, False, True, False]
    assert str(phases[2].starts_on) == "2026-05-01" and str(phases[2].ends_on) == "2026-06-30"
    targets = {t.code: t for t in plan.targets.all()}
    for target in targets.values():
        assert target.text in seed
    assert targets["bases"].goal == 3 and targets["bases"].measure == PlanTarget.Measure.TITLES_BASE
    assert targets["units"].goal == 50 and targets["training"].goal == 100 and targets["awareness"].goal == 90
    assert targets["cases"].measure == PlanTarget.Measure.CASES


def test_seed_000_loads_six_task_areas_four_phases_and_its_targets(plans: dict[str, Plan]) -> None:
    plan = plans["jiangjin-2022"]
    seed = seed_text(plan.source)
    tasks = list(plan.tasks.order_by("number"))
    assert len(tasks) == 6
    listed = re.search(r"重點完成6個方面的任務:(.*?)。", seed)
    assert listed is not None
    areas = re.split(r";?[一二三四五六]是", listed.group(1))[1:]
    assert [t.text for t in tasks] == areas
    for task in tasks:
        assert task.text in seed and task.lead_unit.name in seed
    assert plan.phases.count() == 4 and "分四個階段推進" in seed
    assert not Phase.objects.filter(plan=plan, starts_on__isnull=False).exists()  # the report dates none
    targets = {t.code: t for t in plan.targets.all()}
    for target in targets.values():
        assert target.text in seed
    assert targets["bases"].goal == 4 and targets["units"].goal == 50


def test_every_plan_file_names_its_seed() -> None:
    for path in DATA_DIR.glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert (SEEDS / data["source"]).exists()


def test_loading_again_keeps_reports_and_changes_nothing_else(plans: dict[str, Plan]) -> None:
    task = Task.objects.get(plan=plans["jiangbei-2023"], number=1)
    task.progress = 40
    task.save()
    before = Task.objects.count(), PlanUnit.objects.count(), Phase.objects.count(), PlanTarget.objects.count()
    out = io.StringIO()
    call_command("load_plans", stdout=out)
    assert "jiangbei-2023 updated, 27 tasks" in out.getvalue()
    assert (Task.objects.count(), PlanUnit.objects.count(), Phase.objects.count(), PlanTarget.objects.count()) == before
    task.refresh_from_db()
    assert task.progress == 40


def test_a_bad_file_lands_nothing(tmp_path: Path) -> None:
    good = (DATA_DIR / "jiangbei-2023.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    # Task 26's co-unit is not one of the plan's units: the whole file is refused, its tasks 1-25 too.
    bad.write_text(good.replace('co = ["区政府办公室"]', 'co = ["无名单位"]'), encoding="utf-8")
    with pytest.raises(PlanLoadError, match="无名单位"):
        plan_load(bad)
    assert not Plan.objects.exists() and not Task.objects.exists()
    with pytest.raises(CommandError):
        call_command("load_plans", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
