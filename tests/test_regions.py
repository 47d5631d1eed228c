"""The GB/T 2260 division list and how a typed region name or code is resolved."""

from __future__ import annotations

import pytest
from django.utils import translation

from shangmi.regions.models import Region
from shangmi.regions.resolve import RegionIndex, normalise, resolve_region
from shangmi.regions.services import read_division_file, regions_load

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def index() -> RegionIndex:
    return RegionIndex()


def test_loader_loads_every_region() -> None:
    assert Region.objects.count() == 3218
    assert len(read_division_file()) == 3218
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 34  # with Taiwan, Hong Kong, Macao
    # Loading again changes nothing.
    assert regions_load() == 0


def test_chongqing_districts() -> None:
    jiangbei = Region.objects.get(code="500105")
    assert jiangbei.parent_id == "500000"
    assert jiangbei.full_name == "重庆市江北区"
    assert jiangbei.path == "500000/500105/"
    assert jiangbei.level == Region.Level.DISTRICT
    assert [r.code for r in jiangbei.ancestors()] == ["500000"]
    assert jiangbei.is_within(Region.objects.get(code="500000"))
    assert not jiangbei.is_within(Region.objects.get(code="500116"))


def test_city_without_districts_has_no_self_parent() -> None:
    dongguan = Region.objects.get(code="441900")
    assert dongguan.name == "东莞市"
    assert dongguan.parent_id == "440000"
    assert dongguan.full_name == "广东省东莞市"
    assert dongguan.path == "440000/441900/"
    assert not Region.objects.filter(parent_id="441900", code="441900").exists()


def test_no_region_is_its_own_parent_and_paths_follow_parents() -> None:
    for region in Region.objects.select_related("parent"):
        assert region.parent_id != region.code
        if region.parent is not None:
            assert region.path == region.parent.path + region.code + "/"
            assert region.full_name.startswith(region.parent.full_name)


def test_loader_repairs_changed_rows() -> None:
    Region.objects.filter(code="500105").update(full_name="wrong")
    assert regions_load() == 1
    assert Region.objects.get(code="500105").full_name == "重庆市江北区"


@pytest.mark.parametrize("text", ["500105", "500105000", "500105000000", " 500105 ", "５００１０５"])
def test_resolve_by_code(index: RegionIndex, text: str) -> None:
    result = index.resolve(text)
    assert result.region is not None and result.region.code == "500105", result.error


def test_unknown_code(index: RegionIndex) -> None:
    result = index.resolve("999999")
    assert result.region is None
    assert "No region has the code 999999" in result.error
    assert index.resolve("5001").region is None


@pytest.mark.parametrize("text", ["重庆市江北区", "重庆市 江北区", "　重庆市江北区　"])
def test_resolve_by_full_name(index: RegionIndex, text: str) -> None:
    result = index.resolve(text)
    assert result.region is not None and result.region.code == "500105"


def test_short_name_is_ambiguous_nationally(index: RegionIndex) -> None:
    result = index.resolve("江北区")
    assert result.region is None
    assert "ambiguous" in result.error
    assert "重庆市江北区" in result.error and "浙江省宁波市江北区" in result.error


def test_short_name_resolves_inside_a_scope(index: RegionIndex) -> None:
    chongqing = Region.objects.get(code="500000")
    result = index.resolve("江北区", within=chongqing)
    assert result.region is not None and result.region.code == "500105"


def test_unique_short_name(index: RegionIndex) -> None:
    result = index.resolve("江津区")
    assert result.region is not None and result.region.code == "500116"


def test_province_plus_county_skipping_the_city(index: RegionIndex) -> None:
    result = index.resolve("湖北省仙桃市")
    assert result.region is not None and result.region.name == "仙桃市"


def test_full_width_and_space_input() -> None:
    assert normalise("重庆市\u3000江北区 ") == "重庆市江北区"
    assert normalise("ＡＢＣ１２３") == "ABC123"
    result = resolve_region(" 重庆市　江北区 ")
    assert result.region is not None and result.region.code == "500105"


def test_unknown_name(index: RegionIndex) -> None:
    result = index.resolve("火星市")
    assert result.region is None
    assert "No region is called 火星市" in result.error


def test_empty_input(index: RegionIndex) -> None:
    assert "required" in index.resolve("  ").error
    assert index.resolve(None).region is None  # type: ignore[arg-type]


def test_outside_scope_message(index: RegionIndex) -> None:
    jiangbei = Region.objects.get(code="500105")
    by_name = index.resolve("重庆市江津区", within=jiangbei)
    assert by_name.region is None
    assert by_name.error == "重庆市江津区 is outside 重庆市江北区."
    by_code = index.resolve("500116", within=jiangbei)
    assert by_code.region is None and "outside" in by_code.error
    # A short name that exists only outside is reported as outside, not as unknown.
    short = index.resolve("江津区", within=jiangbei)
    assert short.region is None and "outside" in short.error


def test_index_costs_no_query_per_row(index: RegionIndex, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        for text in ("重庆市江北区", "500116", "江北区"):
            index.resolve(text)
