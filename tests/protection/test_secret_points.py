"""Secret points: the register's rules, the lifecycle's steps and who reads what."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.evidence.models import DepositAccess
from shangmi.protection import services
from shangmi.protection.models import Grade, SecretPoint, SecretPointEvent, Subject, TermKind
from shangmi.protection.services import SecretPointInput
from tests.protection.conftest import People, propose
from tests.refusals import refused_with


def test_a_proposal_holds_its_responsible_person_in_the_circle(world: Any, people: People) -> None:
    point = propose(world.ent_admin_in, people.engineer)
    assert point.status == SecretPoint.Status.PROPOSED
    assert point.category == "technical"
    assert set(point.circle.all()) == {people.engineer}
    assert [e.kind for e in point.events.all()] == [SecretPointEvent.Kind.PROPOSED]


def test_the_lifecycle_goes_proposed_filed_changed_declassified(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    point = propose(admin, people.engineer)
    with refused_with(services.APPROVER_MISSING):
        services.secret_point_file(user=admin, secret_point=point, approver=" ")
    point = services.secret_point_file(user=admin, secret_point=point, approver="赵总（总经理）")
    assert point.status == SecretPoint.Status.FILED
    filed = point.events.get(kind=SecretPointEvent.Kind.FILED)
    assert filed.approver == "赵总（总经理）" and filed.actor == admin and filed.on == program_today()

    data = SecretPointInput(
        name=point.name, subject=Subject.TECH_ALGORITHM, grade=Grade.IMPORTANT, term_kind=TermKind.LONG_TERM,
        department="研发部", responsible=people.engineer, circle=(people.staff,), location="研发中心服务器机房",
        measures=("marking", "devices"),
    )  # fmt: skip
    # A filed secret point changes only with its approver and a reason.
    with refused_with(services.APPROVER_MISSING):
        services.secret_point_change(user=admin, secret_point=point, data=data, note="降级")
    with refused_with(services.REASON_MISSING):
        services.secret_point_change(user=admin, secret_point=point, data=data, approver="赵总")
    point = services.secret_point_change(user=admin, secret_point=point, data=data, approver="赵总", note="降级")
    changed = point.events.get(kind=SecretPointEvent.Kind.CHANGED)
    assert set(changed.changes) == {"grade", "circle"}
    assert changed.changes["circle"] == [["李工"], ["李工", "王员工"]]
    assert point.status == SecretPoint.Status.FILED
    with refused_with(services.NOTHING_CHANGED):
        services.secret_point_change(user=admin, secret_point=point, data=data, approver="赵总", note="再改")

    point = services.secret_point_declassify(
        user=admin, secret_point=point, approver="赵总", on=datetime.date(2026, 1, 5)
    )
    assert point.status == SecretPoint.Status.DECLASSIFIED
    assert [e.kind for e in point.events.all()] == ["proposed", "filed", "changed", "declassified"]


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("proposed", "declassified"),
        ("proposed", "destroyed"),
        ("filed", "filed"),
        ("declassified", "filed"),
        ("declassified", "declassified"),
        ("declassified", "destroyed"),
        ("declassified", "changed"),
        ("destroyed", "declassified"),
        ("destroyed", "changed"),
    ],
)
def test_wrong_transitions_are_refused(world: Any, people: People, status: str, step: str) -> None:
    admin = world.ent_admin_in
    point = propose(admin, people.engineer)
    if status != "proposed":
        point = services.secret_point_file(user=admin, secret_point=point, approver="赵总")
    if status == "declassified":
        point = services.secret_point_declassify(user=admin, secret_point=point, approver="赵总")
    if status == "destroyed":
        point = services.secret_point_destroy(user=admin, secret_point=point, approver="赵总")
    events = point.events.count()
    with refused_with(services.TRANSITION):
        if step == "changed":
            data = SecretPointInput(
                name="改名", subject=Subject.TECH_ALGORITHM, grade=Grade.CORE, term_kind=TermKind.LONG_TERM,
                department="研发部", responsible=people.engineer, location="机房",
            )  # fmt: skip
            services.secret_point_change(user=admin, secret_point=point, data=data, approver="赵总", note="改")
        else:
            take = {
                "filed": services.secret_point_file,
                "declassified": services.secret_point_declassify,
                "destroyed": services.secret_point_destroy,
            }[step]
            take(user=admin, secret_point=point, approver="赵总")
    point.refresh_from_db()
    assert point.status == status and point.events.count() == events


def test_a_destroyed_secret_point_keeps_its_history(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    point = services.secret_point_file(user=admin, secret_point=propose(admin, people.engineer), approver="赵总")
    point = services.secret_point_destroy(user=admin, secret_point=point, approver="赵总", note="项目终止")
    assert point.status == SecretPoint.Status.DESTROYED
    assert point.events.filter(kind="destroyed", note="项目终止").exists()


def test_a_decision_cannot_be_dated_tomorrow(world: Any, people: People) -> None:
    point = propose(world.ent_admin_in, people.engineer)
    with refused_with(services.DECIDED_IN_FUTURE):
        services.secret_point_file(
            user=world.ent_admin_in,
            secret_point=point,
            approver="赵总",
            on=program_today() + datetime.timedelta(days=1),
        )


def _input(people: People, **changes: Any) -> SecretPointInput:
    values: dict[str, Any] = {
        "name": "客户名单", "subject": Subject.BIZ_CUSTOMER, "grade": Grade.IMPORTANT,
        "term_kind": TermKind.UNTIL_PUBLISHED, "department": "销售部", "responsible": people.engineer,
        "location": "CRM 系统",
    }  # fmt: skip
    values.update(changes)
    return SecretPointInput(**values)


def test_the_register_refuses_what_does_not_hold(world: Any, people: People) -> None:
    admin = world.ent_admin_in
    with refused_with(services.TERM_DATE_MISSING):
        services.secret_point_propose(user=admin, data=_input(people, term_kind=TermKind.UNTIL_DATE))
    with refused_with(services.TERM_DATE_PAST):
        services.secret_point_propose(
            user=admin,
            data=_input(people, term_kind=TermKind.UNTIL_DATE, term_until=program_today() - datetime.timedelta(1)),
        )
    with refused_with(services.TERM_DATE_UNWANTED):
        services.secret_point_propose(user=admin, data=_input(people, term_until=datetime.date(2030, 1, 1)))
    with refused_with(services.PERSON_FOREIGN):
        services.secret_point_propose(user=admin, data=_input(people, circle=(people.stranger,)))
    with refused_with(services.PERSON_FOREIGN):
        services.secret_point_propose(user=admin, data=_input(people, responsible=people.stranger))
    with refused_with(services.MEASURE_UNKNOWN):
        services.secret_point_propose(user=admin, data=_input(people, measures=("magic",)))
    with refused_with(services.NOT_KEEPER):
        services.secret_point_propose(user=world.ent_staff_in, data=_input(people))
    with refused_with(services.NOT_KEEPER):
        services.secret_point_propose(user=world.regulator_in, data=_input(people))
    point = services.secret_point_propose(
        user=admin, data=_input(people, term_kind=TermKind.UNTIL_DATE, term_until=program_today())
    )
    assert point.category == "business" and point.term_display() == program_today().isoformat()
    assert not SecretPoint.objects.exclude(pk=point.pk).exists()


# --- who reads a secret point ------------------------------------------------------------------


def test_inside_the_enterprise_only_the_circle_and_the_admins_read_it(world: Any, people: People, client: Any) -> None:
    hidden = propose(world.ent_admin_in, people.engineer, name="电池配方")
    shared = propose(world.ent_admin_in, people.engineer, circle=(people.staff,), name="装配工艺")
    detail = lambda point: reverse("protection:secret_point_detail", args=[point.pk])  # noqa: E731

    client.force_login(world.ent_staff_in)
    assert client.get(detail(hidden)).status_code == 404
    assert client.get(detail(shared)).status_code == 200
    page = client.get(reverse("protection:secret_point_list")).content.decode()
    assert "装配工艺" in page and "电池配方" not in page
    # Staff may read, never write, even what they know.
    assert client.post(reverse("protection:secret_point_file", args=[shared.pk]), {"approver": "x"}).status_code == 404
    assert client.get(reverse("protection:secret_point_create")).status_code == 404

    client.force_login(world.ent_admin_in)
    assert client.get(detail(hidden)).status_code == 200
    page = client.get(reverse("protection:secret_point_list")).content.decode()
    assert "装配工艺" in page and "电池配方" in page


@pytest.mark.parametrize("reader", ["ent_admin_out", "ent_staff_out", "regulator_in", "city_regulator", "admin",
                                    "officer_in", "park_operator_in", "expert", "judicial"])  # fmt: skip
def test_no_one_outside_the_enterprise_reads_it(world: Any, people: People, client: Any, reader: str) -> None:
    point = propose(world.ent_admin_in, people.engineer, circle=(people.staff,))
    client.force_login(getattr(world, reader))
    for name in ("secret_point_detail", "secret_point_update", "secret_point_file"):
        assert client.get(reverse(f"protection:{name}", args=[point.pk])).status_code == 404
        assert client.post(reverse(f"protection:{name}", args=[point.pk]), {"approver": "x"}).status_code == 404
    assert point.name not in client.get(reverse("protection:secret_point_list")).content.decode()
    point.refresh_from_db()
    assert point.status == SecretPoint.Status.PROPOSED


def test_a_superuser_reads_no_enterprise_secret(world: Any, people: People, client: Any) -> None:
    point = propose(world.ent_admin_in, people.engineer)
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    assert client.get(reverse("protection:secret_point_detail", args=[point.pk])).status_code == 404
    assert SecretPoint.objects.restrict(world.admin).count() == 0


def test_a_staff_account_moved_to_another_enterprise_stops_reading(world: Any, people: People, client: Any) -> None:
    point = propose(world.ent_admin_in, people.engineer, circle=(people.staff,))
    staff = world.ent_staff_in
    assert SecretPoint.objects.restrict(staff).filter(pk=point.pk).exists()
    staff.enterprise = world.ent_out
    staff.save()
    assert not SecretPoint.objects.restrict(staff).filter(pk=point.pk).exists()


def test_every_read_is_in_the_access_log_the_admin_reads(world: Any, people: People, client: Any) -> None:
    point = propose(world.ent_admin_in, people.engineer, circle=(people.staff,), name="电机控制算法")
    client.force_login(world.ent_staff_in)
    client.get(reverse("protection:secret_point_detail", args=[point.pk]))
    client.get(reverse("protection:secret_point_list"))
    client.get(reverse("protection:secret_point_export"))
    reads = DepositAccess.objects.filter(user=world.ent_staff_in, enterprise=world.ent_in)
    assert {r.action for r in reads} == {"secret_point_view", "secret_points_list", "secret_points_export"}
    viewed = reads.get(action="secret_point_view")
    assert (viewed.record_type, viewed.record_id, viewed.record_name) == (
        "protection.SecretPoint",
        str(point.pk),
        "电机控制算法",
    )

    # The staff member does not read the log; the enterprise's admin does, and sees the read.
    assert "电机控制算法" not in client.get(reverse("evidence:access_log")).content.decode()
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("evidence:access_log")).content.decode()
    assert "电机控制算法" in page and "ent_staff_in" in page
    # Another enterprise's admin sees none of it.
    client.force_login(world.ent_admin_out)
    assert "电机控制算法" not in client.get(reverse("evidence:access_log")).content.decode()


# --- the pages ---------------------------------------------------------------------------------


def test_the_admin_proposes_files_and_changes_through_the_pages(world: Any, people: People, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    assert client.get(reverse("protection:secret_point_create")).status_code == 200
    response = client.post(
        reverse("protection:secret_point_create"),
        {
            "name": "焊接工艺参数", "subject": "tech.process", "grade": "important", "term_kind": "date",
            "term_until": "2031-12-31", "department": "制造部", "responsible": people.engineer.pk,
            "circle": [people.staff.pk], "location": "工艺文件柜 A3", "measures": ["marking", "premises"],
        },
    )  # fmt: skip
    point = SecretPoint.objects.get(name="焊接工艺参数")
    assert response.status_code == 302 and response.url == point.get_absolute_url()
    assert point.term_until == datetime.date(2031, 12, 31) and set(point.circle.all()) == {
        people.engineer,
        people.staff,
    }

    client.post(reverse("protection:secret_point_file", args=[point.pk]), {"approver": "赵总", "note": "定密"})
    point.refresh_from_db()
    assert point.status == SecretPoint.Status.FILED
    # Filing twice: refused with a message, nothing written.
    response = client.post(reverse("protection:secret_point_file", args=[point.pk]), {"approver": "赵总"}, follow=True)
    assert point.events.filter(kind="filed").count() == 1
    assert response.status_code == 200

    page = client.get(reverse("protection:secret_point_update", args=[point.pk]))
    assert page.status_code == 200 and "焊接工艺参数" in page.content.decode()
    response = client.post(
        reverse("protection:secret_point_update", args=[point.pk]),
        {
            "name": "焊接工艺参数", "subject": "tech.process", "grade": "core", "term_kind": "long_term",
            "department": "制造部", "responsible": people.engineer.pk, "location": "工艺文件柜 A3",
            "measures": ["marking"], "approver": "", "note": "",
        },
    )  # fmt: skip
    # A filed secret point: the change without an approver is refused on the form.
    assert response.status_code == 200 and response.context["form"].errors["approver"]
    point.refresh_from_db()
    assert point.grade == "important"

    detail = client.get(point.get_absolute_url()).content.decode()
    assert "赵总" in detail and "工艺文件柜 A3" in detail


def test_the_export_is_the_filtered_list(world: Any, people: People, client: Any) -> None:
    from tests.test_scope_walk import body_text

    propose(world.ent_admin_in, people.engineer, name="电机控制算法")
    services.secret_point_propose(user=world.ent_admin_in, data=_input(people))
    client.force_login(world.ent_admin_in)
    sheet = body_text(client.get(reverse("protection:secret_point_export") + "?category=business"))
    assert "客户名单" in sheet and "电机控制算法" not in sheet
    assert client.get(reverse("protection:secret_point_export") + "?grade=secret").status_code == 400
