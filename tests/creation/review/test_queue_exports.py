"""The reviewer's queue, the round's score summary and the cultivation list."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shangmi.core.calendar import program_today
from shangmi.creation.models import Application, AssessmentEntry, DemoType, Level, ReviewScore, Round, Stage
from shangmi.creation.review.exporting import CANDIDATE_HEADERS_ZH, STAGE_SCORE_HEADERS_ZH, SUMMARY_HEADERS_ZH
from shangmi.creation.review.queues import queue_counts, review_queue
from shangmi.standards.models import Category, Criterion, Item, Standard
from tests.conftest import make_enterprise

ITEMS = (("1.1.a", 3), ("1.1.b", 2), ("1.2.a", 5))


def _standard() -> Standard:
    standard, created = Standard.objects.get_or_create(
        code="queue-standard",
        version="1",
        defaults={
            "title": "queue standard",
            "kind": Standard.Kind.POINTS,
            "max_total": 100,
            "content_sha256": "0" * 64,
        },
    )
    if created:
        category = Category.objects.create(standard=standard, number=1, title="组织机构健全", points=10)
        criterion = Criterion.objects.create(category=category, number=1, code="1.1", title="领导小组", points=10)
        for order, (code, points) in enumerate(ITEMS):
            Item.objects.create(
                standard=standard, criterion=criterion, code=code, text=f"条款 {code}", points=points, order=order
            )
    return standard


def _round(world: Any, title: str = "2026 市级示范单位", **extra: Any) -> Round:
    values = {
        "year": 2026,
        "demo_type": DemoType.UNIT,
        "level": Level.MUNICIPAL,
        "standard": _standard(),
        "region": world.chongqing,
        "deadline": datetime.date(2026, 9, 30),
        "created_by": world.city_regulator,
        **extra,
    }
    return Round.objects.create(title=title, **values)


def _application(world: Any, round_: Round, enterprise: Any, *, met: tuple[str, ...] = ()) -> Application:
    """An enterprise's application with its two stages (district, then the city), still a draft."""
    application = Application.objects.create(
        round=round_,
        standard=round_.standard,
        applicant_kind=Application.ApplicantKind.ENTERPRISE,
        enterprise=enterprise,
        park=enterprise.park,
        region=enterprise.region,
        applicant_name=enterprise.name,
        created_by=world.admin,
    )
    Stage.objects.create(application=application, index=0, region=enterprise.region, kind=Stage.Kind.INITIAL)
    Stage.objects.create(application=application, index=1, region=world.chongqing, kind=Stage.Kind.ACCEPTANCE)
    for item in round_.standard.items.all():
        AssessmentEntry.objects.create(application=application, item=item, met=item.code in met)
    return application


def _submit(application: Application, due_on: datetime.date | None = None) -> Application:
    application.status = Application.Status.IN_REVIEW
    application.save(update_fields=["status"])
    stage = application.stages.get(index=0)
    stage.status = Stage.Status.ACTIVE
    stage.arrived_at = timezone.now()
    stage.due_on = due_on if due_on is not None else program_today() + datetime.timedelta(days=20)
    stage.save()
    return application


def _pass_up(application: Application) -> Stage:
    """The district passes it: the city's stage becomes the active one."""
    first, second = application.stages.order_by("index")
    first.status = Stage.Status.PASSED
    first.save()
    second.status = Stage.Status.ACTIVE
    second.arrived_at = timezone.now()
    second.due_on = program_today() + datetime.timedelta(days=20)
    second.save()
    application.stage_index = 1
    application.save(update_fields=["stage_index"])
    return second


def _score_stage(stage: Stage, reviewer: Any, met: tuple[str, ...]) -> None:
    for item in stage.application.standard.items.all():
        ReviewScore.objects.create(stage=stage, item=item, met=item.code in met, scored_by=reviewer)


def _total(standard: Standard, met: tuple[str, ...]) -> Decimal:
    from shangmi.standards.scoring import score, spec_of

    return score(spec_of(standard), met).total


def _sheets(response: Any) -> dict[str, list[list[Any]]]:
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    raw = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def _queue_names(user: Any, **filters: str) -> list[str]:
    return [stage.application.applicant_name for stage in review_queue(user, filters)]


# --- the queue -----------------------------------------------------------------------------


def test_queue_shows_the_active_stage_to_the_regulators_of_exactly_its_region(world: Any, client: Any) -> None:
    round_ = _round(world)
    inside = _submit(_application(world, round_, world.ent_in))
    _submit(_application(world, round_, world.ent_out))

    assert _queue_names(world.regulator_in) == [world.ent_in.name]
    assert _queue_names(world.regulator_out) == [world.ent_out.name]
    # The city sees nothing while the districts review: not their stage yet.
    assert _queue_names(world.city_regulator) == []

    client.force_login(world.regulator_in)
    page = client.get(reverse("creation:queue")).content.decode()
    assert world.ent_in.name in page
    assert world.ent_out.name not in page
    assert inside.get_absolute_url() in page

    _pass_up(inside)
    assert _queue_names(world.city_regulator) == [world.ent_in.name]
    assert _queue_names(world.regulator_in) == []


def test_queue_leaves_out_drafts_and_other_roles(world: Any, client: Any) -> None:
    round_ = _round(world)
    _application(world, round_, world.ent_in)  # a draft: nothing to review yet
    assert _queue_names(world.regulator_in) == []
    _submit(Application.objects.get(enterprise=world.ent_in))
    for user in (world.admin, world.ent_admin_in, world.park_operator_in, world.officer_in, world.expert):
        assert _queue_names(user) == []
        client.force_login(user)
        response = client.get(reverse("creation:queue"))
        assert response.status_code == 200
        assert world.ent_in.name not in response.content.decode()


def test_queue_filters(world: Any, client: Any) -> None:
    units = _round(world, "units")
    stations = _round(world, "stations", demo_type=DemoType.STATION, level=Level.COUNTY, region=world.jiangbei)
    alpha = make_enterprise("500105", "阿尔法精密制造有限公司", 11)
    beta = make_enterprise("500105", "贝塔新材料有限公司", 12)
    today = program_today()
    _submit(_application(world, units, world.ent_in), due_on=today + datetime.timedelta(days=15))
    _submit(_application(world, units, alpha), due_on=today - datetime.timedelta(days=2))
    late_station = _application(world, stations, beta)
    _submit(late_station, due_on=today - datetime.timedelta(days=1))
    # The station round is awarded by the district itself: its one stage is the acceptance.
    Stage.objects.filter(application=late_station, index=0).update(kind=Stage.Kind.ACCEPTANCE)

    user = world.regulator_in
    assert set(_queue_names(user)) == {world.ent_in.name, alpha.name, beta.name}
    assert set(_queue_names(user, round=str(units.pk))) == {world.ent_in.name, alpha.name}
    assert _queue_names(user, demo_type=DemoType.STATION) == [beta.name]
    assert _queue_names(user, level=Level.COUNTY) == [beta.name]
    assert _queue_names(user, kind=Stage.Kind.ACCEPTANCE) == [beta.name]
    assert set(_queue_names(user, kind=Stage.Kind.INITIAL)) == {world.ent_in.name, alpha.name}
    assert set(_queue_names(user, overdue="1")) == {alpha.name, beta.name}
    assert _queue_names(user, q="阿尔法") == [alpha.name]
    assert _queue_names(user, q="阿尔法", overdue="1", round=str(units.pk)) == [alpha.name]
    assert _queue_names(user, q="不存在") == []
    # A stale or forged value is ignored, not an error.
    assert len(_queue_names(user, round="x", demo_type="nope", kind="final")) == 3

    client.force_login(user)
    page = client.get(reverse("creation:queue"), {"q": "贝塔", "overdue": "on"}).content.decode()
    assert beta.name in page
    assert alpha.name not in page
    assert world.ent_in.name not in page


def test_queue_puts_the_overdue_first_and_flags_them(world: Any, client: Any) -> None:
    round_ = _round(world)
    today = program_today()
    due = {
        "远期单位": today + datetime.timedelta(days=30),
        "逾期单位": today - datetime.timedelta(days=5),
        "临期单位": today + datetime.timedelta(days=3),
        "稍逾期单位": today - datetime.timedelta(days=1),
    }
    for serial, (name, due_on) in enumerate(due.items(), start=20):
        _submit(_application(world, round_, make_enterprise("500105", name, serial)), due_on=due_on)

    assert _queue_names(world.regulator_in) == ["逾期单位", "稍逾期单位", "临期单位", "远期单位"]
    assert queue_counts(world.regulator_in) == {"active": 4, "overdue": 2, "due_soon": 1}
    assert queue_counts(world.regulator_out) == {"active": 0, "overdue": 0, "due_soon": 0}
    assert queue_counts(world.ent_admin_in) == {"active": 0, "overdue": 0, "due_soon": 0}

    client.force_login(world.regulator_in)
    page = client.get(reverse("creation:queue")).content.decode()
    assert page.index("逾期单位") < page.index("稍逾期单位") < page.index("临期单位") < page.index("远期单位")
    assert page.count('data-testid="badge-overdue"') == 2
    assert page.count('data-testid="badge-soon"') == 1


def test_queue_shows_the_self_assessed_total_and_paginates(world: Any, client: Any) -> None:
    round_ = _round(world)
    _submit(_application(world, round_, world.ent_in, met=("1.1.a", "1.2.a")))
    client.force_login(world.regulator_in)
    page = client.get(reverse("creation:queue")).content.decode()
    assert f">{_total(round_.standard, ('1.1.a', '1.2.a'))}<" in page

    for serial in range(30, 56):
        _submit(_application(world, round_, make_enterprise("500105", f"分页企业{serial}", serial)))
    first = client.get(reverse("creation:queue"))
    assert len(first.context["stages"]) == 25
    second = client.get(reverse("creation:queue"), {"page": 2})
    assert len(second.context["stages"]) == 2


def test_queue_page_queries_do_not_grow_with_rows(world: Any, client: Any, django_assert_max_num_queries: Any) -> None:
    round_ = _round(world)
    _submit(_application(world, round_, world.ent_in, met=("1.1.a",)))
    client.force_login(world.regulator_in)
    client.get(reverse("creation:queue"))  # warm the session and the sites' caches
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(reverse("creation:queue")).status_code == 200

    for serial in range(60, 72):
        _submit(_application(world, round_, make_enterprise("500105", f"查询计数企业{serial}", serial), met=("1.1.b",)))
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        response = client.get(reverse("creation:queue"))
    assert len(response.context["stages"]) == 13


# --- the round's score summary -------------------------------------------------------------


@pytest.fixture
def scored_round(world: Any) -> Round:
    """Two districts' applications; 江北's has passed its initial review and waits for the city."""
    round_ = _round(world)
    inside = _submit(_application(world, round_, world.ent_in, met=("1.1.a", "1.1.b", "1.2.a")))
    _score_stage(inside.stages.get(index=0), world.regulator_in, met=("1.1.a", "1.2.a"))
    _pass_up(inside)
    _submit(_application(world, round_, world.ent_out, met=("1.1.b",)))
    return round_


def _summary(sheets: dict[str, list[list[Any]]]) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    header, *rows = sheets["申报汇总"]
    return header, {row[1]: dict(zip(header, row, strict=True)) for row in rows}


def test_round_export_has_the_regulators_rows_with_the_scorers_totals(
    world: Any, client: Any, scored_round: Round, tmp_media: Any
) -> None:
    standard = scored_round.standard
    client.force_login(world.regulator_in)
    sheets = _sheets(client.get(reverse("creation:round_export", args=[scored_round.pk])))
    header, rows = _summary(sheets)
    assert header == SUMMARY_HEADERS_ZH + STAGE_SCORE_HEADERS_ZH
    assert list(rows) == [world.ent_in.name]
    row = rows[world.ent_in.name]
    assert row["统一社会信用代码"] == world.ent_in.uscc
    assert row["所在地区"] == world.jiangbei.full_name
    assert row["园区"] == world.park_in.name
    assert (row["申报类型"], row["级别"], row["状态"]) == ("示范单位", "市级", "审核中")
    assert row["当前环节"] == f"验收（{world.chongqing.name}）"
    assert Decimal(str(row["自评得分"])) == _total(standard, ("1.1.a", "1.1.b", "1.2.a"))
    assert Decimal(str(row["初审得分"])) == _total(standard, ("1.1.a", "1.2.a"))
    assert row["复审得分"] == "" and row["验收得分"] == ""

    items = sheets["逐项评分"]
    assert items[0][:4] == ["编号", "评分项", "分值", world.ent_in.name]
    assert items[1][3:6] == ["自评", "初审", "验收"]
    by_code = {row[0]: row for row in items[2:]}
    assert list(by_code) == [code for code, _points in ITEMS]
    assert [by_code[code][3] for code, _ in ITEMS] == ["✓", "✓", "✓"]
    assert [by_code[code][4] for code, _ in ITEMS] == ["✓", "✗", "✓"]
    assert [by_code[code][5] for code, _ in ITEMS] == ["", "", ""]  # the city has not scored yet


def test_round_export_of_the_other_district_has_no_jiangbei_row(
    world: Any, client: Any, scored_round: Round, tmp_media: Any
) -> None:
    client.force_login(world.regulator_out)
    response = client.get(reverse("creation:round_export", args=[scored_round.pk]))
    sheets = _sheets(response)
    _header, rows = _summary(sheets)
    assert list(rows) == [world.ent_out.name]
    assert Decimal(str(rows[world.ent_out.name]["自评得分"])) == _total(scored_round.standard, ("1.1.b",))
    every_cell = {str(cell) for sheet in sheets.values() for row in sheet for cell in row}
    assert world.ent_in.name not in every_cell
    assert world.ent_in.uscc not in every_cell

    client.force_login(world.city_regulator)
    _header, rows = _summary(_sheets(client.get(reverse("creation:round_export", args=[scored_round.pk]))))
    assert set(rows) == {world.ent_in.name, world.ent_out.name}


def test_round_export_gives_an_applicant_its_own_row_without_the_reviewers_scores(
    world: Any, client: Any, scored_round: Round, tmp_media: Any
) -> None:
    client.force_login(world.ent_admin_in)
    sheets = _sheets(client.get(reverse("creation:round_export", args=[scored_round.pk])))
    header, rows = _summary(sheets)
    assert header == SUMMARY_HEADERS_ZH
    assert list(rows) == [world.ent_in.name]
    assert sheets["逐项评分"][1][3:] == ["自评"]
    every_cell = {str(cell) for sheet in sheets.values() for row in sheet for cell in row}
    assert world.ent_out.name not in every_cell and world.ent_out.uscc not in every_cell


def test_round_export_of_an_unknown_round_is_404(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    assert client.get(reverse("creation:round_export", args=[999999])).status_code == 404
    assert client.get(reverse("creation:candidate_list", args=[999999])).status_code == 404


# --- the cultivation list ------------------------------------------------------------------


def test_candidate_list_of_a_district(world: Any, client: Any, tmp_media: Any) -> None:
    round_ = _round(world)
    world.ent_in.contact_name = "张三"
    world.ent_in.contact_phone = "023-67000000"
    world.ent_in.save()
    _submit(_application(world, round_, world.ent_in, met=("1.1.a",)))
    _application(world, round_, make_enterprise("500105", "江北培育对象有限公司", 40), met=("1.2.a",))
    withdrawn = _application(world, round_, make_enterprise("500105", "江北撤回企业有限公司", 41))
    Application.objects.filter(pk=withdrawn.pk).update(status=Application.Status.WITHDRAWN)
    _application(world, round_, world.ent_out)

    client.force_login(world.regulator_in)
    sheets = _sheets(client.get(reverse("creation:candidate_list", args=[round_.pk])))
    rows = sheets["培育名单"]
    assert rows[0][0] == f"{world.jiangbei.full_name}2026年商业秘密保护示范单位培育名单"
    assert rows[1] == CANDIDATE_HEADERS_ZH
    data = [dict(zip(CANDIDATE_HEADERS_ZH, row, strict=True)) for row in rows[2:-1]]
    assert {row["单位名称"] for row in data} == {world.ent_in.name, "江北培育对象有限公司"}
    mine = next(row for row in data if row["单位名称"] == world.ent_in.name)
    assert mine["区、县(市)"] == world.jiangbei.name
    assert (mine["统一社会信用代码"], mine["联系人"], mine["联系电话"]) == (world.ent_in.uscc, "张三", "023-67000000")
    assert (mine["申报类型"], mine["级别"], mine["状态"]) == ("示范单位", "市级", "审核中")
    assert Decimal(str(mine["自评得分"])) == _total(round_.standard, ("1.1.a",))
    assert sorted(int(row["序号"]) for row in data) == [1, 2]
    total = rows[-1]
    assert total[0] == "合计"
    assert int(total[2]) == 2


def test_candidate_list_of_the_city_and_of_a_district_below_it(world: Any, client: Any, tmp_media: Any) -> None:
    round_ = _round(world)
    _application(world, round_, world.ent_in)
    _application(world, round_, world.ent_out)
    client.force_login(world.city_regulator)

    rows = _sheets(client.get(reverse("creation:candidate_list", args=[round_.pk])))["培育名单"]
    assert rows[0][0] == f"{world.chongqing.full_name}2026年商业秘密保护示范单位培育名单"
    assert {row[1] for row in rows[2:-1]} == {world.jiangbei.name, world.jiangjin.name}
    assert int(rows[-1][2]) == 2

    url = reverse("creation:candidate_list", args=[round_.pk])
    rows = _sheets(client.get(url, {"region": world.jiangjin.code}))["培育名单"]
    assert rows[0][0].startswith(world.jiangjin.full_name)
    assert [row[2] for row in rows[2:-1]] == [world.ent_out.name]
    assert int(rows[-1][2]) == 1


def test_candidate_list_refuses_a_region_outside_the_users(world: Any, client: Any, tmp_media: Any) -> None:
    round_ = _round(world)
    _application(world, round_, world.ent_out)
    client.force_login(world.regulator_in)
    url = reverse("creation:candidate_list", args=[round_.pk])
    for code in (world.jiangjin.code, world.chongqing.code, "999999"):
        assert client.get(url, {"region": code}).status_code == 404
    rows = _sheets(client.get(url))["培育名单"]
    assert int(rows[-1][2]) == 0
    assert world.ent_out.name not in {str(cell) for row in rows for cell in row}
