"""Training coverage: distinct people over employees, counted from the activity ledger."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.activities.training import (
    Coverage,
    activity_evidence,
    enterprise_rate,
    group_coverage,
    percent,
    region_coverage,
    trained_counts,
)
from shangmi.ledgers.models import Activity
from shangmi.regions.models import Region
from tests.conftest import make_enterprise
from tests.ledgers.activities.test_services import add_person, at, make_activity


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def set_employees(enterprise: Enterprise, count: int | None) -> Enterprise:
    enterprise.employee_count = count
    enterprise.save(update_fields=["employee_count"])
    return enterprise


def test_someone_trained_twice_counts_once(world: Any) -> None:
    ent = set_employees(world.ent_in, 4)
    spring = make_activity(world.jiangbei, world.regulator_in, ent, starts_at=at(2026, 3))
    autumn = make_activity(world.jiangbei, world.regulator_in, ent, starts_at=at(2026, 10))
    add_person(spring, ent, "张三", employee_no="1")
    add_person(autumn, ent, "张 三", employee_no="001")  # the same number, typed otherwise
    add_person(spring, ent, "李四", phone="13800001111")
    add_person(autumn, ent, "李四", phone="+86 138 0000 1111")  # the same name and phone
    add_person(autumn, ent, "李四", phone="13900002222")  # another 李四
    assert trained_counts(2026) == {ent.pk: 3}
    assert enterprise_rate(ent, 2026) == Decimal("75.0")


def test_someone_trained_for_two_enterprises_counts_in_each(world: Any) -> None:
    a = set_employees(world.ent_in, 10)
    b = set_employees(make_enterprise("500105", "江北第二有限公司", 71), 10)
    training = make_activity(world.jiangbei, world.regulator_in, a, b)
    add_person(training, a, "王五", employee_no="8")
    add_person(training, b, "王五", employee_no="8")
    assert trained_counts(2026) == {a.pk: 1, b.pk: 1}


def test_only_trainings_of_the_year_count(world: Any) -> None:
    ent = set_employees(world.ent_in, 100)
    # 1 January 00:30 in Chongqing is still 31 December in UTC: it belongs to the new year.
    new_year = make_activity(world.jiangbei, world.regulator_in, ent, starts_at=at(2026, 1, 1, 0, 30))
    old_year = make_activity(world.jiangbei, world.regulator_in, ent, starts_at=at(2025, 12, 31, 23, 59))
    last_minute = make_activity(world.jiangbei, world.regulator_in, ent, starts_at=at(2026, 12, 31, 23, 59))
    survey = make_activity(world.jiangbei, world.regulator_in, ent, kind=Activity.Kind.SURVEY)
    add_person(new_year, ent, "甲", employee_no="1")
    add_person(old_year, ent, "乙", employee_no="2")
    add_person(last_minute, ent, "丙", employee_no="3")
    add_person(survey, ent, "丁", employee_no="4")  # a survey is not a training
    assert trained_counts(2026) == {ent.pk: 2}
    assert trained_counts(2025) == {ent.pk: 1}
    assert trained_counts(2027) == {}


def test_the_rate_is_capped_and_unknown_without_employees(world: Any) -> None:
    ent = world.ent_in
    training = make_activity(world.jiangbei, world.regulator_in, ent)
    for n in range(3):
        add_person(training, ent, f"员工{n}", employee_no=str(n))
    set_employees(ent, 2)
    assert enterprise_rate(ent, 2026) == Decimal("100.0")  # 3 of 2: capped
    set_employees(ent, 0)
    assert enterprise_rate(ent, 2026) is None
    set_employees(ent, None)
    assert enterprise_rate(ent, 2026) is None
    # Rounded down: 2 of 3 is 66.6 %, and 9,999 of 10,000 is not yet 100 %.
    assert percent(2, 3) == Decimal("66.6")
    assert percent(9999, 10000) == Decimal("99.9")
    assert percent(0, 5) == Decimal("0.0")


def test_a_group_sums_trained_over_employees(world: Any) -> None:
    a = set_employees(world.ent_in, 10)
    b = set_employees(make_enterprise("500105", "江北乙有限公司", 72, is_liaison_point=True), 30)
    c = make_enterprise("500105", "江北丙有限公司", 73, is_liaison_point=True)  # no employee count
    d = set_employees(make_enterprise("500105", "江北丁有限公司", 74, is_liaison_point=True), 2)
    training = make_activity(world.jiangbei, world.regulator_in, a, b, c, d)
    for n in range(5):
        add_person(training, a, f"甲{n}", employee_no=str(n))
    for n in range(15):
        add_person(training, b, f"乙{n}", employee_no=str(n))
    add_person(training, c, "丙", employee_no="1")
    for n in range(4):  # 4 recorded of 2 employees: counts as 2, no more
        add_person(training, d, f"丁{n}", employee_no=str(n))
    group = group_coverage(Enterprise.objects.filter(is_liaison_point=True, region=world.jiangbei), 2026)
    assert (group.counted, group.employees, group.enterprises, group.unknown) == (22, 42, 4, 1)
    assert group.trained == 25
    assert group.rate == Decimal("52.3")
    assert Coverage().rate is None


def test_a_city_aggregates_its_districts(world: Any) -> None:
    zhejiang, shaoxing = Region.objects.get(code="330000"), Region.objects.get(code="330600")
    yuecheng = make_enterprise("330602", "越城联络点", 81, is_liaison_point=True, employee_count=10)
    keqiao = make_enterprise("330603", "柯桥联络点", 82, is_liaison_point=True, employee_count=30)
    make_enterprise("330603", "柯桥普通企业", 83, employee_count=50)  # not a liaison point
    hangzhou = make_enterprise("330102", "杭州联络点", 84, is_liaison_point=True, employee_count=5)
    training = make_activity(zhejiang, world.admin, yuecheng, keqiao, hangzhou)
    for ent, n in ((yuecheng, 10), (keqiao, 6), (hangzhou, 1)):
        for i in range(n):
            add_person(training, ent, f"{ent.name}{i}", employee_no=str(i))

    province = region_coverage(zhejiang, 2026)
    assert (province.of("330600").counted, province.of("330600").employees) == (16, 40)
    assert province.of("330600").rate == Decimal("40.0")
    assert province.of("330100").rate == Decimal("20.0")
    assert province.of("330200").rate is None  # no liaison points there
    assert (province.total.counted, province.total.employees) == (17, 45)

    city = region_coverage(shaoxing, 2026)
    assert city.of("330602").rate == Decimal("100.0")
    assert city.of("330603").rate == Decimal("20.0")
    everyone = region_coverage(shaoxing, 2026, liaison_only=False)
    assert everyone.of("330603").employees == 80

    # Two queries however many enterprises and rows.
    with CaptureQueriesContext(connection) as queries:
        region_coverage(zhejiang, 2026)
    assert len(queries) == 2


def test_activity_evidence_for_the_standard(world: Any) -> None:
    ent = set_employees(world.ent_in, 2)
    training = make_activity(world.jiangbei, world.regulator_in, ent, starts_at=at(2026, 3))
    survey = make_activity(world.jiangbei, world.regulator_in, ent, kind=Activity.Kind.SURVEY)
    other = make_activity(world.jiangbei, world.regulator_in, ent, kind=Activity.Kind.OTHER)
    # Taking part through a participant, without being listed among the enterprises.
    seminar = make_activity(world.jiangbei, world.regulator_in, kind=Activity.Kind.SEMINAR)
    add_person(seminar, ent, "研讨代表")
    make_activity(world.jiangbei, world.regulator_in, ent, starts_at=at(2025))  # another year
    make_activity(world.jiangjin, world.regulator_out, world.ent_out)  # another enterprise
    add_person(training, ent, "甲", employee_no="1")

    evidence = activity_evidence(ent, 2026)
    assert evidence["activities"] == sorted([training.pk, survey.pk, seminar.pk])
    assert other.pk not in evidence["activities"]
    assert evidence["ledger_count"] == 4
    assert evidence["training_rate"] == Decimal("50.0")
    assert evidence["fully_trained"] is False

    add_person(training, ent, "乙", employee_no="2")
    assert activity_evidence(ent, 2026)["fully_trained"] is True
    set_employees(ent, None)
    unknown = activity_evidence(ent, 2026)
    assert (unknown["training_rate"], unknown["fully_trained"]) == (None, False)


# --- Pages ---------------------------------------------------------------------------------------


def test_the_enterprise_page_lists_who_was_trained_when(world: Any, client: Any) -> None:
    ent = set_employees(world.ent_in, 4)
    spring = make_activity(world.jiangbei, world.regulator_in, ent, name="春季培训", starts_at=at(2026, 3, 5))
    autumn = make_activity(world.jiangbei, world.regulator_in, ent, name="秋季培训", starts_at=at(2026, 10, 9))
    add_person(spring, ent, "张三", employee_no="1")
    add_person(autumn, ent, "张三", employee_no="1")
    add_person(autumn, ent, "李四", employee_no="2")

    client.cookies["django_language"] = "en"
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("ledgers:training_enterprise", args=[ent.pk]) + "?year=2026").content.decode()
    assert "张三" in page and "李四" in page
    assert "2026-03-05 春季培训" in page and "2026-10-09 秋季培训" in page
    assert "50.0%" in page

    set_employees(ent, None)
    page = client.get(reverse("ledgers:training_enterprise", args=[ent.pk]) + "?year=2026").content.decode()
    assert 'data-testid="rate-unknown"' in page and "0.0%" not in page

    assert client.get(reverse("ledgers:training_enterprise", args=[world.ent_out.pk])).status_code == 404


def test_the_training_list_keeps_to_the_scope(world: Any, client: Any) -> None:
    set_employees(world.ent_in, 1)
    training = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    add_person(training, world.ent_in, "张三", employee_no="1")
    client.cookies["django_language"] = "en"
    client.force_login(world.regulator_in)
    page = client.get(reverse("ledgers:training_list") + "?year=2026&liaison=1").content.decode()
    assert world.ent_in.name in page and world.ent_out.name not in page
    assert "100.0%" in page
    page = client.get(reverse("ledgers:training_list") + "?year=2025").content.decode()
    assert "0.0%" in page  # a known workforce with nobody trained that year is 0 %, not unknown


@pytest.mark.parametrize("year", ["abc", "1999", "2026.5"])
def test_a_bad_training_year_is_a_filter_error(world: Any, client: Any, year: str) -> None:
    """Not a 500, and not silently this year's figures: the page says the year is wrong."""
    client.cookies["django_language"] = "en"
    client.force_login(world.regulator_in)
    response = client.get(reverse("ledgers:training_list"), {"year": year})
    page = response.content.decode()
    assert response.status_code == 400
    errors = page.split('data-testid="filter-errors"', 1)[1].split("</div></div>", 1)[0]
    assert "Year: " in errors
    assert world.ent_in.name in page  # the list itself still answers, for the current year


def test_no_liaison_point_is_said_so_not_an_unknown_rate_of_zero_enterprises(world: Any, client: Any) -> None:
    """The page once read "联络点企业合计: 未知 0 家企业"."""
    Enterprise.objects.filter(region=world.jiangbei).update(is_liaison_point=False)
    client.cookies["django_language"] = "en"
    client.force_login(world.regulator_in)
    page = client.get(reverse("ledgers:training_list") + "?year=2026").content.decode()
    group = page[page.index('data-testid="liaison-group"') :]
    group = group[: group.index("</div></div>")]
    assert 'data-testid="no-liaison-points"' in group
    assert 'data-testid="rate-unknown"' not in group and "0 enterprises" not in group

    Enterprise.objects.filter(pk=world.ent_in.pk).update(is_liaison_point=True)
    page = client.get(reverse("ledgers:training_list") + "?year=2026").content.decode()
    group = page[page.index('data-testid="liaison-group"') :]
    group = group[: group.index("</div></div>")]
    assert 'data-testid="no-liaison-points"' not in group and "1 enterprises" in group
