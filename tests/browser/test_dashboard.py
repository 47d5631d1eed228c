"""The region dashboard in a browser: 重庆市's map draws its districts with their Chinese names
(SVG text), a click opens the district's dashboard, and a phone gets no sideways scroll."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BrowserWorld, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def open_dashboard(page: Page, bworld: BrowserWorld, code: str) -> None:
    page.goto(f"{bworld.url}/dashboard/?region={code}&year=2026&figure=liaison_points")
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-rendered", "true")


def test_the_map_of_chongqing_renders_with_chinese_labels(bworld: BrowserWorld, page: Page, shot: Any) -> None:
    sign_in(page, bworld.url, "cq_regulator")
    open_dashboard(page, bworld, "500000")
    labels = page.locator("[data-testid=dashboard-map] svg text")
    expect(labels.filter(has_text="江北区")).to_have_count(1)
    texts = set(labels.all_text_contents())
    assert {"渝中区", "江津区", "梁平区", "酉阳土家族苗族自治县"} <= texts, texts
    # One area per district: the 38 children, all drawn (none listed as missing).
    assert len(texts & {"万州区", "城口县", "巫溪县", "秀山土家族苗族自治县", "武隆区"}) == 5
    expect(page.get_by_test_id("without-boundary")).to_have_count(0)
    expect(page.locator("[data-testid=dashboard-table] tr[data-code='500105']")).to_contain_text("1")
    shot(page, "chongqing-map")

    # Click-through: the district's area opens its own dashboard.
    box = labels.filter(has_text="江北区").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**region=500105**")
    expect(page.locator("h1")).to_contain_text("江北区")


def test_a_phone_gets_no_sideways_scroll(bworld: BrowserWorld, browser: Browser, shot: Any) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", device_scale_factor=2)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    try:
        sign_in(phone, bworld.url, "cq_regulator")
        open_dashboard(phone, bworld, "500000")
        width = phone.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        assert width <= PHONE["width"], f"the dashboard is {width}px wide on a {PHONE['width']}px phone"
        shot(phone, "chongqing-phone")
    finally:
        context.close()


def test_zhejiang_and_shaoxing_draw_from_both_packages(bworld: BrowserWorld, page: Page, shot: Any) -> None:
    """The province's cities (the province package) and the city's districts (the city package)."""
    from shangmi.regions.models import Region
    from tests.conftest import make_user

    make_user("zj_regulator", "regulator", region=Region.objects.get(code="330000"))
    sign_in(page, bworld.url, "zj_regulator")
    open_dashboard(page, bworld, "330000")
    labels = page.locator("[data-testid=dashboard-map] svg text")
    assert {"杭州市", "绍兴市", "舟山市", "丽水市"} <= set(labels.all_text_contents())
    shot(page, "zhejiang-map")
    box = labels.filter(has_text="绍兴市").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**region=330600**")
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-rendered", "true")
    assert {"越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市"} <= set(labels.all_text_contents())
    shot(page, "shaoxing-map")
