"""Which child of a region a path lies under, in Python and in SQL (the roll-ups use both)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count

from shangmi.enterprises.models import Enterprise
from shangmi.regions.models import Region
from shangmi.regions.paths import child_code, child_code_sql
from tests.conftest import make_enterprise


def test_child_code_of_a_path(db: Any) -> None:
    zhejiang = Region.objects.get(code="330000")
    shaoxing = Region.objects.get(code="330600")
    yuecheng = Region.objects.get(code="330602")
    assert child_code(zhejiang, yuecheng.path) == "330600"
    assert child_code(shaoxing, yuecheng.path) == "330602"
    assert child_code(yuecheng, yuecheng.path) == ""  # the region itself
    assert child_code(zhejiang, zhejiang.path) == ""


def test_child_code_sql_groups_like_the_python_one(world: Any) -> None:
    make_enterprise("500105", "江北第二", 10)
    make_enterprise("500000", "重庆本级", 11)  # registered at the municipality itself
    chongqing = world.chongqing
    grouped = dict(
        Enterprise.objects.filter(region__path__startswith=chongqing.path)
        .annotate(child=child_code_sql(chongqing))
        .values_list("child")
        .annotate(n=Count("pk"))
        .values_list("child", "n")
    )
    assert grouped == {"500105": 2, "500116": 1, "": 1}
    by_python: dict[str, int] = {}
    for path in Enterprise.objects.values_list("region__path", flat=True):
        code = child_code(chongqing, path)
        by_python[code] = by_python.get(code, 0) + 1
    assert by_python == grouped


def test_subtree_lookup_finds_what_startswith_finds(db: Any) -> None:
    # Every region of 浙江省 and 重庆市, and the whole country's provinces: same rows either way.
    roots = list(Region.objects.filter(path__startswith="330000/")) + list(Region.objects.filter(parent=None))
    roots += list(Region.objects.filter(path__startswith="500000/"))
    for region in roots:
        expected = set(Region.objects.filter(path__startswith=region.path).values_list("code", flat=True))
        assert set(Region.objects.filter(path__subtree=region.path).values_list("code", flat=True)) == expected
    # Through a relation, as every scope check uses it.
    make_enterprise("330602", "越城一", 21)
    make_enterprise("330603", "柯桥一", 22)
    yuecheng = Region.objects.get(code="330602")
    assert list(Enterprise.objects.filter(region__path__subtree=yuecheng.path).values_list("name", flat=True)) == [
        "越城一"
    ]


def test_subtree_sql_is_a_range_below_province_level_on_sqlite(db: Any) -> None:
    from django.db import connection

    district = str(Region.objects.filter(path__subtree="500000/500105/").query)
    province = str(Region.objects.filter(path__subtree="500000/").query)
    if connection.vendor == "sqlite":
        assert ">= 500000/500105/" in district and "< 500000/5001050" in district and "LIKE" not in district
    else:
        assert "LIKE 500000/500105/%" in district
    assert "LIKE 500000/%" in province  # a province is read in page order, not by the range


@pytest.mark.parametrize("bad", ["500000", "500000/50010", "5000/", "500000/%", "", "500000/../"])
def test_subtree_refuses_anything_but_a_region_path(db: Any, bad: str) -> None:
    with pytest.raises(ValueError, match="region path"):
        list(Region.objects.filter(path__subtree=bad))
