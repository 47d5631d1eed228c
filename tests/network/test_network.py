"""The service network: counts and gaps of a region, the tree, stations, and the bulk
designation of liaison points and officers with its scope checks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shangmi.enterprises.models import Enterprise, Tag
from shangmi.network import forms as network_forms
from shangmi.network import overview
from shangmi.network.models import Station
from shangmi.network.services import (
    ENTERPRISES_OUT_OF_SCOPE,
    NOT_A_REGULATOR,
    OFFICER_OUT_OF_SCOPE,
    PARK_ELSEWHERE,
    STATION_OFFICER_OUT_OF_SCOPE,
    STATION_OUTSIDE,
    AssignAction,
    network_assign,
    station_save,
)
from tests.conftest import make_enterprise, make_user
from tests.refusals import refused_with


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client: Any) -> Any:
    client.cookies["django_language"] = "en"
    return client


def key(enterprise: Enterprise, code: str = "knowledge_intensive") -> Enterprise:
    enterprise.tags.add(Tag.objects.get(code=code))
    return enterprise


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Enterprise.objects.order_by("pk").values_list(
            "pk", "is_liaison_point", "liaison_officer_id", "guidance_officer_id"
        )
    )


def count_on(page: str, name: str) -> int:
    match = re.search(rf'data-count="{name}">(\d+)<', page)
    assert match, f"no count {name}"
    return int(match.group(1))


class Jiangbei:
    """江北区 with a small network: a station, a park, key enterprises with and without gaps."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.guide = make_user("guide_in", "officer", region=world.jiangbei)
        # ent_in: liaison point with a liaison officer; key but fine.
        self.fine = key(world.ent_in)
        self.no_point = key(make_enterprise("500105", "无联络点科技公司", 11, guidance_officer=self.guide))
        self.no_officer = key(
            make_enterprise("500105", "无联络员材料公司", 12, is_liaison_point=True), "technology_intensive"
        )
        self.plain = make_enterprise("500105", "普通贸易公司", 13)  # no tag: never a gap
        self.station = Station.objects.create(
            name="港城指导站", region=world.jiangbei, park=world.park_in, officer=world.officer_in
        )
        self.station.enterprises.add(world.ent_in, self.no_point)
        Station.objects.create(name="江北服务站", kind=Station.Kind.SERVICE_STATION, region=world.jiangbei)
        # 江津 has its own, never shown to 江北.
        key(world.ent_out)
        Station.objects.create(name="双福指导站", region=world.jiangjin).enterprises.add(world.ent_out)


@pytest.fixture
def jiangbei(world: Any) -> Jiangbei:
    return Jiangbei(world)


# --- overview ----------------------------------------------------------------------------------


def test_counts_and_gaps_of_a_district(jiangbei: Jiangbei, client: Any) -> None:
    world = jiangbei.world
    counts = overview.network_counts(world.regulator_in, world.jiangbei)
    assert (counts.enterprises, counts.liaison_points, counts.liaison_officers, counts.guidance_officers) == (
        4,
        2,
        1,
        1,
    )
    assert (counts.served, counts.key_enterprises, counts.gaps) == (2, 3, 2)
    assert counts.stations == {"guidance_station": 1, "service_station": 1}
    gaps = overview.network_gaps(world.regulator_in, world.jiangbei)
    assert {e.pk for e in gaps} == {jiangbei.no_point.pk, jiangbei.no_officer.pk}

    client.force_login(world.regulator_in)
    page = client.get(reverse("network:overview")).content.decode()
    assert count_on(page, "enterprises") == 4 and count_on(page, "gaps") == 2
    assert count_on(page, "liaison_points") == 2 and count_on(page, "served") == 2
    assert 'data-kind="guidance_station">1<' in page and 'data-kind="work_station">0<' in page
    gaps_table = page[page.index('data-testid="gaps"') :]
    assert reverse("enterprises:detail", args=[jiangbei.no_point.pk]) in gaps_table
    assert reverse("enterprises:detail", args=[jiangbei.no_officer.pk]) in gaps_table
    assert f'data-enterprise="{world.ent_in.pk}"' not in gaps_table.split("</table>")[0]
    # The tree: the park and the station each list their enterprises; the rest are "other".
    tree = page[page.index('data-testid="network-tree"') :]
    assert "港城工业园" in tree and "港城指导站" in tree and "Other enterprises" in tree
    assert jiangbei.plain.name in tree
    for outside in (world.ent_out.name, "双福指导站", "江津"):
        assert outside not in page


def test_a_city_regulator_sees_the_districts_rolled_up(jiangbei: Jiangbei, client: Any) -> None:
    world = jiangbei.world
    client.force_login(world.city_regulator)
    page = client.get(reverse("network:overview")).content.decode()
    assert count_on(page, "enterprises") == 5 and count_on(page, "gaps") == 2  # ent_out has both
    children = dict(
        (region.code, counts) for region, counts in overview.child_counts(world.city_regulator, world.chongqing)
    )
    # Each child of 重庆市 holds its districts' totals.
    assert sum(c.enterprises for c in children.values()) == 5
    assert sum(c.station_total for c in children.values()) == 3
    assert 'data-testid="child-counts"' in page
    district = client.get(reverse("network:overview"), {"region": "500116"}).content.decode()
    assert (
        count_on(district, "enterprises") == 1 and world.ent_out.name in district and world.ent_in.name not in district
    )


def test_a_district_cannot_open_another_district(jiangbei: Jiangbei, client: Any) -> None:
    world = jiangbei.world
    client.force_login(world.regulator_in)
    for outside in ("500116", "江津区", "重庆市", "500000", "999999"):
        assert client.get(reverse("network:overview"), {"region": outside}).status_code == 404
    # An officer's network is their own enterprises.
    client.force_login(world.officer_out)
    page = client.get(reverse("network:overview")).content.decode()
    assert count_on(page, "enterprises") == 1 and world.ent_out.name in page and world.ent_in.name not in page


def test_the_overview_costs_the_same_queries_for_a_bigger_network(jiangbei: Jiangbei, client: Any) -> None:
    world = jiangbei.world
    client.force_login(world.city_regulator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("network:overview")).status_code == 200
        return len(queries)

    few = count()
    for serial in range(15):
        region = "500105" if serial % 2 else "500116"
        enterprise = key(make_enterprise(region, f"扩展企业{serial}", 100 + serial, is_liaison_point=bool(serial % 3)))
        station = Station.objects.create(name=f"扩展站{serial}", region_id=region, kind=Station.Kind.WORK_STATION)
        station.enterprises.add(enterprise)
    assert count() == few


# --- assigning ---------------------------------------------------------------------------------


def test_a_regulator_assigns_in_bulk_with_history(jiangbei: Jiangbei, client: Any) -> None:
    world = jiangbei.world
    client.force_login(world.regulator_in)
    page = client.get(reverse("network:assign")).content.decode()
    assert jiangbei.no_point.name in page and world.ent_out.name not in page
    assert world.officer_out.username not in page  # officers offered: the region's own

    targets = [jiangbei.no_point.pk, jiangbei.no_officer.pk, jiangbei.plain.pk]
    response = client.post(
        reverse("network:assign"),
        {"enterprise": targets, "action": AssignAction.LIAISON_POINT, "next_query": "gaps=on&q=公司\r\nX: y"},
    )
    # Back to the same filtered page; whatever was posted stays a query string.
    assert response.status_code == 302 and response.url.startswith(reverse("network:assign") + "?gaps=on&q=")
    assert "\n" not in response.url
    response = client.post(
        reverse("network:assign"),
        {"enterprise": targets, "action": AssignAction.GUIDANCE_OFFICER, "officer": world.officer_in.pk},
    )
    assert response.status_code == 302
    assert set(Enterprise.objects.filter(pk__in=targets).values_list("is_liaison_point", "guidance_officer_id")) == {
        (True, world.officer_in.pk)
    }
    latest = Enterprise.history.filter(id=jiangbei.plain.pk).first()
    assert latest.guidance_officer_id == world.officer_in.pk and latest.history_user_id == world.regulator_in.pk
    assert "3 enterprises changed" in client.get(response.url).content.decode()
    assert overview.network_counts(world.regulator_in, world.jiangbei).gaps == 0

    changed = network_assign(
        user=world.regulator_in, enterprise_ids=targets, action=AssignAction.CLEAR_GUIDANCE_OFFICER
    )
    assert changed == 3
    assert network_assign(user=world.regulator_in, enterprise_ids=targets, action=AssignAction.LIAISON_POINT) == 0


def test_assigning_outside_the_region_changes_nothing(jiangbei: Jiangbei, client: Any) -> None:
    world = jiangbei.world
    before = snapshot()
    with refused_with(ENTERPRISES_OUT_OF_SCOPE) as refused:
        network_assign(
            user=world.regulator_in,
            enterprise_ids=[jiangbei.no_point.pk, world.ent_out.pk],
            action=AssignAction.LIAISON_OFFICER,
            officer_id=world.officer_in.pk,
        )
    assert refused.value.params == {"count": 1}
    with refused_with(OFFICER_OUT_OF_SCOPE):
        network_assign(
            user=world.regulator_in,
            enterprise_ids=[jiangbei.no_point.pk],
            action=AssignAction.LIAISON_OFFICER,
            officer_id=world.officer_out.pk,
        )
    with refused_with(NOT_A_REGULATOR):
        network_assign(user=world.ent_admin_in, enterprise_ids=[world.ent_in.pk], action=AssignAction.LIAISON_POINT)
    assert snapshot() == before

    client.force_login(world.regulator_in)
    response = client.post(
        reverse("network:assign"),
        {"enterprise": [jiangbei.no_point.pk, world.ent_out.pk], "action": AssignAction.NOT_LIAISON_POINT},
        follow=True,
    )
    assert "not in your region" in response.content.decode() and "nothing was changed" in response.content.decode()
    response = client.post(
        reverse("network:assign"),
        {
            "enterprise": [jiangbei.no_point.pk],
            "action": AssignAction.GUIDANCE_OFFICER,
            "officer": world.officer_out.pk,
        },
        follow=True,
    )
    assert "not a liaison or guidance officer of your region" in response.content.decode()
    assert snapshot() == before


def test_the_city_assigns_across_its_districts(jiangbei: Jiangbei) -> None:
    world = jiangbei.world
    changed = network_assign(
        user=world.city_regulator,
        enterprise_ids=[world.ent_out.pk],
        action=AssignAction.GUIDANCE_OFFICER,
        officer_id=world.officer_in.pk,
    )
    assert changed == 1
    assert Enterprise.objects.get(pk=world.ent_out.pk).guidance_officer == world.officer_in


def test_only_bureaus_open_the_assignment_page(jiangbei: Jiangbei, client: Any) -> None:
    world = jiangbei.world
    for user in (world.officer_in, world.ent_admin_in, world.park_operator_in, world.expert):
        client.force_login(user)
        assert client.get(reverse("network:assign")).status_code == 404
        assert client.post(reverse("network:assign"), {"enterprise": [world.ent_in.pk]}).status_code == 404


# --- stations ----------------------------------------------------------------------------------


def test_station_pages_and_their_scope(jiangbei: Jiangbei, client: Any) -> None:
    world = jiangbei.world
    client.force_login(world.regulator_in)
    form = client.get(reverse("network:station_create")).content.decode()
    assert jiangbei.plain.name in form and world.ent_out.name not in form
    response = client.post(
        reverse("network:station_create"),
        {
            "name": "江北第二指导站",
            "kind": Station.Kind.WORK_STATION,
            "region": world.jiangbei.pk,
            "park": world.park_in.pk,
            "officer": jiangbei.guide.pk,
            "enterprises": [jiangbei.plain.pk, jiangbei.no_officer.pk],
        },
    )
    station = Station.objects.get(name="江北第二指导站")
    assert response.status_code == 302 and response.url == reverse("network:station_detail", args=[station.pk])
    assert set(station.enterprises.values_list("pk", flat=True)) == {jiangbei.plain.pk, jiangbei.no_officer.pk}
    assert jiangbei.plain.name in client.get(response.url).content.decode()

    # An enterprise of 江津 posted by hand is refused; nothing changes.
    response = client.post(
        reverse("network:station_update", args=[station.pk]),
        {"name": "江北第二指导站", "kind": Station.Kind.WORK_STATION, "region": world.jiangbei.pk,
         "enterprises": [world.ent_out.pk]},
    )  # fmt: skip
    assert response.status_code == 200
    assert set(station.enterprises.values_list("pk", flat=True)) == {jiangbei.plain.pk, jiangbei.no_officer.pk}

    client.force_login(world.regulator_out)
    for name in ("network:station_detail", "network:station_update"):
        assert client.get(reverse(name, args=[station.pk])).status_code == 404
    assert client.post(reverse("network:station_update", args=[station.pk]), {"name": "x"}).status_code == 404
    assert "江北第二指导站" not in client.get(reverse("network:station_list")).content.decode()
    for user in (world.officer_in, world.ent_admin_in, world.park_operator_in):
        client.force_login(user)
        assert client.get(reverse("network:station_create")).status_code == 404


def offered(html: str) -> set[str]:
    """The enterprise names the station form's list offers."""
    field = html.split('id="field-enterprises"', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", field))


def test_station_form_lists_the_district_and_never_a_whole_province(
    jiangbei: Jiangbei, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = jiangbei.world
    client.force_login(world.city_regulator)
    client.cookies["django_language"] = "en"
    url = reverse("network:station_create")
    # Opened on the city (the regulator's own region): both districts, few enough to list.
    assert {world.ent_in.name, world.ent_out.name} <= offered(client.get(url).content.decode())
    # The district select reloads the list for the district chosen (htmx sends the form's values).
    page = client.get(url, {"region": world.jiangjin.pk, "name": "新站"}).content.decode()
    assert offered(page) == {world.ent_out.name} and 'value="新站"' in page
    assert 'hx-select="#field-enterprises"' in page
    # Too many to list: nothing but a message, until a park narrows it.
    monkeypatch.setattr(network_forms, "ENTERPRISE_CHOICES", 2)
    page = client.get(url).content.decode()
    assert offered(page) == set() and "enterprises there: choose a district or a park" in page
    in_park = make_enterprise("500105", "园区内企业", 31, park=world.park_in)
    page = client.get(url, {"region": world.jiangbei.pk, "park": world.park_in.pk}).content.decode()
    assert offered(page) == {world.ent_in.name, in_park.name}
    # Editing keeps offering what the station serves, wherever the list stands.
    edit = client.get(reverse("network:station_update", args=[jiangbei.station.pk])).content.decode()
    assert {world.ent_in.name, jiangbei.no_point.name} <= offered(edit)
    assert f'value="{jiangbei.no_point.pk}" selected' in edit


def test_station_rules_in_the_service(jiangbei: Jiangbei) -> None:
    world = jiangbei.world
    data = {"name": "错位站", "kind": Station.Kind.GUIDANCE_STATION, "region": world.jiangbei}
    with refused_with(PARK_ELSEWHERE) as refused:
        station_save(user=world.regulator_in, station=None, data={**data, "park": world.park_out}, enterprises=[])
    assert refused.value.field == "park"
    with refused_with(STATION_OFFICER_OUT_OF_SCOPE) as refused:
        station_save(user=world.regulator_in, station=None, data={**data, "officer": world.officer_out})
    assert refused.value.field == "officer"
    with refused_with(STATION_OUTSIDE) as refused:
        station_save(user=world.regulator_in, station=None, data={**data, "region": world.jiangjin})
    assert refused.value.field == "region"
    assert not Station.objects.filter(name="错位站").exists()


def test_a_park_operator_keeps_the_enterprises_it_cannot_see(jiangbei: Jiangbei) -> None:
    """Editing a station that also serves enterprises outside the park must not drop them."""
    world = jiangbei.world
    Enterprise.objects.filter(pk=jiangbei.plain.pk).update(park=world.park_in)
    station = jiangbei.station  # serves ent_in (in the park) and no_point (not in the park)
    station_save(
        user=world.park_operator_in,
        station=station,
        data={"address": "港城园区一号"},
        enterprises=[Enterprise.objects.get(pk=jiangbei.plain.pk)],
    )
    assert set(station.enterprises.values_list("pk", flat=True)) == {jiangbei.plain.pk, jiangbei.no_point.pk}
    assert Station.objects.get(pk=station.pk).address == "港城园区一号"


def test_a_platform_administrator_sees_the_country_and_large_trees_fold(
    jiangbei: Jiangbei, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = jiangbei.world
    client.force_login(world.admin)
    page = client.get(reverse("network:overview")).content.decode()
    assert count_on(page, "enterprises") == 5
    assert world.ent_in.name in page and world.ent_out.name in page
    assert "重庆市" in page[page.index('data-testid="network-tree"') :]
    # Past the limit the tree gives way to the counts: the reader opens a smaller region.
    monkeypatch.setattr(overview, "TREE_LIMIT", 3)
    page = client.get(reverse("network:overview"), {"region": "500000"}).content.decode()
    assert 'data-testid="network-tree"' not in page and "choose a smaller region" in page
    assert (
        'data-testid="network-tree"' in client.get(reverse("network:overview"), {"region": "500116"}).content.decode()
    )
