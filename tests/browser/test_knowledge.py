"""The public portal on a phone, and a risk alert from the bureau to the enterprise that
exports to the US (and not to the one that does not)."""

from __future__ import annotations

import datetime
from typing import Any

from playwright.sync_api import Browser, Page, expect

from shangmi.knowledge import services
from shangmi.knowledge.loading import knowledge_load
from shangmi.knowledge.models import AlertDelivery, CountryGuide, Law
from shangmi.notices.models import Notification
from tests.browser.conftest import sign_in, sign_out, watch
from tests.conftest import make_user


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


def test_the_portal_reads_on_a_phone_without_an_account(browser: Browser, bworld: Any, shot: Any) -> None:
    knowledge_load()
    regulator, reviewer = bworld.regulator_in, bworld.city_regulator
    case = services.case_create(
        user=regulator,
        data=services.CaseInput(
            title="某公司前员工披露技术秘密案", summary="离职员工拷贝图纸并在新单位使用。",
            authority="江北区市场监管局", decided_on=datetime.date(2026, 4, 1), outcome="罚款五十万元。",
        ),
    )  # fmt: skip
    services.case_submit(user=regulator, case=case)
    services.case_review(user=reviewer, case=case, approve=True)
    services.case_create(
        user=regulator,
        data=services.CaseInput(
            title="尚未审核的草稿案例", summary="草稿", authority="江北区市场监管局",
            decided_on=datetime.date(2026, 4, 2), outcome="待定",
        ),
    )  # fmt: skip
    news = services.news_create(user=regulator, title="江北区启动商业秘密保护服务月", body="走访重点企业。")
    services.news_publish(user=regulator, article=news)

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    problems = watch(page)
    try:
        page.goto(f"{bworld.url}/portal/")
        expect(page).to_have_title("商业秘密保护公共门户 · 商密")
        expect(page.get_by_test_id("portal-services")).to_contain_text("举报侵权线索")
        expect(page.locator("main")).to_contain_text("某公司前员工披露技术秘密案")
        expect(page.locator("main")).not_to_contain_text("尚未审核的草稿案例")
        _no_sideways_scroll(page)
        shot(page, "portal-home-390")

        page.get_by_role("link", name="某公司前员工披露技术秘密案").click()
        expect(page.get_by_test_id("case-body")).to_contain_text("离职员工拷贝图纸")
        _no_sideways_scroll(page)

        law = Law.objects.get(code="criminal-law")
        page.goto(f"{bworld.url}/portal/laws/{law.pk}/?on=2020-06-01")
        expect(page.get_by_test_id("article").first).to_contain_text("三年以上七年以下")
        _no_sideways_scroll(page)
        shot(page, "law-as-of-390")

        codes = "&".join(f"c={g}" for g in ("US", "DE", "KR"))
        page.goto(f"{bworld.url}/portal/countries/compare/?{codes}")
        expect(page.get_by_test_id("compare-table")).to_contain_text("哈希")
        _no_sideways_scroll(page)
        shot(page, "compare-390")

        page.goto(f"{bworld.url}/portal/search/?q=商业秘密")
        expect(page.get_by_test_id("search-results")).to_contain_text("侵犯商业秘密罪")
        expect(page.get_by_test_id("search-results")).not_to_contain_text("尚未审核的草稿案例")
        _no_sideways_scroll(page)
        shot(page, "search-390")
        assert CountryGuide.objects.count() >= 5
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_a_risk_alert_reaches_the_us_exporter_and_not_the_other(page: Page, bworld: Any, shot: Any) -> None:
    url = bworld.url
    other_admin = make_user("other_admin", "enterprise_admin", enterprise=bworld.ent_in_other)
    services.export_market_add(user=other_admin, country="JP")

    # The enterprise's admin records that it exports to the US.
    sign_in(page, url, "ent_admin_in")
    page.goto(f"{url}/knowledge/markets/")
    page.get_by_test_id("market-add").locator("select").select_option("US")
    page.get_by_test_id("market-add").get_by_role("button").click()
    expect(page.get_by_test_id("market-table")).to_contain_text("美国")
    sign_out(page)

    # The bureau writes the alert and publishes it.
    sign_in(page, url, "jiangbei_regulator")
    page.goto(f"{url}/knowledge/alerts/new/")
    page.fill("input[name=title]", "美国337调查风险提示")
    page.fill("textarea[name=body]", "出口美国的企业请核查保密协议中的举报人豁免告知。")
    page.get_by_label("美国").check()
    page.get_by_test_id("knowledge-form").get_by_role("button").click()
    page.get_by_test_id("alert-publish").click()
    expect(page.get_by_test_id("receipt-rate")).to_contain_text("2 位接收人中已有 0 位阅读")
    shot(page, "alert-published")
    sign_out(page)

    # The US exporter's staff member opens it from the bell; the other enterprise got nothing.
    assert not Notification.objects.filter(recipient=other_admin).exists()
    sign_in(page, url, "ent_staff_in")
    page.get_by_test_id("notices").click()
    page.get_by_role("link", name="风险提示：美国337调查风险提示").first.click()
    expect(page.get_by_test_id("alert-body")).to_contain_text("举报人豁免")
    shot(page, "alert-received")
    sign_out(page)
    assert AlertDelivery.objects.get(user=bworld.ent_staff_in).read_at is not None

    sign_in(page, url, "other_admin")
    page.goto(f"{url}/knowledge/alerts/received/")
    expect(page.get_by_test_id("received-table")).not_to_contain_text("美国337调查风险提示")
    sign_out(page)

    sign_in(page, url, "jiangbei_regulator")
    page.goto(f"{url}/knowledge/alerts/")
    page.get_by_role("link", name="美国337调查风险提示").click()
    expect(page.get_by_test_id("receipt-rate")).to_contain_text("2 位接收人中已有 1 位阅读")
    expect(page.get_by_test_id("receipt-table")).to_contain_text(bworld.ent_in.name)
    expect(page.get_by_test_id("receipt-table")).not_to_contain_text(bworld.ent_in_other.name)
    shot(page, "alert-receipts")
