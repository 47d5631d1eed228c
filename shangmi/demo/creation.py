"""Demo creation rounds, applications at every step of the review, a title, and targets.

Everything goes through the same services the pages use, so the demo shows what a real
round looks like: 长安 waits for 江北区's initial review, 双福 was returned with reasons,
江北智能制造 holds a title, and in 浙江 越城区's demonstration-zone application (on 浙江's own
zone conditions) waits at 绍兴市.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.db import transaction

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today, program_year
from shangmi.core.roles import Role
from shangmi.creation import services
from shangmi.creation.models import Application, DemoType, Inspection, Level, Round
from shangmi.demo.data import DemoLogin, demo_account
from shangmi.enterprises.models import Enterprise
from shangmi.regions.models import Region
from shangmi.standards.models import Standard
from shangmi.targets.models import Target

SHAOXING_TABLE = Path(__file__).parent / "data" / "shaoxing-targets.csv"

# (username, role, binding, label): the extra people the demo review path needs.
ACCOUNTS = [
    ("yuecheng_regulator", Role.REGULATOR, {"region_id": "330602"}, "越城区市场监管局"),
    ("zhineng_admin", Role.ENTERPRISE_ADMIN, {"enterprise": "重庆江北智能制造科技有限公司"}, "江北智能制造商秘办"),
    ("shuangfu_admin", Role.ENTERPRISE_ADMIN, {"enterprise": "重庆双福新材料科技有限公司"}, "双福新材料商秘办"),
    ("yuecheng_admin", Role.ENTERPRISE_ADMIN, {"enterprise": "绍兴越城纺织科技有限公司"}, "越城纺织商秘办"),
]


def _account(username: str, role: str, binding: dict, label: str) -> User:
    if "enterprise" in binding:
        binding = {"enterprise": Enterprise.objects.get(name=binding["enterprise"])}
    return demo_account(username, role, binding, label)


def _answer(user: User, application: Application, not_met: set[str]) -> None:
    for entry in application.entries.select_related("item"):
        services.entry_save(user, application, entry.item.code, entry.item.code not in not_met, "", entry.version)


def _score(user: User, application: Application, not_met: set[str]) -> None:
    for code in application.standard.items.values_list("code", flat=True):
        services.review_score(user, application, code, code not in not_met)


@transaction.atomic
def demo_creation_load() -> list[DemoLogin]:
    """Idempotent: a second run finds the rounds and changes nothing."""
    people = {username: _account(username, role, binding, label) for username, role, binding, label in ACCOUNTS}
    logins = [DemoLogin(u.username, u.get_role_display(), str(u.enterprise or u.region)) for u in people.values()]
    year = program_year()
    if Round.objects.filter(year=year, title__startswith=f"{year}年重庆市").exists():
        return logins
    users = {u.username: u for u in User.objects.filter(username__in=[*people, "cq_regulator", "jiangbei_regulator",
             "jiangjin_regulator", "shaoxing_regulator", "zhejiang_regulator", "enterprise_admin"])}  # fmt: skip
    standard = Standard.objects.get(code="cq-creation", version="2023")
    deadline = program_today() + datetime.timedelta(days=60)
    today = program_today()

    cq_round = services.round_open(
        users["cq_regulator"],
        services.RoundInput(
            title=f"{year}年重庆市市级商业秘密保护示范单位创建",
            year=year,
            demo_type=DemoType.UNIT,
            level=Level.MUNICIPAL,
            standard=standard,
            deadline=deadline,
        ),
    )
    # 江北智能制造: the whole path, to a title.
    zhineng = services.application_start(users["zhineng_admin"], cq_round)
    _answer(users["zhineng_admin"], zhineng, {"7.1.c", "7.1.d", "7.1.e"})
    services.submit(users["zhineng_admin"], zhineng)
    _score(users["jiangbei_regulator"], zhineng, {"7.1.c", "7.1.d", "7.1.e"})
    services.review_pass(users["jiangbei_regulator"], zhineng, "制度健全，台账齐全，同意推荐。")
    _score(users["cq_regulator"], zhineng, {"6.1.b", "7.1.c", "7.1.d", "7.1.e"})
    services.inspection_record(
        users["cq_regulator"], zhineng, Inspection.Kind.ON_SITE, today, "市局价监竞争处 王明、李华",
        "商秘办有固定场所并上墙制度；涉密载体分区管理；抽查两名涉密人员保密协议齐全。",
    )  # fmt: skip
    services.decide(users["cq_regulator"], zhineng, approved=True, reasons="经实地验收，符合创建标准，予以认定。")

    # 长安: submitted, waiting for 江北区's initial review.
    changan = services.application_start(users["enterprise_admin"], cq_round)
    _answer(users["enterprise_admin"], changan, {"4.1.d", "6.1.b", "7.1.c", "7.1.d", "7.1.e"})
    services.submit(users["enterprise_admin"], changan)

    # 双福: returned by 江津区 with reasons.
    shuangfu = services.application_start(users["shuangfu_admin"], cq_round)
    _answer(users["shuangfu_admin"], shuangfu, {"3.2.a", "4.3.a", "7.1.a", "7.1.b", "7.1.c", "7.1.d", "7.1.e"})
    services.submit(users["shuangfu_admin"], shuangfu)
    services.review_adopt_self_assessment(users["jiangjin_regulator"], shuangfu)
    services.review_return(
        users["jiangjin_regulator"],
        shuangfu,
        "请补充商业秘密保护工作经费的预算文件（3.2.a）和泄密应急处置预案（4.3.a）。",
    )

    # 浙江: the provincial demonstration-zone round, on 浙江's own zone conditions (seed 003);
    # 越城区 applies as a district, so its review starts at 绍兴市, where it waits.
    zj_round = services.round_open(
        users["zhejiang_regulator"],
        services.RoundInput(
            title=f"{year}年浙江省省级商业秘密保护示范区创建",
            year=year,
            demo_type=DemoType.ZONE,
            level=Level.PROVINCIAL,
            standard=Standard.objects.get(code="zj-demo-zone", version="2018"),
            deadline=deadline,
            covered_regions=[Region.objects.get(code="330600")],
        ),
    )
    yuecheng = services.application_start(users["yuecheng_regulator"], zj_round)
    _answer(users["yuecheng_regulator"], yuecheng, set())
    services.submit(users["yuecheng_regulator"], yuecheng)

    _targets(year, users["shaoxing_regulator"], users["cq_regulator"])
    return logins


def _targets(year: int, shaoxing: User, chongqing: User) -> None:
    from shangmi.targets.importing import targets_import

    # Seed 003's table, imported as a district bureau would receive it.
    result = targets_import(path=SHAOXING_TABLE, region=Region.objects.get(code="330600"), year=year, user=shaoxing)
    if result.errors:
        raise RuntimeError("; ".join(str(e) for e in result.errors))
    # Seeds 001 and 000: 江北区 3 bases and 50 units by 2026; 江津区 4 bases and 50 units by 2025.
    for code, target_year, bases, units in (("500105", 2026, 3, 50), ("500116", 2025, 4, 50)):
        for demo_type, minimum in ((DemoType.BASE, bases), (DemoType.UNIT, units)):
            Target.objects.get_or_create(
                region_id=code,
                year=target_year,
                metric="demonstration",
                demo_type=demo_type,
                levels=Level.MUNICIPAL,
                defaults={"minimum": minimum, "deadline": datetime.date(target_year, 12, 31), "updated_by": chongqing},
            )
