"""The expert pool and the experts' work on an application: registration, conflicts that
block an assignment, scoring and the written opinion the review reads, and what an expert
may open (only what they were assigned)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from shangmi.core.calendar import program_today
from shangmi.creation import panel, services
from shangmi.creation.models import Application, DemoType, ExpertAssignment, Level, Stage
from shangmi.creation.services import RoundInput
from shangmi.experts import services as pool
from shangmi.experts.models import Conflict, ExpertProfile
from shangmi.notices.models import Notification
from shangmi.standards.models import Standard
from tests.conftest import make_user
from tests.refusals import refused_with

TODAY = program_today()


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are matched in English, in the services and on the pages (the Chinese are
    tested in test_i18n and the browser tests)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def in_review(world) -> Application:
    """The inside enterprise's application, submitted: at the district's initial review."""
    call_command("load_standards", verbosity=0)
    standard = Standard.objects.filter(code="cq-creation").order_by("-version").first()
    round_ = services.round_open(
        world.city_regulator,
        RoundInput(
            title="2026年重庆市市级商业秘密保护示范单位创建", year=2026, demo_type=DemoType.UNIT,
            level=Level.MUNICIPAL, standard=standard, deadline=TODAY + datetime.timedelta(days=30),
        ),
    )  # fmt: skip
    application = services.application_start(world.ent_admin_in, round_)
    for entry in application.entries.select_related("item"):
        services.entry_save(world.ent_admin_in, application, entry.item.code, True, "", entry.version)
    services.submit(world.ent_admin_in, application)
    application.refresh_from_db()
    return application


def register(world, expert, *, fields=("law",)) -> ExpertProfile:
    return pool.expert_register(user=world.city_regulator, expert=expert, fields=fields, title="教授")


def assign(world, application, profile, **extra) -> ExpertAssignment:
    data = panel.AssignmentInput(profile=profile, due_on=TODAY + datetime.timedelta(days=7), **extra)
    return panel.expert_assign(user=world.regulator_in, application=application, data=data, today=TODAY)


def test_a_declared_conflict_blocks_the_assignment_and_changes_nothing(world, in_review) -> None:
    profile = register(world, world.expert_in)
    pool.conflict_declare(
        user=world.expert_in, profile=profile, uscc=world.ent_in.uscc.lower(), name=world.ent_in.name,
        reason="曾任该企业法律顾问",
    )  # fmt: skip
    with refused_with(panel.EXPERT_CONFLICT) as refusal:
        assign(world, in_review, profile)
    assert world.ent_in.name in refusal.value.text and "曾任该企业法律顾问" in refusal.value.text
    assert not ExpertAssignment.objects.exists()
    assert not Notification.objects.filter(recipient=world.expert_in).exists()
    # Another expert without that conflict is assigned.
    other = register(world, world.expert)
    assert assign(world, in_review, other).expert == world.expert


def test_the_review_page_shows_the_conflict_refusal(world, in_review, client) -> None:
    profile = register(world, world.expert_in)
    Conflict.objects.create(
        profile=profile, uscc=world.ent_in.uscc, name="x", reason="亲属任职", declared_by=world.expert_in
    )
    client.force_login(world.regulator_in)
    page = client.get(reverse("creation:application_review", args=[in_review.pk])).content.decode()
    assert "declared conflict with the applicant" in page
    response = client.post(
        reverse("creation:expert_assign", args=[in_review.pk]),
        {"expert": profile.pk, "due_on": (TODAY + datetime.timedelta(days=5)).isoformat(), "score_items": "on"},
        follow=True,
    )
    assert "has declared a conflict of interest" in response.content.decode()
    assert not ExpertAssignment.objects.exists()


def test_other_refusals_name_what_is_wrong(world, in_review) -> None:
    profile = register(world, world.expert_in)
    with refused_with(panel.EXPERT_NO_TASK):
        assign(world, in_review, profile, score_items=False)
    with refused_with(panel.EXPERT_ON_SITE_AT_ACCEPTANCE):
        assign(world, in_review, profile, on_site=True)  # the district's stage is the initial review
    with refused_with(panel.EXPERT_DUE_IN_PAST):
        panel.expert_assign(
            user=world.regulator_in, application=in_review, today=TODAY,
            data=panel.AssignmentInput(profile=profile, due_on=TODAY - datetime.timedelta(days=1)),
        )  # fmt: skip
    profile.availability = ExpertProfile.Availability.UNAVAILABLE
    profile.save()
    with refused_with(panel.EXPERT_AWAY):
        assign(world, in_review, profile)
    zhejiang = make_user("zj_expert", "expert", region_id="330100")
    far = pool.expert_register(user=world.admin, expert=zhejiang, fields=["technology"])
    with refused_with(panel.EXPERT_OUTSIDE):
        assign(world, in_review, far)
    # Not the bureau of the active stage: the outside district cannot assign.
    profile.availability = ExpertProfile.Availability.AVAILABLE
    profile.save()
    with refused_with(services.NOT_YOUR_QUEUE):
        panel.expert_assign(
            user=world.regulator_out, application=in_review, today=TODAY,
            data=panel.AssignmentInput(profile=profile, due_on=TODAY),
        )  # fmt: skip
    assert not ExpertAssignment.objects.exists()
    assign(world, in_review, profile)
    with refused_with(panel.EXPERT_ALREADY_ASSIGNED):
        assign(world, in_review, profile)


def test_the_expert_scores_and_writes_the_opinion_the_review_reads(world, in_review, client) -> None:
    profile = register(world, world.expert_in)
    assignment = assign(world, in_review, profile)
    # The expert was told, with the page where the work is done.
    todo = Notification.objects.get(recipient=world.expert_in)
    assert todo.url == assignment.get_absolute_url()
    codes = list(in_review.standard.items.order_by("order").values_list("code", flat=True))
    with refused_with(panel.EXPERT_OPINION_REQUIRED):
        panel.expert_submit(user=world.expert_in, assignment=assignment, opinion=" ")
    with refused_with(panel.EXPERT_NOT_ALL_SCORED):
        panel.expert_submit(user=world.expert_in, assignment=assignment, opinion="制度健全")
    with refused_with(panel.NOT_YOUR_ASSIGNMENT):
        panel.expert_score(user=world.expert, assignment=assignment, item_code=codes[0], met=True)

    client.force_login(world.expert_in)
    form = {f"met_{code}": "yes" for code in codes} | {f"met_{codes[0]}": "no", f"note_{codes[0]}": "未见会议纪要"}
    form |= {"opinion": "保密制度健全，建议补充领导小组会议纪要。", "action": "submit"}
    response = client.post(reverse("creation:assignment_work", args=[assignment.pk]), form)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == ExpertAssignment.Status.SUBMITTED
    assert assignment.scores.count() == len(codes) and assignment.scores.filter(met=False).count() == 1
    assert not Notification.objects.filter(url=assignment.get_absolute_url()).exists()  # the to-do went
    with refused_with(panel.ASSIGNMENT_DONE):
        panel.expert_opinion_save(user=world.expert_in, assignment=assignment, opinion="改")

    # The stage's reviewer reads the opinion and the expert's count on the review page.
    client.force_login(world.regulator_in)
    page = client.get(reverse("creation:application_review", args=[in_review.pk])).content.decode()
    assert "保密制度健全，建议补充领导小组会议纪要。" in page
    assert f"{len(codes) - 1} met of {len(codes)} scored" in page
    # The applicant does not learn who judged it.
    client.force_login(world.ent_admin_in)
    page = client.get(in_review.get_absolute_url()).content.decode()
    assert world.expert_in.display_name not in page and "保密制度健全" not in page


def test_an_expert_opens_only_what_they_were_assigned(world, in_review, client) -> None:
    profile = register(world, world.expert_in)
    client.force_login(world.expert_in)
    detail = reverse("creation:application_detail", args=[in_review.pk])
    assert client.get(detail).status_code == 404  # not yet assigned
    assignment = assign(world, in_review, profile)
    assert client.get(detail).status_code == 200
    assert client.get(assignment.get_absolute_url()).status_code == 200
    # Another expert, the enterprise register, the list of applications: nothing of it.
    client.force_login(world.expert)
    assert client.get(detail).status_code == 404
    assert client.get(assignment.get_absolute_url()).status_code == 404
    assert world.ent_in.name not in client.get(reverse("creation:application_list")).content.decode()
    client.force_login(world.expert_in)
    assert client.get(reverse("enterprises:detail", args=[world.ent_in.pk])).status_code == 404
    # Reading is all: the expert cannot review or change the application.
    assert client.get(reverse("creation:application_review", args=[in_review.pk])).status_code == 404


def test_the_expert_home_lists_assignments_with_due_dates(world, in_review, client) -> None:
    profile = register(world, world.expert_in)
    assignment = assign(world, in_review, profile)
    client.force_login(world.expert_in)
    page = client.get(reverse("home:home")).content.decode()
    assert "Your review assignments" in page
    assert assignment.due_on.isoformat() in page and assignment.get_absolute_url() in page
    assert in_review.applicant_name in page


def test_on_site_experts_are_the_acceptance_inspectors(world, in_review, client) -> None:
    """At the awarding stage the bureau asks an expert to join the on-site acceptance; the
    inspection form starts with their names."""
    codes = set(in_review.standard.items.values_list("code", flat=True))
    for code in codes:
        services.review_score(world.regulator_in, in_review, code, True)
    services.review_pass(world.regulator_in, in_review, "同意上报")
    profile = register(world, world.expert)
    panel.expert_assign(
        user=world.city_regulator, application=in_review, today=TODAY,
        data=panel.AssignmentInput(profile=profile, due_on=TODAY, score_items=False, on_site=True),
    )  # fmt: skip
    assert services.active_stage(in_review).kind == Stage.Kind.ACCEPTANCE
    client.force_login(world.city_regulator)
    page = client.get(reverse("creation:application_review", args=[in_review.pk])).content.decode()
    assert f'value="{world.expert.display_name}"' in page


def test_pool_registration_and_the_experts_own_profile(world, client) -> None:
    with refused_with(pool.NOT_AN_EXPERT):
        pool.expert_register(user=world.city_regulator, expert=world.officer_in, fields=["law"])
    with refused_with(pool.MAY_NOT_REGISTER):
        pool.expert_register(user=world.regulator_out, expert=world.expert_in, fields=["law"])
    with refused_with(pool.NO_FIELD):
        pool.expert_register(user=world.regulator_in, expert=world.expert_in, fields=[])
    profile = pool.expert_register(user=world.regulator_in, expert=world.expert_in, fields=["law", "technology"])
    with refused_with(pool.ALREADY_IN_POOL):
        pool.expert_register(user=world.regulator_in, expert=world.expert_in, fields=["law"])
    with refused_with(pool.CONFLICT_BAD_USCC):
        pool.conflict_declare(user=world.expert_in, profile=profile, uscc="123", name="某公司", reason="股东")
    assert not profile.conflicts.exists()
    # The expert keeps their own availability; another expert cannot.
    client.force_login(world.expert_in)
    url = reverse("experts:profile_update", args=[profile.pk])
    data = {"fields_of_expertise": ["law"], "availability": "unavailable", "unavailable_until": "2000-01-01"}
    client.post(url, data)
    profile.refresh_from_db()
    assert profile.availability == "available"  # a date in the past: refused, nothing changed
    client.post(url, data | {"unavailable_until": (TODAY + datetime.timedelta(days=10)).isoformat()})
    profile.refresh_from_db()
    assert profile.availability == "unavailable"
    assert list(profile.expertise.values_list("field", flat=True)) == ["law"]
    client.force_login(world.expert)
    assert client.get(reverse("experts:profile_detail", args=[profile.pk])).status_code == 404
    assert client.post(url, data).status_code == 404
    # The pool: the district bureau sees its expert, the other district does not.
    client.force_login(world.regulator_in)
    assert world.expert_in.display_name in client.get(reverse("experts:pool")).content.decode()
    client.force_login(world.regulator_out)
    assert world.expert_in.display_name not in client.get(reverse("experts:pool")).content.decode()
