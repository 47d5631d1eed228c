"""The activity ledger: who records what where, who sees what, participants and materials."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from shangmi.core.calendar import PROGRAM_TZ
from shangmi.core.roles import Role
from shangmi.core.scoping import CHANGE, VIEW
from shangmi.ledgers.activities import services
from shangmi.ledgers.activities.services import (
    ActivityInput,
    ParticipantInput,
    activity_delete,
    activity_save,
    check_person,
    filter_activities,
    find_enterprises,
    material_add,
    participant_add,
    person_key,
)
from shangmi.ledgers.models import Activity, ActivityMaterial, ActivityParticipant
from tests.conftest import make_enterprise, make_user
from tests.refusals import refused_with

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages are asserted in English, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def english(client: Any) -> Any:
    client.cookies["django_language"] = "en"
    return client


def at(year: int, month: int = 4, day: int = 1, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A moment on the Chongqing clock."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PROGRAM_TZ)


def make_activity(
    region: Any,
    creator: Any,
    *enterprises: Any,
    name: str = "商业秘密保护培训",
    kind: str = Activity.Kind.TRAINING,
    starts_at: datetime.datetime | None = None,
    park: Any = None,
) -> Activity:
    activity = Activity.objects.create(
        kind=kind,
        name=name,
        starts_at=starts_at or at(2026),
        place="区市场监管局三楼会议室",
        organiser="区市场监管局",
        region=region,
        park=park,
        content="商业秘密保护法律法规讲解",
        created_by=creator,
    )
    activity.enterprises.add(*enterprises)
    return activity


def add_person(
    activity: Activity, enterprise: Any, name: str, employee_no: str = "", phone: str = ""
) -> ActivityParticipant:
    return ActivityParticipant.objects.create(
        activity=activity,
        enterprise=enterprise,
        name=name,
        employee_no=employee_no,
        phone=phone,
        person_key=person_key(name=name, employee_no=employee_no, phone=phone),
    )


def activity_input(region: Any, *enterprises: Any, park: Any = None, **extra: Any) -> ActivityInput:
    values: dict[str, Any] = {
        "kind": Activity.Kind.TRAINING,
        "name": "商业秘密保护专题培训",
        "starts_at": at(2026, 5, 20, 14, 30),
        "place": "江北区市场监管局",
        "organiser": "江北区市场监管局",
        "region": region,
        "park": park,
        "enterprises": list(enterprises),
        "content": "商业秘密认定与保护措施",
    }
    values.update(extra)
    return ActivityInput(**values)


# --- Who is who -------------------------------------------------------------------------------------


def test_person_key_prefers_the_employee_number() -> None:
    # The same number however it is typed: full-width, spaced, with Excel's lost zeros.
    assert person_key(name="张三", employee_no="００１２３") == person_key(name="张 三", employee_no=" 123 ")
    assert person_key(name="张三", employee_no="E-0012") != person_key(name="张三", employee_no="E-12")
    # The number wins over the name: one person, whose name was mistyped once.
    assert person_key(name="张三", employee_no="123") == person_key(name="章三", employee_no="123")


def test_person_key_without_number_is_name_and_phone() -> None:
    one = person_key(name="张 三", phone="+86 138-0000-1111")
    assert one == person_key(name="张三", phone="13800001111")
    assert one == person_key(name="张　三", phone="１３８００００１１１１")
    # Two 张伟 of one company with different phones are two people.
    assert person_key(name="张伟", phone="13800001111") != person_key(name="张伟", phone="13900002222")
    assert person_key(name="John  Smith") == person_key(name="john smith")


def test_check_person_cleans_and_names_every_problem() -> None:
    person = check_person(name=" 张　三 ", employee_no="Ａ１２", phone="138 0000 1111", position=" 法务 经理 ")
    cleaned = (person.name, person.employee_no, person.phone, person.position)
    assert cleaned == ("张三", "A12", "13800001111", "法务 经理")
    assert person.problems == ()
    bad = check_person(name="", phone="call me", position="x" * 65)
    assert len(bad.problems) == 3
    assert any("call me" in p for p in bad.problems)


# --- Recording an activity ------------------------------------------------------------------------


def test_regulator_records_an_activity_through_the_form(world: Any, english: Any) -> None:
    english.force_login(world.regulator_in)
    form = english.get(reverse("ledgers:activity_create"))
    assert form.status_code == 200
    page = form.content.decode()
    # Choices stay inside the scope: the own enterprise and district, nothing of 江津.
    assert world.ent_in.name in page and world.ent_out.name not in page
    assert "江津区" not in page
    assert 'value="500105" selected' in page  # the region defaults to the regulator's own

    response = english.post(
        reverse("ledgers:activity_create"),
        {
            "name": "  商业秘密保护 培训  ",
            "kind": "training",
            "starts_at": "2026-05-20T14:30",
            "place": "江北区市场监管局",
            "organiser": "江北区市场监管局",
            "region": "500105",
            "park": str(world.park_in.pk),
            "enterprises": [str(world.ent_in.pk)],
            "content": "商业秘密认定与保护措施",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ledgers:activity_detail", args=[activity.pk])
    assert activity.name == "商业秘密保护 培训"
    assert activity.created_by == world.regulator_in
    assert activity.starts_at == at(2026, 5, 20, 14, 30)
    assert list(activity.enterprises.all()) == [world.ent_in]


def test_a_region_or_enterprise_outside_the_scope_is_refused(world: Any) -> None:
    with refused_with(services.REGION_OUTSIDE):
        activity_save(user=world.regulator_in, activity=None, data=activity_input(world.jiangjin))
    with refused_with(services.ENTERPRISES_OUT_OF_SCOPE):
        activity_save(user=world.regulator_in, activity=None, data=activity_input(world.jiangbei, world.ent_out))
    with refused_with(services.PARK_ELSEWHERE):
        activity_save(user=world.regulator_in, activity=None, data=activity_input(world.jiangbei, park=world.park_out))
    with refused_with(services.MAY_NOT_RECORD):
        activity_save(user=world.ent_admin_in, activity=None, data=activity_input(world.jiangbei))
    assert not Activity.objects.exists()


def test_a_park_administration_records_in_its_own_park(world: Any) -> None:
    operator = world.park_operator_in
    with refused_with(services.PARK_OWN):
        activity_save(user=operator, activity=None, data=activity_input(world.jiangbei))
    activity = activity_save(
        user=operator, activity=None, data=activity_input(world.jiangbei, world.ent_in, park=world.park_in)
    )
    assert Activity.objects.restrict(operator, "change").filter(pk=activity.pk).exists()


def test_an_officer_edits_what_they_recorded(world: Any) -> None:
    activity = activity_save(user=world.officer_in, activity=None, data=activity_input(world.jiangbei, world.ent_in))
    changed = activity_save(
        user=world.officer_in, activity=activity, data=activity_input(world.jiangbei, world.ent_in, name="改名")
    )
    assert changed.name == "改名"
    other = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    with refused_with(services.MAY_NOT_CHANGE):
        activity_save(user=world.officer_in, activity=other, data=activity_input(world.jiangbei, world.ent_in))


def test_an_officer_sees_their_enterprises_activities_but_changes_only_their_own(
    world: Any, english: Any, tmp_media: Any
) -> None:
    # The city holds a training with an enterprise of each district; officer_in follows ent_in.
    activity = make_activity(world.chongqing, world.city_regulator, world.ent_in, world.ent_out)
    add_person(activity, world.ent_in, "张三", "001")
    add_person(activity, world.ent_out, "李四", "002")
    material = ActivityMaterial.objects.create(
        activity=activity, file=ContentFile(b"%PDF-1.4", name="课件.pdf"), original_name="课件.pdf",
        content_type="application/pdf", size=8, sha256="0" * 64, uploaded_by=world.city_regulator,
    )  # fmt: skip
    officer = world.officer_in
    assert Activity.objects.restrict(officer, VIEW).filter(pk=activity.pk).exists()
    assert not Activity.objects.restrict(officer, CHANGE).filter(pk=activity.pk).exists()
    # Only the people of the officer's own enterprises, not everyone at the training.
    assert [p.name for p in ActivityParticipant.objects.restrict(officer).filter(activity=activity)] == ["张三"]
    assert ActivityMaterial.objects.restrict(officer).filter(pk=material.pk).exists()
    english.force_login(officer)
    page = english.get(reverse("ledgers:activity_detail", args=[activity.pk])).content.decode()
    assert "张三" in page and "李四" not in page and world.ent_out.name not in page
    assert english.get(reverse("ledgers:activity_list")).content.decode().count(activity.name) == 1
    assert english.get(reverse("ledgers:activity_update", args=[activity.pk])).status_code == 404
    # An officer following neither enterprise sees nothing of it.
    stranger = make_user("officer_three", Role.OFFICER, region=world.jiangbei)
    assert not Activity.objects.restrict(stranger).filter(pk=activity.pk).exists()
    english.force_login(stranger)
    assert english.get(reverse("ledgers:activity_detail", args=[activity.pk])).status_code == 404
    assert english.get(reverse("ledgers:activity_material_download", args=[material.pk])).status_code == 404


def test_an_edit_keeps_the_enterprises_the_editor_cannot_see(world: Any) -> None:
    # The city's regulator holds a 江北 activity with an enterprise of each district.
    activity = activity_save(
        user=world.city_regulator, activity=None, data=activity_input(world.jiangbei, world.ent_in, world.ent_out)
    )
    # 江北's regulator edits it and sees only their own enterprise: 江津's is not theirs to drop.
    activity_save(user=world.regulator_in, activity=activity, data=activity_input(world.jiangbei, world.ent_in))
    assert set(activity.enterprises.all()) == {world.ent_in, world.ent_out}
    activity_save(user=world.regulator_in, activity=activity, data=activity_input(world.jiangbei))
    assert list(activity.enterprises.all()) == [world.ent_out]


def test_an_enterprise_with_participants_cannot_leave(world: Any) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    add_person(activity, world.ent_in, "张三")
    with refused_with(services.ENTERPRISES_WITH_PEOPLE):
        activity_save(user=world.regulator_in, activity=activity, data=activity_input(world.jiangbei))
    assert list(activity.enterprises.all()) == [world.ent_in]


# --- Who sees what -----------------------------------------------------------------------------------


def test_jiangbei_regulator_sees_no_jiangjin_activity(world: Any, english: Any) -> None:
    inside = make_activity(world.jiangbei, world.regulator_in, world.ent_in, name="江北培训")
    outside = make_activity(world.jiangjin, world.regulator_out, world.ent_out, name="江津培训")
    english.force_login(world.regulator_in)
    page = english.get(reverse("ledgers:activity_list")).content.decode()
    assert "江北培训" in page and "江津培训" not in page
    assert english.get(reverse("ledgers:activity_detail", args=[inside.pk])).status_code == 200
    for name in ("activity_detail", "activity_update", "activity_delete", "activity_participant_import"):
        assert english.get(reverse(f"ledgers:{name}", args=[outside.pk])).status_code == 404
    assert english.post(reverse("ledgers:activity_delete", args=[outside.pk])).status_code == 404
    assert Activity.objects.filter(pk=outside.pk).exists()
    # The city's regulator sees both.
    english.force_login(world.city_regulator)
    page = english.get(reverse("ledgers:activity_list")).content.decode()
    assert "江北培训" in page and "江津培训" in page


def test_an_enterprise_sees_its_activities_and_only_its_own_people(world: Any, english: Any) -> None:
    joint = make_activity(world.chongqing, world.city_regulator, world.ent_in, world.ent_out, name="全市联合培训")
    add_person(joint, world.ent_in, "江北学员")
    add_person(joint, world.ent_out, "江津学员")
    make_activity(world.jiangjin, world.regulator_out, world.ent_out, name="江津内部培训")
    make_activity(world.jiangbei, world.regulator_in, name="无企业宣传", kind=Activity.Kind.PUBLICITY)

    english.force_login(world.ent_staff_in)
    page = english.get(reverse("ledgers:activity_list")).content.decode()
    assert "全市联合培训" in page
    assert "江津内部培训" not in page and "无企业宣传" not in page
    detail = english.get(reverse("ledgers:activity_detail", args=[joint.pk])).content.decode()
    assert "江北学员" in detail
    assert "江津学员" not in detail and world.ent_out.name not in detail
    assert "and 1 other enterprise" in detail
    # Reading is all it may do.
    assert english.get(reverse("ledgers:activity_update", args=[joint.pk])).status_code == 404
    assert english.post(reverse("ledgers:activity_participant_add", args=[joint.pk]), {"name": "x"}).status_code == 404
    assert english.get(reverse("ledgers:activity_create")).status_code == 404


def test_filters_by_kind_year_region_and_enterprise(world: Any) -> None:
    other = make_enterprise("500105", "江北另一家有限公司", 31)
    training = make_activity(world.jiangbei, world.city_regulator, world.ent_in, starts_at=at(2026, 1, 1, 0, 30))
    survey = make_activity(
        world.jiangjin, world.city_regulator, world.ent_out, kind=Activity.Kind.SURVEY, starts_at=at(2025, 12, 31, 23)
    )
    seminar = make_activity(world.chongqing, world.city_regulator, other, kind=Activity.Kind.SEMINAR)
    base = Activity.objects.restrict(world.city_regulator)

    def pks(**filters: Any) -> set[int]:
        return set(filter_activities(base, **filters).values_list("pk", flat=True))

    assert pks(kind="survey") == {survey.pk}
    # Years on the Chongqing calendar: 00:30 on 1 January is the new year, 23:00 on 31 December the old.
    assert pks(year=2026) == {training.pk, seminar.pk}
    assert pks(year=2025) == {survey.pk}
    assert pks(region=world.jiangbei) == {training.pk}
    assert pks(region=world.chongqing) == {training.pk, survey.pk, seminar.pk}
    assert pks(enterprises=find_enterprises(world.city_regulator, world.ent_in.uscc.lower())) == {training.pk}
    assert pks(enterprises=find_enterprises(world.city_regulator, "另一家")) == {seminar.pk}
    # An enterprise out of the reader's scope filters to nothing, named by id or otherwise.
    assert not find_enterprises(world.regulator_in, str(world.ent_out.pk)).exists()


def test_the_list_filters_from_the_query_string(world: Any, english: Any) -> None:
    make_activity(world.jiangbei, world.regulator_in, world.ent_in, name="培训甲")
    make_activity(world.jiangbei, world.regulator_in, name="宣传乙", kind=Activity.Kind.PUBLICITY)
    english.force_login(world.regulator_in)
    page = english.get(reverse("ledgers:activity_list") + "?kind=publicity").content.decode()
    assert "宣传乙" in page and "培训甲" not in page
    page = english.get(reverse("ledgers:activity_list") + f"?enterprise={world.ent_in.pk}").content.decode()
    assert "培训甲" in page and "宣传乙" not in page
    fragment = english.get(reverse("ledgers:activity_list") + "?year=2026", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "培训甲" in fragment.content.decode()
    # The export button sits outside the table: the fragment carries it along with the filter.
    export = reverse("ledgers:activity_export")
    assert f'href="{export}?year=2026" data-testid="export-button" hx-swap-oob="true"' in fragment.content.decode()


# --- Participants one by one -------------------------------------------------------------------------


def test_participants_added_one_by_one(world: Any, english: Any) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    english.force_login(world.regulator_in)
    url = reverse("ledgers:activity_participant_add", args=[activity.pk])
    data = {"name": "张 三", "enterprise": str(world.ent_in.pk), "employee_no": "0012", "phone": "", "position": "法务"}
    response = english.post(url, data)
    assert response.status_code == 302
    person = ActivityParticipant.objects.get()
    assert (person.name, person.enterprise, person.person_key) == ("张三", world.ent_in, "no:12")
    # The same person again: refused, said why, nothing added.
    again = english.post(url, {**data, "name": "张三", "employee_no": "12"})
    assert again.status_code == 400
    assert "already recorded" in again.content.decode()
    # An enterprise not taking part is not offered by the form.
    other = english.post(url, {**data, "enterprise": str(world.ent_out.pk), "employee_no": "99"})
    assert other.status_code == 400
    assert ActivityParticipant.objects.count() == 1


def test_a_participant_of_an_enterprise_in_scope_brings_it_along(world: Any) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in)
    participant_add(
        user=world.regulator_in, activity=activity, data=ParticipantInput(name="李四", enterprise=world.ent_in)
    )
    assert list(activity.enterprises.all()) == [world.ent_in]
    with refused_with(services.ENTERPRISE_OUT_OF_SCOPE):
        participant_add(
            user=world.regulator_in, activity=activity, data=ParticipantInput(name="王五", enterprise=world.ent_out)
        )
    # Someone not from an enterprise (a speaker, bureau staff) is recorded without one.
    participant_add(user=world.regulator_in, activity=activity, data=ParticipantInput(name="授课专家", enterprise=None))
    assert ActivityParticipant.objects.filter(enterprise__isnull=True).count() == 1
    assert list(activity.enterprises.all()) == [world.ent_in]


def test_removing_a_participant(world: Any, english: Any) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    person = add_person(activity, world.ent_in, "张三")
    english.force_login(world.ent_admin_in)
    assert english.post(reverse("ledgers:activity_participant_delete", args=[person.pk])).status_code == 404
    english.force_login(world.regulator_in)
    assert english.post(reverse("ledgers:activity_participant_delete", args=[person.pk])).status_code == 302
    assert not ActivityParticipant.objects.exists()


# --- Materials ------------------------------------------------------------------------------------------


def test_materials_are_checked_hashed_and_downloaded_in_scope(world: Any, english: Any, tmp_media: Any) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    english.force_login(world.regulator_in)
    response = english.post(
        reverse("ledgers:activity_material_upload", args=[activity.pk]),
        {"file": SimpleUploadedFile("培训课件.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    material = ActivityMaterial.objects.get()
    assert material.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (material.original_name, material.size) == ("培训课件.pdf", len(PDF))
    assert material.uploaded_by == world.regulator_in
    assert "培训课件" not in material.file.name  # stored names carry no user input

    # A program renamed to .pdf, an unknown type, an empty file: refused with the reason.
    for name, content, reason in (
        ("课件.pdf", b"MZ\x90\x00", "not a real .pdf"),
        ("课件.exe", b"MZ\x90\x00", "not accepted"),
        ("空.pdf", b"", "empty"),
    ):
        refused = english.post(
            reverse("ledgers:activity_material_upload", args=[activity.pk]),
            {"file": SimpleUploadedFile(name, content)},
        )
        assert refused.status_code == 400
        assert reason in refused.content.decode()
    assert ActivityMaterial.objects.count() == 1

    download = reverse("ledgers:activity_material_download", args=[material.pk])
    english.force_login(world.ent_staff_in)  # an enterprise taking part reads the materials
    response = english.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    for outsider in (world.ent_staff_out, world.regulator_out, world.park_operator_out):
        english.force_login(outsider)
        assert english.get(download).status_code == 404
    english.force_login(world.ent_admin_in)
    assert english.post(reverse("ledgers:activity_material_delete", args=[material.pk])).status_code == 404


def test_material_add_refuses_a_reader(world: Any, tmp_media: Any) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    with refused_with(services.MAY_NOT_CHANGE):
        material_add(user=world.ent_admin_in, activity=activity, upload=SimpleUploadedFile("a.pdf", PDF))


def test_deleting_an_activity_takes_its_files_once_committed(
    world: Any, tmp_media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    activity = make_activity(world.jiangbei, world.regulator_in, world.ent_in)
    add_person(activity, world.ent_in, "张三")
    material = material_add(user=world.regulator_in, activity=activity, upload=SimpleUploadedFile("a.pdf", PDF))
    path = material.file.path
    with refused_with(services.MAY_NOT_DELETE):
        activity_delete(user=world.officer_in, activity=activity)
    with django_capture_on_commit_callbacks(execute=True):
        activity_delete(user=world.regulator_in, activity=activity)
    assert not Activity.objects.exists() and not ActivityParticipant.objects.exists()
    import os

    assert not os.path.exists(path)


def test_an_officer_may_not_delete_but_a_regulator_may(world: Any, english: Any, tmp_media: Any) -> None:
    officer = make_user("officer_two", Role.OFFICER, region=world.jiangbei)
    activity = activity_save(user=officer, activity=None, data=activity_input(world.jiangbei))
    english.force_login(officer)
    assert english.get(reverse("ledgers:activity_update", args=[activity.pk])).status_code == 200
    assert english.post(reverse("ledgers:activity_delete", args=[activity.pk])).status_code == 404
    english.force_login(world.regulator_in)
    assert english.get(reverse("ledgers:activity_delete", args=[activity.pk])).status_code == 200
    assert english.post(reverse("ledgers:activity_delete", args=[activity.pk])).status_code == 302
    assert not Activity.objects.exists()


def test_materials_come_with_the_form_all_or_none(world: Any, english: Any, tmp_media: Any) -> None:
    english.force_login(world.regulator_in)
    data = {
        "name": "带课件的培训",
        "kind": "seminar",
        "starts_at": "2026-06-01T09:00",
        "place": "园区会议室",
        "organiser": "江北区市场监管局",
        "region": "500105",
        "content": "研讨",
    }
    bad = english.post(
        reverse("ledgers:activity_create"),
        {
            **data,
            "materials": [SimpleUploadedFile("课件.pdf", PDF), SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00")],
        },
    )
    assert bad.status_code == 200 and "病毒.pdf is not a real .pdf" in bad.content.decode()
    assert not Activity.objects.exists() and not ActivityMaterial.objects.exists()

    good = english.post(
        reverse("ledgers:activity_create"),
        {
            **data,
            "materials": [SimpleUploadedFile("课件.pdf", PDF), SimpleUploadedFile("签到.png", b"\x89PNG\r\n\x1a\nxx")],
        },
    )
    assert good.status_code == 302
    activity = Activity.objects.get()
    assert sorted(activity.materials.values_list("original_name", flat=True)) == ["签到.png", "课件.pdf"]
