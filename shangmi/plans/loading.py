"""Plans as data: one TOML file per plan in ``shangmi/plans/data`` (its units, phases, targets
and tasks, every text as the document writes it), loaded by ``manage.py load_plans`` and by
``load_reference_data``. A file lands whole or not at all; loading it again updates the texts,
dates and units of its rows and keeps what the units reported (progress, reports, requests).
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from shangmi.plans.models import Phase, Plan, PlanTarget, PlanUnit, Task
from shangmi.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"


class PlanLoadError(Exception):
    """A plan file refused whole, with the file and what is wrong in it."""


@dataclass
class PlanLoadResult:
    origin: str
    plan: Plan
    status: str  # "created" or "updated"
    tasks: int


def data_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.toml"))


def _need(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise PlanLoadError(f"{where}: '{key}' is missing or not a {kind.__name__}")
    return value


def _date(data: dict[str, Any], key: str, where: str) -> datetime.date | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise PlanLoadError(f"{where}: '{key}' is not a date")
    return value


def _required_date(data: dict[str, Any], key: str, where: str) -> datetime.date:
    value = _date(data, key, where)
    if value is None:
        raise PlanLoadError(f"{where}: '{key}' is missing")
    return value


def plan_load(path: Path | str) -> PlanLoadResult:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlanLoadError(f"{path.name}: {exc}") from exc
    where = path.name
    region = Region.objects.filter(code=_need(data, "region", str, where)).first()
    if region is None:
        raise PlanLoadError(f"{where}: no region {data['region']!r} (load the regions first)")
    tasks = _need(data, "tasks", list, where)
    with transaction.atomic():
        plan, created = Plan.objects.update_or_create(
            code=_need(data, "code", str, where),
            defaults={
                "title": _need(data, "title", str, where),
                "document": data.get("document", ""),
                "issuer": _need(data, "issuer", str, where),
                "region": region,
                "source": data.get("source", ""),
                "starts_on": _required_date(data, "starts_on", where),
                "ends_on": _required_date(data, "ends_on", where),
                "report_day": int(data.get("report_day", 5)),
                "report_months": int(data.get("report_months", 1)),
                "near_days": int(data.get("near_days", 15)),
                "remind_days": int(data.get("remind_days", 3)),
            },
        )
        if not 1 <= plan.report_day <= 28 or plan.report_months < 1:
            raise PlanLoadError(f"{where}: report_day must be 1-28 and report_months at least 1")
        units = {name: PlanUnit.objects.get_or_create(plan=plan, name=name)[0] for name in data.get("units", [])}
        phases = {}
        for entry in data.get("phases", []):
            number = _need(entry, "number", int, f"{where} phase")
            phases[number], _created = Phase.objects.update_or_create(
                plan=plan,
                number=number,
                defaults={
                    "name": entry.get("name", ""),
                    "period": entry.get("period", ""),
                    "text": entry.get("text", ""),
                    "starts_on": _date(entry, "starts_on", where),
                    "ends_on": _date(entry, "ends_on", where),
                    "summary": bool(entry.get("summary", False)),
                },
            )
        targets = {}
        for entry in data.get("targets", []):
            code = _need(entry, "code", str, f"{where} target")
            measure = entry.get("measure", "")
            if measure not in PlanTarget.Measure.values:
                raise PlanLoadError(f"{where} target {code}: unknown measure {measure!r}")
            goal = entry.get("goal")
            targets[code], _created = PlanTarget.objects.update_or_create(
                plan=plan,
                code=code,
                defaults={
                    "text": _need(entry, "text", str, f"{where} target {code}"),
                    "measure": measure,
                    "goal": None if goal is None else Decimal(str(goal)),
                },
            )
        for entry in tasks:
            _task_load(plan, entry, units, phases, targets, where)
    return PlanLoadResult(where, plan, "created" if created else "updated", len(tasks))


def _task_load(
    plan: Plan,
    entry: dict[str, Any],
    units: dict[str, PlanUnit],
    phases: dict[int, Phase],
    targets: dict[str, PlanTarget],
    where: str,
) -> Task:
    number = _need(entry, "number", int, f"{where} task")
    here = f"{where} task {number}"

    def unit(name: str) -> PlanUnit:
        if name not in units:
            raise PlanLoadError(f"{here}: unit {name!r} is not in the plan's units")
        return units[name]

    phase_number = entry.get("phase")
    if phase_number is not None and phase_number not in phases:
        raise PlanLoadError(f"{here}: no phase {phase_number}")
    missing = [code for code in entry.get("targets", []) if code not in targets]
    if missing:
        raise PlanLoadError(f"{here}: unknown target(s) {', '.join(missing)}")
    due = _required_date(entry, "due_on", here)
    existing = Task.objects.filter(plan=plan, number=number).first()
    fields = {
        "area_number": _need(entry, "area_number", int, here),
        "area": _need(entry, "area", str, here),
        "text": _need(entry, "text", str, here),
        "units_text": entry.get("units_text", ""),
        "lead_unit": unit(_need(entry, "lead", str, here)),
        "phase": phases.get(phase_number) if phase_number is not None else None,
    }
    if existing is None:
        task = Task.objects.create(plan=plan, number=number, due_on=due, **fields)
    else:
        # A due date moved by an approved extension is the bureau's decision: a reload keeps it.
        task = existing
        for name, value in fields.items():
            setattr(task, name, value)
        if not task.extensions.filter(status="approved").exists():
            task.due_on = due
        task.save()
    task.co_units.set([unit(name) for name in entry.get("co", [])])
    task.targets.set([targets[code] for code in entry.get("targets", [])])
    return task


def plans_load() -> list[PlanLoadResult]:
    """Every plan file of the data folder (load_reference_data)."""
    return [plan_load(path) for path in data_files()]
