"""The per-region summaries of the half-year rule (GuidanceRegionCount, GuidanceOfficerCount,
GuidanceRegionHalf; kept by the database's triggers, migration 0004) equal a recount made here
in Python from the enterprises and the visits, after every kind of write: a visit added (the
service, bulk), edited (across a half, a year, an enterprise), deleted; an enterprise created,
imported, moved to another region (the service, the import, a queryset update), given or
relieved of an officer or its liaison point, deleted; and after `rebuild_guidance_summary`
repairs tables made wrong on purpose. The page's figures against the former computation are
in test_halfyear_figures.py, which runs the same writes' outcome through the page."""

from __future__ import annotations

import dataclasses
import datetime
import io
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from shangmi.enterprises.importing import HEADERS_ZH, enterprise_import
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.services import enterprise_create, enterprise_update
from shangmi.enterprises.uscc import make_uscc
from shangmi.ledgers.guidance.halfyear import half_of
from shangmi.ledgers.guidance.services import VisitInput, visit_record, visit_update
from shangmi.ledgers.models import (
    GuidanceHalfCount,
    GuidanceOfficerCount,
    GuidanceRegionCount,
    GuidanceRegionHalf,
    GuidanceVisit,
)
from shangmi.network.services import network_assign
from shangmi.regions.models import Region
from tests.ledgers.guidance.test_halfyear_figures import Province, assert_page_as_before
from tests.test_import import row, write_xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")


def recount() -> dict[str, Any]:
    """The three summaries as they should be, counted in Python, with none of the database's
    counting (not even the per-enterprise half counts)."""
    halves_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    for enterprise_id, moment in GuidanceVisit.objects.values_list("enterprise_id", "visited_at"):
        year, half = half_of(moment)
        halves_of[(enterprise_id, year)].add(half)
    regions: Counter[str] = Counter()
    officers: Counter[tuple[int, str]] = Counter()
    region_of: dict[int, str] = {}
    for pk, region, liaison, guidance, point in Enterprise.objects.values_list(
        "pk", "region_id", "liaison_officer_id", "guidance_officer_id", "is_liaison_point"
    ):
        if liaison is None and guidance is None and not point:
            continue
        region_of[pk] = region
        regions[region] += 1
        for officer in {liaison, guidance} - {None}:
            officers[(officer, region)] += 1
    halves: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (pk, year), covered in halves_of.items():
        if pk in region_of:
            counts = halves[(region_of[pk], year)]
            counts[0] += 1 in covered
            counts[1] += 2 in covered
            counts[2] += covered == {1, 2}
    return {
        "regions": dict(regions),
        "officers": dict(officers),
        "halves": {key: tuple(value) for key, value in halves.items()},
    }


def stored() -> dict[str, Any]:
    return {
        "regions": dict(GuidanceRegionCount.objects.values_list("region_id", "enterprises")),
        "officers": {
            (officer, region): n
            for officer, region, n in GuidanceOfficerCount.objects.values_list("officer_id", "region_id", "enterprises")
        },
        "halves": {
            (region, year): (first, second, both)
            for region, year, first, second, both in GuidanceRegionHalf.objects.values_list(
                "region_id", "year", "first_half", "second_half", "both_halves"
            )
        },
    }


def assert_recounted() -> None:
    expected = recount()
    assert expected["regions"] and expected["halves"]  # not two empty summaries agreeing
    assert stored() == expected


@pytest.fixture
def province(world: Any) -> Province:
    return Province(world)


def visit_input(enterprise: Enterprise, moment: datetime.datetime) -> VisitInput:
    return VisitInput(
        enterprise=enterprise,
        visited_at=moment,
        place="会议室",
        bureau_participants="指导员",
        enterprise_participants="商秘办",
        content="上门指导",
    )


def unvisited_guided(province: Province, region: str) -> Enterprise:
    """A guided enterprise of ``region`` followed by officer_in with no visit yet."""
    enterprise = Enterprise.objects.create(
        name=f"新指导企业{region}",
        uscc=make_uscc(region, 990 + int(region[-2:])),
        region_id=region,
        guidance_officer=province.officer_in,
    )
    assert not GuidanceVisit.objects.filter(enterprise=enterprise).exists()
    return enterprise


def test_the_migration_counted_what_was_there(province: Province) -> None:
    # The fixture's visits went in with bulk_create after the enterprises: the triggers alone.
    assert_recounted()


def test_visits_added_edited_and_deleted(province: Province) -> None:
    officer = province.officer_in
    fresh = unvisited_guided(province, "500105")
    assert_recounted()

    # Added through the service: the enterprise's first visit covers its half (00:10 on 1 July
    # in Shanghai is the second half), then one in the other half covers both.
    recorded = visit_record(
        user=officer, data=visit_input(fresh, datetime.datetime(2026, 7, 1, 0, 10, tzinfo=SHANGHAI))
    )
    assert_recounted()
    assert GuidanceRegionHalf.objects.get(region_id="500105", year=2026).second_half > 0
    other = visit_record(user=officer, data=visit_input(fresh, datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)))
    assert_recounted()

    # Edited: across the half, across the year, to another enterprise in another district.
    visit_update(
        user=officer,
        visit=recorded,
        data=visit_input(fresh, datetime.datetime(2026, 6, 30, 23, 50, tzinfo=SHANGHAI)),
    )
    assert_recounted()
    visit_update(
        user=officer,
        visit=recorded,
        data=visit_input(fresh, datetime.datetime(2025, 12, 31, 23, 50, tzinfo=SHANGHAI)),
    )
    assert_recounted()
    elsewhere = Enterprise.objects.get(name="企业500116-1")  # guided by officer_in in 江津
    visit_update(
        user=officer,
        visit=recorded,
        data=dataclasses.replace(visit_input(elsewhere, recorded.visited_at)),
    )
    assert_recounted()

    # Bulk, and queryset updates of many visits at once.
    GuidanceVisit.objects.bulk_create(
        GuidanceVisit(
            enterprise=fresh,
            officer=officer,
            created_by=officer,
            visited_at=datetime.datetime(2025, month, 5, tzinfo=SHANGHAI),
            place="会议室",
            bureau_participants="指导员",
            enterprise_participants="商秘办",
            content="指导内容",
        )
        for month in (2, 8, 11)
    )
    assert_recounted()
    # The first half of 2025 in Shanghai's calendar, cut by explicit bounds (a __year lookup would
    # take the database's zone).
    first_half = (datetime.datetime(2025, 1, 1, tzinfo=SHANGHAI), datetime.datetime(2025, 7, 1, tzinfo=SHANGHAI))
    GuidanceVisit.objects.filter(visited_at__gte=first_half[0], visited_at__lt=first_half[1]).update(
        visited_at=datetime.datetime(2025, 9, 1, tzinfo=SHANGHAI)
    )
    assert_recounted()

    # Deleted: one visit, then an enterprise's last ones (its halves are no longer covered).
    other.delete()
    assert_recounted()
    GuidanceVisit.objects.filter(enterprise=fresh).delete()
    assert_recounted()
    doomed = list(GuidanceVisit.objects.order_by("pk").values_list("pk", flat=True)[::4])
    GuidanceVisit.objects.filter(pk__in=doomed).delete()
    assert_recounted()
    GuidanceVisit.objects.all().delete()
    assert not GuidanceRegionHalf.objects.exists()
    assert stored()["halves"] == recount()["halves"] == {}


def test_enterprises_created_moved_followed_and_deleted(province: Province) -> None:
    world = province.world
    # Created through the service, guided (a liaison point) and not.
    point = enterprise_create(
        user=world.regulator_in,
        data={
            "name": "新联络点企业",
            "uscc": make_uscc("500105", 901),
            "region": world.jiangbei,
            "is_liaison_point": True,
        },
    )
    plain = enterprise_create(
        user=world.regulator_in, data={"name": "新普通企业", "uscc": make_uscc("500105", 902), "region": world.jiangbei}
    )
    assert_recounted()

    # Moved to another district with its visits, through the service and a queryset update.
    visited = Enterprise.objects.get(name="企业500105-2")  # liaison and guidance officer: officer_in
    assert GuidanceVisit.objects.filter(enterprise=visited).exists()
    enterprise_update(user=world.city_regulator, enterprise=visited, data={"region": world.jiangjin})
    assert_recounted()
    Enterprise.objects.filter(region_id="500116").update(region_id="500112")
    assert_recounted()
    enterprise_update(user=world.city_regulator, enterprise=visited, data={"region": world.jiangbei})
    assert_recounted()

    # Followed and no longer followed: officers appointed and removed, liaison points withdrawn.
    everyone = list(Enterprise.objects.filter(region_id="500105").values_list("pk", flat=True))
    network_assign(
        user=world.regulator_in, enterprise_ids=everyone, action="guidance_officer", officer_id=world.officer_in.pk
    )
    assert_recounted()
    network_assign(user=world.regulator_in, enterprise_ids=everyone, action="clear_liaison_officer")
    assert_recounted()
    network_assign(user=world.regulator_in, enterprise_ids=everyone, action="clear_guidance_officer")
    assert_recounted()
    network_assign(user=world.regulator_in, enterprise_ids=everyone, action="not_liaison_point")
    assert GuidanceRegionCount.objects.filter(region_id="500105").count() == 0
    assert_recounted_or_empty_district()
    network_assign(user=world.regulator_in, enterprise_ids=[point.pk, plain.pk], action="liaison_point")
    assert_recounted()

    # Deleted (an enterprise with visits cannot be: the ledger protects them).
    Enterprise.objects.filter(pk__in=[point.pk, plain.pk]).delete()
    assert_recounted()


def assert_recounted_or_empty_district() -> None:
    # 江北 now has no guided enterprise: its rows are gone, the other districts' remain.
    expected = recount()
    assert "500105" not in expected["regions"]
    assert stored() == expected


def test_the_import_creates_and_moves_enterprises(province: Province, tmp_path: Path) -> None:
    world = province.world
    header = list(HEADERS_ZH)
    moved = Enterprise.objects.get(name="企业500105-3")  # a liaison point with visits
    followed = Enterprise.objects.get(name="企业500105-0")  # a liaison officer, not a point
    path = write_xlsx(
        tmp_path / "import.xlsx",
        [
            header,
            row("导入联络点企业", make_uscc("500105", 951), "江北区", **{"是否联络点": "是"}),
            row("导入普通企业", make_uscc("500116", 952), "江津区"),
            row(moved.name, moved.uscc, "渝北区", **{"是否联络点": "是"}),
            row(followed.name, followed.uscc, "江津区", **{"是否联络点": "是"}),
        ],
    )
    result = enterprise_import(user=world.city_regulator, path=path)
    assert (result.created, result.updated, result.errors) == (2, 2, [])
    moved.refresh_from_db()
    assert moved.region_id == "500112"
    assert_recounted()
    # And back, no longer a liaison point: not guided any more.
    path = write_xlsx(tmp_path / "back.xlsx", [header, row(moved.name, moved.uscc, "江北区", **{"是否联络点": "否"})])
    result = enterprise_import(user=world.city_regulator, path=path)
    assert (result.updated, result.errors) == (1, [])
    assert_recounted()


def test_the_page_after_every_kind_of_write(client: Any, province: Province, monkeypatch: Any, tmp_path: Path) -> None:
    world = province.world
    moved = Enterprise.objects.get(name="企业500105-2")
    enterprise_update(user=world.city_regulator, enterprise=moved, data={"region": world.jiangjin})
    network_assign(
        user=world.regulator_in,
        enterprise_ids=list(Enterprise.objects.filter(region_id="500105").values_list("pk", flat=True)[:3]),
        action="clear_liaison_officer",
    )
    GuidanceVisit.objects.filter(pk__in=list(GuidanceVisit.objects.values_list("pk", flat=True)[::5])).delete()
    visit_record(
        user=province.officer_in,
        data=visit_input(moved, datetime.datetime(2026, 2, 1, 9, 0, tzinfo=SHANGHAI)),
    )
    assert_recounted()
    assert_page_as_before(client, province, monkeypatch)


def test_the_command_rebuilds_what_was_made_wrong(province: Province) -> None:
    kept = stored()
    half_counts = set(GuidanceHalfCount.objects.values_list("enterprise_id", "year", "half", "visits"))
    GuidanceRegionCount.objects.update(enterprises=999)
    GuidanceOfficerCount.objects.all().delete()
    GuidanceRegionHalf.objects.filter(year=2026).update(both_halves=0)
    GuidanceRegionHalf.objects.create(region=Region.objects.get(code="110101"), year=2026, first_half=5)
    GuidanceHalfCount.objects.filter(half=1).delete()
    assert stored() != kept

    out = io.StringIO()
    call_command("rebuild_guidance_summary", stdout=out)
    assert stored() == kept == recount()
    assert set(GuidanceHalfCount.objects.values_list("enterprise_id", "year", "half", "visits")) == half_counts
    assert "ledgers_guidanceregionhalf" in out.getvalue()
    # The triggers go on from the rebuilt counts.
    GuidanceVisit.objects.filter(enterprise__region_id="500105").delete()
    assert_recounted()
