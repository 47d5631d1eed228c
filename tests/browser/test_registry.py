"""The registry as a regulator of 江北区 uses it: sign in, search, open, switch language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserWorld, sign_in, switch_language

pytestmark = pytest.mark.browser


def test_regulator_signs_in_and_lands_on_own_district(page: Page, bworld: BrowserWorld, shot) -> None:
    page.goto(f"{bworld.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_have_text("登录")
    shot(page, "login-form")

    sign_in(page, bworld.url, "jiangbei_regulator")

    expect(page).to_have_url(f"{bworld.url}/")
    expect(page.get_by_test_id("home-place")).to_contain_text("重庆市江北区")
    expect(page.get_by_test_id("whoami")).to_contain_text("jiangbei_regulator")
    expect(page.locator(".navbar .nav-link.active")).to_have_text("首页")
    shot(page, "home")

    page.get_by_test_id("nav-admin").click()  # 系统管理: a menu of the bar
    page.locator(".navbar").get_by_role("link", name="账号", exact=True).click()
    expect(page.locator("h1")).to_have_text("账号")
    expect(page.locator("main")).to_contain_text("officer_in")
    expect(page.locator("main")).not_to_contain_text("officer_out")
    shot(page, "accounts")


def test_search_updates_table_in_place_and_opens_detail(page: Page, bworld: BrowserWorld, shot) -> None:
    sign_in(page, bworld.url, "jiangbei_regulator")
    page.goto(f"{bworld.url}/enterprises/")
    table = page.locator("#enterprise-table")
    expect(table).to_contain_text(bworld.ent_in.name)
    expect(table).to_contain_text(bworld.ent_in_other.name)
    expect(table).not_to_contain_text(bworld.ent_out.name)
    shot(page, "list")

    # A marker on window survives an htmx swap but not a page load.
    page.evaluate("window.__sameDocument = true")
    with page.expect_response(lambda r: "/enterprises/" in r.url and r.request.headers.get("hx-request") == "true"):
        search = page.locator("input[name=q]")
        # Playwright enters CJK text as an IME would commit it (an input event, no key events);
        # the closing key stands in for the keystroke that commits the IME composition.
        search.press_sequentially("内部科技", delay=30)
        search.press("End")
    expect(table).not_to_contain_text(bworld.ent_in_other.name)
    expect(table).to_contain_text(bworld.ent_in.name)
    expect(table).not_to_contain_text(bworld.ent_out.name)
    expect(page.get_by_test_id("result-count")).to_contain_text("1")
    assert page.evaluate("window.__sameDocument === true"), "the search reloaded the page instead of swapping the table"
    expect(page).to_have_url(re.compile(r"q=%E5%86%85%E9%83%A8"))  # hx-push-url keeps the search in the address
    shot(page, "search")

    table.get_by_role("link", name=bworld.ent_in.name).click()
    expect(page).to_have_url(f"{bworld.url}/enterprises/{bworld.ent_in.pk}/")
    expect(page.locator("body")).to_contain_text(bworld.ent_in.uscc)
    expect(page.locator("h1")).to_contain_text(bworld.ent_in.name)
    shot(page, "detail")


def test_region_picker_finds_opens_and_filters(page: Page, bworld: BrowserWorld, shot) -> None:
    """A city regulator picks a district by name, then a platform administrator opens the
    tree level by level (children load when a node opens); the table, the picker's label and
    the export link follow each choice without a page load."""
    sign_in(page, bworld.url, "cq_regulator")
    page.goto(f"{bworld.url}/enterprises/")
    table = page.locator("#enterprise-table")
    expect(table).to_contain_text(bworld.ent_out.name)
    page.evaluate("window.__sameDocument = true")
    picker = page.get_by_test_id("region-picker")
    picker.locator("summary").first.click()
    with page.expect_response(lambda r: "/regions/picker/" in r.url):
        page.get_by_test_id("region-search").press_sequentially("江津", delay=30)
    matches = page.get_by_test_id("region-matches")
    expect(matches).to_contain_text("重庆市江津区")
    shot(page, "search")
    with page.expect_response(lambda r: "/enterprises/" in r.url and r.request.headers.get("hx-request") == "true"):
        matches.get_by_label(re.compile("重庆市江津区")).check()
    expect(table).to_contain_text(bworld.ent_out.name)
    expect(table).not_to_contain_text(bworld.ent_in.name)
    expect(page.locator("#region-picker-label")).to_have_text("重庆市江津区")
    expect(page.get_by_test_id("export-button")).to_have_attribute("href", re.compile(r"region=500116"))
    expect(page).to_have_url(re.compile(r"region=500116"))
    assert not picker.evaluate("el => el.open"), "choosing a region closes the picker"
    assert page.evaluate("window.__sameDocument === true")
    shot(page, "chosen")

    page.context.clear_cookies()
    sign_in(page, bworld.url, "platform_admin")
    page.goto(f"{bworld.url}/enterprises/")
    picker.locator("summary").first.click()
    chongqing = picker.locator("details[hx-get*='parent=500000']")
    with page.expect_response(lambda r: "parent=500000" in r.url):
        chongqing.locator("summary").first.locator("input").evaluate("el => el.closest('details').open = true")
    expect(chongqing.locator(".region-children")).to_contain_text("江北区")
    expect(page).to_have_url(f"{bworld.url}/enterprises/")  # opening a node is not navigation
    with page.expect_response(lambda r: "/enterprises/" in r.url and r.request.headers.get("hx-request") == "true"):
        chongqing.locator("input[value='500105']").check()
    expect(table).to_contain_text(bworld.ent_in.name)
    expect(table).not_to_contain_text(bworld.ent_out.name)
    expect(page.locator("#region-picker-label")).to_have_text("重庆市江北区")
    shot(page, "admin-tree")


def test_language_switch_to_english_and_back(page: Page, bworld: BrowserWorld, shot) -> None:
    sign_in(page, bworld.url, "jiangbei_regulator")
    page.goto(f"{bworld.url}/enterprises/")
    expect(page.locator("h1")).to_have_text("企业名录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    switch_language(page, "en")
    expect(page).to_have_url(f"{bworld.url}/enterprises/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Enterprise registry")
    expect(page.locator("nav")).to_contain_text("Sign out")
    expect(page.locator("#enterprise-table th").first).to_have_text("Name")
    shot(page, "english")

    # The choice sticks across pages until changed again.
    page.goto(f"{bworld.url}/")
    expect(page.locator("nav")).to_contain_text("Enterprises")

    switch_language(page, "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("nav")).to_contain_text("退出")
    expect(page.get_by_test_id("home-place")).to_contain_text("重庆市江北区")
    shot(page, "chinese-again")


def test_five_wrong_passwords_lock_the_account(page: Page, bworld: BrowserWorld, shot) -> None:
    for attempt in range(1, 6):
        sign_in(page, bworld.url, "jiangbei_regulator", password=f"wrong-password-{attempt}")
        if attempt < 5:
            expect(page.locator(".alert-danger")).to_be_visible()
            if attempt == 1:
                shot(page, "wrong-password")
    expect(page.get_by_test_id("locked")).to_contain_text("登录失败次数过多")
    shot(page, "locked")

    # Locked means locked: even the right password is refused now.
    sign_in(page, bworld.url, "jiangbei_regulator")
    expect(page.get_by_test_id("locked")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
