"""Each role's first hour: the home page shows the person's own work, in both languages, on a
laptop (1366 px) and a phone (390 px), without sideways scrolling; and the expert does the
work from there (scores, writes the opinion) that the reviewing bureau then reads."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from shangmi.core.calendar import program_today
from shangmi.creation import panel, services
from shangmi.creation.models import Application, DemoType, ExpertAssignment, Level
from shangmi.experts.services import conflict_declare, expert_register
from shangmi.standards.models import Standard
from tests.browser.conftest import SCREENSHOTS, BrowserWorld, sign_in, watch

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
TODAY = program_today()


def _in_review(world: BrowserWorld) -> Application:
    call_command("load_standards", verbosity=0)
    standard = Standard.objects.filter(code="cq-creation").order_by("-version").first()
    round_ = services.round_open(
        world.city_regulator,
        services.RoundInput(
            title="2026年重庆市市级商业秘密保护示范单位创建", year=2026, demo_type=DemoType.UNIT,
            level=Level.MUNICIPAL, standard=standard, deadline=TODAY + datetime.timedelta(days=30),
        ),
    )  # fmt: skip
    application = services.application_start(world.ent_admin_in, round_)
    for entry in application.entries.select_related("item"):
        services.entry_save(world.ent_admin_in, application, entry.item.code, True, "", entry.version)
    services.submit(world.ent_admin_in, application)
    return application


def test_the_expert_home_shows_the_assignment_and_the_work_reaches_the_review(
    browser: Browser, bworld: BrowserWorld
) -> None:
    application = _in_review(bworld)
    bworld.expert_in.full_name = "陈立群"
    bworld.expert_in.save(update_fields=["full_name"])
    profile = expert_register(user=bworld.regulator_in, expert=bworld.expert_in, fields=["law", "technology"])
    blocked = expert_register(user=bworld.city_regulator, expert=bworld.expert, fields=["law"])
    conflict_declare(
        user=bworld.expert, profile=blocked, uscc=bworld.ent_in.uscc, name=bworld.ent_in.name, reason="持有该企业股份"
    )
    due = TODAY + datetime.timedelta(days=9)
    assignment = panel.expert_assign(
        user=bworld.regulator_in, application=application, today=TODAY,
        data=panel.AssignmentInput(profile=profile, due_on=due),
    )  # fmt: skip

    for language, locale in LANGUAGES.items():
        for size, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, locale=locale)
            context.set_default_timeout(15_000)
            page = context.new_page()
            problems = watch(page)
            sign_in(page, bworld.url, bworld.expert_in.username)
            work = page.get_by_test_id("work")
            expect(work).to_contain_text(application.applicant_name)
            expect(work).to_contain_text(due.isoformat())
            expect(work).to_contain_text("评分" if language == "zh" else "Score the items")
            page.screenshot(path=str(SCREENSHOTS / f"home-expert-{language}-{size}.png"), full_page=True)
            assert page.evaluate(OVERFLOW) <= 0, f"expert {language} {size}: the home page scrolls sideways"
            context.close()
            assert not problems, "\n".join(problems)

    # The expert opens the assignment from the home page, scores and submits the opinion.
    context = browser.new_context(viewport=VIEWPORTS["laptop"], locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page)
    sign_in(page, bworld.url, bworld.expert_in.username)
    page.get_by_test_id("work").get_by_role("link").first.click()
    expect(page.get_by_test_id("due")).to_have_text(due.isoformat())
    rows = page.locator("[data-testid=expert-items] tr[data-code]")
    for code in rows.evaluate_all("rows => rows.map(r => r.dataset.code)"):
        page.locator(f"tr[data-code='{code}'] input[value={'no' if code == '6.1.b' else 'yes'}]").check()
    page.fill("#opinion", "制度健全；6.1.b 离职脱密期缺少执行记录，建议补充。")
    page.get_by_test_id("expert-submit").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("[data-testid=opinion]")).to_contain_text("离职脱密期缺少执行记录")
    page.screenshot(path=str(SCREENSHOTS / "home-expert-assignment-submitted.png"), full_page=True)
    context.close()
    assignment.refresh_from_db()
    assert assignment.status == ExpertAssignment.Status.SUBMITTED

    # The district's reviewer reads the opinion; choosing the expert with a conflict is refused.
    context = browser.new_context(viewport=VIEWPORTS["laptop"], locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems += watch(page)
    sign_in(page, bworld.url, bworld.regulator_in.username)
    page.goto(f"{bworld.url}/creation/applications/{application.pk}/review/")
    expect(page.get_by_test_id("expert-opinions")).to_contain_text("离职脱密期缺少执行记录")
    page.select_option("#expert", str(blocked.pk))
    page.get_by_test_id("expert-assign").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text("利益冲突")
    page.screenshot(path=str(SCREENSHOTS / "review-expert-conflict-refused.png"), full_page=True)
    context.close()
    assert ExpertAssignment.objects.count() == 1
    assert not problems, "\n".join(problems)


def test_the_judicial_liaison_and_the_officer_homes_show_their_work(browser: Browser, bworld: BrowserWorld) -> None:
    """The court's liaison sees the transfer awaiting their receipt; the liaison officer the
    application and the open survey of their enterprise, in both languages, laptop and phone."""
    import io

    from tests.test_scope_walk import _application, _survey, _transfer

    call_command("load_enforcement_rules", stdout=io.StringIO())
    transfer = _transfer(bworld, bworld.regulator_in, "in")
    _application(bworld, bworld.ent_admin_in, "in")
    _survey(bworld, bworld.ent_admin_in, "in")
    bworld.judicial.full_name = "江北区人民法院 刘洋"
    bworld.judicial.save(update_fields=["full_name"])
    expected = {
        "judicial": (transfer.case.party, {"zh": "签收回执", "en": "Sign the receipt"}),
        "officer_in": (None, {"zh": "您联系企业的申报", "en": "Applications of your enterprises"}),
    }
    for attr, (subject, texts) in expected.items():
        user = getattr(bworld, attr)
        for language, locale in LANGUAGES.items():
            for size, viewport in VIEWPORTS.items():
                context = browser.new_context(viewport=viewport, locale=locale)
                context.set_default_timeout(15_000)
                page = context.new_page()
                problems = watch(page)
                sign_in(page, bworld.url, user.username)
                expect(page.locator("main")).to_contain_text(texts[language])
                if subject:
                    expect(page.get_by_test_id("work")).to_contain_text(subject)
                page.screenshot(path=str(SCREENSHOTS / f"home-{attr}-{language}-{size}.png"), full_page=True)
                assert page.evaluate(OVERFLOW) <= 0, f"{attr} {language} {size}: the home page scrolls sideways"
                context.close()
                assert not problems, "\n".join(problems)
