"""The standards pages: list, full table, and the calculator (plain form and htmx)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shangmi.standards.services import freeze

pytestmark = pytest.mark.django_db


def total_in(html: str) -> str:
    match = re.search(r'data-testid="result-total">([^<]*)<', html)
    assert match, "no result total on the page"
    return match[1]


def test_the_list_shows_every_standard_and_the_frozen_badge(world, client, loaded):
    freeze(loaded["cq-creation"])
    client.force_login(world.ent_staff_in)
    page = client.get(reverse("standards:list")).content.decode()
    assert "重庆市商业秘密保护示范基地(单位)创建标准" in page and "省级商业秘密保护示范区建设要求" in page
    assert reverse("standards:detail", args=[loaded["zj-demo-zone"].pk]) in page
    assert page.count('data-testid="frozen"') == 1


def test_the_detail_page_shows_the_whole_table_and_the_rules(world, client, loaded):
    client.force_login(world.regulator_in)
    page = client.get(reverse("standards:detail", args=[loaded["cq-creation"].pk])).content.decode()
    assert "成立商业秘密保护工作领导小组或类似机构" in page
    assert "组织机构健全" in page and "加分后总分不能超过100分。" in page
    assert '<tr data-code="4.1.c">' in page and "保护制度或管理办法中涵盖对涉密场所、载体管理相关规定内容。" in page
    assert page.count("<tr data-code=") == 39
    assert re.search(
        r'data-code="4\.1\.c">\s*<td[^>]*><code>4\.1\.c</code></td>\s*<td>[^<]*</td>\s*<td[^>]*>2\.5</td>', page
    )
    rules = page[page.index('data-testid="rules"') :]
    assert "100" in rules[: rules.index("</ul>")]


def test_the_detail_page_of_a_conditions_standard_has_no_points_column(world, client, loaded):
    client.force_login(world.park_operator_in)
    page = client.get(reverse("standards:detail", args=[loaded["zj-demo-zone"].pk])).content.decode()
    assert "措施运行有效" in page and page.count("<tr data-code=") == 6
    assert "text-end" not in page[page.index('data-testid="standard-items"') :]


def test_the_calculator_starts_at_zero(world, client, loaded):
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("standards:calculator", args=[loaded["cq-creation"].pk])).content.decode()
    assert total_in(page) == "0" and page.count('name="met"') == 39
    assert 'hx-post="' in page and 'hx-trigger="change"' in page and 'type="submit"' in page


def test_the_calculator_post_answers_the_full_page_with_the_total(world, client, loaded):
    client.force_login(world.ent_admin_in)
    url = reverse("standards:calculator", args=[loaded["cq-creation"].pk])
    page = client.post(url, {"met": ["1.1.a", "4.1.c", "7.1.a"]}).content.decode()
    assert "<html" in page and total_in(page) == "6.5"
    assert re.search(r'value="4\.1\.c" id="met-4\.1\.c" checked', page)
    assert re.search(r'data-testid="category-4">2\.5 / 25<', page)
    assert re.search(r'data-testid="criterion-1\.1">3 / 5<', page)


def test_the_calculator_works_by_get_too(world, client, loaded):
    client.force_login(world.ent_admin_in)
    url = reverse("standards:calculator", args=[loaded["cq-creation"].pk])
    everything = "&".join(f"met={code}" for code in loaded["cq-creation"].items.values_list("code", flat=True))
    page = client.get(f"{url}?{everything}").content.decode()
    assert total_in(page) == "100" and "105" in page  # capped: the raw total is shown beside it


def test_an_htmx_request_gets_only_the_result_fragment(world, client, loaded):
    client.force_login(world.ent_admin_in)
    url = reverse("standards:calculator", args=[loaded["cq-creation"].pk])
    response = client.post(url, {"met": ["5.2.a", "5.2.b"]}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert response.status_code == 200 and total_in(fragment) == "10"
    assert "<html" not in fragment and 'name="met"' not in fragment
    assert fragment.lstrip().startswith('<div class="card" data-testid="calculator-result">')


def test_the_conditions_calculator_passes_with_all_six(world, client, loaded):
    client.force_login(world.ent_admin_in)
    url = reverse("standards:calculator", args=[loaded["zj-demo-zone"].pk])
    codes = [f"1.{n}.a" for n in range(1, 7)]
    some = client.post(url, {"met": codes[:5]}, headers={"HX-Request": "true"}).content.decode()
    assert total_in(some) == "5" and 'data-passed="false"' in some
    every = client.post(url, {"met": codes}, headers={"HX-Request": "true"}).content.decode()
    assert total_in(every) == "6" and 'data-passed="true"' in every


def test_the_calculator_names_codes_that_are_not_items(world, client, loaded):
    client.force_login(world.ent_admin_in)
    url = reverse("standards:calculator", args=[loaded["cq-creation"].pk])
    response = client.post(url, {"met": ["1.1.a", "9.9.z"]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "9.9.z" in response.content.decode() and 'data-testid="result-total"' not in response.content.decode()


def test_the_pages_need_a_sign_in_and_an_existing_standard(world, client, loaded):
    url = reverse("standards:calculator", args=[loaded["cq-creation"].pk])
    assert client.get(url).status_code == 302
    client.force_login(world.expert)
    assert client.get(url).status_code == 200
    assert client.get(reverse("standards:detail", args=[999999])).status_code == 404


def test_the_detail_page_costs_a_fixed_number_of_queries(world, client, loaded, django_assert_max_num_queries):
    client.force_login(world.regulator_in)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("standards:detail", args=[loaded["cq-creation"].pk])).status_code == 200
