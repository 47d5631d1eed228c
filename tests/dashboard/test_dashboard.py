"""The region dashboard: its figures are their source pages' numbers, it is scoped like the
rates page, its map is cut by division code, and its exports hold the same table."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from shangmi.core.figures import FigureValue, RegionFigures, figure_providers, register_figure
from shangmi.dashboard import boundaries
from shangmi.dashboard.selectors import region_dashboard
from shangmi.ledgers.models import RateTarget
from shangmi.regions.models import Region
from shangmi.targets.models import Target
from tests.conftest import make_enterprise
from tests.ledgers.activities.test_services import add_person, make_activity

YEAR = 2026
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def url(name: str, region: Region, **extra: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"region": region.code, "year": YEAR, **extra}.items())
    return f"{reverse(name)}?{query}"


@pytest.fixture
def figures_world(world: Any) -> Any:
    """Liaison points in two districts, trainings in one, a rate target and a title target."""
    yubei = make_enterprise("500112", "渝北联络点甲", 11, is_liaison_point=True, employee_count=10)
    make_enterprise("500112", "渝北联络点乙", 12, is_liaison_point=True, employee_count=30)
    make_enterprise("500112", "渝北普通企业", 13, employee_count=5)
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in, yubei)
    for n in range(4):
        add_person(activity, yubei, f"学员{n}", employee_no=str(n))
    RateTarget.objects.create(region=world.chongqing, year=YEAR, metric="training", percent=Decimal("100.0"))
    Target.objects.create(
        region=world.jiangbei, year=YEAR, metric="demonstration", demo_type="unit", levels="municipal", minimum=5
    )
    return world


def cells_of(response: Any, code: str) -> dict[str, Any]:
    board = response.context["dashboard"]
    row = board.total if code == board.region.code else next(r for r in board.rows if r.region.code == code)
    return {p.key: (value, cell) for p, value, cell in zip(board.providers, row.values, row.cells, strict=True)}


def test_every_figure_is_its_source_pages_number(figures_world: Any, client: Any, monkeypatch: Any) -> None:
    from shangmi.ledgers.rates import services as rates_services

    world = figures_world
    # The surveys' answers (their own tests cover how they are counted): 9 of 10 aware in 渝北.
    answers = {"500112": (9, 10), "500000": (9, 10)}
    monkeypatch.setattr(
        rates_services, "awareness_counts", lambda codes, year: {c: answers[c] for c in codes if c in answers}
    )
    client.force_login(world.city_regulator)
    page = client.get(url("dashboard:region", world.chongqing))
    assert page.status_code == 200

    # Liaison points: the enterprise list filtered to the district's liaison points.
    for code, expected in (("500112", 2), ("500105", 1), ("500116", 1), ("500101", 0)):
        listed = client.get(f"{reverse('enterprises:list')}?region={code}&liaison_point=true")
        assert listed.context["paginator"].count == expected
        assert cells_of(page, code)["liaison_points"][0].value == expected

    # Training rate: the rates page's row for each district, with the city's target applying.
    rates = client.get(url("ledgers:rates", world.chongqing)).context["dashboard"]
    by_code = {row.region.code: row for row in rates.rows if row.region is not None}
    assert by_code["500112"].training_rate == Decimal("10.0")  # 4 trained of 40 employees
    for code, row in by_code.items():
        value, cell = cells_of(page, code)["training"]
        assert value.value == row.training_rate
        assert value.target == Decimal("100.0") and (row.training_rate is None or cell.behind)
    assert cells_of(page, "500000")["training"][0].value == rates.total.training_rate

    # Awareness rate: the same page's other column.
    assert by_code["500112"].awareness_rate == Decimal("90.0")
    for code, row in by_code.items():
        assert cells_of(page, code)["awareness"][0].value == row.awareness_rate
    assert cells_of(page, "500112")["awareness"][1].value == "90.0%"
    assert cells_of(page, "500000")["awareness"][0].value == rates.total.awareness_rate == Decimal("90.0")

    # Titles against the demonstration targets: the target progress page's numbers.
    table = client.get(url("targets:progress", world.chongqing)).context["table"]
    jiangbei_row = next(r for r in table.rows if r.region is not None and r.region.code == "500105")
    value, cell = cells_of(page, "500105")["titles"]
    assert value.target == 5 == jiangbei_row.cells[0].minimum
    assert value.value == jiangbei_row.cells[0].approved == 0
    assert cell.behind and cell.value == "0" and cell.target == "5"


def test_cases_are_the_enforcement_figures_number(world: Any, client: Any) -> None:
    from shangmi.enforcement.models import Case, Clue
    from tests.test_scope_walk import _case

    _case(world, world.regulator_in, "in")
    _case(world, world.regulator_out, "out")
    # Opened the year before: the case list shows it, the year's figure does not count it.
    clue = Clue.objects.create(region=world.jiangbei, tracking_hash="e" * 64, against="某公司", description="图纸",
                               received_on=datetime.date(2025, 3, 1), status=Clue.Status.OPENED)  # fmt: skip
    Case.objects.create(region=world.jiangbei, clue=clue, party="某公司", act_date=datetime.date(2025, 1, 1),
                        opened_on=datetime.date(2025, 3, 2), opened_by=world.regulator_in)  # fmt: skip
    assert Case.objects.filter(region=world.jiangbei).count() == 2
    client.force_login(world.regulator_in)
    figures = client.get(url("enforcement:figures", world.jiangbei)).context["figures"]
    page = client.get(url("dashboard:region", world.jiangbei))
    assert figures.total.cases == 1 == cells_of(page, "500105")["cases"][0].value
    client.force_login(world.city_regulator)
    page = client.get(url("dashboard:region", world.chongqing))
    assert cells_of(page, "500105")["cases"][0].value == 1
    assert cells_of(page, "500116")["cases"][0].value == 1
    assert cells_of(page, "500000")["cases"][0].value == 2


@pytest.mark.parametrize(
    "name", ["dashboard:region", "dashboard:boundaries", "dashboard:export_xlsx", "dashboard:export_pdf"]
)
def test_outside_the_scope_is_404(world: Any, client: Any, name: str) -> None:
    client.force_login(world.city_regulator)
    assert client.get(url(name, world.chongqing)).status_code == 200
    # A district's regulator cannot open the city above it, nor the district beside it.
    client.force_login(world.regulator_in)
    assert client.get(url(name, world.chongqing)).status_code == 404
    assert client.get(url(name, world.jiangjin)).status_code == 404
    assert client.get(url(name, world.jiangbei)).status_code == 200
    # A stranger (a regulator of another province) and an enterprise: 404 everywhere.
    from tests.conftest import make_user

    stranger = make_user("zj_regulator", "regulator", region=Region.objects.get(code="330600"))
    client.force_login(stranger)
    assert client.get(url(name, world.chongqing)).status_code == 404
    assert client.get(url(name, world.jiangbei)).status_code == 404
    client.force_login(world.ent_admin_in)
    assert client.get(url(name, world.jiangbei)).status_code == 404


def test_click_through_opens_the_childs_dashboard(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    page = client.get(url("dashboard:region", world.chongqing, figure="cases"))
    config = page.context["map_config"]
    child = client.get(config["link"] + "500105")
    assert child.status_code == 200
    assert child.context["dashboard"].region.code == "500105"
    assert child.context["dashboard"].chosen.key == "cases"
    assert "?region=500105&amp;year=2026&amp;figure=cases" in page.content.decode()


def test_the_map_is_cut_by_division_code(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    response = client.get(url("dashboard:boundaries", world.chongqing))
    data = json.loads(response.content)
    codes = {f["id"] for f in data["features"]}
    children = set(Region.objects.filter(parent=world.chongqing).values_list("code", flat=True))
    assert len(children) == 38
    # Every district drawn: 梁平 and 武隆 through their predecessors' codes (县 -> 区, 2016).
    assert codes == children
    names = {f["id"]: f["properties"]["name"] for f in data["features"]}
    assert names["500155"] == "梁平区" and names["500105"] == "江北区"
    lon, lat = (
        data["features"][0]["geometry"]["coordinates"][0][0][:2]
        if data["features"][0]["geometry"]["type"] == "Polygon"
        else data["features"][0]["geometry"]["coordinates"][0][0][0]
    )
    assert 105 < lon < 111 and 28 < lat < 33  # Chongqing, not a decoding accident

    # Shaoxing's districts come from the city package; Zhejiang's cities from the province one.
    shaoxing = boundaries.children_boundaries(
        "330600", tuple(Region.objects.filter(parent_id="330600").values_list("code", "name"))
    )
    assert shaoxing.missing == () and len(shaoxing.matched) == 6
    zhejiang = boundaries.children_boundaries("330000", (("330600", "绍兴市"), ("339999", "不存在的市")))
    assert zhejiang.matched == {"330600"} and zhejiang.missing == ("339999",)


def test_a_child_without_boundary_is_listed_not_dropped(world: Any, client: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(boundaries, "successions", lambda: {})
    boundaries.children_boundaries.cache_clear()
    boundaries.index.cache_clear()
    try:
        client.force_login(world.city_regulator)
        page = client.get(url("dashboard:region", world.chongqing))
        text = page.content.decode()
        missing = [row.region.code for row in page.context["dashboard"].without_boundary]
        assert missing == ["500155", "500156"]
        assert 'data-testid="without-boundary"' in text and "梁平区 (500155)" in text
        assert 'data-code="500155"' in text  # still a row of the table
        assert {d["code"] for d in page.context["map_config"]["data"]} == set(
            Region.objects.filter(parent=world.chongqing).exclude(code__in=missing).values_list("code", flat=True)
        )
    finally:
        boundaries.children_boundaries.cache_clear()
        boundaries.index.cache_clear()


def test_exports_hold_the_pages_table(figures_world: Any, client: Any) -> None:
    from python_calamine import CalamineWorkbook

    world = figures_world
    client.force_login(world.city_regulator)
    page = client.get(url("dashboard:region", world.chongqing))
    board = page.context["dashboard"]
    sheet = client.get(url("dashboard:export_xlsx", world.chongqing))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(sheet.content)).get_sheet_by_index(0).to_python()
    header = rows[2]
    yubei = next(r for r in rows if r and r[1] == "500112")
    for provider, cell in zip(board.providers, cells_of(page, "500112").values(), strict=True):
        column = header.index(str(provider.label))
        assert str(yubei[column]) == cell[1].value
    assert yubei[1] == "500112" and yubei[0] == "渝北区"

    pdf = client.get(url("dashboard:export_pdf", world.chongqing))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # Kept under test-artifacts/ (with page 1 as PNG) to be looked at.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "dashboard-chongqing.pdf"
    path.write_bytes(pdf.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(ARTIFACTS / "dashboard-chongqing")],
        check=True,
    )
    # poppler-utils is in .ci/run's install list; the PDF's text is read as a reader would.
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "渝北区" in text and "10.0%" in text and "重庆市" in text
    # Page 1 is the map drawn from the same boundaries: every district's name is on it.
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], check=True, capture_output=True, text=True
    )
    assert {"江北区", "城口县", "梁平区", "秀山土家族苗族自治县"} <= set(first.stdout.split())


def test_a_registered_figure_appears_without_a_change_to_the_dashboard(world: Any) -> None:
    """The hook for figures of apps to come (the work plans' overdue tasks)."""

    class Overdue:
        key = "test_overdue"
        label = "Overdue"
        unit = ""
        order = 99

        def figures(
            self, user: Any, parent: Region, children: list[Region], year: int, shared: dict[str, Any]
        ) -> RegionFigures:
            return RegionFigures(
                children={c.code: FigureValue(3, 0, lower_is_better=True) for c in children},
                total=FigureValue(3 * len(children), 0, lower_is_better=True),
            )

    from shangmi.core import figures

    register_figure(Overdue())
    try:
        board = region_dashboard(world.city_regulator, world.chongqing, YEAR, "test_overdue")
        assert board.chosen.key == "test_overdue"
        assert all(row.values[-1].value == 3 and row.cells[-1].behind for row in board.rows)
        assert board.total.values[-1].value == 3 * 38
    finally:
        figures._PROVIDERS.pop("test_overdue")
    assert [p.key for p in figure_providers()] == ["titles", "liaison_points", "training", "awareness", "cases"]
