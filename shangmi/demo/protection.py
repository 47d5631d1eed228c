"""Demo protection system of 重庆长安汽车零部件 (the enterprise whose deposits the demo holds):
people with their agreements, secret points in every state, carriers with a borrowing, and a
former engineer bound by a non-compete, a restricted laboratory with a visit, an outsourced test
under its agreement, and the first version of the formula's document deposited (hash only).
Its staff account is 张工, in two circles of knowledge."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

from shangmi.accounts.models import User
from shangmi.enforcement.rules import rules_load
from shangmi.evidence.services import DepositInput
from shangmi.protection import services
from shangmi.protection.models import Agreement, Carrier, CarrierEvent, Person, SecretPoint
from shangmi.protection.rules import RULES_FILE
from shangmi.protection.services import (
    AgreementInput,
    AreaInput,
    CarrierInput,
    CarrierLogInput,
    DisclosureInput,
    EngagementInput,
    PersonInput,
    SecretPointInput,
    VisitInput,
)

D = datetime.date
PEOPLE = [
    # name, department, post, category, grade, hired on, left on
    ("刘建国", "总经理办公室", "总经理", "senior_management", "core", D(2012, 3, 1), None),
    ("陈立新", "研发部", "总工程师", "senior_technician", "core", D(2014, 7, 1), None),
    ("张伟", "研发部", "研发工程师", "other", "important", D(2020, 9, 1), None),
    ("周敏", "销售部", "销售经理", "senior_management", "important", D(2017, 4, 1), None),
    ("李明", "研发部", "高级工程师", "senior_technician", "important", D(2016, 5, 1), D(2025, 12, 31)),
]


def demo_protection_load(username: str = "enterprise_admin", staff: str = "enterprise_staff") -> int:
    admin = User.objects.get(username=username)
    if Person.objects.filter(enterprise_id=admin.enterprise_id).exists():
        return 0
    rules_load(RULES_FILE)
    people: dict[str, Person] = {}
    for name, department, post, category, grade, hired, left in PEOPLE:
        account = User.objects.get(username=staff) if name == "张伟" else None
        people[name] = services.person_create(
            user=admin,
            data=PersonInput(name=name, department=department, post=post, post_category=category, grade=grade,
                             account=account, hired_on=hired, left_on=left),
        )  # fmt: skip
    chen, zhang, zhou, liu, li = (people[n] for n in ("陈立新", "张伟", "周敏", "刘建国", "李明"))

    def point(name: str, subject: str, grade: str, term: str, department: str, responsible: Person,
              circle: tuple[Person, ...], location: str, measures: tuple[str, ...], until: D | None = None,
              ) -> SecretPoint:  # fmt: skip
        return services.secret_point_propose(
            user=admin,
            data=SecretPointInput(
                name=name, subject=subject, grade=grade, term_kind=term, term_until=until, department=department,
                responsible=responsible, circle=circle, location=location, measures=measures,
                description="仅登记名称和范围，秘密内容不在平台上。",
            ),
        )  # fmt: skip

    formula = point("摩擦材料配方", "tech.formula", "core", "long_term", "研发部", chen, (zhang, li),
                    "研发中心保密柜 A1、配方服务器", ("agreement", "marking", "devices", "departure"))  # fmt: skip
    mould = point("卡钳壳体模具结构", "tech.structure", "important", "date", "制造部", chen, (zhang,),
                  "模具车间图纸室", ("marking", "premises"), until=D(2030, 12, 31))  # fmt: skip
    customers = point("主机厂客户名单及报价", "biz.customer", "important", "until_published", "销售部", zhou,
                      (liu,), "CRM 系统（权限分级）", ("agreement", "devices"))  # fmt: skip
    old = point("一代卡钳热处理工艺", "tech.process", "general", "long_term", "制造部", chen, (li,),
                "工艺档案室", ("marking",))  # fmt: skip
    point("卡钳二期开发计划", "biz.plan", "general", "until_published", "研发部", chen, (liu,),
          "研发部项目文件夹", ("requirements",))  # fmt: skip
    for filed in (formula, mould, customers, old):
        services.secret_point_file(user=admin, secret_point=filed, approver="刘建国（总经理）", note="保密委员会审定")
    services.secret_point_declassify(
        user=admin, secret_point=old, approver="刘建国（总经理）", note="该工艺已被行业标准公开"
    )

    for who, signed in ((chen, D(2014, 7, 1)), (zhang, D(2020, 9, 1)), (zhou, D(2017, 4, 1)), (li, D(2016, 5, 1))):
        services.agreement_record(
            user=admin,
            data=AgreementInput(person=who, kind=Agreement.Kind.CONFIDENTIALITY, signed_on=signed,
                                scope_text="在职及离职后对本公司技术信息和经营信息保密"),
        )  # fmt: skip
    services.agreement_record(
        user=admin,
        data=AgreementInput(
            person=li, kind=Agreement.Kind.NON_COMPETE, signed_on=D(2016, 5, 1), starts_on=D(2026, 1, 1),
            ends_on=D(2027, 12, 31), scope_text="不得在制动系统零部件企业任职或自营同类业务", area="中国大陆",
            average_monthly_wage=Decimal("18000"), monthly_compensation=Decimal("5400"), penalty=Decimal("200000"),
        ),
    )  # fmt: skip

    def carrier(name: str, number: str, points: list[SecretPoint], form: str, grade: str, custodian: Person,
                location: str, copies: int) -> Carrier:  # fmt: skip
        return services.carrier_register(
            user=admin,
            data=CarrierInput(name=name, number=number, secret_points=points, form=form, grade_mark=grade,
                              custodian=custodian, location=location, copies=copies),
        )  # fmt: skip

    card = carrier("摩擦材料配方工艺卡", "ZT-2026-001", [formula], "paper", "core", chen, "研发中心保密柜 A1", 2)
    carrier("卡钳壳体模具图纸", "ZT-2026-002", [mould], "drawing", "important", chen, "模具车间图纸室", 3)
    carrier("客户报价表（加密 U 盘）", "ZT-2026-003", [customers], "medium", "important", zhou, "销售部保险柜", 1)
    services.carrier_log(
        user=admin, carrier=card, data=CarrierLogInput(kind=CarrierEvent.Kind.BORROW, person=zhang, note="配方试验")
    )

    lab = services.area_create(
        user=admin,
        data=AreaInput(
            name="研发中心配方实验室", grade="core", allowed=[chen, zhang], secret_points=[formula],
            access_rule="门禁刷卡进入；禁止拍照；实验室电脑禁用无线网卡和摄像头；外来人员须审批并全程陪同",
        ),
    )  # fmt: skip
    services.visit_record(
        user=admin,
        area=lab,
        data=VisitInput(
            visitor="王审核", organisation="中汽认证中心", purpose="IATF 16949 监督审核", on=D(2026, 3, 12),
            entered=datetime.time(9, 30), left=datetime.time(11, 0), approver="刘建国（总经理）", escort=chen,
        ),
    )  # fmt: skip
    tests = services.engagement_record(
        user=admin,
        data=EngagementInput(
            kind="outsourcing", counterparty="重庆渝检汽车零部件检测有限公司", purpose="摩擦片台架试验委托检测",
            starts_on=D(2026, 2, 1), agreement_signed_on=D(2026, 2, 1), agreement_ref="委外保密协议 CA-2026-03",
        ),
    )  # fmt: skip
    services.engagement_disclose(
        user=admin,
        engagement=tests,
        data=DisclosureInput(
            secret_point=formula, what="摩擦片样件 20 片（不含配方）及试验大纲", approver="陈立新（总工程师）",
            on=D(2026, 2, 3),
        ),
    )  # fmt: skip
    # The formula's document itself stays with the enterprise: only its digest is deposited.
    document = "摩擦材料配方说明书（第一版）：仅用于演示的文本".encode()
    services.secret_point_deposit(
        user=admin,
        secret_point=formula,
        item=DepositInput(
            title="摩擦材料配方说明书", sha256=hashlib.sha256(document).hexdigest(),
            file_name="摩擦材料配方说明书-v1.docx", file_size=len(document), version_note="第一版",
        ),
    )  # fmt: skip
    return len(PEOPLE)
