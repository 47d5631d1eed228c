"""Demo data for `make run`: the places the seeds name, their parks, and one account of every role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shangmi.accounts.models import User
from shangmi.core.roles import Role
from shangmi.enterprises.models import Enterprise, Industry, Tag
from shangmi.enterprises.uscc import make_uscc
from shangmi.network.services import AssignAction, network_assign
from shangmi.regions.models import Park

DEMO_PASSWORD = "Shangmi2026demo"

# (district code, park name, park kind) — parks of the places the seed documents name.
PARKS = [
    ("500105", "江北区港城工业园", Park.Kind.INDUSTRIAL_PARK),
    ("500105", "重庆江北嘴中央商务区", Park.Kind.OTHER),
    ("500116", "重庆江津综合保税区", Park.Kind.ECONOMIC_ZONE),
    ("500116", "江津双福工业园", Park.Kind.INDUSTRIAL_PARK),
    ("330602", "绍兴袍江经济技术开发区", Park.Kind.ECONOMIC_ZONE),
    ("330603", "柯桥经济技术开发区", Park.Kind.ECONOMIC_ZONE),
    ("330604", "杭州湾上虞经济技术开发区", Park.Kind.ECONOMIC_ZONE),
    ("330624", "新昌高新技术产业园区", Park.Kind.HIGH_TECH_ZONE),
    ("330681", "诸暨经济开发区", Park.Kind.ECONOMIC_ZONE),
    ("330683", "嵊州经济开发区", Park.Kind.ECONOMIC_ZONE),
    ("120116", "天津滨海高新技术产业开发区", Park.Kind.HIGH_TECH_ZONE),
    ("430104", "长沙高新技术产业开发区", Park.Kind.HIGH_TECH_ZONE),
    ("430304", "湘潭高新技术产业开发区", Park.Kind.HIGH_TECH_ZONE),
]

# (district code, name, industry, employees, tags, liaison point)
ENTERPRISES = [
    ("500105", "重庆长安汽车零部件有限公司", "C", 1200, ["technology_intensive", "high_tech"], True),
    ("500105", "重庆江北智能制造科技有限公司", "C", 320, ["innovative", "specialised_sme"], True),
    ("500105", "重庆观音桥老字号食品有限公司", "C", 85, ["time_honoured"], False),
    ("500105", "重庆江北软件信息服务有限公司", "I", 210, ["knowledge_intensive"], False),
    ("500116", "重庆江津现代农业发展有限公司", "A", 140, [], True),
    ("500116", "重庆双福新材料科技有限公司", "C", 460, ["technology_intensive", "single_champion"], True),
    ("500116", "重庆江津白酒酿造有限公司", "C", 300, ["time_honoured"], False),
    ("330602", "绍兴越城纺织科技有限公司", "C", 650, ["technology_intensive"], True),
    ("330603", "绍兴柯桥印染集团有限公司", "C", 980, ["specialised_sme"], True),
    ("330604", "上虞精细化工股份有限公司", "C", 760, ["single_champion", "high_tech"], True),
    ("330624", "新昌轴承制造有限公司", "C", 540, ["specialised_sme"], False),
    ("330681", "诸暨珍珠产业有限公司", "F", 120, ["innovative"], False),
    ("330683", "嵊州领带服饰有限公司", "C", 300, ["time_honoured"], False),
    ("120116", "天津滨海生物医药研究有限公司", "M", 410, ["knowledge_intensive", "high_tech"], True),
    ("120101", "天津和平老字号商贸有限公司", "F", 95, ["time_honoured"], False),
    ("430104", "长沙岳麓工程机械有限公司", "C", 2100, ["technology_intensive", "single_champion"], True),
    ("430104", "长沙麓谷软件股份有限公司", "I", 380, ["knowledge_intensive", "innovative"], False),
    ("430304", "湘潭电机智造有限公司", "C", 870, ["high_tech"], True),
]


@dataclass
class DemoLogin:
    username: str
    role: str
    bound_to: str


def _park(code: str, name: str) -> Park:
    return Park.objects.get(region_id=code, name=name)


def demo_account(username: str, role: str, binding: dict[str, Any], label: str) -> User:
    """The demo account ``username``, created with the demo password if it is not there yet
    (an account someone changed since is left as it is)."""
    defaults = {"role": role, "full_name": label, **binding}
    user, created = User.objects.get_or_create(username=username, defaults=defaults)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    for code, name, kind in PARKS:
        Park.objects.get_or_create(region_id=code, name=name, defaults={"kind": kind})
    tags = {t.code: t for t in Tag.objects.all()}
    parks_by_district: dict[str, Park] = {}
    for park in Park.objects.filter(region_id__in={c for c, *_ in PARKS}).order_by("pk"):
        parks_by_district.setdefault(park.region_id, park)
    for serial, (code, name, industry, employees, tag_codes, liaison) in enumerate(ENTERPRISES, start=1):
        enterprise, created = Enterprise.objects.get_or_create(
            uscc=make_uscc(code, 70000000 + serial),
            defaults={
                "name": name,
                "region_id": code,
                "park": parks_by_district.get(code),
                "industry": Industry(industry),
                "employee_count": employees,
                "is_liaison_point": liaison,
                "contact_name": "商秘办",
                "contact_phone": "023-6000" + f"{serial:04d}",
            },
        )
        if created:
            enterprise.tags.set([tags[t] for t in tag_codes])

    first = Enterprise.objects.get(name="重庆长安汽车零部件有限公司")
    accounts: list[tuple[str, str, dict[str, Any], str]] = [
        ("admin", Role.PLATFORM_ADMIN, {}, "平台管理员"),
        ("cq_regulator", Role.REGULATOR, {"region_id": "500000"}, "重庆市市场监管局"),
        ("jiangbei_regulator", Role.REGULATOR, {"region_id": "500105"}, "江北区市场监管局"),
        ("jiangjin_regulator", Role.REGULATOR, {"region_id": "500116"}, "江津区市场监管局"),
        ("shaoxing_regulator", Role.REGULATOR, {"region_id": "330600"}, "绍兴市市场监管局"),
        ("zhejiang_regulator", Role.REGULATOR, {"region_id": "330000"}, "浙江省市场监管局"),
        ("park_operator", Role.PARK_OPERATOR, {"park": _park("500105", "江北区港城工业园")}, "港城工业园管委会"),
        ("enterprise_admin", Role.ENTERPRISE_ADMIN, {"enterprise": first}, "长安零部件商秘办"),
        ("enterprise_staff", Role.ENTERPRISE_STAFF, {"enterprise": first}, "长安零部件员工"),
        ("officer", Role.OFFICER, {"region_id": "500105"}, "江北区联络员"),
        ("expert", Role.EXPERT, {"region_id": "500000"}, "陈立群"),
        ("judicial", Role.JUDICIAL_LIAISON, {"region_id": "500105"}, "江北区人民法院"),
    ]
    logins = []
    for username, role, binding, label in accounts:
        user = demo_account(username, role, binding, label)
        bound = user.enterprise or user.park or user.region or "—"
        logins.append(DemoLogin(username, user.get_role_display(), str(bound)))
    # 江北区's bureau appoints its liaison officer to its liaison points through the network's own
    # service: each enterprise is saved, so its history says who appointed whom. (A queryset
    # update() here once left the history behind the rows, and the next edit of an enterprise
    # recorded this appointment as that editor's change.)
    officer = User.objects.get(username="officer")
    unassigned = Enterprise.objects.filter(region_id="500105", is_liaison_point=True, liaison_officer__isnull=True)
    if unassigned.exists():
        network_assign(
            user=User.objects.get(username="jiangbei_regulator"),
            enterprise_ids=list(unassigned.values_list("pk", flat=True)),
            action=AssignAction.LIAISON_OFFICER,
            officer_id=officer.pk,
        )
    return logins
