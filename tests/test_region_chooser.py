"""The region and year chooser shared by the target, coaching, rates and network pages:
what ``?region=`` and ``?year=`` may say, who gets 404, and the tree picker on each page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from shangmi.core.calendar import program_year
from shangmi.core.scoping import ADD
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.models import RateTarget
from shangmi.regions.chooser import YEARS, chosen_region, chosen_year
from shangmi.regions.picker import in_picker
from shangmi.targets.models import CoachingEnrolment, Target

PAGES = {
    "targets:progress": "region-year-chooser",
    "targets:coaching": "region-year-chooser",
    "ledgers:rates": "region-year-chooser",
    "network:overview": "region-chooser",
}


def request(user: Any, **query: str) -> Any:
    made = RequestFactory().get("/", query)
    made.user = user
    return made


def code(user: Any, model: Any = Target, **query: str) -> str | None:
    region = chosen_region(request(user, **query), model)
    return None if region is None else region.code


# --- chosen_region ------------------------------------------------------------------------------


def test_a_region_is_a_code_a_full_name_or_a_name(world: Any) -> None:
    city = world.city_regulator
    assert code(city, region="500116") == "500116"
    assert code(city, region=" 500116 ") == "500116"
    assert code(city, region="重庆市江津区") == "500116"
    # 江北区 is also 宁波市's: inside one's own tree it is the one there.
    assert code(city, region="江北区") == "500105"
    assert code(city, RateTarget, region="江津区") == "500116"


def test_no_region_is_ones_own_when_one_may_act_there(world: Any) -> None:
    assert code(world.city_regulator) == "500000"
    assert code(world.regulator_in, CoachingEnrolment) == "500105"
    assert chosen_region(request(world.regulator_in), Target, ADD).code == "500105"
    # A platform administrator has no region of their own: nothing is chosen.
    assert code(world.admin) is None
    # A page's own rule decides about one's own region too.
    assert chosen_region(request(world.regulator_in), Target, allowed=lambda user, region: False) is None


def test_a_region_out_of_scope_or_unknown_is_404(world: Any) -> None:
    for text in ("500116", "重庆市江津区", "江津区", "500000", "330602", "999999", "无此地区"):
        with pytest.raises(Http404):
            chosen_region(request(world.regulator_in, region=text), Target)
    # The administrator may open any region.
    assert code(world.admin, region="330602") == "330602"


def test_no_right_on_the_model_is_404_whatever_the_region(world: Any) -> None:
    for user in (world.ent_admin_in, world.park_operator_in, world.officer_in, world.expert):
        for query in ({}, {"region": "500105"}):
            with pytest.raises(Http404):
                chosen_region(request(user, **query), Target)
    with pytest.raises(Http404):
        chosen_region(request(world.ent_admin_in), RateTarget)


def test_a_page_rule_replaces_the_rights_on_the_model(world: Any) -> None:
    # The network's rule: one's own tree (an expert has no right on enterprises at all).
    expert = world.expert
    assert chosen_region(request(expert), Enterprise, allowed=in_picker).code == "500000"
    assert chosen_region(request(expert, region="江津区"), Enterprise, allowed=in_picker).code == "500116"
    with pytest.raises(Http404):
        chosen_region(request(expert, region="330602"), Enterprise, allowed=in_picker)


def test_chosen_year_keeps_to_its_bounds(world: Any) -> None:
    this_year = program_year()

    def year(text: str) -> int:
        return chosen_year(request(world.admin, year=text))

    assert year("2023") == 2023
    assert year(str(YEARS[0])) == YEARS[0] and year(str(YEARS[1])) == YEARS[1]
    for wrong in ("", "abc", "1999", "2101", "-2023"):
        assert year(wrong) == this_year
    assert chosen_year(request(world.admin)) == this_year


# --- the pages ----------------------------------------------------------------------------------


def page(client: Any, name: str, **query: str) -> str:
    response = client.get(reverse(name), {"year": "2023", **query})
    assert response.status_code == 200, (name, query)
    return response.content.decode()


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_opens_the_picker_at_the_chosen_region(world: Any, client: Any, name: str) -> None:
    client.force_login(world.city_regulator)
    for text in ("500116", "重庆市江津区", "江津区"):
        html = page(client, name, region=text)
        chooser = html[html.index(f'data-testid="{PAGES[name]}"') :]
        chooser = chooser[: chooser.index("</form>")]
        assert 'data-testid="region-picker"' in chooser
        assert re.search(r'name="region" value="500116" checked', chooser), (name, text)
        # A plain GET form: choosing a region submits it.
        assert "data-submit" in chooser
        assert '<select name="region"' not in html and 'id="choose-region"' not in html
    # Without a region the page opens on one's own.
    assert re.search(r'name="region" value="500000" checked', page(client, name))


@pytest.mark.parametrize("name", list(PAGES))
def test_a_strangers_region_is_404_on_each_page(world: Any, client: Any, name: str) -> None:
    client.force_login(world.regulator_in)
    assert re.search(r'name="region" value="500105" checked', page(client, name))
    for text in ("500116", "重庆市江津区", "江津区", "999999"):
        assert client.get(reverse(name), {"region": text, "year": "2023"}).status_code == 404, (name, text)


def test_the_year_goes_with_the_region_where_the_page_has_one(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    for name in ("targets:progress", "targets:coaching", "ledgers:rates"):
        assert 'name="year" id="choose-year" value="2023"' in page(client, name)
    assert 'name="year"' not in page(client, "network:overview")


def test_the_enterprise_list_does_not_submit_on_choice(world: Any, client: Any) -> None:
    # Its form is htmx-driven and sends itself on change: a second submission would be one too many.
    client.force_login(world.city_regulator)
    html = client.get(reverse("enterprises:list")).content.decode()
    assert 'data-testid="region-picker"' in html and "data-submit" not in html
