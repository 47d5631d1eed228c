"""Accounts: a lock no one can stretch, per account and per address, lifted by an administrator;
API tokens that expire, end with a password change and can be revoked; no pattern passwords;
jobs are their owner's alone; an enterprise cannot leave its park."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shangmi.accounts.models import User
from shangmi.accounts.services import NOT_LOCKED, account_unlock
from shangmi.core.errors import AppError
from shangmi.enterprises.services import BUREAU_ONLY, enterprise_update
from shangmi.jobs.models import Job

PASSWORD = "Secret-pass-2026"


def sign_in(client: Client, username: str, password: str = PASSWORD, address: str = "127.0.0.1") -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def minutes_pass(minutes: int) -> None:
    """Move every attempt record back in time, as if ``minutes`` had passed."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - timedelta(minutes=minutes)
        )


def test_failures_during_a_lock_do_not_extend_it(world: Any, client: Client) -> None:
    name = world.regulator_in.username
    for _ in range(5):
        sign_in(client, name, "wrong-password-1")
    assert sign_in(client, name).status_code == 429
    minutes_pass(20)
    for _ in range(10):  # the attacker keeps typing
        assert sign_in(client, name, "wrong-password-1").status_code == 429
    minutes_pass(11)  # 31 minutes after the first failure
    assert sign_in(client, name).status_code == 302


def test_the_lock_runs_from_the_first_failure(world: Any, client: Client) -> None:
    name = world.regulator_in.username
    for _ in range(3):
        sign_in(client, name, "wrong-password-1")
    minutes_pass(20)
    for _ in range(2):
        sign_in(client, name, "wrong-password-1")
    assert sign_in(client, name).status_code == 429
    minutes_pass(11)
    assert sign_in(client, name).status_code == 302


def test_one_address_guessing_across_accounts_is_locked(world: Any, client: Client) -> None:
    for n in range(20):
        sign_in(client, f"guess{n}", "wrong-password-1", address="10.9.8.7")
    # A real account with its right password, from that address: locked; from another: fine.
    assert sign_in(client, world.regulator_out.username, address="10.9.8.7").status_code == 429
    assert sign_in(Client(), world.regulator_out.username, address="10.1.1.1").status_code == 302


def test_the_token_endpoint_answers_429_when_locked(world: Any) -> None:
    api = APIClient()
    for _ in range(5):
        response = api.post("/api/v1/token/", {"username": "ent_admin_in", "password": "wrong-1x"}, format="json")
    assert response.status_code in (400, 429)
    response = api.post("/api/v1/token/", {"username": "ent_admin_in", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()


def test_an_administrator_unlocks_an_account(world: Any, client: Client) -> None:
    name = world.regulator_in.username
    for _ in range(5):
        sign_in(client, name, "wrong-password-1")
    stranger = Client()
    stranger.force_login(world.regulator_out)
    assert stranger.post(reverse("accounts:user_unlock", args=[world.regulator_in.pk])).status_code == 404
    assert sign_in(Client(), name).status_code == 429
    admin = Client()
    admin.force_login(world.city_regulator)
    page = admin.get(reverse("accounts:user_detail", args=[world.regulator_in.pk])).content.decode()
    assert 'data-testid="account-locked"' in page
    assert admin.post(reverse("accounts:user_unlock", args=[world.regulator_in.pk])).status_code == 302
    assert sign_in(Client(), name).status_code == 302
    with pytest.raises(AppError) as exc:
        account_unlock(user=world.city_regulator, account=world.regulator_in)
    assert exc.value.message is NOT_LOCKED


def _token(api: APIClient, username: str) -> str:
    response = api.post("/api/v1/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_tokens_expire(world: Any, settings: Any) -> None:
    api = APIClient()
    key = _token(api, world.regulator_in.username)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/enterprises/").status_code == 200
    Token.objects.filter(key=key).update(
        created=timezone.now() - timedelta(days=settings.SHANGMI_API_TOKEN_DAYS, seconds=1)
    )
    assert api.get("/api/v1/enterprises/").status_code == 401
    # Asking again gives a new key that works.
    fresh = _token(APIClient(), world.regulator_in.username)
    assert fresh != key


def test_a_password_change_revokes_tokens(world: Any, client: Client) -> None:
    api = APIClient()
    key = _token(api, world.regulator_in.username)
    client.force_login(world.regulator_in)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Fresh-Harbour-73", "new_password2": "Fresh-Harbour-73"},
    )
    assert response.status_code == 302
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/enterprises/").status_code == 401
    assert not Token.objects.filter(user=world.regulator_in).exists()


def test_the_owner_lists_and_revokes_their_token(world: Any, client: Client) -> None:
    key = _token(APIClient(), world.regulator_in.username)
    other = _token(APIClient(), world.regulator_out.username)
    client.force_login(world.regulator_in)
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert key[:8] in page and other[:8] not in page
    assert client.post(reverse("accounts:tokens")).status_code == 302
    assert not Token.objects.filter(key=key).exists()
    assert Token.objects.filter(key=other).exists()


@pytest.mark.parametrize("password", ["1111111111a", "abcdef12345", "Ab1Ab1Ab1Ab1", "Qaaaa-2026-zz"])
def test_pattern_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, User(username="someone"))


def test_the_pattern_message_in_both_languages() -> None:
    for language, words in (("en", "repeats the same character"), ("zh-hans", "连续重复")):
        with translation.override(language), pytest.raises(ValidationError) as exc:
            validate_password("1111111111a", User(username="someone"))
        assert any(words in m for m in exc.value.messages), exc.value.messages


def test_a_platform_administrator_does_not_read_others_jobs(world: Any, client: Client, tmp_media: Any) -> None:
    job = Job.objects.create(kind="import", title="江北名单", created_by=world.regulator_in)
    job.input_file.save("list.xlsx", ContentFile(b"rows"))
    client.force_login(world.admin)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert "江北名单" not in client.get(reverse("jobs:list")).content.decode()


def test_an_enterprise_admin_cannot_leave_its_park(world: Any, client: Client) -> None:
    with pytest.raises(AppError) as exc:
        enterprise_update(user=world.ent_admin_in, enterprise=world.ent_in, data={"park": None})
    assert exc.value.message is BUREAU_ONLY
    api = APIClient()
    api.force_authenticate(world.ent_admin_in)
    # Through the API the park is read-only to the enterprise's people, as its code and region:
    # sent, it is ignored, and the answer shows the park it still has.
    response = api.patch(f"/api/v1/enterprises/{world.ent_in.pk}/", {"park": None}, format="json")
    assert response.status_code == 200 and response.json()["park"] == world.park_in.pk
    world.ent_in.refresh_from_db()
    assert world.ent_in.park_id == world.park_in.pk
    # The regulator may.
    enterprise_update(user=world.regulator_in, enterprise=world.ent_in, data={"park": None})
    world.ent_in.refresh_from_db()
    assert world.ent_in.park_id is None
