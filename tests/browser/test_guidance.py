"""An officer records a guidance visit on a phone, on site: a photo from the camera input,
the visit in the ledger with its thumbnail, and the enterprise covered for the half."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shangmi.core.calendar import program_date
from shangmi.ledgers.guidance.halfyear import current_half
from shangmi.ledgers.models import GuidanceVisit
from tests.browser.conftest import BrowserWorld, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def jpeg_photo() -> bytes:
    """A real small JPEG (a photo of a meeting-room whiteboard, more or less)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), "#dfe7f1")
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 580, 420), fill="white", outline="#0b3c7d", width=8)
    draw.line((100, 150, 540, 150), fill="#0b3c7d", width=6)
    draw.line((100, 240, 420, 240), fill="#c62828", width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone-sized, touch, Chinese-locale window; script errors and missing static files fail the test."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", device_scale_factor=2)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} for {r.url}") if "/static/" in r.url and r.status >= 400 else None,
    )
    yield page
    context.close()
    assert not problems, "\n".join(problems)


def assert_fits_the_phone(page: Page) -> None:
    # Against the phone's width, not window.innerWidth: a mobile browser zooms out to show
    # content that overflows, which widens innerWidth along with it.
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def image_loaded(page: Page, selector: str) -> bool:
    """True once the first image matching ``selector`` has loaded with real pixels; it waits
    (up to the page's timeout) because the thumbnail may still be on its way."""
    page.wait_for_function(
        "s => { const img = document.querySelector(s); return img && img.complete && img.naturalWidth > 0; }",
        arg=selector,
    )
    return page.locator(selector).first.evaluate("img => img.complete && img.naturalWidth > 0")


def test_officer_records_a_visit_with_a_photo_on_a_phone(bworld: BrowserWorld, phone: Page, shot: Any) -> None:
    page = phone
    sign_in(page, bworld.url, "officer_in")
    page.goto(f"{bworld.url}/ledgers/guidance/new/")
    form = page.locator("form[data-testid=guidance-form]")
    expect(form).to_be_visible()
    # Ready to use on arrival: the officer's only enterprise chosen, the time now, their own name.
    assert page.locator("#id_enterprise").input_value() == str(bworld.ent_in.pk)
    assert page.locator("#id_visited_at").input_value()
    assert page.locator("#id_bureau_participants").input_value() == "officer_in"
    photos = page.locator("#id_photos")
    assert photos.get_attribute("accept") == "image/*"
    assert photos.get_attribute("capture") == "environment"
    assert photos.get_attribute("multiple") is not None
    assert_fits_the_phone(page)
    # Every field is as wide as the screen allows, not cut off at the right edge.
    for field in ("#id_place", "#id_content", "#id_photos", "#id_files"):
        box = page.locator(field).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], field
    shot(page, "form-empty")

    page.fill("#id_place", "企业三楼会议室")
    page.fill("#id_enterprise_participants", "王经理(商秘办)")
    page.fill("#id_content", "现场检查涉密区域管理,讲解商业秘密保护制度。")
    page.fill("#id_issues", "涉密区域未设置标识")
    page.fill("#id_advice", "一周内设置涉密区域标识并登记出入")
    photos.set_input_files([{"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": jpeg_photo()}])
    shot(page, "form-filled")
    form.locator("button[type=submit]").tap()

    page.wait_for_url(re.compile(r"/ledgers/guidance/\d+/$"))
    visit = GuidanceVisit.objects.get()
    assert visit.officer_id == bworld.officer_in.pk and visit.enterprise_id == bworld.ent_in.pk
    assert visit.attachments.get().original_name == "现场照片.jpg"
    expect(page.locator("[data-testid=visit-enterprise]")).to_have_text(bworld.ent_in.name)
    expect(page.locator("[data-testid=photos] img")).to_have_count(1)
    assert image_loaded(page, "[data-testid=photos] img")
    assert "/media/" not in page.content()
    assert_fits_the_phone(page)
    shot(page, "detail")

    page.goto(f"{bworld.url}/ledgers/guidance/")
    row = page.locator(f"[data-visit='{visit.pk}']")
    expect(row).to_contain_text(bworld.ent_in.name)
    thumbnail = row.locator("img[data-testid=thumbnail]")
    expect(thumbnail).to_be_visible()
    assert image_loaded(page, f"[data-visit='{visit.pk}'] img[data-testid=thumbnail]")
    assert_fits_the_phone(page)
    shot(page, "list")

    page.goto(f"{bworld.url}/ledgers/guidance/half-year/")
    _year, half = current_half(program_date(visit.visited_at))
    cell = page.locator(f"tr[data-enterprise='{bworld.ent_in.pk}'] td[data-half='{half}'] [data-status]")
    expect(cell).to_have_attribute("data-status", "covered")
    assert_fits_the_phone(page)
    shot(page, "half-year")
