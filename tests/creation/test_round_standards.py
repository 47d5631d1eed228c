"""A round uses a standard of its own region (or one above it, or a national one), and only
the applicants its coverage reaches see the apply button; applying anyway is refused."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.creation import services
from shangmi.creation.models import Application, DemoType, Level, Round
from shangmi.regions.models import Region
from shangmi.standards.models import Standard
from tests.conftest import make_user
from tests.refusals import refused_with

TODAY = program_today()


@pytest.fixture
def standards(db) -> dict[str, Standard]:
    call_command("load_standards", verbosity=0)
    national = Standard.objects.create(
        code="national-test", version="1", title="全国通用标准", kind=Standard.Kind.CONDITIONS, content_sha256="0" * 64
    )
    return {
        "cq": Standard.objects.get(code="cq-creation", version="2023"),
        "zj": Standard.objects.get(code="zj-demo-zone", version="2018"),
        "national": national,
    }


def _round(user, standard, region_code: str, **extra) -> Round:
    return services.round_open(
        user,
        services.RoundInput(
            title="测试批次", year=2026, demo_type=extra.pop("demo_type", DemoType.UNIT),
            level=extra.pop("level", Level.PROVINCIAL), standard=standard,
            deadline=TODAY + datetime.timedelta(days=30), region=Region.objects.get(code=region_code), **extra,
        ),
    )  # fmt: skip


def test_the_data_files_say_where_each_standard_applies(standards) -> None:
    assert standards["cq"].region_id == "500000"
    assert standards["zj"].region_id == "330000"


def test_a_round_uses_a_standard_of_its_region_or_a_national_one(world, standards) -> None:
    zhejiang = make_user("zj_regulator", "regulator", region_id="330000")
    with refused_with(services.STANDARD_ELSEWHERE) as refusal:
        _round(zhejiang, standards["cq"], "330000")
    assert "重庆市" in refusal.value.text
    with refused_with(services.STANDARD_ELSEWHERE):
        _round(world.city_regulator, standards["zj"], "500000", level=Level.MUNICIPAL)
    assert not Round.objects.exists()
    # Its own region's, one above it (a district round on the city's standard), a national one.
    assert _round(zhejiang, standards["zj"], "330000", demo_type=DemoType.ZONE).standard == standards["zj"]
    assert _round(world.regulator_in, standards["cq"], "500105", level=Level.COUNTY).region_id == "500105"
    assert _round(zhejiang, standards["national"], "330000").standard == standards["national"]


def test_only_covered_applicants_see_the_apply_button(world, standards, client) -> None:
    zhejiang = make_user("zj_regulator", "regulator", region_id="330000")
    zj_round = _round(zhejiang, standards["national"], "330000", covered_regions=[Region.objects.get(code="330600")])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    apply_url = reverse("creation:application_start", args=[zj_round.pk])
    client.force_login(world.ent_admin_in)  # a Chongqing enterprise
    assert apply_url not in client.get(reverse("creation:round_detail", args=[zj_round.pk])).content.decode()
    with refused_with(services.ROUND_DOES_NOT_COVER):
        services.application_start(world.ent_admin_in, zj_round)
    response = client.post(apply_url, follow=True)
    assert "does not cover" in response.content.decode()
    assert not Application.objects.exists()
    # A 绍兴 enterprise sees it.
    from tests.conftest import make_enterprise

    shaoxing = make_enterprise("330602", "绍兴越城测试有限公司", 9)
    make_user("sx_admin", "enterprise_admin", enterprise=shaoxing)
    client.force_login(shaoxing.users.get())
    assert apply_url in client.get(reverse("creation:round_detail", args=[zj_round.pk])).content.decode()
