"""Issuing, answering, reminding and closing; writing questionnaires."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from shangmi.core.calendar import program_today
from shangmi.enterprises.models import Tag
from shangmi.notices.models import Notification
from shangmi.surveys import services
from shangmi.surveys.loading import baseline
from shangmi.surveys.models import Answer, Survey, SurveyAssignment
from shangmi.surveys.services import AnswerErrors, QuestionInput
from tests.conftest import make_enterprise
from tests.refusals import refused_with
from tests.surveys.conftest import SmallSurvey, answers, issue_baseline


def notices(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# --- issuing ----------------------------------------------------------------------------------


def test_issue_asks_the_region_subtree_and_notifies_admins(world) -> None:
    staff_only = make_enterprise("500105", "江北无管理员企业", 31)
    survey = issue_baseline(world, world.regulator_in, title="江北区2026年基本情况调研")
    asked = set(survey.assignments.values_list("enterprise_id", flat=True))
    assert asked == {world.ent_in.pk, staff_only.pk}  # 江北 only, never 江津
    assert notices(world.ent_admin_in) == ["Survey to answer: 江北区2026年基本情况调研"]
    assert notices(world.ent_staff_in) == [] and notices(world.ent_admin_out) == []
    note = Notification.objects.get(recipient=world.ent_admin_in)
    assert note.url == f"/surveys/{survey.pk}/"
    assert survey.targeting == {"tags": [], "industries": [], "liaison_points_only": False}


def test_issue_filters_by_tag_industry_and_liaison_point(world) -> None:
    knowledge = Tag.objects.get(code="knowledge_intensive")
    tagged = make_enterprise("500105", "江北知识密集企业", 32, industry="M")
    tagged.tags.add(knowledge)
    make_enterprise("500105", "江北制造企业", 33, industry="C")
    by_tag = issue_baseline(world, world.regulator_in, tags=[knowledge])
    assert list(by_tag.assignments.values_list("enterprise__name", flat=True)) == ["江北知识密集企业"]
    by_industry = issue_baseline(world, world.regulator_in, industries=["C"])
    assert list(by_industry.assignments.values_list("enterprise__name", flat=True)) == ["江北制造企业"]
    liaison = issue_baseline(world, world.regulator_in, liaison_points_only=True)
    assert list(liaison.assignments.values_list("enterprise_id", flat=True)) == [world.ent_in.pk]
    assert liaison.targeting["liaison_points_only"] is True


def test_issue_refusals(world) -> None:
    with refused_with(services.REGION_OUTSIDE):
        issue_baseline(world, world.regulator_in, region=world.jiangjin)
    with refused_with(services.REGULATOR_ONLY):
        issue_baseline(world, world.ent_admin_in, region=world.jiangbei)
    with refused_with(services.DEADLINE_PAST):
        issue_baseline(world, world.regulator_in, deadline=program_today() - datetime.timedelta(days=1))
    with refused_with(services.NOBODY_MATCHES):
        issue_baseline(world, world.regulator_in, industries=["T"])
    assert not Survey.objects.exists()


# --- answering --------------------------------------------------------------------------------


def test_answers_are_saved_typed_and_can_change_until_the_deadline(small: SmallSurvey) -> None:
    world = small.world
    saved = services.answers_of(small.a)
    assert saved["trade_secrets"] == 10 and saved["has_system"] is True and saved["aw_elements"] == ["a", "b", "c"]
    first = SurveyAssignment.objects.get(pk=small.a.pk).answered_at
    assert first is not None
    services.answers_save(world.ent_staff_in, small.a, answers(12, 4, 100, 50, True, 6))
    a = SurveyAssignment.objects.get(pk=small.a.pk)
    assert services.answers_of(a)["trade_secrets"] == 12
    assert a.answered_by == world.ent_staff_in and a.answered_at >= first

    Survey.objects.filter(pk=small.survey.pk).update(deadline=program_today() - datetime.timedelta(days=1))
    with refused_with(services.NOT_ANSWERABLE):
        services.answers_save(world.ent_admin_in, small.a, answers(1, 1, 1, 1, True, 6))
    assert services.answers_of(small.a)["trade_secrets"] == 12


def test_invalid_answers_change_nothing(small: SmallSurvey) -> None:
    bad = {**answers(10, 4, 100, 50, True, 6), "trade_secrets": -2, "nda_rate": 130, "has_system": None}
    with pytest.raises(AnswerErrors) as caught:
        services.answers_save(small.admin_d, small.d, bad)
    assert caught.value.errors == {
        "trade_secrets": "Enter a whole number, 0 or more.",
        "nda_rate": "Enter a percentage between 0 and 100.",
        "has_system": "This question must be answered.",
    }
    d = SurveyAssignment.objects.get(pk=small.d.pk)
    assert d.answered_at is None and not Answer.objects.filter(assignment=d).exists()


def test_only_the_enterprise_answers_its_own(small: SmallSurvey) -> None:
    world = small.world
    for outsider in (world.ent_admin_out, world.regulator_in, world.city_regulator, small.admin_b):
        with refused_with(services.OWN_STAFF_ONLY):
            services.answers_save(outsider, small.a, answers(1, 1, 1, 1, True, 6))


def test_closing_stops_answers(small: SmallSurvey) -> None:
    world = small.world
    with refused_with(services.NOT_MANAGER):
        services.survey_close(world.regulator_out, small.survey)  # 江津 does not manage the city's survey
    closed = services.survey_close(world.city_regulator, small.survey)
    assert closed.status == Survey.Status.CLOSED and closed.closed_at is not None
    with refused_with(services.ALREADY_CLOSED):
        services.survey_close(world.city_regulator, closed)
    with refused_with(services.NOT_ANSWERABLE):
        services.answers_save(small.admin_d, small.d, answers(1, 1, 1, 1, True, 6))


def test_status_and_closing_time_cannot_disagree(small: SmallSurvey) -> None:
    survey = small.survey
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)  # closed, but no closing time
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(closed_at=timezone.now())  # a closing time, but open
    closed = services.survey_close(small.world.city_regulator, survey)
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=closed.pk).update(status=Survey.Status.OPEN)


# --- reminders --------------------------------------------------------------------------------


def test_reminders_go_only_to_the_unanswered(small: SmallSurvey) -> None:
    world = small.world
    no_admin = make_enterprise("500116", "江津无管理员企业", 34)
    SurveyAssignment.objects.create(survey=small.survey, enterprise=no_admin)
    Notification.objects.all().delete()

    result = services.survey_remind(small.survey, user=world.city_regulator)
    assert (result.reminded, result.without_admin, result.skipped) == (1, 1, 0)
    assert notices(small.admin_d) == ["Reminder: please answer the survey 2026年企业商业秘密保护基本情况调研"]
    for answered in (world.ent_admin_in, small.admin_b, world.ent_admin_out):
        assert notices(answered) == []
    reminded = dict(SurveyAssignment.objects.filter(survey=small.survey).values_list("enterprise_id", "reminded_at"))
    assert reminded[small.d.enterprise_id] is not None
    assert [e for e, at in reminded.items() if at is not None] == [small.d.enterprise_id]

    # The periodic command leaves alone those reminded recently.
    out = io.StringIO()
    call_command("remind_surveys", stdout=out)
    assert "0 reminded, 1 without administrator, 1 reminded recently" in out.getvalue()
    assert len(notices(small.admin_d)) == 1
    SurveyAssignment.objects.filter(pk=small.d.pk).update(reminded_at=timezone.now() - datetime.timedelta(days=4))
    out = io.StringIO()
    call_command("remind_surveys", "--survey", str(small.survey.pk), stdout=out)
    assert "1 reminded" in out.getvalue()
    assert len(notices(small.admin_d)) == 2


def test_no_reminder_for_a_closed_survey(small: SmallSurvey) -> None:
    services.survey_close(small.world.city_regulator, small.survey)
    with refused_with(services.REMIND_NOT_ANSWERABLE):
        services.survey_remind(small.survey, user=small.world.city_regulator)
    with refused_with(services.NOT_MANAGER):
        services.survey_remind(small.survey, user=small.world.regulator_in)


def test_deadline_can_be_extended_while_open(small: SmallSurvey) -> None:
    world = small.world
    later = program_today() + datetime.timedelta(days=60)
    assert services.survey_set_deadline(world.city_regulator, small.survey, later).deadline == later
    with refused_with(services.DEADLINE_PAST):
        services.survey_set_deadline(world.city_regulator, small.survey, program_today() - datetime.timedelta(1))


# --- questionnaires ---------------------------------------------------------------------------


def test_a_regulator_writes_a_questionnaire(world) -> None:
    own = services.questionnaire_create(world.regulator_in, title="江北区商业秘密保护需求调查")
    assert own.region == world.jiangbei and not own.is_baseline
    secrets = services.question_save(
        world.regulator_in, own, QuestionInput(text="商业秘密数量", kind="integer", metric="trade_secrets")
    )
    term = services.question_save(
        world.regulator_in,
        own,
        QuestionInput(
            text="商业秘密的保护期限",
            kind="single",
            choices=[{"value": "a", "label": "10年"}, {"value": "b", "label": "无固定期限"}],
            correct="b",
            metric="awareness",
        ),
    )
    assert (secrets.code, secrets.order, term.code, term.order) == ("q1", 10, "q2", 20)
    with refused_with(services.QUESTION_PROBLEMS):
        services.question_save(
            world.regulator_in, own, QuestionInput(text="又一个数量", kind="integer", metric="trade_secrets")
        )
    with refused_with(services.QUESTION_PROBLEMS):
        services.question_save(world.regulator_in, own, QuestionInput(text=" ", kind="text"))
    services.question_move(world.regulator_in, term, -1)
    assert list(own.questions.values_list("code", flat=True)) == ["q2", "q1"]
    # Another district's regulator cannot touch it.
    with refused_with(services.QUESTIONNAIRE_NOT_YOURS):
        services.question_delete(world.regulator_out, secrets)


def test_an_issued_questionnaire_is_frozen_and_the_baseline_is_not_edited(world) -> None:
    with refused_with(services.BASELINE_NOT_EDITED):
        services.question_save(world.admin, baseline(), QuestionInput(text="新题", kind="text"))
    own = services.questionnaire_copy(world.regulator_in, baseline())
    assert own.questions.count() == baseline().questions.count()
    services.survey_issue(
        world.regulator_in,
        services.SurveyInput(questionnaire=own, title="江北", deadline=program_today(), region=world.jiangbei),
    )
    with refused_with(services.ISSUED_NOT_EDITED):
        services.question_delete(world.regulator_in, own.questions.first())
    with refused_with(services.ISSUED_NOT_EDITED):
        services.questionnaire_update(world.regulator_in, own, title="改名", description="", aware_threshold=80)


def test_a_city_questionnaire_serves_its_districts_but_not_the_other_way(world) -> None:
    baseline()
    city = services.questionnaire_create(world.city_regulator, title="重庆市问卷")
    services.question_save(world.city_regulator, city, QuestionInput(text="专利数量", kind="integer"))
    district = services.questionnaire_create(world.regulator_out, title="江津区问卷")
    services.question_save(world.regulator_out, district, QuestionInput(text="专利数量", kind="integer"))
    empty = services.questionnaire_create(world.regulator_in, title="江北区空问卷")
    usable = set(services.usable_questionnaires(world.regulator_in).values_list("title", flat=True))
    assert usable == {"重庆市问卷", baseline().title}
    assert empty.title not in usable
    assert set(services.usable_questionnaires(world.city_regulator).values_list("title", flat=True)) == {
        "重庆市问卷",
        "江津区问卷",
        baseline().title,
    }
    assert not services.usable_questionnaires(world.ent_admin_in).exists()
