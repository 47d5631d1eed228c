"""Demo plan supervision: the two seed plans, 江北区's (seed 001) and 江津区's (seed 000), in
progress. Their units act through demo accounts (江北区's bureau for 区市场监管局, its court's
judicial liaison for 区法院, a police liaison for 区公安分局, 江津区's bureau for its own plan);
most tasks were reported and confirmed done, a few were given more time, and a few are late:
one whose request for more time was refused, one never reported. Everything goes through the
plan services, on the dates it happened."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.demo.data import DemoLogin, demo_account
from shangmi.plans import services
from shangmi.plans.loading import plans_load
from shangmi.plans.models import Plan, PlanUnit, Task
from shangmi.plans.services import ReportInput

DAY = datetime.timedelta(days=1)
# Tasks of seed 001 left open: given more time (with their progress), refused more time, never reported.
JIANGBEI_EXTENDED = {22: 70, 23: 40, 24: 85}
JIANGBEI_REFUSED = 14
JIANGBEI_SILENT = 26
JIANGJIN_EXTENDED = {5: 30}


def _unit(plan: Plan, name: str) -> PlanUnit:
    return PlanUnit.objects.get(plan=plan, name=name)


def _run_plan(plan: Plan, owner: User, members: dict[str, User], extended: dict[int, int], refused: set[int],
              silent: set[int], today: datetime.date) -> None:  # fmt: skip
    for name, member in members.items():
        if not _unit(plan, name).members.filter(pk=member.pk).exists():
            services.unit_member_add(user=owner, unit=_unit(plan, name), member=member)
    for task in plan.tasks.select_related("lead_unit", "plan").order_by("number"):
        lead = members[task.lead_unit.name]
        due = task.due_on
        asked_on = min(today, due) - 20 * DAY
        if task.number in silent:
            continue
        halfway = task.plan.starts_on + (due - task.plan.starts_on) / 2
        services.task_report(
            user=lead, task=task, data=ReportInput(50, f"第{task.number}项任务已完成调研和方案起草。"), today=halfway
        )
        if task.number in extended:
            progress = extended[task.number]
            services.task_report(
                user=lead, task=task, data=ReportInput(progress, "涉外企业底数已摸清，指引正在征求意见。"),
                files=[SimpleUploadedFile("征求意见稿.pdf", "%PDF-1.4\n% 征求意见稿\n".encode())], today=asked_on,
            )  # fmt: skip
            request = services.extension_ask(
                user=lead, task=task, reason="需等待市级涉外指引发布后衔接。", new_due=today + (40 + task.number) * DAY,
                today=asked_on,
            )  # fmt: skip
            services.extension_decide(user=owner, extension=request, approve=True, today=asked_on + 2 * DAY)
            continue
        if task.number in refused:
            services.task_report(user=lead, task=task, data=ReportInput(60, "汇编初稿已完成。"), today=asked_on)
            request = services.extension_ask(
                user=lead, task=task, reason="案例收集不足。", new_due=due + 90 * DAY, today=asked_on
            )
            services.extension_decide(
                user=owner, extension=request, approve=False, note="请按期完成。", today=asked_on + 2 * DAY
            )
            continue
        services.task_report(user=lead, task=task, data=ReportInput(100, "任务已完成。"), today=due - 10 * DAY)
        services.task_claim_done(user=lead, task=task, today=due - 10 * DAY)
        services.task_confirm(user=owner, task=task, today=due - 5 * DAY)


def demo_plans_load() -> list[DemoLogin]:
    if not Plan.objects.filter(code="jiangbei-2023").exists():
        plans_load()
    jiangbei = Plan.objects.get(code="jiangbei-2023")
    police = demo_account("jiangbei_police", Role.JUDICIAL_LIAISON, {"region_id": "500105"}, "江北区公安分局")
    logins = [DemoLogin(police.username, police.get_role_display(), "江北区公安分局 · 督查任务责任单位")]
    if Task.objects.filter(plan=jiangbei).exclude(reports=None).exists():
        return logins  # loaded before: the demo loads twice without change
    today = program_today()
    owner = User.objects.get(username="jiangbei_regulator")
    members = {"区市场监管局": owner, "区法院": User.objects.get(username="judicial"), "区公安分局": police}
    # The co-units report their part: the court on the case-transfer mechanism, the police on complaints.
    for name in ("区法院", "区公安分局"):
        services.unit_member_add(user=owner, unit=_unit(jiangbei, name), member=members[name])
    for member, number, text in (
        (members["区法院"], 5, "已与区市场监管局会签案件移交衔接办法。"),
        (police, 17, "已开通商业秘密案件受理绿色通道。"),
    ):
        task = Task.objects.get(plan=jiangbei, number=number)
        services.task_report(user=member, task=task, data=ReportInput(100, text), today=task.due_on - 30 * DAY)
    _run_plan(jiangbei, owner, members, JIANGBEI_EXTENDED, {JIANGBEI_REFUSED}, {JIANGBEI_SILENT}, today)
    jiangjin = Plan.objects.get(code="jiangjin-2022")
    jiangjin_owner = User.objects.get(username="jiangjin_regulator")
    _run_plan(jiangjin, jiangjin_owner, {"江津區市場監管局": jiangjin_owner}, JIANGJIN_EXTENDED, set(), {6}, today)
    return logins
