"""The ledgers answer the Chongqing items 5.1.a, 5.2.a/b, 5.3.a, 5.4.a, 5.5.a and 7.1.b."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.creation import services
from shangmi.creation.models import DemoType, Level
from shangmi.creation.suggestions import suggestions_for
from shangmi.ledgers.models import Activity, ActivityParticipant, GuidanceVisit
from shangmi.standards.models import Standard

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def application(world):
    call_command("load_standards", verbosity=0)
    round_ = services.round_open(
        world.city_regulator,
        services.RoundInput(
            title="2026 round", year=2026, demo_type=DemoType.UNIT, level=Level.MUNICIPAL,
            standard=Standard.objects.get(code="cq-creation"), deadline=program_today() + datetime.timedelta(9),
        ),
    )  # fmt: skip
    return services.application_start(world.ent_admin_in, round_)


def visit(world, when: datetime.datetime) -> GuidanceVisit:
    return GuidanceVisit.objects.create(
        enterprise=world.ent_in, officer=world.officer_in, visited_at=when, place="会议室",
        bureau_participants="指导员", enterprise_participants="商秘办", content="指导", created_by=world.officer_in,
    )  # fmt: skip


def test_empty_ledgers_suggest_not_met(world, application) -> None:
    found = suggestions_for(application)
    assert set(found) == {"5.1.a", "5.2.a", "5.2.b", "5.3.a", "5.4.a", "5.5.a", "7.1.b"}
    assert not any(s.met for s in found.values())


def test_ledgers_suggest_met_with_links(world, application, client) -> None:
    world.ent_in.guidance_officer = world.officer_in
    world.ent_in.employee_count = 2
    world.ent_in.save()
    # 30 June 23:30 in Shanghai is still the first half; a visit of 2025 does not count.
    first = visit(world, datetime.datetime(2026, 6, 30, 23, 30, tzinfo=SHANGHAI))
    visit(world, datetime.datetime(2025, 9, 1, 10, 0, tzinfo=SHANGHAI))
    training = Activity.objects.create(
        kind=Activity.Kind.TRAINING, name="保密培训", starts_at=datetime.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI),
        place="区局", organiser="区局", region=world.jiangbei, content="培训", created_by=world.regulator_in,
    )  # fmt: skip
    training.enterprises.add(world.ent_in)
    for key in ("E1", "E2"):
        ActivityParticipant.objects.create(activity=training, enterprise=world.ent_in, name=key, person_key=key)

    found = suggestions_for(application)
    met = {code for code, s in found.items() if s.met}
    assert met == {"5.1.a", "5.2.a", "5.3.a", "5.4.a", "5.5.a", "7.1.b"}
    assert not found["5.2.b"].met
    assert found["5.2.a"].links[0][1] == reverse("ledgers:guidance_detail", args=[first.pk])
    assert found["5.3.a"].links[0][1] == reverse("ledgers:activity_detail", args=[training.pk])

    client.force_login(world.ent_admin_in)
    page = client.get(reverse("creation:application_assess", args=[application.pk])).content.decode()
    assert 'data-testid="suggestion-5.2.a"' in page and reverse("ledgers:guidance_detail", args=[first.pk]) in page


def test_no_suggestions_for_other_standards_or_applicants(world, application) -> None:
    application.standard.code = "zj-demo-zone"
    assert suggestions_for(application) == {}
