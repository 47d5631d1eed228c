"""Export of the registry to .xlsx, and the export → import round trip."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from shangmi.enterprises.exporting import enterprises_export
from shangmi.enterprises.importing import HEADERS_ZH, enterprise_import, read_rows
from shangmi.enterprises.models import INDUSTRY_ZH, Enterprise, Industry, Tag
from shangmi.enterprises.uscc import make_uscc
from tests.conftest import make_enterprise


@pytest.fixture(autouse=True)
def _english() -> None:
    with translation.override("en"):
        yield


def sheet_rows(content: bytes) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def registry(world):
    """A few more enterprises in 江北 with every column filled in some way."""
    tags = list(Tag.objects.order_by("order"))
    full = make_enterprise(
        "500105",
        "重庆全字段（集团）有限公司",
        11,
        park=world.park_in,
        industry="I",
        employee_count=1500,
        address="重庆市江北区观音桥1号",
        contact_name="李四",
        contact_phone="023-67000000",
        contact_email="lisi@example.com",
        is_liaison_point=True,
    )
    full.tags.set(tags[:3])
    make_enterprise("500105", "重庆空字段有限公司", 12)
    world.ent_in.tags.set([tags[4]])
    return world


def test_export_has_the_template_columns_and_only_the_users_scope(registry, tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    count = enterprises_export(queryset=Enterprise.objects.restrict(registry.regulator_in), target=path)
    rows = read_rows(path)
    assert rows[0] == list(HEADERS_ZH)
    assert count == len(rows) - 1 == 3
    codes = {r[1] for r in rows[1:]}
    assert registry.ent_out.uscc not in codes
    full = next(r for r in rows if r[0] == "重庆全字段（集团）有限公司")
    assert full[2] == "重庆市江北区"
    assert full[3] == "港城工业园"
    assert full[4] == "信息传输、软件和信息技术服务业"  # the section's name, as bureaus write it, not "I"
    assert full[5] == "1500"
    assert full[6].count("、") == 2
    assert full[9] == "023-67000000"
    assert full[11] == "是"


def test_round_trip_changes_nothing(registry, tmp_path: Path) -> None:
    path = tmp_path / "roundtrip.xlsx"
    queryset = Enterprise.objects.restrict(registry.regulator_in)
    count = enterprises_export(queryset=queryset, target=path)
    before = {e["id"]: e for e in Enterprise.objects.values()}
    tags_before = set(Enterprise.tags.through.objects.values_list("enterprise_id", "tag_id"))
    history_before = Enterprise.history.count()

    result = enterprise_import(user=registry.regulator_in, path=path)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, count)
    assert {e["id"]: e for e in Enterprise.objects.values()} == before
    assert set(Enterprise.tags.through.objects.values_list("enterprise_id", "tag_id")) == tags_before
    assert Enterprise.history.count() == history_before


def test_round_trip_after_a_change_updates_only_that_row(registry, tmp_path: Path) -> None:
    path = tmp_path / "roundtrip.xlsx"
    enterprises_export(queryset=Enterprise.objects.restrict(registry.regulator_in), target=path)
    Enterprise.objects.filter(pk=registry.ent_in.pk).update(name="改过的名字")
    registry.ent_in.tags.clear()
    result = enterprise_import(user=registry.regulator_in, path=path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    registry.ent_in.refresh_from_db()
    assert registry.ent_in.name == "江北内部科技有限公司"
    assert registry.ent_in.tags.count() == 1
    assert registry.ent_in.history.latest().history_user == registry.regulator_in


def test_export_view_applies_the_list_filter(client, registry) -> None:
    client.force_login(registry.city_regulator)
    everything = sheet_rows(client.get("/enterprises/export/").getvalue())
    assert len(everything) - 1 == Enterprise.objects.count()

    response = client.get("/enterprises/export/?liaison_point=true&region=500105")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response.getvalue())
    names = {r[0] for r in rows[1:]}
    assert names == {"江北内部科技有限公司", "重庆全字段（集团）有限公司"}


def test_export_view_keeps_to_the_users_scope(client, registry) -> None:
    client.force_login(registry.regulator_out)
    rows = sheet_rows(client.get("/enterprises/export/").getvalue())
    assert [r[1] for r in rows[1:]] == [registry.ent_out.uscc]
    client.force_login(registry.ent_staff_in)
    rows = sheet_rows(client.get("/enterprises/export/").getvalue())
    assert [r[1] for r in rows[1:]] == [registry.ent_in.uscc]


def test_list_page_offers_import_and_export_with_the_query(client, registry) -> None:
    client.force_login(registry.regulator_in)
    html = client.get("/enterprises/?liaison_point=true").content.decode()
    assert 'href="/enterprises/import/"' in html
    assert "/enterprises/export/?liaison_point=true" in html
    client.force_login(registry.ent_staff_in)
    html = client.get("/enterprises/").content.decode()
    assert 'href="/enterprises/import/"' not in html


def test_exported_file_imports_into_an_empty_registry(registry, tmp_path: Path) -> None:
    path = tmp_path / "move.xlsx"
    enterprises_export(queryset=Enterprise.objects.restrict(registry.regulator_in), target=path)
    snapshot = {
        e.uscc: (e.name, e.region_id, e.park_id, e.industry, e.employee_count, e.is_liaison_point, e.contact_phone)
        for e in Enterprise.objects.restrict(registry.regulator_in)
    }
    tags = {
        e.uscc: set(e.tags.values_list("pk", flat=True)) for e in Enterprise.objects.restrict(registry.regulator_in)
    }
    Enterprise.objects.filter(uscc__in=list(snapshot)).exclude(pk=registry.ent_in.pk).delete()
    Enterprise.objects.filter(pk=registry.ent_in.pk).delete()
    result = enterprise_import(user=registry.regulator_in, path=path)
    assert (result.created, result.errors) == (3, [])
    for e in Enterprise.objects.filter(uscc__in=list(snapshot)):
        assert snapshot[e.uscc] == (
            e.name,
            e.region_id,
            e.park_id,
            e.industry,
            e.employee_count,
            e.is_liaison_point,
            e.contact_phone,
        )
        assert set(e.tags.values_list("pk", flat=True)) == tags[e.uscc]
    assert make_uscc("500105", 12) in snapshot


def test_every_industry_exports_as_its_name_and_reads_back(world, tmp_path: Path) -> None:
    """All twenty GB/T 4754 sections: the file says 制造业 (not "C"), and importing it changes nothing."""
    for serial, letter in enumerate(Industry.values, start=100):
        make_enterprise("500105", f"重庆{letter}门类企业有限公司", serial, industry=letter)
    path = tmp_path / "industries.xlsx"
    queryset = Enterprise.objects.restrict(world.regulator_in).exclude(industry="")
    count = enterprises_export(queryset=queryset, target=path)
    written = {r[0]: r[4] for r in read_rows(path)[1:]}
    assert count == len(Industry.values)
    assert written["重庆C门类企业有限公司"] == "制造业"
    assert {name: written[f"重庆{letter}门类企业有限公司"] for letter, name in INDUSTRY_ZH.items()} == {
        name: name for name in INDUSTRY_ZH.values()
    }

    result = enterprise_import(user=world.regulator_in, path=path)
    assert (result.errors, result.unchanged) == ([], count)
