"""A case walked through its procedure step by step, for the tests that stand on one step."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shangmi.enforcement import procedure, services
from shangmi.enforcement.models import Case, ChecklistEntry, Clue, EvidenceItem
from shangmi.enforcement.procedure import EvidenceInput, ReportInput, ServiceInput

D = datetime.date
ALL_HOLD = (True, True, True, True)
# An act after the 2025 law took effect (15 October 2025): fines of art. 26.
ACT = D(2025, 11, 3)


def proof(name: str = "送达回证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 signed acknowledgement")


def new_case(world: Any, *, act_date: datetime.date = ACT, n: int = 0, opened_on: datetime.date | None = None) -> Case:
    clue = Clue.objects.create(
        region=world.jiangbei, tracking_hash=f"{n:064d}", against="某精密模具有限公司", description="图纸",
        received_on=D(2026, 5, 6), status=Clue.Status.OPENED, decided_on=D(2026, 5, 20),
    )  # fmt: skip
    data = services.CaseOpening(party="某精密模具有限公司", act_date=act_date,
                                officers=[world.regulator_in, world.officer_in], conditions=ALL_HOLD)  # fmt: skip
    case = services.case_open(user=world.regulator_in, clue=clue, data=data)
    if opened_on is not None:
        case.opened_on = opened_on
        services.set_decision_due(case)
        case.save(update_fields=["opened_on", "decision_due", "due_missing_year"])
    return case


def investigated(world: Any, case: Case, *, today: datetime.date) -> Case:
    """One item of evidence and the five checklist findings, by the investigating officer."""
    item = procedure.evidence_add(
        user=world.officer_in, case=case, today=today,
        data=EvidenceInput(kind=EvidenceItem.Kind.ELECTRONIC, title="服务器日志", source="当事人机房",
                           obtained_on=today, fixing=EvidenceItem.Fixing.FORENSIC,
                           fixing_detail="2026-05-21 取证工具镜像，SHA-256 已记录，执法人员张三制作"),
    )  # fmt: skip
    for group in ChecklistEntry.Group.values:
        procedure.checklist_record(user=world.officer_in, case=case, group=group, finding="已固定", evidence=[item.pk])
    return case


def reported(
    world: Any, case: Case, *, today: datetime.date, fine: Decimal = Decimal(300000), serious: bool = False
) -> Case:
    investigated(world, case, today=today)
    procedure.report_submit(
        user=world.regulator_in, case=case, today=today,
        data=ReportInput(facts="当事人以不正当手段获取图纸", grounds="反不正当竞争法第十条、第二十六条",
                         proposal=Case.Decision.PENALTY, proposed_fine=fine, serious=serious),
    )  # fmt: skip
    case.refresh_from_db()
    return case


def reviewed(world: Any, case: Case, *, today: datetime.date, **kwargs: Any) -> Case:
    reported(world, case, today=today, **kwargs)
    procedure.report_review(user=world.city_regulator, case=case, approve=True, opinion="事实清楚", today=today)
    case.refresh_from_db()
    return case


def noticed(
    world: Any, case: Case, *, today: datetime.date, fine: Decimal = Decimal(300000), serious: bool = False
) -> Case:
    """Reviewed and the notice served today (the response window starts tomorrow)."""
    reviewed(world, case, today=today, fine=fine, serious=serious)
    procedure.notice_serve(
        user=world.regulator_in, case=case, fine=fine, serious=serious, content="拟处罚款；可陈述申辩、要求听证",
        service=ServiceInput(mode="direct", recipient="当事人法定代表人", delivered_on=today, proof=proof()),
        today=today,
    )  # fmt: skip
    case.refresh_from_db()
    return case
