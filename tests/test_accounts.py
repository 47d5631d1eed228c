"""Accounts: password storage and policy, sign-in, lockout, sign-out, who may create whom."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from shangmi import settings as project_settings
from shangmi.accounts.forms import creatable_roles
from shangmi.accounts.models import User
from shangmi.core.roles import Role
from tests.conftest import make_user

PASSWORD = "Secret-pass-2026"
NEW_PASSWORD = "Another-pass-2027"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def english(client: Any) -> Any:
    client.cookies["django_language"] = "en"
    return client


# --- passwords --------------------------------------------------------------------------


def test_argon2_is_the_default_hasher(settings: Any, db: Any) -> None:
    assert project_settings.PASSWORD_HASHERS[0] == "shangmi.accounts.hashers.ConfiguredArgon2PasswordHasher"
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_user("hashed", Role.EXPERT)
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1-short", "too short"),
        ("3141592653589793", "entirely numeric"),
        ("OnlyLettersHere", "both letters and digits"),
        ("password123", "too common"),
    ],
)
def test_password_policy(password: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_password(password, User(username="someone"))
    assert any(reason in message for message in exc.value.messages), exc.value.messages


def test_a_good_password_passes() -> None:
    validate_password(PASSWORD, User(username="someone"))


# --- signing in and out -----------------------------------------------------------------


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_sign_in_through_the_form(world: Any, client: Any) -> None:
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode() and 'name="password"' in page.content.decode()
    response = sign_in(client, world.regulator_in.username)
    assert response.status_code == 302
    assert response.url == reverse("home:home")
    assert client.get(reverse("home:home")).status_code == 200


def test_wrong_password_shows_the_form_again(world: Any, client: Any) -> None:
    response = sign_in(english(client), world.regulator_in.username, "wrong-password-1")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures(world: Any, client: Any) -> None:
    username = world.regulator_in.username
    for _ in range(5):
        response = sign_in(client, username, "wrong-password-1")
    assert response.status_code == 429
    response = sign_in(client, username)  # even with the right password
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert 'data-testid="locked"' in response.content.decode()
    # Another account is not locked (locked by name, not by address).
    assert sign_in(client, world.regulator_out.username).status_code == 302


def test_four_failures_do_not_lock(world: Any, client: Any) -> None:
    for _ in range(4):
        sign_in(client, world.regulator_in.username, "wrong-password-1")
    assert sign_in(client, world.regulator_in.username).status_code == 302


def test_sign_out(world: Any, client: Any) -> None:
    sign_in(client, world.regulator_in.username)
    assert client.get(reverse("home:home")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home:home")).status_code == 302


def test_sign_out_by_get_is_not_allowed(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("home:home")).status_code == 200


# --- creating accounts ------------------------------------------------------------------


def account_data(**extra: Any) -> dict[str, Any]:
    return {"username": "newcomer", "full_name": "新同事", "password": "Welcome-2026-x", **extra}


def test_creatable_roles() -> None:
    assert Role.PLATFORM_ADMIN not in creatable_roles(User(role=Role.REGULATOR))
    assert set(creatable_roles(User(role=Role.ENTERPRISE_ADMIN))) <= {Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN}
    for role in (Role.ENTERPRISE_STAFF, Role.PARK_OPERATOR, Role.OFFICER, Role.EXPERT, Role.JUDICIAL_LIAISON):
        assert creatable_roles(User(role=role)) == []


def test_regulator_creates_an_account_in_their_region(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    response = client.post(reverse("accounts:user_create"), account_data(role=Role.OFFICER, region="500105"))
    assert response.status_code == 302, response.context["form"].errors
    created = User.objects.get(username="newcomer")
    assert response.url == reverse("accounts:user_detail", args=[created.pk])
    assert created.region_id == "500105" and created.role == Role.OFFICER
    assert created.must_change_password
    assert created.park_id is None and created.enterprise_id is None


def test_regulator_creates_enterprise_staff(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    data = account_data(role=Role.ENTERPRISE_STAFF, enterprise=world.ent_in.pk, region="500105")
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 302
    created = User.objects.get(username="newcomer")
    assert created.enterprise == world.ent_in
    assert created.region_id is None  # only the binding of the role is kept


@pytest.mark.parametrize(
    "data",
    [
        {"role": Role.OFFICER, "region": "500116"},
        {"role": Role.REGULATOR, "region": "500000"},
        {"role": Role.ENTERPRISE_ADMIN, "enterprise": "ENT_OUT"},
        {"role": Role.PARK_OPERATOR, "park": "PARK_OUT"},
        {"role": Role.PLATFORM_ADMIN},
    ],
)
def test_regulator_cannot_create_outside(world: Any, client: Any, data: dict[str, Any]) -> None:
    client.force_login(world.regulator_in)
    data = {k: {"ENT_OUT": world.ent_out.pk, "PARK_OUT": world.park_out.pk}.get(v, v) for k, v in data.items()}
    form_page = client.get(reverse("accounts:user_create")).content.decode()
    assert 'value="500116"' not in form_page and world.ent_out.name not in form_page
    response = english(client).post(reverse("accounts:user_create"), account_data(**data))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.filter(username="newcomer").exists()


def test_enterprise_admin_invites_staff(world: Any, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    form = client.get(reverse("accounts:user_create")).context["form"]
    assert "region" not in form.fields and "park" not in form.fields
    assert list(form.fields["enterprise"].queryset) == [world.ent_in]
    response = client.post(
        reverse("accounts:user_create"), account_data(role=Role.ENTERPRISE_STAFF, enterprise=world.ent_in.pk)
    )
    assert response.status_code == 302
    created = User.objects.get(username="newcomer")
    assert created.enterprise == world.ent_in and created.role == Role.ENTERPRISE_STAFF
    assert created.must_change_password


def test_enterprise_admin_cannot_invite_for_another_enterprise(world: Any, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    response = client.post(
        reverse("accounts:user_create"), account_data(role=Role.ENTERPRISE_STAFF, enterprise=world.ent_out.pk)
    )
    assert response.status_code == 200
    assert "enterprise" in response.context["form"].errors
    assert not User.objects.filter(username="newcomer").exists()
    response = client.post(
        reverse("accounts:user_create"), account_data(role=Role.REGULATOR, enterprise=world.ent_in.pk)
    )
    assert response.status_code == 200 and "role" in response.context["form"].errors


@pytest.mark.parametrize("attr", ["ent_staff_in", "officer_in", "park_operator_in", "expert", "judicial"])
def test_others_cannot_create_accounts(world: Any, client: Any, attr: str) -> None:
    client.force_login(getattr(world, attr))
    assert client.get(reverse("accounts:user_create")).status_code == 404
    response = client.post(reverse("accounts:user_create"), account_data(role=Role.ENTERPRISE_STAFF))
    assert response.status_code == 404
    assert not User.objects.filter(username="newcomer").exists()


def test_weak_initial_password_is_refused(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    response = english(client).post(
        reverse("accounts:user_create"), account_data(role=Role.OFFICER, region="500105", password="12345678")
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="newcomer").exists()


def test_new_account_must_change_password_at_first_sign_in(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    client.post(reverse("accounts:user_create"), account_data(role=Role.OFFICER, region="500105"))
    client.logout()
    response = sign_in(client, "newcomer", "Welcome-2026-x")
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change")
    # Going elsewhere first does not help.
    for url in (reverse("home:home"), reverse("enterprises:list"), reverse("accounts:user_list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("accounts:password_change"), url
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Welcome-2026-x", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not User.objects.get(username="newcomer").must_change_password
    assert client.get(reverse("home:home")).status_code == 200


def test_user_list_is_scoped(world: Any, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    body = client.get(reverse("accounts:user_list")).content.decode()
    assert "ent_staff_in" in body
    assert "ent_staff_out" not in body and "jiangbei_regulator" not in body


# --- the home page ----------------------------------------------------------------------


def counts(client: Any) -> dict[str, int]:
    response = english(client).get(reverse("home:home"))
    assert response.status_code == 200
    return {str(label): count for label, count, _url in response.context["summary"].counts}


def test_home_counts_by_role(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    assert counts(client)["Enterprises"] == 1
    assert counts(client)["Parks"] == 1
    client.force_login(world.city_regulator)
    assert counts(client)["Enterprises"] == 2
    assert counts(client)["Liaison points"] == 2
    # An expert reads no registry: their counts are their own assignments.
    client.force_login(world.expert)
    assert "Enterprises" not in counts(client)
    assert counts(client)["Assignments open"] == 0
    client.force_login(world.ent_staff_in)
    assert counts(client)["Enterprises"] == 1


def test_home_shows_the_place(world: Any, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    body = client.get(reverse("home:home")).content.decode()
    assert world.ent_in.name in body and "重庆市江北区" in body
    assert world.ent_out.name not in body
