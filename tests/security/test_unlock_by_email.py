"""The owner of a locked account unlocks it by a signed, single-use, expiring link sent by email;
the request page never says whether an account exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shangmi.accounts.unlock import LINK_INVALID, unlock_by_link, unlock_token
from shangmi.core.errors import AppError
from tests.security.test_accounts_hardening import minutes_pass, sign_in


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def lock(username: str) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, username, "wrong-password-1")
    assert sign_in(Client(), username).status_code == 429


def ask(username: str, capture: Any) -> Any:
    with capture(execute=True):
        return Client().post(reverse("accounts:unlock_request"), {"username": username})


def link_in(message: Any) -> str:
    found = re.search(r"https?://\S+/accounts/unlock/link/\?t=(\S+?) ", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def owner(world: Any) -> Any:
    world.regulator_in.email = "owner@jiangbei.example"
    world.regulator_in.save(update_fields=["email"])
    return world.regulator_in


def test_the_owner_unlocks_by_the_emailed_link(owner: Any, django_capture_on_commit_callbacks: Any) -> None:
    lock(owner.username)
    page = Client().post(reverse("accounts:login"), {"username": owner.username, "password": "x"})
    assert reverse("accounts:unlock_request") in page.content.decode()  # the lock page leads here
    response = ask(owner.username, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and 'data-testid="unlock-sent"' in response.content.decode()
    assert [m.to for m in mail.outbox] == [["owner@jiangbei.example"]]
    token = link_in(mail.outbox[0])
    assert "Unlock your account" in mail.outbox[0].body and "解锁" in mail.outbox[0].subject
    # Opening the link changes nothing (a mail scanner may open it); the button does.
    browser = Client()
    page = browser.get(reverse("accounts:unlock_link"), {"t": token})
    assert page.status_code == 200 and 'data-testid="unlock"' in page.content.decode()
    assert sign_in(Client(), owner.username).status_code == 429
    response = browser.post(reverse("accounts:unlock_link"), {"t": token})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert sign_in(Client(), owner.username).status_code == 302


def test_the_link_is_good_once(owner: Any, django_capture_on_commit_callbacks: Any) -> None:
    lock(owner.username)
    ask(owner.username, django_capture_on_commit_callbacks)
    token = link_in(mail.outbox[0])
    assert Client().post(reverse("accounts:unlock_link"), {"t": token}).status_code == 302
    # Used: refused, and it does not lift a later lock either.
    lock(owner.username)
    response = Client().post(reverse("accounts:unlock_link"), {"t": token})
    assert response.status_code == 400
    assert sign_in(Client(), owner.username).status_code == 429
    with pytest.raises(AppError) as exc:
        unlock_by_link(token=token)
    assert exc.value.message is LINK_INVALID


def test_the_link_expires(owner: Any, settings: Any) -> None:
    lock(owner.username)
    token = unlock_token(owner)
    settings.SHANGMI_UNLOCK_LINK_MINUTES = 0  # every link is older than its life
    with pytest.raises(AppError) as exc:
        unlock_by_link(token=token)
    assert exc.value.message is LINK_INVALID
    assert sign_in(Client(), owner.username).status_code == 429


def test_a_forged_or_foreign_link_is_refused(owner: Any, world: Any) -> None:
    lock(owner.username)
    token = unlock_token(owner)
    for bad in ("", "nonsense", token[:-2] + "xx", token.replace(":", ";", 1)):
        with pytest.raises(AppError):
            unlock_by_link(token=bad)
    # Another account's link unlocks that account only.
    lock(world.regulator_out.username)
    assert unlock_by_link(token=unlock_token(world.regulator_out)) == world.regulator_out
    assert sign_in(Client(), owner.username).status_code == 429


def test_a_new_password_or_the_lock_running_out_ends_the_link(owner: Any) -> None:
    lock(owner.username)
    token = unlock_token(owner)
    owner.set_password("Another-Harbour-88")
    owner.save()
    with pytest.raises(AppError):
        unlock_by_link(token=token)
    token = unlock_token(owner)
    minutes_pass(31)  # the lock ran out by itself
    with pytest.raises(AppError):
        unlock_by_link(token=token)


def test_the_request_never_says_whether_an_account_exists(
    owner: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world.regulator_out.email = "out@jiangjin.example"
    world.regulator_out.save(update_fields=["email"])
    lock(owner.username)
    answers = [
        ask(name, django_capture_on_commit_callbacks)
        for name in (owner.username, "no_such_account", world.regulator_out.username, world.ent_staff_in.username)
    ]
    # The same page for a locked account, an unknown name, an account not locked, one without email.
    bodies = {re.sub(r"[A-Za-z0-9]{64}", "", a.content.decode()) for a in answers}  # less the CSRF tokens
    assert {a.status_code for a in answers} == {200} and len(bodies) == 1
    assert [m.to for m in mail.outbox] == [["owner@jiangbei.example"]]  # only the locked one is mailed


def test_one_email_per_lock(owner: Any, django_capture_on_commit_callbacks: Any) -> None:
    lock(owner.username)
    for _ in range(5):
        ask(owner.username, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_the_request_page_in_english(client: Client) -> None:
    page = client.get(reverse("accounts:unlock_request"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Send the unlock link" in page
    page = Client().get(reverse("accounts:unlock_request"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "发送解锁链接" in page
