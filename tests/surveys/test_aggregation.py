"""The numbers of the hand-made survey of tests/surveys/conftest.py, worked out by hand."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from shangmi.core.calendar import program_today, program_year
from shangmi.surveys import services
from shangmi.surveys.aggregation import AWARENESS_TARGET, awareness_counts, survey_results
from shangmi.surveys.loading import baseline
from shangmi.surveys.models import Question, Questionnaire, Survey, SurveyAssignment
from tests.conftest import make_enterprise, make_user
from tests.surveys.conftest import SmallSurvey, answers, issue_baseline


def numbers(group: Any) -> dict[str, Any]:
    return {
        "asked": group.asked,
        "answered": group.answered,
        "response_rate": group.response_rate,
        "trade_secrets": (group.trade_secrets_mean, group.trade_secrets_median),
        "patents": (group.patents_mean, group.patents_median),
        "nda": group.nda_rate_mean,
        "non_compete": group.non_compete_rate_mean,
        "system": (group.system_yes, group.system_answered),
        "aware": (group.aware, group.awareness_answering),
        "meets_target": group.meets_target,
    }


def test_totals(small: SmallSurvey) -> None:
    total = survey_results(small.survey).total
    assert numbers(total) == {
        "asked": 4,
        "answered": 3,
        "response_rate": 75.0,
        "trade_secrets": (pytest.approx(16 / 3), 6.0),
        "patents": (2.0, 2.0),
        "nda": 80.0,
        "non_compete": pytest.approx(70 / 3),
        "system": (2, 3),
        "aware": (2, 3),
        "meets_target": False,
    }
    assert total.system_share == pytest.approx(200 / 3)
    assert total.awareness_rate == pytest.approx(200 / 3)
    assert total.target == AWARENESS_TARGET == 90.0


def test_by_region_rolls_up_the_child_regions(small: SmallSurvey) -> None:
    regions = survey_results(small.survey).regions
    assert [(g.key, g.label_zh) for g in regions] == [("500105", "江北区"), ("500116", "江津区")]
    jiangbei, jiangjin = regions
    assert numbers(jiangbei) == {
        "asked": 2,
        "answered": 2,
        "response_rate": 100.0,
        "trade_secrets": (5.0, 5.0),
        "patents": (3.0, 3.0),
        "nda": 90.0,
        "non_compete": 35.0,
        "system": (1, 2),
        "aware": (2, 2),
        "meets_target": True,
    }
    assert numbers(jiangjin) == {
        "asked": 2,
        "answered": 1,
        "response_rate": 50.0,
        "trade_secrets": (6.0, 6.0),
        "patents": (0.0, 0.0),
        "nda": 60.0,
        "non_compete": 0.0,
        "system": (1, 1),
        "aware": (0, 1),
        "meets_target": False,
    }


def test_by_industry_and_tag(small: SmallSurvey) -> None:
    results = survey_results(small.survey)
    assert [(g.key, g.label_zh, g.asked, g.answered, g.aware, g.awareness_answering) for g in results.industries] == [
        ("C", "制造业", 3, 2, 1, 2),
        ("I", "信息传输、软件和信息技术服务业", 1, 1, 1, 1),
    ]
    assert results.industries[0].label == "Manufacturing"
    assert [(g.key, g.label, g.asked, g.answered, g.nda_rate_mean) for g in results.tags] == [
        ("knowledge_intensive", "Knowledge-intensive", 2, 2, 90.0),
        ("innovative", "Innovative", 1, 1, 80.0),
    ]


def test_question_stats(small: SmallSurvey) -> None:
    stats = {s.question.code: s for s in survey_results(small.survey).questions}
    assert (stats["aw_non_compete"].correct, stats["aw_non_compete"].correct_rate) == (1, pytest.approx(100 / 3))
    assert (stats["aw_departure"].correct, stats["aw_elements"].correct) == (2, 3)
    assert [(o.value, o.count) for o in stats["has_system"].options] == [("yes", 2), ("no", 1)]
    assert stats["trade_secrets"].mean == pytest.approx(16 / 3)
    assert stats["measures"].answered == 0 and stats["needs"].correct is None


def test_a_district_survey_has_one_region_row(small: SmallSurvey) -> None:
    world = small.world
    survey = issue_baseline(world, world.regulator_in)
    assert [(g.key, g.label_zh, g.asked) for g in survey_results(survey).regions] == [("500105", "江北区", 2)]


def test_queries_do_not_grow_with_the_enterprises(small: SmallSurvey, django_assert_max_num_queries) -> None:
    def fresh() -> Survey:
        return Survey.objects.select_related("questionnaire", "region").get(pk=small.survey.pk)

    survey = fresh()
    with django_assert_max_num_queries(5):
        survey_results(survey)
    for serial in range(40, 70):
        enterprise = make_enterprise("500116", f"江津新材料{serial}有限公司", serial, industry="C")
        assignment = SurveyAssignment.objects.create(survey=survey, enterprise=enterprise)
        admin = make_user(f"admin_{serial}", "enterprise_admin", enterprise=enterprise)
        services.answers_save(admin, assignment, answers(serial, 1, 50, 10, True, 6))
    survey = fresh()
    with django_assert_max_num_queries(5):
        results = survey_results(survey)
    assert results.total.answered == 33


# --- awareness_counts ---------------------------------------------------------------------------


def answered_in(assignment: SurveyAssignment, year: int, month: int = 6) -> None:
    when = timezone.make_aware(datetime.datetime(year, month, 15, 10, 0))
    SurveyAssignment.objects.filter(pk=assignment.pk).update(answered_at=when)


def test_awareness_counts_per_region_and_year(small: SmallSurvey, django_assert_num_queries) -> None:
    year = program_year()
    with django_assert_num_queries(4):
        awareness_counts(["500105", "500116", "500000"], year)
    # The small survey: A and B aware in 江北, C not aware in 江津, D did not answer.
    assert awareness_counts(["500105", "500116", "500000"], year) == {
        "500105": (2, 2),
        "500116": (0, 1),
        "500000": (2, 3),
    }
    assert awareness_counts(["500105"], year - 1) == {"500105": (0, 0)}
    assert awareness_counts(["999999", "500105"], year) == {"999999": (0, 0), "500105": (2, 2)}


def test_awareness_counts_takes_the_latest_baseline_answer(small: SmallSurvey) -> None:
    world = small.world
    year = program_year()
    # 江津 asks again; C now gets six right. Its latest answer counts, once.
    later = issue_baseline(world, world.regulator_out, title="江津区复查")
    again = later.assignments.get(enterprise=world.ent_out)
    services.answers_save(world.ent_admin_out, again, answers(6, 0, 60, 0, True, 6))
    assert awareness_counts(["500116", "500000"], year) == {"500116": (1, 1), "500000": (3, 3)}

    # Had the first survey been answered last, its answer would count instead.
    now = timezone.now()
    SurveyAssignment.objects.filter(pk=again.pk).update(answered_at=now - datetime.timedelta(seconds=5))
    SurveyAssignment.objects.filter(pk=small.c.pk).update(answered_at=now)
    assert awareness_counts(["500116"], year) == {"500116": (0, 1)}

    # Answers given in another year count for that year only.
    answered_in(small.a, year - 1)
    assert awareness_counts(["500105"], year) == {"500105": (1, 1)}
    assert awareness_counts(["500105"], year - 1) == {"500105": (1, 1)}


def test_awareness_counts_ignores_other_questionnaires(small: SmallSurvey) -> None:
    world = small.world
    own = services.questionnaire_copy(world.regulator_in, baseline())
    assert not own.is_baseline
    survey = services.survey_issue(
        world.regulator_in,
        services.SurveyInput(questionnaire=own, title="江北自编问卷", deadline=program_today(), region=world.jiangbei),
    )
    b = survey.assignments.get(enterprise__name="江北软件信息有限公司")
    services.answers_save(small.admin_b, b, answers(0, 2, 80, 20, False, 0))
    # B's baseline answer (aware) is still the one that counts.
    assert awareness_counts(["500105"], program_year()) == {"500105": (2, 2)}
    assert Questionnaire.objects.filter(is_baseline=True).count() == 1
    assert Question.objects.filter(questionnaire=own, metric="awareness").count() == 6


def test_enterprises_of_the_survey_region_itself_get_their_own_row(small: SmallSurvey) -> None:
    make_enterprise("500000", "重庆市直属企业", 35)
    survey = issue_baseline(small.world, title="全市调研")
    regions = survey_results(survey).regions
    assert [(g.key, g.label, g.label_zh, g.asked) for g in regions] == [
        ("500000", "重庆市 (own level)", "重庆市（本级）", 1),
        ("500105", "江北区", "江北区", 2),
        ("500116", "江津区", "江津区", 2),
    ]
