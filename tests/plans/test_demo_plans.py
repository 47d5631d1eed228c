"""The demo's plans: both seed plans in progress, a few tasks late, made through the services."""

from __future__ import annotations

import io

from django.core.management import call_command

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.plans.models import Extension, Plan, Report, Task
from shangmi.plans.selectors import plan_page


def test_demo_plans(db, tmp_media) -> None:
    call_command("load_reference_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "jiangbei_police" in out.getvalue()
    counts = (Report.objects.count(), Extension.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Report.objects.count(), Extension.objects.count()) == counts

    owner = User.objects.get(username="jiangbei_regulator")
    page = plan_page(owner, Plan.objects.get(code="jiangbei-2023"), program_today())
    colours = {row.task.number: row.colour for row in page.rows}
    assert len(colours) == 27
    assert colours[14] == "red" and colours[26] == "red"  # refused more time; never reported
    assert {colours[n] for n in (22, 23, 24)} <= {"green", "yellow", "orange"}  # given more time
    assert sum(1 for c in colours.values() if c == "green") >= 20
    assert [late.unit.name for late in page.late] == ["区市场监管局"]
    assert Task.objects.filter(plan__code="jiangbei-2023", status=Task.Status.DONE).count() == 22
    # A unit's account sees its own tasks only: the police are a co-unit of seven of them.
    police = User.objects.get(username="jiangbei_police")
    police_page = plan_page(police, Plan.objects.get(code="jiangbei-2023"), program_today())
    assert {row.task.number for row in police_page.rows} == {5, 11, 12, 13, 14, 17, 19, 21, 15}
    assert not police_page.figures and not police_page.late
    jiangjin = plan_page(User.objects.get(username="jiangjin_regulator"), Plan.objects.get(code="jiangjin-2022"))
    assert [row.colour for row in jiangjin.rows].count("red") == 1
