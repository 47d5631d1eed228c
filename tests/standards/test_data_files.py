"""The shipped data files say what the seed documents say (no database)."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from shangmi.standards.models import Standard
from shangmi.standards.spec import CONDITIONS, KINDS, POINTS
from tests.standards.conftest import CQ, ZJ

SEEDS = Path(os.environ.get("SHANGMI_SEEDS", Path(__file__).resolve().parents[3] / "shared" / "seeds"))
CQ_SEED = SEEDS / "001_1bfd74ab417b3053.txt"
ZJ_SEED = SEEDS / "003_25566e2944a4f389.txt"
CHINESE_NUMERALS = "一二三四五六七八九十"


def items_by_code(spec):
    return {item.code: item for _category, _criterion, item in spec.iter_items()}


def test_the_kinds_match_the_model() -> None:
    assert set(KINDS) == set(Standard.Kind.values)
    assert (POINTS, CONDITIONS) == (Standard.Kind.POINTS, Standard.Kind.CONDITIONS)


def test_the_chongqing_standard_has_its_seven_categories_and_100_plus_5_points() -> None:
    assert (CQ.code, CQ.version, CQ.kind) == ("cq-creation", "2023", POINTS)
    assert [c.title for c in CQ.categories] == [
        "组织机构健全",
        "人员配备管理",
        "基础保障有力",
        "制度建设完备",
        "活动开展有效",
        "示范作用突出",
        "加分项",
    ]
    assert [c.points for c in CQ.categories] == [15, 10, 10, 25, 20, 20, 5]
    assert [c.is_bonus for c in CQ.categories] == [False] * 6 + [True]
    assert CQ.base_points == 100 and CQ.bonus_points == 5 and CQ.max_total == 100 and CQ.pass_mark is None
    assert len(CQ.item_codes) == 39
    assert "江北府办发〔2023〕65号" in CQ.source and CQ.issuer


def test_the_named_items_have_their_seed_text_and_points() -> None:
    items = items_by_code(CQ)
    assert (items["1.1.a"].text, items["1.1.a"].points) == ("成立商业秘密保护工作领导小组或类似机构。", Decimal(3))
    assert items["4.1.c"].text == "保护制度或管理办法中涵盖对涉密场所、载体管理相关规定内容。"
    assert items["4.1.c"].points == Decimal("2.5")
    assert (items["5.2.b"].text, items["5.2.b"].points) == ("每年7-12月开展不少于1次指导。", Decimal(5))
    assert [code for code in sorted(items) if code.startswith("7.")] == [f"7.1.{x}" for x in "abcde"]
    assert all(items[f"7.1.{x}"].points == 1 for x in "abcde")


def test_criteria_of_category_five_and_the_first_criterion_text() -> None:
    five = CQ.categories[4]
    assert [(c.code, c.points) for c in five.criteria] == [("5.1", 3), ("5.2", 10), ("5.3", 5), ("5.4", 1), ("5.5", 1)]
    assert [i.code for i in five.criteria[1].items] == ["5.2.a", "5.2.b"]
    first = CQ.categories[0].criteria[0]
    # The seed's own characters: an ASCII comma, and no "1." prefix or "(5分)" suffix.
    assert first.title == "本单位设立有主要领导为组长,相关内设机构负责人为成员的商业秘密保护工作领导小组或类似机构"


def test_every_amount_adds_up() -> None:
    for category in CQ.categories:
        assert category.points == sum(c.points for c in category.criteria), category.title
        for criterion in category.criteria:
            assert criterion.points == sum(i.points for i in criterion.items), criterion.code


def test_codes_follow_category_criterion_and_letter_in_order() -> None:
    for category in CQ.categories:
        for n, criterion in enumerate(category.criteria, 1):
            assert criterion.code == f"{category.number}.{n}"
            assert [i.code for i in criterion.items] == [
                f"{criterion.code}.{x}" for x in "abcdefgh"[: len(criterion.items)]
            ]


def test_the_zhejiang_conditions_are_six_without_points() -> None:
    assert (ZJ.code, ZJ.kind, ZJ.max_total, ZJ.pass_mark) == ("zj-demo-zone", CONDITIONS, None, None)
    assert ZJ.issuer == "浙江省工商行政管理局" and "浙工商检〔〕13号" in ZJ.source
    (category,) = ZJ.categories
    assert category.title == "建设要求" and category.points is None
    assert [(c.code, c.title) for c in category.criteria] == [
        ("1.1", "工作基础扎实"),
        ("1.2", "组织架构完整"),
        ("1.3", "工作保障到位"),
        ("1.4", "制度健全完善"),
        ("1.5", "典型示范突出"),
        ("1.6", "措施运行有效"),
    ]
    for criterion in category.criteria:
        (item,) = criterion.items
        assert item.code == f"{criterion.code}.a" and item.points is None
        assert item.text.startswith(criterion.title + "。")


def _annex_cells(seed: str) -> list[str]:
    annex = seed.split("附件\n重庆市商业秘密保护示范基地(单位)创建标准\n", 1)[1].split("扫一扫", 1)[0]
    return [cell.strip() for cell in annex.split("|") if cell.strip()]


@pytest.mark.skipif(not CQ_SEED.exists(), reason="the seed documents are not next to this checkout")
def test_the_chongqing_file_is_the_seed_annex_cell_for_cell() -> None:
    """Rebuild the annex table from the file and compare it with the seed, cell by cell."""

    def amount(points: Decimal) -> str:
        return format(points, "f")

    expected = ["序号", "项目", "创建标准", "创建内容", "评分标准、分值"]
    for category in CQ.categories:
        expected += [CHINESE_NUMERALS[category.number - 1], f"{category.title}({amount(category.points)}分)"]
        expected.append(category.requirement)
        for criterion in category.criteria:
            if criterion.title:
                expected.append(f"{criterion.title}({amount(criterion.points)}分)")
            for item in criterion.items:
                expected += [item.text, f"{amount(item.points)}□"]
    # Only category 一 numbers its criteria ("1.", "2.", "3."); the file keeps the number as the code.
    cells = [re.sub(r"^\d\.(?=\D)", "", cell) for cell in _annex_cells(CQ_SEED.read_text(encoding="utf-8"))]
    assert cells == expected


@pytest.mark.skipif(not ZJ_SEED.exists(), reason="the seed documents are not next to this checkout")
def test_the_zhejiang_conditions_are_the_seed_text() -> None:
    seed = ZJ_SEED.read_text(encoding="utf-8")
    section = seed.split("3.建设要求:", 1)[1].split("(二)省级商业秘密保护示范站(点)", 1)[0]
    conditions = re.findall(r"^\((\d)\)(.+)$", section, re.M)
    assert [(f"1.{n}.a", text) for n, text in conditions] == [
        (item.code, item.text) for _category, _criterion, item in ZJ.iter_items()
    ]
    assert ZJ.notes in seed
