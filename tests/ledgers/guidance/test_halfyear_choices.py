"""The half-year page's officer choices, asked per officer (halfyear.officers_of), are exactly
the officers of the enterprises in the reader's scope, as the IN-over-every-enterprise form
they replace found them; the page offers them and the scope's districts."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shangmi.accounts.models import User
from shangmi.core.roles import Role
from shangmi.core.scoping import VIEW
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance.halfyear import guided_enterprises, officers_of
from shangmi.regions.models import Region
from tests.conftest import make_enterprise, make_user


def test_the_officer_choices_are_the_scope_s_officers(world: Any) -> None:
    guide = make_user("guide_only", Role.OFFICER, region=world.jiangjin)
    make_enterprise("500116", "江津指导员企业", 3, guidance_officer=guide)
    # Followed by nobody: its district (渝中区) is no choice, for anyone.
    make_enterprise("500103", "渝中无人联系企业", 4)
    readers = [world.city_regulator, world.regulator_in, world.regulator_out, world.officer_in, world.ent_admin_in]
    seen = {}
    for reader in readers:
        enterprises = guided_enterprises(Enterprise.objects.restrict(reader, VIEW))
        held = Region.objects.filter(pk__in=enterprises.values("region_id")).order_by("code")
        regions = list(held.values_list("code", flat=True))
        officers = list(officers_of(enterprises).values_list("username", flat=True))
        assert officers == list(
            User.objects.filter(
                Q(pk__in=enterprises.values("liaison_officer_id")) | Q(pk__in=enterprises.values("guidance_officer_id"))
            )
            .order_by("full_name", "username")
            .values_list("username", flat=True)
        )
        seen[reader.username] = (regions, officers)
    assert seen["cq_regulator"] == (["500105", "500116"], ["guide_only", "officer_in", "officer_out"])
    assert seen["jiangjin_regulator"] == (["500116"], ["guide_only", "officer_out"])
    assert seen["officer_in"] == (["500105"], ["officer_in"])


def test_the_page_offers_them(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    page = client.get("/ledgers/guidance/half-year/").content.decode()
    assert 'value="500105"' in page and 'value="500116"' in page and 'value="500103"' not in page
    assert f'value="{world.officer_in.pk}"' in page and f'value="{world.officer_out.pk}"' in page
