"""Demo rights protection: demands at each step in 江北区, public clues in 江北区 and 江津区
(one made from a demand, one decided, one with its clock stopped for an appraisal)."""

from __future__ import annotations

from decimal import Decimal

from shangmi.accounts.models import User
from shangmi.core.roles import Role
from shangmi.demo.data import demo_account
from shangmi.enforcement import services
from shangmi.enforcement.challenge import challenge_issue
from shangmi.enforcement.models import Clue, Demand, LegalRule, Transfer
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


def _solved() -> tuple[str, str]:
    """A challenge answered, as a person on the page would."""
    challenge = challenge_issue()
    a, b = (int(n) for n in challenge.question.split(" = ")[0].split(" + "))
    return challenge.token, str(a + b)
