"""The demo expert pool: twenty experts of 重庆 and 浙江 (three with declared conflicts), and
the work they were given through the platform's own services: the demo login ``expert``
has an open assignment on 长安's application with its due date; another expert has already
given the opinion 江北区's initial review reads; 绍兴市 asked two experts about 越城区's zone.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.creation import panel
from shangmi.creation.models import Application, ExpertAssignment
from shangmi.demo.data import demo_account
from shangmi.enterprises.models import Enterprise
from shangmi.experts.models import ExpertProfile
from shangmi.experts.services import conflict_declare, expert_register

# (username, name, region, title, fields, conflict: (enterprise, reason) or None)
EXPERTS = [
    # The demo login ``expert`` (made by demo.data, printed by load_demo) is the first of them.
    ("expert", "陈立群", "500000", "教授", ["law", "management"], None),
    ("cq_expert_02", "刘海燕", "500000", "高级工程师", ["technology", "information_security"], None),
    ("cq_expert_03", "王志刚", "500000", "律师", ["law"], ("重庆长安汽车零部件有限公司", "曾任该企业常年法律顾问")),
    ("cq_expert_04", "赵敏", "500000", "注册会计师", ["finance"], None),
    ("cq_expert_05", "孙国华", "500105", "研究员", ["technology"], None),
    ("cq_expert_06", "周文斌", "500105", "高级工程师", ["information_security"], None),
    (
        "cq_expert_07",
        "吴晓东",
        "500116",
        "副教授",
        ["management", "law"],
        ("重庆双福新材料科技有限公司", "配偶在该企业任职"),
    ),
    ("cq_expert_08", "郑丽", "500116", "司法鉴定人", ["appraisal", "technology"], None),
    ("cq_expert_09", "冯建军", "500000", "律师", ["law"], None),
    ("cq_expert_10", "何静", "500000", "高级经济师", ["management", "finance"], None),
    ("cq_expert_11", "许志远", "500105", "工程师", ["information_security", "technology"], None),
    ("cq_expert_12", "邓雪梅", "500000", "教授", ["law", "appraisal"], None),
    ("zj_expert_01", "钱伟", "330000", "教授", ["law"], None),
    ("zj_expert_02", "沈佳", "330000", "高级工程师", ["technology"], None),
    ("zj_expert_03", "韩磊", "330600", "律师", ["law", "management"], ("绍兴越城纺织科技有限公司", "持有该企业股份")),
    ("zj_expert_04", "朱红", "330600", "注册会计师", ["finance"], None),
    ("zj_expert_05", "杨帆", "330602", "工程师", ["information_security"], None),
    ("zj_expert_06", "秦岭", "330600", "司法鉴定人", ["appraisal"], None),
    ("zj_expert_07", "许诺", "330000", "研究员", ["technology", "management"], None),
    ("zj_expert_08", "蒋涛", "330600", "副教授", ["management"], None),
]
REGISTRARS = {"500": "cq_regulator", "330": "zhejiang_regulator"}


@transaction.atomic
def demo_experts_load() -> None:
    """Idempotent: the pool is made once; a second run finds it and changes nothing."""
    today = program_today()
    registrars = {prefix: User.objects.get(username=name) for prefix, name in REGISTRARS.items()}
    for username, name, region, title, fields, conflict in EXPERTS:
        expert = demo_account(username, Role.EXPERT, {"region_id": region}, name)
        if ExpertProfile.objects.filter(user=expert).exists():
            continue
        profile = expert_register(user=registrars[region[:3]], expert=expert, fields=fields, title=title)
        if conflict is not None:
            enterprise = Enterprise.objects.get(name=conflict[0])
            conflict_declare(
                user=expert, profile=profile, uscc=enterprise.uscc, name=enterprise.name, reason=conflict[1]
            )
    if not ExpertAssignment.objects.exists():
        _assignments(today)


def _assign(bureau: str, application: Application, expert: str, days: int, **tasks: bool) -> ExpertAssignment:
    profile = ExpertProfile.objects.get(user__username=expert)
    return panel.expert_assign(
        user=User.objects.get(username=bureau),
        application=application,
        data=panel.AssignmentInput(profile=profile, due_on=program_today() + datetime.timedelta(days=days), **tasks),
        today=program_today(),
    )


def _assignments(today: datetime.date) -> None:
    changan = Application.objects.filter(applicant_name="重庆长安汽车零部件有限公司").first()
    yuecheng = Application.objects.filter(applicant_name="浙江省绍兴市越城区").first()
    if changan is not None and changan.status == Application.Status.IN_REVIEW:
        # 江北区 asks two experts about 长安 (王志刚 declared a conflict with 长安: not him).
        _assign("jiangbei_regulator", changan, "expert", 10)
        done = _assign("jiangbei_regulator", changan, "cq_expert_02", 7)
        codes = list(changan.standard.items.order_by("order").values_list("code", flat=True))
        weak = {"6.1.b", "7.1.c", "7.1.d", "7.1.e"}
        author = User.objects.get(username="cq_expert_02")
        for code in codes:
            panel.expert_score(user=author, assignment=done, item_code=code, met=code not in weak)
        panel.expert_submit(
            user=author,
            assignment=done,
            opinion="涉密信息系统分级保护措施到位；离职人员脱密期管理（6.1.b）缺少执行记录，"
            "7.1 的维权材料尚未形成，建议补充后推荐。",
        )
    if yuecheng is not None and yuecheng.status == Application.Status.IN_REVIEW:
        # 绍兴市 asks two of 浙江's experts about 越城区's demonstration-zone application.
        _assign("shaoxing_regulator", yuecheng, "zj_expert_01", 14)
        _assign("shaoxing_regulator", yuecheng, "zj_expert_02", 14)
