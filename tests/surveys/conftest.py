"""A small hand-made survey whose numbers are worked out by hand in the tests.

重庆市 (the city regulator) asks four enterprises, two in 江北 and two in 江津; three answer:

=========  ======  ========  =======  =======  ====  ===========  ======  =========  =====
enterprise region  industry  secrets  patents  NDA%  non-compete  system  awareness  aware
=========  ======  ========  =======  =======  ====  ===========  ======  =========  =====
A ent_in   江北    C         10       4        100   50           yes     6 of 6     yes
B          江北    I         0        2        80    20           no      5 of 6     yes
C ent_out  江津    C         6        0        60    0            yes     4 of 6     no
D          江津    C         —        —        —     —            —       —          —
=========  ======  ========  =======  =======  ====  ===========  ======  =========  =====

A has the tag knowledge_intensive; B has knowledge_intensive and innovative.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.enterprises.models import Enterprise, Tag
from shangmi.surveys import services
from shangmi.surveys.loading import baseline
from shangmi.surveys.models import Questionnaire, Survey, SurveyAssignment
from tests.conftest import World, make_enterprise, make_user

# The right answers of the baseline's six awareness questions, and a wrong one for each.
RIGHT = {
    "aw_elements": ["a", "b", "c"],
    "aw_article9": "c",
    "aw_infringement": ["a", "b", "c"],
    "aw_term": "c",
    "aw_departure": "b",
    "aw_non_compete": "c",
}
WRONG = {
    "aw_elements": ["a", "b"],
    "aw_article9": "a",
    "aw_infringement": ["a", "b", "c", "d"],
    "aw_term": "a",
    "aw_departure": "a",
    "aw_non_compete": "d",
}


def awareness(right: int) -> dict[str, Any]:
    """Answers to the awareness questions with the first ``right`` of them right."""
    codes = list(RIGHT)
    return {code: (RIGHT if i < right else WRONG)[code] for i, code in enumerate(codes)}


def answers(secrets: int, patents: int, nda: float, non_compete: float, system: bool, right: int) -> dict[str, Any]:
    return {
        "trade_secrets": secrets,
        "patents": patents,
        "nda_rate": nda,
        "non_compete_rate": non_compete,
        "has_system": system,
        **awareness(right),
    }


@pytest.fixture(autouse=True)
def english() -> Any:
    """Services write messages in the active language: assert on the English msgids, which
    stay put when the Chinese catalogue gains (or rewords) these strings."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client: Any) -> Any:
    """Pages in English too, for the same reason (the default language is Chinese)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@dataclass
class SmallSurvey:
    world: World
    survey: Survey
    a: SurveyAssignment
    b: SurveyAssignment
    c: SurveyAssignment
    d: SurveyAssignment
    admin_b: Any
    admin_d: Any


def issue_baseline(world: World, user: Any = None, region: Any = None, **extra: Any) -> Survey:
    user = user or world.city_regulator
    return services.survey_issue(
        user,
        services.SurveyInput(
            questionnaire=baseline(),
            title=extra.pop("title", "2026年企业商业秘密保护基本情况调研"),
            deadline=extra.pop("deadline", program_today() + datetime.timedelta(days=30)),
            region=region or user.region,
            **extra,
        ),
    )


def small_world(world: World) -> SmallSurvey:
    knowledge, innovative = Tag.objects.get(code="knowledge_intensive"), Tag.objects.get(code="innovative")
    Enterprise.objects.filter(pk=world.ent_in.pk).update(industry="C")
    Enterprise.objects.filter(pk=world.ent_out.pk).update(industry="C")
    world.ent_in.tags.add(knowledge)
    b = make_enterprise("500105", "江北软件信息有限公司", 11, industry="I")
    b.tags.add(knowledge, innovative)
    d = make_enterprise("500116", "江津机械制造有限公司", 12, industry="C")
    admin_b = make_user("ent_admin_b", Role.ENTERPRISE_ADMIN, enterprise=b)
    admin_d = make_user("ent_admin_d", Role.ENTERPRISE_ADMIN, enterprise=d)
    survey = issue_baseline(world)
    by_enterprise = {a.enterprise_id: a for a in survey.assignments.all()}
    small = SmallSurvey(
        world,
        survey,
        by_enterprise[world.ent_in.pk],
        by_enterprise[b.pk],
        by_enterprise[world.ent_out.pk],
        by_enterprise[d.pk],
        admin_b,
        admin_d,
    )
    services.answers_save(world.ent_admin_in, small.a, answers(10, 4, 100, 50, True, 6))
    services.answers_save(admin_b, small.b, answers(0, 2, 80, 20, False, 5))
    services.answers_save(world.ent_admin_out, small.c, answers(6, 0, 60, 0, True, 4))
    return small


@pytest.fixture
def small(world: World) -> SmallSurvey:
    return small_world(world)


@pytest.fixture
def baseline_questionnaire(db: None) -> Questionnaire:
    return baseline()
