"""The enterprise registry pages: filters, search, sort, pages, htmx, forms, history, queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shangmi.enterprises.models import Enterprise, Tag
from shangmi.enterprises.uscc import make_uscc
from tests.conftest import make_enterprise

LIST = "/enterprises/"


@pytest.fixture
def city(world: Any, client: Any) -> Any:
    """The city regulator, who sees both districts, signed in, in English."""
    client.force_login(world.city_regulator)
    client.cookies["django_language"] = "en"
    return world


def names(client: Any, **params: Any) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [e.name for e in response.context["object_list"]]


def test_filter_by_region_subtree(city: Any, client: Any) -> None:
    assert names(client, region="500105") == [city.ent_in.name]
    assert names(client, region="500116") == [city.ent_out.name]
    assert sorted(names(client, region="500000")) == sorted([city.ent_in.name, city.ent_out.name])
    assert names(client, region=" 500105 ") == [city.ent_in.name]
    assert names(client, region="999999") == []


def test_filter_by_tag(city: Any, client: Any) -> None:
    city.ent_out.tags.add(Tag.objects.get(code="high_tech"))
    assert names(client, tag="high_tech") == [city.ent_out.name]
    assert names(client, tag="innovative") == []


def test_filter_by_park(city: Any, client: Any) -> None:
    assert names(client, park=city.park_in.pk) == [city.ent_in.name]


def test_park_filter_only_offers_parks_in_scope(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    response = client.get(LIST)
    choices = [str(p) for p in response.context["filter"].form.fields["park"].queryset]
    assert choices == [world.park_in.name]
    # A park outside is not accepted as a filter either: nothing of it shows.
    response = client.get(LIST, {"park": world.park_out.pk})
    assert world.ent_out.name not in response.content.decode()


def test_a_refused_filter_value_shows_no_rows_says_why_and_exports_nothing(world: Any, client: Any) -> None:
    """The kit's rule for every list: a value the filter does not accept (a park outside the
    scope, an industry that does not exist) is a 400 with the reason, never the whole list as if
    it were the answer; the export of the same query string is refused, not a file of every row."""
    client.force_login(world.regulator_in)
    client.cookies["django_language"] = "en"
    for bad in ({"park": world.park_out.pk}, {"industry": "no-such-industry"}):
        response = client.get(LIST, bad)
        assert response.status_code == 400, bad
        assert list(response.context["object_list"]) == []
        assert 'data-testid="filter-errors"' in response.content.decode()
        export = client.get(reverse("enterprises:export"), bad)
        assert export.status_code == 400 and "The export was not made" in export.content.decode()
    assert client.get(LIST, {"industry": "C"}).status_code == 200


def test_filter_by_liaison_point(city: Any, client: Any) -> None:
    plain = make_enterprise("500105", "江北普通企业", 5)
    assert plain.name not in names(client, liaison_point="true")
    assert names(client, liaison_point="false") == [plain.name]
    assert len(names(client)) == 3


def test_filter_has_officer(city: Any, client: Any) -> None:
    lone = make_enterprise("500105", "江北无专员企业", 6, is_liaison_point=True)
    assert names(client, liaison_point="true", has_officer="false") == [lone.name]


def test_search_by_name(city: Any, client: Any) -> None:
    assert names(client, q="内部科技") == [city.ent_in.name]
    assert names(client, q="  外部  ".strip()) == [city.ent_out.name]
    assert names(client, q="不存在的企业") == []


def test_search_by_code_in_any_case(city: Any, client: Any) -> None:
    code = city.ent_out.uscc
    assert names(client, q=code) == [city.ent_out.name]
    assert names(client, q=code.lower()) == [city.ent_out.name]
    assert names(client, q=code[:10].lower()) == [city.ent_out.name]  # a prefix
    assert names(client, q="９１５００１１６") == [city.ent_out.name]  # full width


def test_sorting(city: Any, client: Any) -> None:
    make_enterprise("500105", "阿里测试", 7, employee_count=500)
    Enterprise.objects.filter(pk=city.ent_in.pk).update(employee_count=10)
    Enterprise.objects.filter(pk=city.ent_out.pk).update(employee_count=100)
    by_name = names(client, sort="name")
    assert by_name == sorted(by_name)
    assert names(client, sort="-name") == list(reversed(by_name))
    assert names(client, sort="-employees") == ["阿里测试", city.ent_out.name, city.ent_in.name]
    assert names(client, sort="employees") == [city.ent_in.name, city.ent_out.name, "阿里测试"]
    codes = [e.uscc for e in client.get(LIST, {"sort": "uscc"}).context["object_list"]]
    assert codes == sorted(codes)
    regions = [e.region_id for e in client.get(LIST, {"sort": "-region"}).context["object_list"]]
    assert regions == sorted(regions, reverse=True)
    # An unknown sort key is a value the list does not accept, said as any other (the kit's rule).
    refused = client.get(LIST, {"sort": "password"})
    assert refused.status_code == 400 and 'data-testid="filter-errors"' in refused.content.decode()


def test_sort_keeps_the_filter(city: Any, client: Any) -> None:
    assert names(client, region="500105", sort="-name") == [city.ent_in.name]


def test_pagination(city: Any, client: Any) -> None:
    for serial in range(60):
        make_enterprise("500105", f"分页企业{serial:03d}", 100 + serial)
    first = client.get(LIST)
    assert first.context["is_paginated"]
    assert len(first.context["object_list"]) == 50
    assert first.context["paginator"].count == 62
    second = client.get(LIST, {"page": 2})
    assert len(second.context["object_list"]) == 12
    assert not {e.pk for e in first.context["object_list"]} & {e.pk for e in second.context["object_list"]}
    # The page links keep the filters.
    filtered = client.get(LIST, {"region": "500105"})
    assert 'href="?region=500105&amp;page=2"' in filtered.content.decode()
    # Every list of the kit clamps a page number past the end to the last page.
    assert client.get(LIST, {"page": 99}).context["page"].number == 2


def test_htmx_request_returns_only_the_table(city: Any, client: Any) -> None:
    response = client.get(LIST, {"q": "内部"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "<form" not in body
    assert "<table" in body
    assert city.ent_in.name in body and city.ent_out.name not in body
    full = client.get(LIST).content.decode()
    assert "<html" in full and 'id="enterprise-table"' in full


def test_htmx_boosted_request_gets_the_whole_page(city: Any, client: Any) -> None:
    response = client.get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert "<html" in response.content.decode()


def form_data(ent: Any = None, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "新建精密制造有限公司",
        "uscc": make_uscc("500105", 4242),
        "region": "500105",
        "park": "",
        "industry": "C",
        "employee_count": "35",
        "address": "重庆市江北区港城路 1 号",
        "contact_name": "王工",
        "contact_phone": "023-12345678",
        "contact_email": "wang@example.com",
        "liaison_officer": "",
    }
    if ent is not None:
        data.update(
            name=ent.name,
            uscc=ent.uscc,
            region=ent.region_id,
            park=ent.park_id or "",
            industry=ent.industry,
            employee_count=ent.employee_count or "",
            address=ent.address,
            contact_name=ent.contact_name,
            contact_phone=ent.contact_phone,
            contact_email=ent.contact_email,
            liaison_officer=ent.liaison_officer_id or "",
        )
        if ent.is_liaison_point:
            data["is_liaison_point"] = "on"
        data["tags"] = [t.pk for t in ent.tags.all()]
    data.update(changes)
    return data


def test_create_through_the_form(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    assert client.get(reverse("enterprises:create")).status_code == 200
    tag = Tag.objects.get(code="specialised_sme")
    data = form_data(park=world.park_in.pk, tags=[tag.pk], uscc=" " + make_uscc("500105", 4242).lower())
    response = client.post(reverse("enterprises:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    created = Enterprise.objects.get(uscc=make_uscc("500105", 4242))
    assert response.url == created.get_absolute_url()
    assert created.park == world.park_in and list(created.tags.all()) == [tag]
    assert created.history.first().history_user == world.regulator_in


def test_create_form_refuses_a_bad_code_with_the_reason(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("enterprises:create"), form_data(uscc="91500105000042420X"))
    assert response.status_code == 200
    assert "check character" in " ".join(response.context["form"].errors["uscc"])
    assert not Enterprise.objects.filter(name="新建精密制造有限公司").exists()


def test_create_form_refuses_a_region_outside(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    form = client.get(reverse("enterprises:create")).context["form"]
    assert "500116" not in {r.code for r in form.fields["region"].queryset}
    response = client.post(reverse("enterprises:create"), form_data(region="500116", uscc=make_uscc("500116", 4242)))
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Enterprise.objects.filter(name="新建精密制造有限公司").exists()


def test_create_form_refuses_a_park_of_another_region(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    response = client.post(reverse("enterprises:create"), form_data(region="500116", park=world.park_in.pk))
    assert response.status_code == 200
    assert "park" in response.context["form"].errors


def test_duplicate_code_is_refused(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    response = client.post(reverse("enterprises:create"), form_data(uscc=world.ent_in.uscc))
    assert response.status_code == 200
    assert "uscc" in response.context["form"].errors


@pytest.mark.parametrize("attr", ["ent_admin_in", "ent_staff_in", "park_operator_in", "officer_in", "expert"])
def test_only_regulators_create(world: Any, client: Any, attr: str) -> None:
    client.force_login(getattr(world, attr))
    assert client.get(reverse("enterprises:create")).status_code == 404
    assert client.post(reverse("enterprises:create"), form_data()).status_code == 404
    assert not Enterprise.objects.filter(name="新建精密制造有限公司").exists()


def test_edit_through_the_form_and_history(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    client.cookies["django_language"] = "en"
    ent = world.ent_in
    assert client.get(reverse("enterprises:update", args=[ent.pk])).status_code == 200
    response = client.post(
        reverse("enterprises:update", args=[ent.pk]),
        form_data(ent, name="江北内部科技股份有限公司", employee_count="88"),
    )
    assert response.status_code == 302, response.context["form"].errors
    ent.refresh_from_db()
    assert ent.name == "江北内部科技股份有限公司" and ent.employee_count == 88
    detail = client.get(reverse("enterprises:detail", args=[ent.pk]))
    history = detail.context["history"]
    latest = history[0]
    assert latest.who == world.regulator_in.display_name
    assert latest.kind == "Changed"
    changes = {c.field: (c.old, c.new) for c in latest.changes}
    assert changes["name"] == ("江北内部科技有限公司", "江北内部科技股份有限公司")
    assert changes["employees"] == ("—", "88")
    html = detail.content.decode()
    section = html[html.index('data-testid="history"') :]
    assert world.regulator_in.display_name in section
    assert re.search(r"<del>江北内部科技有限公司</del>\s*→\s*<ins>江北内部科技股份有限公司</ins>", section)


def test_history_shows_related_and_tag_changes(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    client.cookies["django_language"] = "en"
    ent = world.ent_in
    tag = Tag.objects.get(code="high_tech")
    response = client.post(
        reverse("enterprises:update", args=[ent.pk]), form_data(ent, park="", tags=[tag.pk], industry="I")
    )
    assert response.status_code == 302, response.context["form"].errors
    history = client.get(reverse("enterprises:detail", args=[ent.pk])).context["history"]
    changes = {c.field: (c.old, c.new) for entry in history for c in entry.changes}
    assert changes["park"] == (world.park_in.name, "—")
    assert changes["industry"][1] == "Information transmission, software and IT services"
    assert "High-tech enterprise" in changes["tags"][1]


def test_enterprise_admin_edits_contacts_but_not_the_code_or_region(world: Any, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    ent = world.ent_in
    response = client.post(
        reverse("enterprises:update", args=[ent.pk]),
        form_data(ent, contact_name="李四", uscc=make_uscc("500105", 999), region="500116", is_liaison_point=""),
    )
    assert response.status_code == 302, response.context["form"].errors
    ent.refresh_from_db()
    assert ent.contact_name == "李四"
    assert ent.uscc == make_uscc("500105", 1) and ent.region_id == "500105" and ent.is_liaison_point


def test_staff_cannot_edit(world: Any, client: Any) -> None:
    client.force_login(world.ent_staff_in)
    assert client.get(reverse("enterprises:update", args=[world.ent_in.pk])).status_code == 404
    detail = client.get(reverse("enterprises:detail", args=[world.ent_in.pk]))
    assert detail.status_code == 200 and not detail.context["can_change"]


def list_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST)
        assert response.status_code == 200
        response = client.get(LIST, HTTP_HX_REQUEST="true")
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(city: Any, client: Any, django_assert_max_num_queries: Any) -> None:
    few = list_queries(client)
    tags = list(Tag.objects.all())
    for serial in range(40):
        ent = make_enterprise(
            "500105" if serial % 2 else "500116",
            f"计数企业{serial:03d}",
            200 + serial,
            park=city.park_in if serial % 2 else city.park_out,
            liaison_officer=city.officer_in if serial % 2 else city.officer_out,
            employee_count=serial,
        )
        ent.tags.set(tags[: serial % 3])
    with django_assert_max_num_queries(few):
        list_queries(client)
    with django_assert_max_num_queries(12):
        client.get(LIST)


@pytest.mark.parametrize(
    "typed",
    ["9150 0105 0000 4242 {last}", "{code_lower}", "{code_fullwidth}", "  {code} "],
)
def test_create_form_normalises_pasted_codes(world: Any, client: Any, typed: str) -> None:
    code = make_uscc("500105", 4242)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    typed = typed.format(last=code[16:], code_lower=code.lower(), code_fullwidth=fullwidth, code=code)
    client.force_login(world.regulator_in)
    response = client.post(reverse("enterprises:create"), form_data(uscc=typed))
    assert response.status_code == 302, response.context["form"].errors
    assert Enterprise.objects.filter(uscc=code).exists()


def test_create_form_says_what_is_wrong_with_the_length(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("enterprises:create"), form_data(uscc="9150010500004242"))
    (message,) = response.context["form"].errors["uscc"]
    assert "18 characters; this one has 16" in message


def test_duplicate_code_typed_in_lower_case_is_refused(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    response = client.post(reverse("enterprises:create"), form_data(uscc=world.ent_in.uscc.lower()))
    assert response.status_code == 200
    assert "uscc" in response.context["form"].errors
