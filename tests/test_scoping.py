"""restrict(user, action) per role and action, and the re-check after a write."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from shangmi.accounts.models import User
from shangmi.core.scoping import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    OutOfScopeError,
    ensure_in_scope,
    get_scoped_or_404,
    in_scope,
    scope_q,
    scope_subtree,
)
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.services import enterprise_update
from shangmi.jobs.models import Job
from shangmi.regions.models import Park, Region
from tests.conftest import make_enterprise


def names(user: Any, action: str = VIEW, model: Any = Enterprise) -> set[str]:
    return {str(o) for o in model.objects.restrict(user, action)}


def test_regulator_sees_their_subtree(world: Any) -> None:
    assert names(world.regulator_in) == {world.ent_in.name}
    assert names(world.regulator_out) == {world.ent_out.name}
    for action in (ADD, CHANGE, DELETE):
        assert names(world.regulator_in, action) == {world.ent_in.name}


def test_city_regulator_sees_the_whole_city(world: Any) -> None:
    assert names(world.city_regulator) == {world.ent_in.name, world.ent_out.name}
    elsewhere = make_enterprise("110101", "北京东城企业", 3)
    assert elsewhere.name not in names(world.city_regulator)


def test_regulator_subtree_is_by_path_not_by_code_prefix(world: Any) -> None:
    # 500105 must not match 5001050... style codes; paths end in "/" so 江北 never covers 江津.
    assert not Enterprise.objects.restrict(world.regulator_in).filter(pk=world.ent_out.pk).exists()


def test_platform_admin_and_superuser_see_everything(world: Any) -> None:
    assert names(world.admin, DELETE) == {world.ent_in.name, world.ent_out.name}
    superuser = User.objects.create(username="root", is_superuser=True, role="")
    assert names(superuser, CHANGE) == {world.ent_in.name, world.ent_out.name}


def test_park_operator_sees_their_park_read_only(world: Any) -> None:
    assert names(world.park_operator_in) == {world.ent_in.name}
    assert names(world.park_operator_in, CHANGE) == set()
    assert names(world.park_operator_in, VIEW, Park) == {world.park_in.name}
    assert names(world.park_operator_in, CHANGE, Park) == {world.park_in.name}


def test_enterprise_admin_may_change_their_own(world: Any) -> None:
    assert names(world.ent_admin_in) == {world.ent_in.name}
    assert names(world.ent_admin_in, CHANGE) == {world.ent_in.name}
    assert names(world.ent_admin_in, ADD) == set()
    assert names(world.ent_admin_in, DELETE) == set()


def test_enterprise_staff_only_view(world: Any) -> None:
    assert names(world.ent_staff_in) == {world.ent_in.name}
    for action in (ADD, CHANGE, DELETE):
        assert names(world.ent_staff_in, action) == set()


def test_officer_sees_only_assigned_enterprises(world: Any) -> None:
    assert names(world.officer_in) == {world.ent_in.name}
    unassigned = make_enterprise("500105", "江北未分配企业", 4)
    assert unassigned.name not in names(world.officer_in)
    assert names(world.officer_in, CHANGE) == set()
    # Reassigning the officer moves the visibility with it.
    world.ent_out.liaison_officer = world.officer_in
    world.ent_out.save()
    assert names(world.officer_in) == {world.ent_in.name, world.ent_out.name}


@pytest.mark.parametrize("attr", ["expert", "judicial"])
def test_expert_and_judicial_see_no_enterprises(world: Any, attr: str) -> None:
    user = getattr(world, attr)
    assert names(user) == set()
    assert names(user, VIEW, Park) == set()


def test_anonymous_sees_nothing(world: Any) -> None:
    anonymous = AnonymousUser()
    assert names(anonymous) == set()
    assert names(None) == set()
    assert Region.objects.restrict(anonymous).count() == 0
    assert User.objects.restrict(anonymous).count() == 0


def test_inactive_user_sees_nothing(world: Any) -> None:
    world.regulator_in.is_active = False
    world.regulator_in.save()
    assert names(world.regulator_in) == set()
    assert Region.objects.restrict(world.regulator_in).count() == 0
    assert scope_q(Enterprise, world.regulator_in) is None


def test_regulator_without_region_sees_nothing(world: Any) -> None:
    stray = User.objects.create(username="stray", role="regulator")
    assert names(stray) == set()


def test_regions_are_public_to_every_signed_in_user(world: Any) -> None:
    total = Region.objects.count()
    for user in (world.ent_staff_out, world.expert, world.officer_in):
        assert Region.objects.restrict(user).count() == total
        assert Region.objects.restrict(user, CHANGE).count() == 0


def test_accounts_scope(world: Any) -> None:
    def usernames(user: Any, action: str = VIEW) -> set[str]:
        return {u.username for u in User.objects.restrict(user, action)}

    jiangbei = usernames(world.regulator_in)
    assert {"jiangbei_regulator", "park_in", "ent_admin_in", "ent_staff_in", "officer_in", "judicial"} <= jiangbei
    assert not jiangbei & {"jiangjin_regulator", "park_out", "ent_admin_out", "ent_staff_out", "officer_out"}
    assert usernames(world.ent_admin_in) == {"ent_admin_in", "ent_staff_in"}
    assert usernames(world.ent_staff_in) == {"ent_staff_in"}  # only themselves
    assert usernames(world.ent_staff_in, CHANGE) == set()
    assert usernames(world.officer_in) == {"officer_in"}


def test_jobs_belong_to_who_started_them(world: Any) -> None:
    job = Job.objects.create(kind="export", title="t", created_by=world.regulator_in)
    assert list(Job.objects.restrict(world.regulator_in)) == [job]
    assert not Job.objects.restrict(world.city_regulator).exists()
    # Not even the platform administrator: a job's input may be another unit's data.
    assert not Job.objects.restrict(world.admin).exists()


def test_restrict_across_a_to_many_relation_has_no_duplicates(world: Any) -> None:
    Enterprise.objects.filter(pk=world.ent_out.pk).update(park=world.park_in)
    Enterprise.objects.filter(pk=world.ent_out.pk).update(region=world.jiangbei)
    parks = list(Park.objects.restrict(world.ent_admin_in))
    assert parks == [world.park_in]


def test_unknown_action_is_an_error(world: Any) -> None:
    with pytest.raises(ValueError):
        Enterprise.objects.restrict(world.admin, "approve")


def test_helpers(world: Any) -> None:
    from django.http import Http404

    assert in_scope(world.ent_in, world.regulator_in)
    assert not in_scope(world.ent_out, world.regulator_in)
    assert get_scoped_or_404(Enterprise, world.regulator_in, pk=world.ent_in.pk) == world.ent_in
    with pytest.raises(Http404):
        get_scoped_or_404(Enterprise, world.regulator_in, pk=world.ent_out.pk)
    with pytest.raises(OutOfScopeError):
        ensure_in_scope(world.ent_out, world.regulator_in)


def test_service_refuses_moving_an_enterprise_out_of_scope(world: Any) -> None:
    with pytest.raises(OutOfScopeError):
        enterprise_update(
            user=world.regulator_in, enterprise=world.ent_in, data={"region": world.jiangjin, "park": None}
        )
    world.ent_in.refresh_from_db()
    assert world.ent_in.region_id == "500105"
    assert world.ent_in.park_id == world.park_in.pk


def test_edit_page_refuses_moving_an_enterprise_out_of_scope(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    ent = world.ent_in
    history_before = ent.history.count()
    data = {
        "name": ent.name,
        "uscc": ent.uscc,
        "region": "500116",
        "park": "",
        "industry": "",
        "employee_count": "",
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "is_liaison_point": "on",
        "liaison_officer": world.officer_in.pk,
    }
    response = client.post(reverse("enterprises:update", args=[ent.pk]), data)
    assert response.status_code == 200  # the form again, with the reason
    ent.refresh_from_db()
    assert ent.region_id == "500105"
    assert ent.park_id == world.park_in.pk
    assert ent.history.count() == history_before
    assert Enterprise.objects.restrict(world.regulator_in).filter(pk=ent.pk).exists()


def test_city_regulator_may_move_between_its_districts(world: Any) -> None:
    enterprise_update(user=world.city_regulator, enterprise=world.ent_in, data={"region": world.jiangjin, "park": None})
    world.ent_in.refresh_from_db()
    assert world.ent_in.region_id == "500116"


def test_may_agrees_with_scope_q_for_every_role_model_and_action(world) -> None:
    """``may`` answers without a query what ``scope_q`` would: a row is possible at all."""
    from django.apps import apps

    from shangmi.core.scoping import ACTIONS, may, scope_q

    models_with_scope = [m for m in apps.get_models() if hasattr(m, "scope")]
    users = [u for name, u in vars(world).items() if hasattr(u, "role") and hasattr(u, "is_authenticated")]
    assert models_with_scope and len(users) > 5
    for model in models_with_scope:
        for user in users:
            for action in ACTIONS:
                expected = scope_q(model, user, action) is not None
                assert may(user, action, model) == expected, (model._meta.label, user.username, action)


def test_scope_subtree_is_the_region_a_scope_is_exactly(world: Any) -> None:
    """The half-year page reads per-region summaries only for a scope that is one region's whole
    subtree: what scope_subtree answers must be what restrict() gives."""
    assert scope_subtree(Enterprise, world.admin) == ""
    assert scope_subtree(Enterprise, world.city_regulator) == world.chongqing.path
    assert scope_subtree(Enterprise, world.regulator_in) == world.jiangbei.path
    for name in ("officer_in", "park_operator_in", "ent_admin_in", "ent_staff_in", "expert", "judicial"):
        assert scope_subtree(Enterprise, getattr(world, name)) is None, name
    assert scope_subtree(Enterprise, AnonymousUser()) is None
    world.regulator_out.is_active = False
    assert scope_subtree(Enterprise, world.regulator_out) is None
    # Where it answers a path, restrict() gives exactly that subtree.
    for user in (world.city_regulator, world.regulator_in):
        path = scope_subtree(Enterprise, user)
        assert path is not None
        within = Enterprise.objects.filter(region__path__startswith=path)
        assert set(Enterprise.objects.restrict(user)) == set(within)


def test_restricted_for_planner_gives_the_rows_restrict_gives(world: Any) -> None:
    """The half-year page reads its rows through restricted_for_planner (an IN list of region
    codes on PostgreSQL, restrict() elsewhere): for every user of every kind, action and a few
    scoped models, the same rows as restrict()."""
    from shangmi.core.scoping import ACTIONS, restricted_for_planner

    # Rows on both sides of every region the world has, so a wrong subtree would show.
    for serial, region in enumerate(Region.objects.all(), start=900):
        make_enterprise(region.code, f"Planner test {region.code}", serial)
    users = [u for u in vars(world).values() if hasattr(u, "role") and hasattr(u, "is_authenticated")]
    assert len(users) > 5
    for user in [*users, AnonymousUser()]:
        for action in ACTIONS:
            for model in (Enterprise, Park):
                expected = set(model.objects.restrict(user, action).values_list("pk", flat=True))
                got = set(restricted_for_planner(model, user, action).values_list("pk", flat=True))
                assert got == expected, (getattr(user, "username", "anonymous"), action, model.__name__)
    # The regulator's province-wide scope really is narrowed (not everything).
    assert set(restricted_for_planner(Enterprise, world.city_regulator)) != set(Enterprise.objects.all())
