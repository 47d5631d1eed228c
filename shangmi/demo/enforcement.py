"""Demo rights protection: demands at each step in 江北区, public clues in 江北区 and 江津区
(one made from a demand, one decided, one with its clock stopped for an appraisal), and cases:
one transferred to the 江北区 police, one closed in 江北区 after the whole procedure (evidence,
checklist, report, review, notice, waiver, decision, service, payment), one in 江津区 at its
legal review."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.demo.data import demo_account
from shangmi.enforcement import procedure, services
from shangmi.enforcement.challenge import challenge_issue
from shangmi.enforcement.models import Case, ChecklistEntry, Clue, Demand, EvidenceItem, LegalRule, Transfer
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.services import DemandInput
from shangmi.enforcement.workdays import calendars_load

FIRST_TITLE = "前研发工程师离职后疑似带走制动卡钳配方"


def demo_enforcement_load() -> None:
    if Demand.objects.filter(title=FIRST_TITLE).exists():
        return  # loaded before: the demo loads twice without change
    if not LegalRule.objects.exists():
        calendars_load()
        rules_load()
    admin = User.objects.get(username="enterprise_admin")
    regulator = User.objects.get(username="jiangbei_regulator")
    officer = User.objects.get(username="officer")

    complaint = services.demand_file(
        user=admin,
        data=DemandInput(
            kind=Demand.Kind.COMPLAINT,
            title=FIRST_TITLE,
            description="2026年3月离职的研发工程师入职竞争对手，对方随后推出配方相近的产品。",
        ),
    )
    services.demand_assign(user=regulator, demand=complaint, handler=officer)
    services.demand_to_clue(user=regulator, demand=complaint)

    consultation = services.demand_file(
        user=admin,
        data=DemandInput(
            kind=Demand.Kind.CONSULTATION, title="保密协议竞业限制条款如何约定", description="咨询竞业限制补偿标准。"
        ),
    )
    services.demand_answer(
        user=officer,
        demand=consultation,
        answer="竞业限制期限不超过二年，按月支付经济补偿；详见劳动合同法第二十三、二十四条。",
    )
    services.demand_rate(user=admin, demand=consultation, rating=5, comment="答复清楚")
    services.demand_file(
        user=officer,
        data=DemandInput(
            kind=Demand.Kind.HELP,
            title="走访中企业提出：希望指导建立涉密人员台账",
            description="走访时企业提出需要涉密人员台账模板。",
            channel=Demand.Channel.VISIT,
            enterprise=admin.enterprise,
        ),
    )

    for district, against, text, real_name in (
        ("500105", "某精密模具有限公司", "该公司使用的冲压模具图纸与我单位图纸高度一致。", True),
        ("500116", "某白酒经销商", "经销商泄露酿造工艺参数给外地酒厂。", False),
        ("500116", "某新材料公司前员工", "前员工在网上出售配方资料。", True),
    ):
        token, answer = _solved()
        clue, _code = services.clue_report(
            data=services.ClueInput(
                district=district, against=against, description=text, real_name=real_name,
                reporter_name="李明" if real_name else "", reporter_contact="13900000000" if real_name else "",
            ),
            files=[], address=f"demo-{district}-{against}", challenge_token=token, challenge_answer=answer,
        )  # fmt: skip
        if district == "500105":
            services.clue_decide(
                user=regulator, clue=clue, open_case=True, reason="有初步证据，属本局管辖，符合立案条件",
                public_answer="已立案调查。",
            )  # fmt: skip
    jiangjin = User.objects.get(username="jiangjin_regulator")
    stopped = Clue.objects.get(against="某新材料公司前员工")
    services.clue_stop_clock(user=jiangjin, clue=stopped, reason="委托司法鉴定机构进行非公知性鉴定")

    # A case in 江北区 from the decided clue, above the criminal threshold, sent to the police.
    police = demo_account("jiangbei_police", Role.JUDICIAL_LIAISON, {"region_id": "500105"}, "江北区公安分局")
    opened = Clue.objects.get(against="某精密模具有限公司")
    case = services.case_open(
        user=regulator,
        clue=opened,
        data=services.CaseOpening(
            party="某精密模具有限公司", act_date=opened.received_on, officers=[regulator, officer],
            conditions=(True, True, True, True), loss_amount=Decimal("1250000"),
        ),
    )  # fmt: skip
    transfer = services.transfer_propose(
        user=regulator, case=case, organ=Transfer.Organ.POLICE, receiver=police, reason="损失数额超过三十万元"
    )
    services.transfer_send(user=regulator, transfer=transfer, attachments=[k for k, _label in Transfer.ATTACHMENTS])
    _closed_case(regulator, officer)
    _case_at_review(jiangjin)


GROUNDS = "反不正当竞争法第十条、第二十六条"
CHECKLIST = {
    ChecklistEntry.Group.SECRET: "秘密点：制动卡钳摩擦材料配方（第3-7项组分及配比）；载体：配方表、工艺卡、服务器文档",
    ChecklistEntry.Group.MEASURES: "保密制度、涉密人员保密协议及竞业限制协议、配方服务器访问权限分级",
    ChecklistEntry.Group.VALUE: "配方研发投入约480万元，使用该配方的产品年销售额约2600万元",
    ChecklistEntry.Group.ACCESS: "当事人员工曾任权利人研发工程师，接触配方；比对鉴定：组分及配比实质相同",
    ChecklistEntry.Group.LOSS: "以合理许可费计算损失约25万元",
}


def _investigate(user: User, case: Case, evidence: list[procedure.EvidenceInput]) -> None:
    items = [procedure.evidence_add(user=user, case=case, data=data) for data in evidence]
    for group, finding in CHECKLIST.items():
        procedure.checklist_record(user=user, case=case, group=group, finding=finding, evidence=[items[0].pk])


def _opened_case(regulator: User, district: str, against: str, text: str, officers: list[User]) -> Case:
    token, answer = _solved()
    clue, _code = services.clue_report(
        data=services.ClueInput(district=district, against=against, description=text, real_name=True,
                                reporter_name="王芳", reporter_contact="13800000000"),
        files=[], address=f"demo-{district}-{against}", challenge_token=token, challenge_answer=answer,
    )  # fmt: skip
    services.clue_decide(
        user=regulator, clue=clue, open_case=True, reason="有初步证据，属本局管辖", public_answer="已立案。"
    )
    return services.case_open(
        user=regulator, clue=clue,
        data=services.CaseOpening(party=against, act_date=clue.received_on, officers=officers,
                                  conditions=(True, True, True, True), loss_amount=Decimal("250000")),
    )  # fmt: skip


def _proof(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo acknowledgement of service\n")


def _closed_case(regulator: User, officer: User) -> None:
    """江北区: the whole procedure, closed with the fine paid."""
    today = program_today()
    case = _opened_case(regulator, "500105", "某汽车零部件经销商", "经销商使用我公司制动卡钳配方生产同类产品。",
                        [regulator, officer])  # fmt: skip
    _investigate(officer, case, [
        procedure.EvidenceInput(kind=EvidenceItem.Kind.DOCUMENTARY, title="保密协议及竞业限制协议",
                                source="权利人提供原件", obtained_on=today),
        procedure.EvidenceInput(kind=EvidenceItem.Kind.ELECTRONIC, title="当事人服务器中的配方文件",
                                source="当事人生产车间服务器", obtained_on=today, fixing=EvidenceItem.Fixing.FORENSIC,
                                fixing_detail="取证工具制作镜像，SHA-256已记录；执法人员两名现场制作，当事人签字确认"),
        procedure.EvidenceInput(kind=EvidenceItem.Kind.STATEMENT, title="当事人询问笔录", source="询问当事人法定代表人",
                                obtained_on=today),
    ])  # fmt: skip
    procedure.report_submit(
        user=officer, case=case,
        data=procedure.ReportInput(facts="当事人以不正当手段获取并使用权利人配方", grounds=GROUNDS,
                                   proposal=Case.Decision.PENALTY, proposed_fine=Decimal("200000")),
    )  # fmt: skip
    reviewer = User.objects.get(username="cq_regulator")  # did not investigate
    procedure.report_review(user=reviewer, case=case, approve=True, opinion="事实清楚，证据确凿，适用依据正确")
    procedure.notice_serve(
        user=regulator, case=case, fine=Decimal("200000"), serious=False,
        content="拟处罚款二十万元；可在五个工作日内陈述、申辩或要求听证",
        service=procedure.ServiceInput(mode="direct", recipient="当事人法定代表人", delivered_on=today,
                                       proof=_proof("告知书送达回证.pdf")),
    )  # fmt: skip
    procedure.notice_respond(user=regulator, case=case, response="waived", on=today, note="书面放弃陈述申辩和听证")
    procedure.case_decide(user=regulator, case=case, decision=Case.Decision.PENALTY, fine=Decimal("200000"),
                          number="渝江北市监处罚〔2026〕8号")  # fmt: skip
    procedure.case_serve(
        user=regulator, case=case,
        service=procedure.ServiceInput(mode="direct", recipient="当事人法定代表人", delivered_on=today,
                                       proof=_proof("决定书送达回证.pdf")),
    )  # fmt: skip
    procedure.case_pay(user=regulator, case=case, amount=Decimal("200000"), paid_on=today, receipt="非税收入缴款书0008")
    procedure.case_close(user=regulator, case=case, opinion="罚款已缴清，同意结案")


def _case_at_review(regulator: User) -> None:
    """江津区: investigated, a preservation decided, the report waiting for its legal review."""
    officer = demo_account("jiangjin_officer", Role.OFFICER, {"region_id": "500116"}, "江津区执法人员")
    case = _opened_case(regulator, "500116", "某调味品公司", "对方使用我公司火锅底料配方。", [regulator, officer])
    today = program_today()
    measure = procedure.measure_start(user=regulator, case=case, kind="preservation", items="配方工艺卡3份、U盘1个",
                                      approval="局负责人批准", started_on=today)  # fmt: skip
    procedure.measure_decide(user=regulator, case=case, measure=measure, outcome="fixed", note="已复制、拍照")
    _investigate(officer, case, [
        procedure.EvidenceInput(kind=EvidenceItem.Kind.PHYSICAL, title="配方工艺卡", source="先行登记保存",
                                obtained_on=today),
        procedure.EvidenceInput(kind=EvidenceItem.Kind.WITNESS, title="前员工证人证言", source="询问证人",
                                obtained_on=today),
    ])  # fmt: skip
    procedure.report_submit(
        user=officer, case=case,
        data=procedure.ReportInput(facts="当事人前员工带走配方工艺卡并用于生产", grounds=GROUNDS,
                                   proposal=Case.Decision.PENALTY, proposed_fine=Decimal("150000")),
    )  # fmt: skip


def _solved() -> tuple[str, str]:
    """A challenge answered, as a person on the page would."""
    challenge = challenge_issue()
    a, b = (int(n) for n in challenge.question.split(" = ")[0].split(" + "))
    return challenge.token, str(a + b)
