"""No one reads an enterprise's secrets by making an account for it: approval by its admin,
the enterprise told, every account change and every read of its deposits shown to its admins."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from shangmi.accounts.models import AccountEvent, User
from shangmi.accounts.services import NOT_AWAITING, account_create, account_decide
from shangmi.core.errors import AppError
from shangmi.core.roles import Role
from shangmi.evidence.models import DepositAccess
from tests.conftest import make_enterprise

PASSWORD = "Welcome-2026-x"


def new_admin(creator: User, enterprise: Any, username: str = "bureau_made") -> User:
    return account_create(
        creator=creator,
        data={"username": username, "password": PASSWORD, "role": Role.ENTERPRISE_ADMIN, "enterprise": enterprise},
    )


def test_an_account_made_by_the_bureau_waits_for_the_enterprise(
    world: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    world.ent_in.contact_email = "office@jiangbei.example"
    world.ent_in.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = new_admin(world.regulator_in, world.ent_in)
    assert made.awaiting_approval and not made.is_active
    # It cannot sign in, and a session forced on it reads nothing.
    response = client.post(reverse("accounts:login"), {"username": made.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session and response.status_code == 200
    # The enterprise's admin is told, and so is its registered contact.
    assert world.ent_admin_in.notifications.filter(url=reverse("accounts:approvals")).exists()
    assert [m.to for m in mail.outbox] == [["office@jiangbei.example"]]
    assert made.username in mail.outbox[0].body and "江北内部科技有限公司" in mail.outbox[0].subject
    events = AccountEvent.objects.filter(enterprise=world.ent_in, username=made.username)
    assert [(e.kind, e.actor) for e in events] == [(AccountEvent.Kind.AWAITING, world.regulator_in)]


def test_the_platform_administrator_cannot_skip_the_approval(world: Any) -> None:
    made = new_admin(world.admin, world.ent_in, "admin_made")
    assert made.awaiting_approval and not made.is_active


def test_the_enterprise_admin_approves(world: Any, client: Client) -> None:
    made = new_admin(world.regulator_in, world.ent_in)
    client.force_login(world.ent_admin_in)
    assert made.username in client.get(reverse("accounts:approvals")).content.decode()
    response = client.post(reverse("accounts:user_decide", args=[made.pk]), {"decision": "approve"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.is_active and not made.awaiting_approval
    assert (
        Client().post(reverse("accounts:login"), {"username": made.username, "password": PASSWORD}).status_code == 302
    )
    kinds = list(AccountEvent.objects.filter(username=made.username).values_list("kind", flat=True))
    assert AccountEvent.Kind.APPROVED in kinds


def test_the_enterprise_admin_refuses(world: Any, client: Client) -> None:
    made = new_admin(world.regulator_in, world.ent_in)
    client.force_login(world.ent_admin_in)
    client.post(reverse("accounts:user_decide", args=[made.pk]), {"decision": "refuse"})
    assert not User.objects.filter(pk=made.pk).exists()
    assert AccountEvent.objects.filter(username=made.username, kind=AccountEvent.Kind.REJECTED).exists()


@pytest.mark.parametrize("who", ["ent_admin_out", "regulator_in", "admin", "ent_staff_in"])
def test_only_the_enterprises_own_admin_decides(world: Any, client: Client, who: str) -> None:
    made = new_admin(world.regulator_in, world.ent_in)
    approver = getattr(world, who)
    client.force_login(approver)
    assert client.post(reverse("accounts:user_decide", args=[made.pk]), {"decision": "approve"}).status_code == 404
    with pytest.raises(AppError) as exc:
        account_decide(user=approver, account=made, approve=True)
    assert exc.value.message is NOT_AWAITING
    made.refresh_from_db()
    assert made.awaiting_approval and not made.is_active


def test_the_enterprises_own_admin_needs_no_approval(world: Any) -> None:
    made = account_create(
        creator=world.ent_admin_in,
        data={"username": "colleague", "password": PASSWORD, "role": Role.ENTERPRISE_STAFF, "enterprise": world.ent_in},
    )
    assert made.is_active and not made.awaiting_approval
    assert mail.outbox == []


def test_the_first_admin_is_made_by_the_bureau_and_the_enterprise_is_told(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    fresh = make_enterprise("500105", "江北新注册科技有限公司", 77, contact_email="boss@fresh.example")
    with django_capture_on_commit_callbacks(execute=True):
        made = new_admin(world.regulator_in, fresh, "first_admin")
    assert made.is_active and not made.awaiting_approval
    assert [m.to for m in mail.outbox] == [["boss@fresh.example"]]
    assert "first_admin" in mail.outbox[0].body
    assert AccountEvent.objects.filter(enterprise=fresh, kind=AccountEvent.Kind.CREATED).exists()


def test_role_changes_and_password_resets_are_shown_to_the_admins(world: Any, client: Client) -> None:
    staff = world.ent_staff_in
    staff.set_password("Reset-by-someone-42")
    staff.save()
    staff.role = Role.ENTERPRISE_ADMIN
    staff.save()
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("accounts:events")).content.decode()
    assert page.count(staff.username) >= 2
    kinds = set(AccountEvent.objects.filter(account=staff).values_list("kind", flat=True))
    assert {AccountEvent.Kind.PASSWORD_SET, AccountEvent.Kind.ROLE_CHANGED} <= kinds
    # Not to another enterprise's admin, nor to the bureau.
    for other in (world.ent_admin_out, world.regulator_in, world.admin):
        client.force_login(other)
        assert staff.username not in client.get(reverse("accounts:events")).content.decode()


def test_the_admins_read_who_read_their_deposits(world: Any, client: Client) -> None:
    from tests.test_scope_walk import _deposit

    deposit = _deposit(world, world.ent_admin_in, "in")
    reader = Client()
    reader.force_login(world.ent_staff_in)
    assert reader.get(reverse("evidence:detail", args=[deposit.pk])).status_code == 200
    assert DepositAccess.objects.filter(user=world.ent_staff_in, deposit=deposit).exists()
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("evidence:access_log")).content.decode()
    assert world.ent_staff_in.username in page and deposit.title in page and "打开了一项存证" in page
    for other in (world.ent_admin_out, world.ent_staff_in, world.regulator_in, world.admin):
        client.force_login(other)
        assert deposit.title not in client.get(reverse("evidence:access_log")).content.decode()


def test_the_first_admin_needs_a_registered_contact(world: Any, client: Client) -> None:
    """Without a contact address the enterprise could not be told: the first account is refused."""
    from shangmi.accounts.services import NO_CONTACT

    silent = make_enterprise("500105", "江北无邮箱科技有限公司", 78)
    with pytest.raises(AppError) as exc:
        new_admin(world.regulator_in, silent, "unseen_admin")
    assert exc.value.message is NO_CONTACT
    client.force_login(world.regulator_in)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "unseen_admin", "password": PASSWORD, "role": Role.ENTERPRISE_ADMIN, "enterprise": silent.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and "has no registered contact email" in response.content.decode()
    assert not User.objects.filter(username="unseen_admin").exists()


def _contact_notices(world: Any) -> list[str]:
    return list(world.ent_admin_in.notifications.values_list("title", flat=True))


def test_a_bureau_changing_the_contact_tells_the_old_one(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Else a bureau could point the notice at itself, then make an account there unseen."""
    from shangmi.enterprises.services import enterprise_update

    world.ent_in.contact_email = "office@jiangbei.example"
    world.ent_in.save()
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_update(
            user=world.regulator_in, enterprise=world.ent_in, data={"contact_email": "mine@bureau.example"}
        )
    assert [m.to for m in mail.outbox] == [["office@jiangbei.example"]]
    assert "mine@bureau.example" in mail.outbox[0].body and world.regulator_in.username in mail.outbox[0].subject
    assert "registered contact email" in mail.outbox[0].body  # Chinese, then English
    assert any(world.regulator_in.username in title for title in _contact_notices(world))
    # Unchanged (or only its case): nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_update(
            user=world.regulator_in, enterprise=world.ent_in, data={"contact_email": "Mine@bureau.example"}
        )
    assert mail.outbox == []


def test_the_edit_page_and_the_api_tell_the_old_contact(
    world: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from rest_framework.test import APIClient

    world.ent_in.contact_email = "office@jiangbei.example"
    world.ent_in.save()
    api = APIClient()
    api.force_authenticate(world.regulator_in)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/v1/enterprises/{world.ent_in.pk}/", {"contact_email": "api@bureau.example"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert [m.to for m in mail.outbox] == [["office@jiangbei.example"]]
    mail.outbox.clear()
    client.force_login(world.regulator_in)
    page = client.get(reverse("enterprises:update", args=[world.ent_in.pk]))
    data = {
        name: field.value() if field.value() is not None else ""
        for name, field in ((n, page.context["form"][n]) for n in page.context["form"].fields)
    }
    data["contact_email"] = "page@bureau.example"
    data["tags"] = [t.pk for t in world.ent_in.tags.all()]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enterprises:update", args=[world.ent_in.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert [m.to for m in mail.outbox] == [["api@bureau.example"]]


def test_an_import_that_changes_the_contact_tells_the_old_one(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from shangmi.enterprises.importing import enterprise_import

    world.ent_in.contact_email = "office@jiangbei.example"
    world.ent_in.save()
    rows = [
        ["企业名称", "统一社会信用代码", "所属区县", "联系邮箱"],
        [world.ent_in.name, world.ent_in.uscc, "江北区", "import@bureau.example"],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = enterprise_import(user=world.regulator_in, rows=rows)
    assert result.updated == 1, result.errors
    world.ent_in.refresh_from_db()
    assert world.ent_in.contact_email == "import@bureau.example"
    assert [m.to for m in mail.outbox] == [["office@jiangbei.example"]]


def test_reads_through_the_api_are_in_the_access_log(world: Any, client: Client) -> None:
    """A token reads the deposits as a browser does: the admins see that too."""
    from rest_framework.test import APIClient

    from tests.test_scope_walk import _deposit

    deposit = _deposit(world, world.ent_admin_in, "in")
    api = APIClient()
    api.force_authenticate(world.ent_staff_in)
    assert api.get("/api/v1/evidence/deposits/").status_code == 200
    assert api.get(f"/api/v1/evidence/deposits/{deposit.pk}/").status_code == 200
    actions = set(DepositAccess.objects.filter(user=world.ent_staff_in).values_list("action", flat=True))
    assert {"list_api", "view_api"} <= actions
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("evidence:access_log"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "opened a deposit through the API" in page and "listed the deposits through the API" in page


def test_the_approval_todo_goes_once_nothing_waits(world: Any) -> None:
    """The "awaits your approval" to-do stays while an account of the enterprise waits, and goes
    from its admins once the last is decided (approved or refused)."""
    from shangmi.notices.models import Notification

    world.ent_in.contact_email = "sm@example.com"
    world.ent_in.save()
    first, second = new_admin(world.regulator_in, world.ent_in), new_admin(world.regulator_in, world.ent_in, "second")
    url = reverse("accounts:approvals")
    assert Notification.objects.filter(url=url, recipient=world.ent_admin_in).count() == 2
    account_decide(user=world.ent_admin_in, account=first, approve=True)
    assert Notification.objects.filter(url=url, recipient=world.ent_admin_in).exists()  # second still waits
    account_decide(user=world.ent_admin_in, account=second, approve=False)
    assert not Notification.objects.filter(url=url, recipient=world.ent_admin_in).exists()
