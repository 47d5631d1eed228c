"""Which child of a region a path lies under, in Python and in SQL (the roll-ups use both)."""

from __future__ import annotations

from typing import Any

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
