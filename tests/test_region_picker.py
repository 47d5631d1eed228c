"""The region tree picker: what it offers, opens, finds and refuses, and the list filter by name."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shangmi.regions.models import Region
from shangmi.regions.picker import in_picker, picker_roots, resolve_choice, search, tree

PICKER = "/regions/picker/"
LIST = "/enterprises/"


def codes(nodes: list[Any]) -> list[str]:
    return [n.region.code for n in nodes]


def radios(html: str) -> list[str]:
    return re.findall(r'type="radio" name="region" value="(\d*)"', html)


def test_roots_are_ones_own_region_or_every_province(world: Any) -> None:
    assert [r.code for r in picker_roots(world.regulator_in)] == ["500105"]
    assert [r.code for r in picker_roots(world.city_regulator)] == ["500000"]
    assert [r.code for r in picker_roots(world.park_operator_in)] == ["500105"]
    assert [r.code for r in picker_roots(world.ent_admin_out)] == ["500116"]
    provinces = picker_roots(world.admin)
    assert len(provinces) == Region.objects.filter(parent__isnull=True).count() >= 31
    assert {"110000", "330000", "500000"} <= {r.code for r in provinces}


def test_tree_opens_the_way_to_the_chosen_region(world: Any) -> None:
    zhejiang = Region.objects.get(code="330602")  # 绍兴市越城区
    nodes = tree(world.admin, zhejiang)
    open_province = [n for n in nodes if n.open]
    assert codes(open_province) == ["330000"]
    open_city = [n for n in open_province[0].children if n.open]
    assert codes(open_city) == ["330600"]
    # The chosen district itself is shown among its siblings, not opened (it has no children).
    assert "330602" in codes(open_city[0].children)
    assert not any(n.open for n in open_city[0].children)
    # A chosen region with children is opened as well: one goes on to a region below it.
    (root,) = tree(world.city_regulator, world.chongqing)
    assert root.open and "500105" in codes(root.children)
    zhejiang = next(n for n in tree(world.admin, Region.objects.get(code="330600")) if n.open)
    shaoxing = next(n for n in zhejiang.children if n.region.code == "330600")
    assert shaoxing.open and "330602" in codes(shaoxing.children)
    # Nothing else is opened: the other provinces stay closed and unloaded.
    assert all(not n.children for n in nodes if n.region.code != "330000")


def test_a_single_root_is_opened_at_once(world: Any) -> None:
    (root,) = tree(world.city_regulator, None)
    assert root.open and "500105" in codes(root.children) and "500116" in codes(root.children)
    jiangbei = next(n for n in root.children if n.region.code == "500105")
    assert jiangbei.has_children is False


def test_resolve_choice_reads_codes_full_names_and_names(world: Any) -> None:
    city = world.city_regulator
    assert resolve_choice(city, "500105").code == "500105"
    assert resolve_choice(city, " 500105 ").code == "500105"
    assert resolve_choice(city, "重庆市江北区").code == "500105"
    # 江北区 exists in 重庆市 and in 宁波市: inside one's own tree it is the one there...
    assert resolve_choice(city, "江北区").code == "500105"
    assert resolve_choice(city, "江 北 区").code == "500105"  # stray spaces, as typed in Excel
    # ...for the whole country it is ambiguous, and nothing is chosen.
    assert resolve_choice(world.admin, "江北区") is None
    assert resolve_choice(world.admin, "浙江省宁波市江北区").code == "330205"
    # A name unique in the country is found outside one's tree too (codes are public).
    assert resolve_choice(world.regulator_in, "越城区").code == "330602"
    assert resolve_choice(city, "无此地区") is None
    assert resolve_choice(city, "") is None


def test_search_keeps_to_ones_tree(world: Any) -> None:
    assert [r.code for r in search(world.city_regulator, "江津")] == ["500116"]
    assert search(world.regulator_in, "江津") == []
    assert [r.code for r in search(world.city_regulator, "50011")][:1] == ["500110"]
    assert {r.code for r in search(world.admin, "江北区")} == {"330205", "500105"}
    assert len(search(world.admin, "区")) == 20  # at most 20 matches


def test_in_picker(world: Any) -> None:
    jiangjin = world.jiangjin
    assert in_picker(world.city_regulator, jiangjin)
    assert not in_picker(world.regulator_in, jiangjin)
    assert in_picker(world.admin, jiangjin)


def test_children_fragment(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    response = client.get(PICKER, {"parent": "500000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "500105" in radios(html) and "500116" in radios(html)
    assert "江北区" in html and "<html" not in html


def test_children_outside_ones_tree_are_404(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    assert client.get(PICKER, {"parent": "500000"}).status_code == 404
    assert client.get(PICKER, {"parent": "330000"}).status_code == 404
    assert client.get(PICKER, {"parent": "999999"}).status_code == 404
    assert client.get(PICKER).status_code == 404
    assert client.get(PICKER, {"parent": "500105"}).status_code == 200


def test_picker_needs_sign_in(world: Any, client: Any) -> None:
    response = client.get(PICKER, {"parent": "500000"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_search_fragment(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    client.cookies["django_language"] = "en"
    html = client.get(PICKER, {"region_q": "江津"}).content.decode()
    assert radios(html) == ["500116"] and "重庆市江津区" in html
    html = client.get(PICKER, {"region_q": "越城"}).content.decode()
    assert radios(html) == [] and "No region in your scope matches" in html
    assert client.get(PICKER, {"region_q": ""}).content.decode().strip() == ""


def test_field_name_is_an_identifier_or_the_default(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    html = client.get(PICKER, {"parent": "500000", "field": "area"}).content.decode()
    assert 'name="area" value="500105"' in html
    html = client.get(PICKER, {"parent": "500000", "field": '"><script>x</script>'}).content.decode()
    assert "<script>" not in html and 'name="region" value="500105"' in html


def test_list_page_shows_the_picker_opened_at_the_choice(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    html = client.get(LIST, {"region": "500105"}).content.decode()
    assert 'data-testid="region-picker"' in html
    assert re.search(r'value="500105" checked', html)
    assert re.search(r'id="region-picker-label">\s*重庆市江北区', html)
    # No region typed: "all" is the choice.
    html = client.get(LIST).content.decode()
    assert re.search(r'name="region" value="" checked', html)


def test_list_filters_by_a_region_name(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    for typed in ("江北区", "重庆市江北区", "500105"):
        response = client.get(LIST, {"region": typed})
        assert [e.name for e in response.context["object_list"]] == [world.ent_in.name], typed
    assert list(client.get(LIST, {"region": "无此地区"}).context["object_list"]) == []


def test_list_filter_never_crosses_scope(world: Any, client: Any) -> None:
    # Choosing a region outside one's own (by code or by a unique name) finds nothing.
    client.force_login(world.regulator_in)
    assert list(client.get(LIST, {"region": "500116"}).context["object_list"]) == []
    assert list(client.get(LIST, {"region": "重庆市江津区"}).context["object_list"]) == []


@pytest.mark.parametrize("htmx", [True, False])
def test_fragment_updates_the_picker_label(world: Any, client: Any, htmx: bool) -> None:
    client.force_login(world.city_regulator)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    html = client.get(LIST, {"region": "500116"}, **headers).content.decode()
    oob = re.findall(r'<span id="region-picker-label" hx-swap-oob="true">\s*([^<]+?)\s*</span>', html)
    # The fragment carries the new label out of band; the whole page has it in the picker only.
    assert oob == (["重庆市江津区"] if htmx else [])
    assert html.count('id="region-picker-label"') == 1


def test_enterprise_users_get_no_tree_beyond_their_region(world: Any, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    html = client.get(LIST).content.decode()
    assert radios(html) == ["", "500105"]


def test_fragment_moves_the_export_link_with_the_filter(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    html = client.get(LIST, {"region": "500116", "tag": "high_tech"}, HTTP_HX_REQUEST="true").content.decode()
    (link,) = re.findall(r'<a [^>]*id="export-link"[^>]*>', html)
    assert 'hx-swap-oob="true"' in link
    assert 'href="/enterprises/export/?region=500116&amp;tag=high_tech"' in link
