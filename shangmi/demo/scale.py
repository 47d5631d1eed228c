"""A synthetic province-scale registry for load tests and benchmarks.

``scale_data_generate`` spreads N enterprises over the districts of one province, with
realistic company names, valid unified social credit codes, parks, program tags and a
few liaison points. Rows go in through the enterprises' bulk writer in batches, each with its
"+" history record and its tags (no per-row validation: the values are valid by
construction), so 100,000 enterprises take seconds, not minutes.

Generated enterprises are recognised by their USCC: the organisation-code body is
``SERIAL_BASE + index``. A second run counts what is there and only tops up to the
requested size; it never duplicates.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from shangmi.enterprises.bulk import NewEnterprise, enterprises_bulk_write
from shangmi.enterprises.models import Enterprise, Industry, Tag
from shangmi.enterprises.uscc import make_uscc
from shangmi.regions.models import Park, Region

# Organisation-code bodies SERIAL_BASE .. SERIAL_BASE + MAX_ENTERPRISES - 1 are scale data.
# (Tests use small serials, the demo uses 70,000,000+, the import benchmark 40,000,000+.)
SERIAL_BASE = 30_000_000
MAX_ENTERPRISES = 9_999_999


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Trade names (字号): two characters, as most registered names have.
TRADE_NAMES = _words(
    "华泰 鑫源 宏达 永盛 恒通 金桥 瑞丰 天成 博远 嘉禾 联创 宇航 中诚 汇丰 新锐 盛世 长青 同辉 百川 卓越 "
    "东方 晨光 启明 锦程 海纳 正泰 伟业 德胜 兴隆 安泰 星辰 润达 凯旋 和信 聚力 腾飞 远景 华信 立信 中天 "
    "银河 蓝海 巨能 九州 旭日 丰源 富通 众合 万达 鼎盛 协和 泰和 顺发 通达 三江 山城 巴渝 渝发 明德 精诚 "
    "天宇 科瑞 迈拓 思源 睿智 优品 易达 智联 云帆 弘毅 信达 振华 康宁 友邦 惠民 益丰 福瑞 华夏 同创 龙腾"
)

# (business words, GB/T 4754 section, typical headcount scale)
BUSINESSES: tuple[tuple[str, str, int], ...] = (
    ("科技", "M", 60),
    ("信息科技", "I", 80),
    ("软件技术", "I", 120),
    ("网络科技", "I", 50),
    ("电子科技", "C", 200),
    ("新材料科技", "C", 180),
    ("生物科技", "M", 90),
    ("医药", "C", 300),
    ("机械制造", "C", 250),
    ("汽车零部件", "C", 400),
    ("精密机械", "C", 150),
    ("智能装备", "C", 220),
    ("化工", "C", 260),
    ("纺织", "C", 300),
    ("食品", "C", 120),
    ("农业发展", "A", 40),
    ("生态农业", "A", 30),
    ("建筑工程", "E", 200),
    ("建材", "C", 100),
    ("商贸", "F", 20),
    ("贸易", "F", 15),
    ("物流", "G", 80),
    ("餐饮管理", "H", 60),
    ("酒店管理", "H", 90),
    ("投资管理", "J", 10),
    ("房地产开发", "K", 50),
    ("企业管理咨询", "L", 12),
    ("检测技术", "M", 40),
    ("环保科技", "N", 45),
    ("家政服务", "O", 30),
    ("教育科技", "P", 35),
    ("健康管理", "Q", 25),
    ("文化传媒", "R", 20),
    ("能源", "D", 150),
)
FORMS = ("有限公司",) * 7 + ("有限责任公司", "股份有限公司", "集团有限公司")
PARK_KINDS = (
    ("高新技术产业开发区", Park.Kind.HIGH_TECH_ZONE),
    ("经济技术开发区", Park.Kind.ECONOMIC_ZONE),
    ("工业园", Park.Kind.INDUSTRIAL_PARK),
)
STREETS = _words("人民 解放 建设 中山 新华 和平 胜利 长江 滨江 科技 创业 学府 工业 兴业 迎宾")
SURNAMES = (*"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾", "欧阳")
GIVEN = (*"伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红", "晓东", "海燕", "建华")
# Probability of each program tag (by code); an enterprise gets each independently.
TAG_ODDS = {
    "knowledge_intensive": 0.06,
    "technology_intensive": 0.08,
    "innovative": 0.05,
    "time_honoured": 0.01,
    "specialised_sme": 0.04,
    "single_champion": 0.005,
    "high_tech": 0.07,
}
LIAISON_ODDS = 0.03
IN_PARK_ODDS = 0.35


@dataclass
class ScaleResult:
    province: str
    districts: int
    parks_created: int
    existing: int
    created: int
    tags_created: int

    @property
    def total(self) -> int:
        return self.existing + self.created


def short_name(name: str) -> str:
    """重庆市 -> 重庆, 江北区 -> 江北, 石柱土家族自治县 -> 石柱, 广西壮族自治区 -> 广西."""
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "省", "市", "区", "县", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    for people in ("土家族", "苗族", "壮族", "回族", "维吾尔", "藏族", "彝族", "蒙古族", "布依族", "侗族"):
        if people in name and name.index(people) >= 2:
            return name[: name.index(people)]
    return name


def scale_serials_existing(province: Region) -> set[int]:
    """Indexes (serial - SERIAL_BASE) of the scale enterprises already in the province."""
    out = set()
    usccs = Enterprise.objects.filter(region__path__subtree=province.path).values_list("uscc", flat=True)
    for uscc in usccs.iterator(chunk_size=10_000):
        body = uscc[8:16]
        if body.isdigit() and SERIAL_BASE <= int(body) < SERIAL_BASE + MAX_ENTERPRISES:
            out.add(int(body) - SERIAL_BASE)
    return out


def _district_weights(rng: random.Random, districts: list[Region]) -> list[float]:
    # Urban districts hold most companies: a skewed (Zipf-like) share per district.
    order = list(range(len(districts)))
    rng.shuffle(order)
    weights = [0.0] * len(districts)
    for rank, i in enumerate(order, start=1):
        weights[i] = 1.0 / rank**0.8
    return weights


def _ensure_parks(districts: list[Region], rng: random.Random) -> tuple[dict[str, list[int]], int]:
    existing = {(p.region_id, p.name) for p in Park.objects.filter(region__in=districts)}
    to_create = []
    for district in districts:
        short = short_name(district.name)
        for suffix, kind in rng.sample(PARK_KINDS, k=rng.randint(1, len(PARK_KINDS))):
            name = short + suffix
            if (district.code, name) not in existing:
                to_create.append(Park(region=district, name=name, kind=kind, address=f"{district.full_name}{suffix}"))
    Park.objects.bulk_create(to_create)
    parks: dict[str, list[int]] = {}
    for pk, region_id in Park.objects.filter(region__in=districts).values_list("pk", "region_id").order_by("pk"):
        parks.setdefault(region_id, []).append(pk)
    return parks, len(to_create)


def scale_data_generate(
    *,
    enterprises: int,
    province: str = "500000",
    seed: int = 1,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> ScaleResult:
    """Make the province hold ``enterprises`` generated enterprises (topping up, never duplicating)."""
    if not 0 <= enterprises <= MAX_ENTERPRISES:
        raise ValueError(f"enterprises must be between 0 and {MAX_ENTERPRISES}")
    root = Region.objects.filter(code=province).first()
    if root is None:
        raise ValueError(f"no region {province}: run load_reference_data first")
    districts = list(Region.objects.filter(path__subtree=root.path, level=Region.Level.DISTRICT).order_by("code"))
    if not districts:
        raise ValueError(f"region {province} has no districts")
    tags = {t.code: t.pk for t in Tag.objects.all()}
    tag_odds = [(tags[code], odds) for code, odds in TAG_ODDS.items() if code in tags]

    rng = random.Random(seed)
    weights = _district_weights(rng, districts)
    with transaction.atomic():
        parks, parks_created = _ensure_parks(districts, rng)

    done = scale_serials_existing(root)
    todo = [i for i in range(enterprises) if i not in done]
    # A top-up draws from its own stream so that it does not depend on what ran before.
    rng = random.Random(f"{seed}:{len(done)}")
    prefix = short_name(root.name)
    district_short = {d.code: short_name(d.name) for d in districts}
    created = tags_created = 0
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        picked = rng.choices(districts, weights=weights, k=len(chunk))
        rows: list[NewEnterprise] = []
        for index, district in zip(chunk, picked, strict=True):
            words, industry, scale = rng.choice(BUSINESSES)
            place = district_short[district.code] if rng.random() < 0.5 else ""
            name = f"{prefix}{place}{rng.choice(TRADE_NAMES)}{words}{rng.choice(FORMS)}"
            district_parks = parks.get(district.code)
            park_id = rng.choice(district_parks) if district_parks and rng.random() < IN_PARK_ODDS else None
            employees = max(1, int(rng.lognormvariate(0, 1.0) * scale))
            values = {
                "name": name,
                "uscc": make_uscc(district.code, SERIAL_BASE + index),
                "region_id": district.code,
                "park_id": park_id,
                "industry": Industry(industry).value,
                "employee_count": employees,
                "address": f"{district.full_name}{rng.choice(STREETS)}路{rng.randint(1, 999)}号",
                "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "contact_phone": f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
                "is_liaison_point": rng.random() < LIAISON_ODDS,
            }
            rows.append(NewEnterprise(values, frozenset(pk for pk, odds in tag_odds if rng.random() < odds)))
        # Generated data is nobody's edit: the history records carry no author.
        enterprises_bulk_write(user=None, created=rows)
        tags_created += sum(len(row.tag_ids) for row in rows)
        created += len(rows)
        if progress is not None:
            progress(created, len(todo))
    return ScaleResult(
        province=root.code,
        districts=len(districts),
        parks_created=parks_created,
        existing=len(done),
        created=created,
        tags_created=tags_created,
    )
