"""People and their agreements: the non-compete's legal bounds at their edges."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from shangmi.enforcement.models import LegalRule
from shangmi.protection import rules, services
from shangmi.protection.models import Agreement, Person
from shangmi.protection.services import AgreementInput, PersonInput
from tests.conftest import make_enterprise
from tests.protection.conftest import People, person
from tests.refusals import refused_with

pytestmark = pytest.mark.usefixtures("rules")
START = datetime.date(2026, 1, 1)


def noncompete(who: Person, **changes: Any) -> AgreementInput:
    values: dict[str, Any] = {
        "person": who, "kind": Agreement.Kind.NON_COMPETE, "signed_on": datetime.date(2025, 12, 20),
        "starts_on": START, "ends_on": datetime.date(2027, 12, 31), "scope_text": "不得从事新能源汽车电机业务",
        "area": "中国大陆", "average_monthly_wage": Decimal("10000.00"), "monthly_compensation": Decimal("3000.00"),
    }  # fmt: skip
    values.update(changes)
    return AgreementInput(**values)


def confidentiality(
    who: Person, signed_on: datetime.date = datetime.date(2020, 3, 1), **changes: Any
) -> AgreementInput:
    values: dict[str, Any] = {
        "person": who, "kind": Agreement.Kind.CONFIDENTIALITY, "signed_on": signed_on, "scope_text": "研发资料",
    }  # fmt: skip
    values.update(changes)
    return AgreementInput(**values)


def test_two_years_is_the_longest_term(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    # 2026-01-01 to 2027-12-31 is two years to the day; one day more is refused.
    agreement = services.agreement_record(user=admin, data=noncompete(people.engineer))
    assert agreement.checked["max_months"] == 24 and "第二十四条" in agreement.checked["max_source"]
    with refused_with(services.NONCOMPETE_TOO_LONG) as refusal:
        services.agreement_record(user=admin, data=noncompete(people.engineer, ends_on=datetime.date(2028, 1, 1)))
    assert refusal.value.params["latest"] == "2027-12-31"


@pytest.mark.parametrize(
    ("start", "latest"),
    [
        (datetime.date(2026, 1, 1), datetime.date(2027, 12, 31)),
        (datetime.date(2024, 2, 29), datetime.date(2026, 2, 28)),
        (datetime.date(2022, 3, 1), datetime.date(2024, 2, 29)),
        (datetime.date(2025, 8, 31), datetime.date(2027, 8, 30)),
    ],
)
def test_the_last_day_of_two_years(start: datetime.date, latest: datetime.date) -> None:
    assert rules.latest_end(start, 24) == latest


def test_the_compensation_is_at_least_30_percent_of_the_average_wage(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    # 30% of 10 000.00 is 3 000.00: exactly that passes, a fen less does not.
    services.agreement_record(user=admin, data=noncompete(people.engineer, monthly_compensation=Decimal("3000.00")))
    with refused_with(services.NONCOMPETE_COMPENSATION) as refusal:
        services.agreement_record(user=admin, data=noncompete(people.engineer, monthly_compensation=Decimal("2999.99")))
    assert refusal.value.params["floor"] == "3000.00" and refusal.value.params["share"] == "30"
    # 30% of 10 000.01 is 3 000.003: the floor rounds up to the fen.
    with refused_with(services.NONCOMPETE_COMPENSATION):
        services.agreement_record(
            user=admin,
            data=noncompete(
                people.engineer, average_monthly_wage=Decimal("10000.01"), monthly_compensation=Decimal("3000.00")
            ),
        )
    services.agreement_record(
        user=admin,
        data=noncompete(
            people.engineer, average_monthly_wage=Decimal("10000.01"), monthly_compensation=Decimal("3000.01")
        ),
    )


def test_the_compensation_is_not_below_the_local_minimum_wage(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    # 30% of 5 000 is 1 500, below 江北区's minimum wage of 2 100 (first tier).
    low = {"average_monthly_wage": Decimal("5000")}
    agreement = services.agreement_record(
        user=admin, data=noncompete(people.engineer, monthly_compensation=Decimal("2100.00"), **low)
    )
    assert agreement.checked["minimum_wage"] == "2100.00"
    assert agreement.checked["minimum_wage_code"] == "minimum_wage.500105"
    assert agreement.checked["compensation_floor"] == "2100.00"
    with refused_with(services.NONCOMPETE_COMPENSATION) as refusal:
        services.agreement_record(
            user=admin, data=noncompete(people.engineer, monthly_compensation=Decimal("2099.99"), **low)
        )
    assert refusal.value.params["minimum"] == "2100.00"


def test_the_minimum_wage_falls_back_to_the_city_and_follows_the_date(world: Any) -> None:
    # 江津区 has no first-tier figure of its own: Chongqing's second tier applies.
    jiangjin = world.ent_out.region
    wage = rules.minimum_wage(jiangjin, START)
    assert wage is not None and wage.code == "minimum_wage.500000" and wage.value == Decimal("2000")
    assert rules.minimum_wage(jiangjin, datetime.date(2022, 3, 31)) is None
    LegalRule.objects.create(
        code="minimum_wage.500000", value=Decimal("2200"), unit="yuan", effective_from=datetime.date(2026, 6, 1),
        source="新通知",
    )  # fmt: skip
    assert rules.minimum_wage(jiangjin, datetime.date(2026, 6, 1)).value == Decimal("2200")  # type: ignore[union-attr]
    assert rules.minimum_wage(jiangjin, datetime.date(2026, 5, 31)).value == Decimal("2000")  # type: ignore[union-attr]


def test_a_region_without_a_minimum_wage_is_not_checked_and_says_so(world: Any) -> None:
    from tests.conftest import make_user

    suzhou = make_enterprise("320505", "苏州虎丘精密有限公司", 7)
    admin = make_user("suzhou_admin", "enterprise_admin", enterprise=suzhou)
    who = person(suzhou, "周工", post_category=Person.PostCategory.SENIOR_MANAGEMENT)
    agreement = services.agreement_record(
        user=admin, data=noncompete(who, average_monthly_wage=Decimal("5000"), monthly_compensation=Decimal("1500"))
    )
    assert agreement.checked["minimum_wage"] is None and agreement.checked["compensation_floor"] == "1500.00"


def test_only_senior_staff_or_those_bound_to_confidentiality(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    assert people.staff.post_category == Person.PostCategory.OTHER
    with refused_with(services.NONCOMPETE_WHO):
        services.agreement_record(user=admin, data=noncompete(people.staff))
    # A confidentiality agreement that ended before the non-compete starts does not count.
    services.agreement_record(user=admin, data=confidentiality(people.staff, ends_on=datetime.date(2025, 6, 30)))
    with refused_with(services.NONCOMPETE_WHO):
        services.agreement_record(user=admin, data=noncompete(people.staff))
    # One in force when it starts does.
    services.agreement_record(user=admin, data=confidentiality(people.staff, signed_on=datetime.date(2025, 7, 1)))
    assert services.agreement_record(user=admin, data=noncompete(people.staff)).kind == Agreement.Kind.NON_COMPETE


def test_an_agreement_cannot_end_before_it_starts(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    with refused_with(services.END_BEFORE_START):
        services.agreement_record(user=admin, data=noncompete(people.engineer, ends_on=datetime.date(2025, 12, 31)))
    with refused_with(services.END_BEFORE_START):
        services.agreement_record(user=admin, data=confidentiality(people.engineer, ends_on=datetime.date(2020, 2, 1)))
    with refused_with(services.NONCOMPETE_END):
        services.agreement_record(user=admin, data=noncompete(people.engineer, ends_on=None))
    with refused_with(services.NONCOMPETE_WAGE):
        services.agreement_record(user=admin, data=noncompete(people.engineer, average_monthly_wage=None))
    assert not Agreement.objects.exists()


def test_an_agreement_names_the_enterprises_own_people(world: Any, people: People) -> None:
    with refused_with(services.PERSON_FOREIGN):
        services.agreement_record(user=world.ent_admin_in, data=confidentiality(people.stranger))
    with refused_with(services.NOT_KEEPER):
        services.agreement_record(user=world.ent_staff_in, data=confidentiality(people.staff))


def test_a_person_links_only_an_account_of_the_enterprise(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    with refused_with(services.ACCOUNT_FOREIGN):
        services.person_create(user=admin, data=PersonInput(name="外人", account=world.ent_staff_out))
    with refused_with(services.ACCOUNT_FOREIGN):  # already linked to 王员工
        services.person_create(user=admin, data=PersonInput(name="重复", account=world.ent_staff_in))
    with refused_with(services.LEFT_BEFORE_HIRED):
        services.person_create(
            user=admin,
            data=PersonInput(name="错日", hired_on=datetime.date(2024, 1, 1), left_on=datetime.date(2023, 1, 1)),
        )
    changed = services.person_update(
        user=admin, person=people.staff, data=PersonInput(name="王员工", account=world.ent_staff_in, post="测试员")
    )
    assert changed.post == "测试员" and changed.account == world.ent_staff_in


# --- pages and who reads them ------------------------------------------------------------------


def test_the_admin_records_people_and_agreements_through_the_pages(world: Any, people: People, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    response = client.post(
        reverse("protection:person_create"),
        {"name": "陈经理", "department": "销售部", "post": "销售总监", "post_category": "senior_management",
         "grade": "important", "hired_on": "2019-05-01"},
    )  # fmt: skip
    chen = Person.objects.get(name="陈经理")
    assert response.status_code == 302 and chen.enterprise == world.ent_in
    form = {
        "person": chen.pk, "kind": "non_compete", "signed_on": "2025-12-01", "starts_on": "2026-01-01",
        "ends_on": "2028-01-01", "scope_text": "客户名单相关业务", "average_monthly_wage": "20000",
        "monthly_compensation": "6000",
    }  # fmt: skip
    response = client.post(reverse("protection:agreement_create"), form)
    assert response.status_code == 200 and "2027-12-31" in response.content.decode()
    assert not Agreement.objects.exists()
    response = client.post(reverse("protection:agreement_create"), form | {"ends_on": "2027-12-31"})
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    detail = client.get(agreement.get_absolute_url()).content.decode()
    assert "第三十六条" in detail and "2100" in detail
    assert "陈经理" in client.get(reverse("protection:agreement_list")).content.decode()
    assert "陈经理" in client.get(reverse("protection:person_list")).content.decode()


def test_staff_read_their_own_record_and_agreements_only(world: Any, people: People, client: Any) -> None:
    own = services.agreement_record(user=world.ent_admin_in, data=confidentiality(people.staff))
    other = services.agreement_record(user=world.ent_admin_in, data=confidentiality(people.engineer))
    client.force_login(world.ent_staff_in)
    assert client.get(people.staff.get_absolute_url()).status_code == 200
    assert client.get(people.engineer.get_absolute_url()).status_code == 404
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("protection:person_update", args=[people.staff.pk])).status_code == 404
    page = client.get(reverse("protection:person_list")).content.decode()
    assert "王员工" in page and "李工" not in page


@pytest.mark.parametrize("reader", ["ent_admin_out", "regulator_in", "city_regulator", "admin", "officer_in"])
def test_no_one_outside_reads_people_or_agreements(world: Any, people: People, client: Any, reader: str) -> None:
    agreement = services.agreement_record(user=world.ent_admin_in, data=confidentiality(people.engineer))
    client.force_login(getattr(world, reader))
    for url in (
        people.engineer.get_absolute_url(),
        agreement.get_absolute_url(),
        reverse("protection:person_update", args=[people.engineer.pk]),
        reverse("protection:agreement_update", args=[agreement.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "x"}).status_code == 404
    for url in (reverse("protection:person_list"), reverse("protection:agreement_list")):
        assert "李工" not in client.get(url).content.decode()
