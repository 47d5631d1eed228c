"""Rate targets and the dashboard: training of liaison points and awareness against targets."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.models import RateTarget
from shangmi.ledgers.rates import services as rates
from shangmi.ledgers.rates.services import (
    RatesDashboard,
    applicable_targets,
    awareness_by_region,
    rates_dashboard,
    target_for,
)
from shangmi.regions.models import Region
from tests.conftest import make_enterprise
from tests.ledgers.activities.test_services import add_person, make_activity
from tests.refusals import refused_with

TRAINING, AWARENESS = RateTarget.Metric.TRAINING, RateTarget.Metric.AWARENESS


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def surveys(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[int, int]]:
    """The surveys' awareness_counts answering from a dictionary the test fills."""
    answers: dict[str, tuple[int, int]] = {}
    asked: list[tuple[list[str], int]] = []

    def awareness_counts(region_codes: Sequence[str], year: int) -> dict[str, tuple[int, int]]:
        asked.append((list(region_codes), year))
        return {code: answers[code] for code in region_codes if code in answers}

    awareness_counts.asked = asked  # type: ignore[attr-defined]
    monkeypatch.setattr(rates, "awareness_counts", awareness_counts)
    return answers


def liaison(code: str, name: str, serial: int, employees: int | None) -> Enterprise:
    return make_enterprise(code, name, serial, is_liaison_point=True, employee_count=employees)


def train(activity: Any, enterprise: Enterprise, people: int) -> None:
    for n in range(people):
        add_person(activity, enterprise, f"{enterprise.name}{n}", employee_no=str(n))


def row(dashboard: RatesDashboard, label: str) -> Any:
    return next(r for r in [*dashboard.rows, dashboard.total] if r.label == label)


def target(region: Region, metric: str, percent: str, year: int = 2026) -> RateTarget:
    return RateTarget.objects.create(region=region, year=year, metric=metric, percent=Decimal(percent))


# --- Awareness, plugged in from the surveys ----------------------------------------------------------


def test_awareness_asks_the_surveys_for_the_region_and_its_children(world: Any, surveys: dict) -> None:
    surveys.update({"500000": (95, 100), "500105": (45, 50)})
    result = awareness_by_region(world.chongqing, 2026)
    assert result == {"500000": (95, 100), "500105": (45, 50)}
    codes, year = rates.awareness_counts.asked[-1]  # type: ignore[attr-defined]
    assert year == 2026 and codes[0] == "500000" and {"500105", "500116"} <= set(codes)


def test_a_region_nobody_answered_for_has_no_awareness(world: Any, surveys: dict) -> None:
    surveys.update({"500000": (3, 4), "500105": (3, 4), "500116": (0, 0)})
    assert awareness_by_region(world.chongqing, 2026) == {"500000": (3, 4), "500105": (3, 4)}
    dashboard = rates_dashboard(world.chongqing, 2026)
    assert row(dashboard, "江津区").awareness is None and row(dashboard, "江北区").awareness_rate == Decimal("75.0")


def test_the_real_surveys_aggregation_plugs_in(world: Any) -> None:
    """Whatever shangmi.surveys.aggregation holds today: the dashboard runs on it, with no
    answers it says so, and its query count stays flat as districts fill."""
    assert rates_dashboard(world.chongqing, 2026).has_survey_data is False
    with CaptureQueriesContext(connection) as few:
        rates_dashboard(world.chongqing, 2026)
    for n, code in enumerate(("500101", "500102", "500103")):
        ent = liaison(code, f"联络点{n}", 800 + n, 5)
        train(make_activity(world.chongqing, world.city_regulator, ent), ent, 2)
    with CaptureQueriesContext(connection) as many:
        rates_dashboard(world.chongqing, 2026)
    assert len(many) == len(few)


# --- Targets ----------------------------------------------------------------------------------------


def test_a_target_applies_below_unless_the_region_has_its_own(world: Any) -> None:
    target(world.chongqing, TRAINING, "100")
    own = target(world.jiangjin, TRAINING, "95")
    target(world.chongqing, AWARENESS, "90", year=2025)  # another year
    found = applicable_targets(world.chongqing, 2026)
    assert target_for(world.jiangbei, TRAINING, found).percent == Decimal("100")
    assert target_for(world.jiangjin, TRAINING, found) == own
    assert target_for(world.jiangbei, AWARENESS, found) is None
    # Seen from the district, the city's target still applies (it is addressed to it).
    from_below = applicable_targets(world.jiangbei, 2026, subtree=RateTarget.objects.restrict(world.regulator_in))
    assert target_for(world.jiangbei, TRAINING, from_below).region == world.chongqing


def test_regulators_set_targets_with_the_seed_defaults(world: Any, client: Any) -> None:
    client.cookies["django_language"] = "en"
    client.force_login(world.regulator_in)
    form = client.get(reverse("ledgers:rate_target_create") + "?metric=awareness&year=2026").content.decode()
    assert 'value="90.0"' in form and "江津" not in form
    assert 'value="100.0"' in client.get(reverse("ledgers:rate_target_create")).content.decode()

    url = reverse("ledgers:rate_target_create")
    response = client.post(url, {"region": "500105", "year": "2026", "metric": "training", "percent": ""})
    assert response.status_code == 302
    created = RateTarget.objects.get()
    assert (created.region, created.percent, created.updated_by) == (
        world.jiangbei,
        Decimal("100.0"),
        world.regulator_in,
    )
    again = client.post(url, {"region": "500105", "year": "2026", "metric": "training", "percent": "80"})
    assert "already has this target" in again.content.decode()
    outside = client.post(url, {"region": "500116", "year": "2026", "metric": "training", "percent": "80"})
    assert outside.status_code == 200 and RateTarget.objects.count() == 1
    too_much = client.post(url, {"region": "500105", "year": "2027", "metric": "awareness", "percent": "120"})
    assert too_much.status_code == 200 and RateTarget.objects.count() == 1

    edit = reverse("ledgers:rate_target_update", args=[created.pk])
    assert (
        client.post(edit, {"region": "500105", "year": "2026", "metric": "training", "percent": "98.5"}).status_code
        == 302
    )
    created.refresh_from_db()
    assert created.percent == Decimal("98.5")

    client.force_login(world.regulator_out)
    assert client.get(edit).status_code == 404
    assert client.post(reverse("ledgers:rate_target_delete", args=[created.pk])).status_code == 404
    client.force_login(world.ent_admin_in)
    assert client.get(url).status_code == 404
    assert client.get(reverse("ledgers:rates")).status_code == 404
    client.force_login(world.regulator_in)
    assert client.post(reverse("ledgers:rate_target_delete", args=[created.pk])).status_code == 302
    assert not RateTarget.objects.exists()


def test_the_service_names_each_refusal(world: Any) -> None:
    data = rates.TargetInput(region=world.jiangbei, year=2026, metric="training", percent=Decimal("80"))
    rates.rate_target_save(user=world.regulator_in, target=None, data=data)
    with refused_with(rates.ALREADY_SET):
        rates.rate_target_save(user=world.regulator_in, target=None, data=data)
    with refused_with(rates.PERCENT_RANGE) as refused:
        rates.rate_target_save(
            user=world.regulator_in, target=None, data=rates.TargetInput(world.jiangbei, 2027, "training", Decimal(120))
        )
    assert refused.value.field == "percent"
    with refused_with(rates.UNKNOWN_METRIC):
        rates.rate_target_save(
            user=world.regulator_in, target=None, data=rates.TargetInput(world.jiangbei, 2027, "x", None)
        )
    with refused_with(rates.OUTSIDE_REGION):
        rates.rate_target_save(
            user=world.regulator_in, target=None, data=rates.TargetInput(world.jiangjin, 2027, "training", None)
        )
    existing = RateTarget.objects.get()
    with refused_with(rates.MAY_NOT_CHANGE):
        rates.rate_target_save(user=world.regulator_out, target=existing, data=data)
    with refused_with(rates.MAY_NOT_DELETE):
        rates.rate_target_delete(user=world.regulator_out, target=existing)
    assert RateTarget.objects.count() == 1


# --- The dashboard ------------------------------------------------------------------------------------


def test_the_dashboard_measures_each_district_against_its_target(world: Any, surveys: dict) -> None:
    ent_in = Enterprise.objects.get(pk=world.ent_in.pk)
    ent_in.employee_count = 10
    ent_in.save()
    second = liaison("500105", "江北第二联络点", 91, 10)
    liaison("500116", "江津无人数联络点", 92, None)  # unknown workforce
    make_enterprise("500105", "江北普通企业", 93, employee_count=100)  # not a liaison point
    training = make_activity(world.chongqing, world.city_regulator, ent_in, second)
    train(training, ent_in, 10)
    train(training, second, 5)
    target(world.chongqing, TRAINING, "100")
    target(world.chongqing, AWARENESS, "90")
    target(world.jiangjin, AWARENESS, "80")
    surveys.update({"500000": (170, 200), "500105": (85, 100), "500116": (85, 100)})

    dashboard = rates_dashboard(world.chongqing, 2026)
    jiangbei, jiangjin = row(dashboard, "江北区"), row(dashboard, "江津区")
    assert (jiangbei.training.counted, jiangbei.training.employees) == (15, 20)
    assert jiangbei.training_rate == Decimal("75.0") and jiangbei.training_behind
    assert jiangbei.awareness_rate == Decimal("85.0") and jiangbei.awareness_behind
    assert jiangbei.training_target.region == world.chongqing  # inherited
    # 江津: its liaison points (the world's and this one) have no employee count, so its
    # rate is unknown, not 0 % and not behind.
    assert jiangjin.training.enterprises == 2 and jiangjin.training.unknown == 2
    assert jiangjin.training_rate is None and not jiangjin.training_behind
    assert jiangjin.awareness_target.percent == Decimal("80") and not jiangjin.awareness_behind
    # A district with no liaison points and no answers.
    yuzhong = row(dashboard, "渝中区")
    assert yuzhong.training.enterprises == 0 and yuzhong.training_rate is None and yuzhong.awareness is None
    total = dashboard.total
    assert total.is_total and total.label == "Total"
    assert (total.training.counted, total.training.employees, total.training.unknown) == (15, 20, 2)
    assert total.awareness_rate == Decimal("85.0") and total.training_behind
    assert dashboard.has_survey_data


def test_a_district_dashboard_is_one_row(world: Any) -> None:
    dashboard = rates_dashboard(world.jiangbei, 2026)
    assert [r.label for r in dashboard.rows] == ["江北区"]
    assert dashboard.rows[0] is dashboard.total and not dashboard.total.is_total
    assert not dashboard.has_survey_data


def test_a_province_dashboard_rolls_cities_up(world: Any) -> None:
    zhejiang = Region.objects.get(code="330000")
    yuecheng = liaison("330602", "越城联络点", 94, 10)
    keqiao = liaison("330603", "柯桥联络点", 95, 10)
    training = make_activity(zhejiang, world.admin, yuecheng, keqiao)
    train(training, yuecheng, 10)
    train(training, keqiao, 4)
    target(Region.objects.get(code="330600"), TRAINING, "60")
    dashboard = rates_dashboard(zhejiang, 2026)
    shaoxing = row(dashboard, "绍兴市")
    assert shaoxing.training_rate == Decimal("70.0") and not shaoxing.training_behind
    assert row(dashboard, "杭州市").training_target is None


def test_enterprises_of_the_region_itself_get_a_row(world: Any) -> None:
    itself = liaison("500000", "市本级联络点", 96, 4)
    train(make_activity(world.chongqing, world.city_regulator, itself), itself, 1)
    dashboard = rates_dashboard(world.chongqing, 2026)
    own = row(dashboard, "重庆市 (itself)")
    assert own.training_rate == Decimal("25.0")
    assert dashboard.total.training.employees == 4


def test_the_dashboard_query_count_does_not_grow_with_rows(world: Any, surveys: dict) -> None:
    def build(districts: list[str], serial: int) -> None:
        for code in districts:
            ent = liaison(code, f"联络点{serial}", serial, 5)
            train(make_activity(world.chongqing, world.city_regulator, ent), ent, 3)
            target(Region.objects.get(code=code), TRAINING, "100")
            serial += 1

    build(["500101"], 500)
    with CaptureQueriesContext(connection) as small:
        rates_dashboard(world.chongqing, 2026)
    build(["500102", "500103", "500104", "500106", "500107"], 600)
    with CaptureQueriesContext(connection) as large:
        dashboard = rates_dashboard(world.chongqing, 2026)
    assert len(large) == len(small) <= 5
    assert sum(r.training.enterprises for r in dashboard.rows) == 6 + 2  # and the world's two


def test_the_rates_page(world: Any, client: Any) -> None:
    ent_in = Enterprise.objects.get(pk=world.ent_in.pk)
    ent_in.employee_count = 4
    ent_in.save()
    train(make_activity(world.jiangbei, world.regulator_in, ent_in), ent_in, 1)
    target(world.chongqing, TRAINING, "100")
    client.cookies["django_language"] = "en"

    client.force_login(world.city_regulator)
    url = reverse("ledgers:rates") + "?year=2026"
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "江北区" in page and "江津区" in page and "25.0%" in page
    assert 'data-testid="behind"' in page and 'data-testid="no-survey-data"' in page
    assert "(inherited)" in page

    for n in range(5):
        ent = liaison("500116", f"江津联络点{n}", 700 + n, 3)
        train(make_activity(world.jiangjin, world.regulator_out, ent), ent, 1)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)

    client.force_login(world.regulator_in)
    page = client.get(url).content.decode()
    assert "江北区" in page and "江津区" not in page and "25.0%" in page
    assert client.get(url + "&region=500116").status_code == 404
    assert client.get(url + "&region=500000").status_code == 404
    assert client.get(reverse("ledgers:rates"), {"year": 2026, "region": "江津区"}).status_code == 404
