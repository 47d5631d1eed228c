"""The creation workflow through its services: self-assessment, the review path up the
region tree, returns and resubmission, inspections, decision, append-only history."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.creation import evidence as evidence_module
from shangmi.creation import selectors, services
from shangmi.creation.errors import EditConflict
from shangmi.creation.evidence import evidence_add, evidence_remove
from shangmi.creation.models import (
    AppendOnlyError,
    Application,
    ApplicationEvent,
    DemoType,
    EvidenceFile,
    Inspection,
    Level,
    Stage,
    Title,
)
from shangmi.creation.services import RoundInput
from shangmi.notices.models import Notification
from shangmi.regions.models import Region
from shangmi.standards.models import Standard
from tests.conftest import make_enterprise, make_user
from tests.refusals import refused_with

TODAY = program_today()
PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English; the Chinese ones are tested in test_i18n."""
    with translation.override("en"):
        yield


@pytest.fixture
def cq_standard(db) -> Standard:
    call_command("load_standards", verbosity=0)
    return Standard.objects.filter(code="cq-creation").order_by("-version").first()


@pytest.fixture
def cq_round(world, cq_standard):
    return services.round_open(
        world.city_regulator,
        RoundInput(
            title="2026年重庆市市级商业秘密保护示范单位创建",
            year=2026,
            demo_type=DemoType.UNIT,
            level=Level.MUNICIPAL,
            standard=cq_standard,
            deadline=TODAY + datetime.timedelta(days=30),
        ),
    )


def answer_all(user, application, met_codes: set[str]) -> None:
    for entry in application.entries.select_related("item"):
        services.entry_save(user, application, entry.item.code, entry.item.code in met_codes, "", entry.version)


def all_codes(standard: Standard) -> set[str]:
    return set(standard.items.values_list("code", flat=True))


def score_all(user, application, met_codes: set[str]) -> None:
    for code in all_codes(application.standard):
        services.review_score(user, application, code, code in met_codes)


# --- paths --------------------------------------------------------------------------------


def test_review_path_climbs_from_district_to_awarding_region(db) -> None:
    yuecheng, shaoxing, zhejiang = (Region.objects.get(code=c) for c in ("330602", "330600", "330000"))
    assert services.review_path(yuecheng, zhejiang, skip_own=False) == [yuecheng, shaoxing, zhejiang]
    assert services.review_path(yuecheng, shaoxing, skip_own=False) == [yuecheng, shaoxing]
    # A district applying for a zone is reviewed from the level above it.
    assert services.review_path(yuecheng, zhejiang, skip_own=True) == [shaoxing, zhejiang]
    # Chongqing's districts sit directly under the municipality: two stages.
    jiangbei, chongqing = Region.objects.get(code="500105"), Region.objects.get(code="500000")
    assert services.review_path(jiangbei, chongqing, skip_own=False) == [jiangbei, chongqing]
    with refused_with(services.APPLICANT_OUTSIDE):
        services.review_path(jiangbei, zhejiang, skip_own=False)
    assert services.stage_kinds(3) == ["initial", "second", "acceptance"]
    assert services.stage_kinds(2) == ["initial", "acceptance"]
    assert services.stage_kinds(1) == ["acceptance"]


def test_level_must_fit_the_awarding_region(world, cq_standard) -> None:
    data = RoundInput(
        title="x", year=2026, demo_type=DemoType.UNIT, level=Level.PROVINCIAL, standard=cq_standard,
        deadline=TODAY, region=world.jiangbei,
    )  # fmt: skip
    with refused_with(services.LEVEL_NOT_AWARDED_HERE):
        services.round_open(world.regulator_in, data)
    # A district regulator cannot open a round for the city above it.
    data.region, data.level = world.chongqing, Level.MUNICIPAL
    with refused_with(services.ROUND_OWN_REGION_ONLY):
        services.round_open(world.regulator_in, data)
    assert services.level_fits_region(Level.MUNICIPAL, world.chongqing)  # 直辖市
    assert services.level_fits_region(Level.COUNTY, world.jiangbei)
    assert not services.level_fits_region(Level.MUNICIPAL, Region.objects.get(code="330000"))


# --- the whole path, through services -------------------------------------------------------


def test_chongqing_path_return_resubmit_accept_approve(world, cq_round, tmp_media) -> None:
    application = services.application_start(world.ent_admin_in, cq_round)
    assert application.standard.is_frozen
    stages = list(application.stages.order_by("index"))
    assert [(s.region_id, s.kind) for s in stages] == [("500105", "initial"), ("500000", "acceptance")]

    codes = all_codes(application.standard)
    met = codes - {"4.1.c", "7.1.b", "7.1.c", "7.1.d", "7.1.e"}
    with refused_with(services.UNANSWERED_ITEMS):
        services.submit(world.ent_admin_in, application)
    answer_all(world.ent_staff_in, application, met)
    evidence = evidence_add(
        world.ent_staff_in, application, SimpleUploadedFile("制度.pdf", PDF), ["1.1.a", "1.1.b", "4.1.a"]
    )
    assert evidence.sha256 and set(evidence.items.values_list("code", flat=True)) == {"1.1.a", "1.1.b", "4.1.a"}
    # Staff fill in; the enterprise admin submits.
    with refused_with(services.ONLY_ADMIN_SUBMITS):
        services.submit(world.ent_staff_in, application)
    services.submit(world.ent_admin_in, application)
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    with refused_with(services.ASSESSMENT_LOCKED):
        services.entry_save(world.ent_admin_in, application, "4.1.c", True, "", 1)

    # Only the district's regulator reviews the first stage; the city cannot yet.
    with refused_with(services.NOT_YOUR_QUEUE):
        services.review_score(world.city_regulator, application, "1.1.a", True)
    with refused_with(services.NOT_YOUR_QUEUE):
        services.review_score(world.regulator_out, application, "1.1.a", True)
    services.review_adopt_self_assessment(world.regulator_in, application)
    services.review_score(world.regulator_in, application, "6.1.a", False, "成效材料不足")
    with refused_with(services.RETURN_REASONS_REQUIRED):
        services.review_return(world.regulator_in, application, "  ")
    services.review_return(world.regulator_in, application, "请补充6.1项的工作成效材料")
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    assert Notification.objects.filter(recipient=world.ent_admin_in, body__contains="6.1").exists()

    # Fixed and resubmitted: it goes back to the stage that returned it.
    entry = application.entries.get(item__code="4.1.c")
    services.entry_save(world.ent_admin_in, application, "4.1.c", True, "已补充", entry.version)
    services.submit(world.ent_admin_in, application)
    assert services.active_stage(application).region_id == "500105"
    assert application.events.filter(kind=ApplicationEvent.Kind.RESUBMITTED).exists()

    services.review_score(world.regulator_in, application, "6.1.a", True)
    with refused_with(services.OPINION_REQUIRED):
        services.review_pass(world.regulator_in, application, "")
    following = services.review_pass(world.regulator_in, application, "同意推荐")
    assert following.region_id == "500000" and following.kind == Stage.Kind.ACCEPTANCE
    assert Notification.objects.filter(recipient=world.city_regulator).exists()

    # The awarding stage: nothing to pass on; approval needs the on-site acceptance first.
    with refused_with(services.AWARDING_DECIDES):
        services.review_pass(world.city_regulator, application, "x")
    score_all(world.city_regulator, application, met | {"4.1.c"})
    with refused_with(services.ACCEPTANCE_FIRST):
        services.decide(world.city_regulator, application, approved=True, reasons="符合标准")
    with refused_with(services.NOT_YOUR_QUEUE):
        services.inspection_record(world.regulator_in, application, Inspection.Kind.ON_SITE, TODAY, "张三", "良好")
    services.inspection_record(
        world.city_regulator, application, Inspection.Kind.ON_SITE, TODAY, "张三、李四", "现场查看商秘办、制度上墙"
    )
    services.decide(world.city_regulator, application, approved=True, reasons="经实地验收，符合创建标准")
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.title.holder_name == world.ent_in.name

    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds[:4] == ["created", "submitted", "returned", "resubmitted"]
    assert {"passed", "inspection", "approved", "title_issued"} <= set(kinds)
    # Evidence a reviewer saw stays on the record.
    with refused_with(services.ASSESSMENT_LOCKED):
        evidence_remove(world.ent_admin_in, EvidenceFile.objects.get(pk=evidence.pk))


def test_a_review_to_do_goes_when_the_stage_is_done(world, cq_round, client) -> None:
    """The bell once kept "待您初审" for applications already decided: a to-do goes once done,
    from every reviewer of the stage (a colleague may be the one who acted)."""
    colleague = make_user("jiangbei_colleague", Role.REGULATOR, region=world.jiangbei)

    def todos(user) -> list[str]:
        return list(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("title", flat=True))

    def bell(user) -> int:
        client.force_login(user)
        client.cookies["django_language"] = "en"  # the request activates its language for what follows
        return client.get(reverse("home:home")).context["unread_notices"]

    application = services.application_start(world.ent_admin_in, cq_round)
    codes = all_codes(application.standard)
    answer_all(world.ent_admin_in, application, codes)
    services.submit(world.ent_admin_in, application)
    waiting = f"{world.ent_in.name} waits for your Initial review"
    assert todos(world.regulator_in) == todos(colleague) == [waiting]
    assert bell(colleague) == 1

    # Returned by one reviewer: the to-do goes for both.
    services.review_return(world.regulator_in, application, "请补充材料")
    assert todos(world.regulator_in) == todos(colleague) == []
    assert bell(colleague) == 0
    assert Notification.objects.filter(recipient=world.ent_admin_in).exists()  # the applicant is still told

    # Back again, passed on: the district's to-do goes, the city's arrives.
    services.submit(world.ent_admin_in, application)
    assert todos(colleague) == [waiting]
    score_all(world.regulator_in, application, codes)
    services.review_pass(world.regulator_in, application, "同意推荐")
    assert todos(world.regulator_in) == todos(colleague) == []
    assert todos(world.city_regulator) == [f"{world.ent_in.name} waits for your Acceptance"]

    # Decided at the awarding stage: nothing left waiting for anyone.
    score_all(world.city_regulator, application, codes)
    services.decide(world.city_regulator, application, approved=False, reasons="材料不实")
    assert todos(world.city_regulator) == []
    assert bell(world.city_regulator) == 0


def test_a_withdrawn_application_leaves_no_to_do(world, cq_round) -> None:
    application = services.application_start(world.ent_admin_in, cq_round)
    answer_all(world.ent_admin_in, application, all_codes(application.standard))
    services.submit(world.ent_admin_in, application)
    assert Notification.objects.filter(recipient=world.regulator_in).count() == 1
    services.withdraw(world.ent_admin_in, application)
    assert not Notification.objects.filter(recipient=world.regulator_in).exists()


def test_three_stage_path_in_zhejiang(world, cq_standard) -> None:
    # The path is what is tested, with the Chongqing items and points; a round uses a standard of
    # its own region or a national one, so here they stand for a national points standard.
    cq_standard.region = None
    cq_standard.save(update_fields=["region"])
    zhejiang, shaoxing, yuecheng = (Region.objects.get(code=c) for c in ("330000", "330600", "330602"))
    province = make_user("zj_regulator", Role.REGULATOR, region=zhejiang)
    city = make_user("sx_regulator", Role.REGULATOR, region=shaoxing)
    district = make_user("yc_regulator", Role.REGULATOR, region=yuecheng)
    enterprise = make_enterprise("330602", "绍兴越城测试科技有限公司", 9)
    admin = make_user("yc_admin", Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    round_ = services.round_open(
        province,
        RoundInput(
            title="2026年浙江省省级示范站(点)", year=2026, demo_type=DemoType.STATION, level=Level.PROVINCIAL,
            standard=cq_standard, deadline=TODAY,
        ),
    )  # fmt: skip
    application = services.application_start(admin, round_)
    assert list(application.stages.values_list("kind", "region_id")) == [
        ("initial", "330602"),
        ("second", "330600"),
        ("acceptance", "330000"),
    ]
    codes = all_codes(cq_standard)
    answer_all(admin, application, codes)
    services.submit(admin, application)
    for reviewer in (district, city):
        score_all(reviewer, application, codes)
        services.review_pass(reviewer, application, "同意")
    score_all(province, application, codes - {"7.1.e"})
    services.inspection_record(province, application, Inspection.Kind.SPOT_CHECK, TODAY, "王五", "抽查合格")
    with refused_with(services.ACCEPTANCE_FIRST):
        services.decide(province, application, approved=True, reasons="x")
    services.decide(province, application, approved=False, reasons="现场材料不全")
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert not Title.objects.filter(application=application).exists()


def test_deadline_cover_and_one_application_per_applicant(world, cq_round) -> None:
    services.application_start(world.ent_admin_in, cq_round)
    with refused_with(services.ALREADY_APPLIED):
        services.application_start(world.ent_staff_in, cq_round)
    with refused_with(services.DEADLINE_PASSED):
        services.application_start(world.ent_admin_out, cq_round, today=cq_round.deadline + datetime.timedelta(1))
    cq_round.covered_regions.set([world.jiangbei])
    with refused_with(services.ROUND_DOES_NOT_COVER):
        services.application_start(world.ent_admin_out, cq_round)
    with refused_with(services.MAY_NOT_APPLY):
        services.application_start(world.officer_in, cq_round)


def test_two_editors_never_overwrite_each_other(world, cq_round) -> None:
    application = services.application_start(world.ent_admin_in, cq_round)
    loaded = application.entries.get(item__code="2.1.a").version  # both editors load version 0
    services.entry_save(world.ent_admin_in, application, "2.1.a", True, "配有专职人员2名", loaded)
    with pytest.raises(EditConflict, match="ent_admin_in") as caught:
        services.entry_save(world.ent_staff_in, application, "2.1.a", False, "", loaded)
    assert caught.value.entry.met is True
    entry = application.entries.get(item__code="2.1.a")
    assert (entry.met, entry.note, entry.updated_by) == (True, "配有专职人员2名", world.ent_admin_in)
    # With the fresh version the second editor saves on purpose.
    services.entry_save(world.ent_staff_in, application, "2.1.a", False, "", entry.version)
    assert application.entries.get(item__code="2.1.a").met is False


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "not accepted"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "not a real"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_evidence_is_checked_for_type(world, cq_round, tmp_media, name, content, message) -> None:
    application = services.application_start(world.ent_admin_in, cq_round)
    with refused_with(evidence_module.FILE_REFUSED) as refused:
        evidence_add(world.ent_admin_in, application, SimpleUploadedFile(name, content), ["1.1.a"])
    assert message in refused.value.text  # core.uploads' own wording
    assert not EvidenceFile.objects.exists()


def test_evidence_size_limit_and_unknown_item(world, cq_round, tmp_media, monkeypatch) -> None:

    application = services.application_start(world.ent_admin_in, cq_round)
    monkeypatch.setattr(evidence_module, "MAX_BYTES", 10)
    with refused_with(evidence_module.FILE_REFUSED) as refused:
        evidence_add(world.ent_admin_in, application, SimpleUploadedFile("big.pdf", PDF), [])
    assert "larger than" in refused.value.text  # core.uploads' own wording
    monkeypatch.setattr(evidence_module, "MAX_BYTES", 1024)
    with refused_with(services.UNKNOWN_ITEM):
        evidence_add(world.ent_admin_in, application, SimpleUploadedFile("a.pdf", PDF), ["9.9.z"])
    # Strangers' users cannot add to it.
    with refused_with(services.ONLY_APPLICANT_EDITS):
        evidence_add(world.ent_admin_out, application, SimpleUploadedFile("a.pdf", PDF), [])
    assert not EvidenceFile.objects.exists()


def test_review_records_are_append_only(world, cq_round) -> None:
    application = services.application_start(world.ent_admin_in, cq_round)
    event = application.events.get()
    event.message = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert application.events.get().message == ""


def test_self_assessed_total_follows_the_standard(world, cq_round) -> None:
    from shangmi.standards.scoring import score, spec_of

    application = services.application_start(world.ent_admin_in, cq_round)
    answer_all(world.ent_admin_in, application, all_codes(application.standard) - {"4.1.c"})
    total = score(spec_of(application.standard), services.self_assessed_codes(application)).total
    assert total == Decimal("100")  # 97.5 + 5 bonus points, capped at 100


# --- pages --------------------------------------------------------------------------------


def test_assessment_page_saves_a_row_with_htmx_and_reports_a_conflict(world, cq_round, client) -> None:
    application = services.application_start(world.ent_admin_in, cq_round)
    client.force_login(world.ent_admin_in)
    url = reverse("creation:entry_save", args=[application.pk])
    response = client.post(
        url, {"item": "1.1.a", "met_1.1.a": "yes", "note_1.1.a": "已成立", "version_1.1.a": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="version_1.1.a" value="1"' in body and 'hx-swap-oob="true"' in body
    stale = client.post(url, {"item": "1.1.a", "met_1.1.a": "no", "version_1.1.a": "0"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="conflict"' in stale.content.decode()
    assert application.entries.get(item__code="1.1.a").met is True


def test_whole_form_save_keeps_the_others_work_and_costs_one_update_per_item(
    world, cq_round, client, django_assert_max_num_queries
) -> None:
    application = services.application_start(world.ent_admin_in, cq_round)
    # Another editor answered 2.1.a after this form was loaded (version 0).
    services.entry_save(world.ent_admin_in, application, "2.1.a", False, "另一人的答案", 0)
    data = {}
    for entry in application.entries.select_related("item"):
        data[f"met_{entry.item.code}"] = "yes"
        data[f"version_{entry.item.code}"] = 0
    client.force_login(world.ent_admin_in)
    url = reverse("creation:application_assess", args=[application.pk])
    client.get(url)  # session and user rows read once outside the count
    items = len(data) // 2
    with django_assert_max_num_queries(items + 40):  # one UPDATE per item + the page's own reads
        response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the conflict marked
    body = response.content.decode()
    (conflict,) = re.findall(r'data-testid="conflict">([^<]*)<', body)
    assert "ent_admin_in" in conflict and "2.1.a" in conflict  # who changed which item
    entries = {e.item.code: e for e in application.entries.select_related("item")}
    assert entries["2.1.a"].met is False and entries["2.1.a"].note == "另一人的答案"
    assert all(e.met is True for code, e in entries.items() if code != "2.1.a")
    assert sum(1 for e in entries.values() if e.version == 1) == items


def test_pages_walk_for_applicant_and_reviewer(world, cq_round, client, tmp_media) -> None:
    client.force_login(world.ent_admin_in)
    assert client.get(reverse("creation:round_detail", args=[cq_round.pk])).status_code == 200
    response = client.post(reverse("creation:application_start", args=[cq_round.pk]))
    application = Application.objects.get(enterprise=world.ent_in)
    assert response.url == reverse("creation:application_assess", args=[application.pk])
    page = client.get(response.url).content.decode()
    assert "成立商业秘密保护工作领导小组或类似机构" in page
    data = {}
    for entry in application.entries.select_related("item"):
        data[f"met_{entry.item.code}"] = "yes"
        data[f"version_{entry.item.code}"] = entry.version
    client.post(response.url, data)
    upload = client.post(
        reverse("creation:evidence_upload", args=[application.pk]),
        {"file": SimpleUploadedFile("保密制度.pdf", PDF), "items": ["4.1.a", "4.1.b"]},
    )
    assert upload.status_code == 302
    client.post(reverse("creation:application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW

    client.force_login(world.regulator_in)
    review = client.get(reverse("creation:application_review", args=[application.pk]))
    assert review.status_code == 200 and "保密制度.pdf" in review.content.decode()
    # The city is not this stage's reviewer: sent back to the detail page with a message.
    client.force_login(world.city_regulator)
    assert client.get(reverse("creation:application_review", args=[application.pk])).status_code == 302
    client.force_login(world.regulator_out)
    assert client.get(reverse("creation:application_review", args=[application.pk])).status_code == 404
    assert client.get(application.get_absolute_url()).status_code == 404


def test_a_park_applies_for_a_base_and_a_district_for_a_zone(world, cq_standard) -> None:
    base_round = services.round_open(
        world.city_regulator,
        RoundInput(
            title="示范基地", year=2026, demo_type=DemoType.BASE, level=Level.MUNICIPAL, standard=cq_standard,
            deadline=TODAY,
        ),
    )  # fmt: skip
    park_application = services.application_start(world.park_operator_in, base_round)
    assert (park_application.applicant_kind, park_application.park, park_application.region_id) == (
        Application.ApplicantKind.PARK,
        world.park_in,
        "500105",
    )
    assert list(park_application.stages.values_list("region_id", flat=True)) == ["500105", "500000"]
    assert selectors.is_applicant_user(world.park_operator_in, park_application)
    assert not selectors.is_applicant_user(world.park_operator_out, park_application)
    # An enterprise does not apply for a base.
    with refused_with(services.ENTERPRISE_WRONG_TYPE):
        services.application_start(world.ent_admin_in, base_round)

    zhejiang, yuecheng = Region.objects.get(code="330000"), Region.objects.get(code="330602")
    province = make_user("zj_zone_regulator", Role.REGULATOR, region=zhejiang)
    district = make_user("yc_zone_regulator", Role.REGULATOR, region=yuecheng)
    zone_round = services.round_open(
        province,
        RoundInput(
            title="省级示范区", year=2026, demo_type=DemoType.ZONE, level=Level.PROVINCIAL,
            standard=Standard.objects.get(code="zj-demo-zone"), deadline=TODAY,
        ),
    )  # fmt: skip
    zone = services.application_start(district, zone_round)
    assert zone.applicant_kind == Application.ApplicantKind.REGION and zone.applicant_name == "浙江省绍兴市越城区"
    # The district does not review itself: 绍兴市 reviews first, 浙江省 accepts.
    assert list(zone.stages.values_list("region_id", "kind")) == [("330600", "initial"), ("330000", "acceptance")]
    assert services.can_submit(district, zone)


def test_evidence_a_reviewer_saw_is_relinked_not_removed(world, cq_round, client, tmp_media) -> None:
    application = services.application_start(world.ent_admin_in, cq_round)
    evidence = evidence_add(world.ent_admin_in, application, SimpleUploadedFile("制度.pdf", PDF), ["1.1.a"])
    answer_all(world.ent_admin_in, application, all_codes(application.standard))
    services.submit(world.ent_admin_in, application)
    services.review_return(world.regulator_in, application, "材料对应条目有误")
    client.force_login(world.ent_admin_in)
    client.post(reverse("creation:evidence_link", args=[evidence.pk]), {"items": ["1.2.a", "1.2.b"]})
    assert set(evidence.items.values_list("code", flat=True)) == {"1.2.a", "1.2.b"}
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()
    # Strangers cannot touch it; nothing changes.
    client.force_login(world.ent_admin_out)
    response = client.post(reverse("creation:evidence_link", args=[evidence.pk]), {"items": ["1.1.a"]})
    assert response.status_code == 404
    assert set(evidence.items.values_list("code", flat=True)) == {"1.2.a", "1.2.b"}
