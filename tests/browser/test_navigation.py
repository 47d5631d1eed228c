"""The navigation bar fits every screen, for every role, in both languages.

The bar once listed every page inline: at 1366 px in English the user's name, the sign-out and
the language menu sat off-screen (in Chinese too once a notification badge showed). Each role
is signed in with the name the demo gives it and unread notifications, at a laptop's 1366x900
and a phone's 390x844: the page must not scroll sideways, and the user menu with its sign-out
must be on screen and work.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from shangmi.notices.services import notify
from tests.browser.conftest import SCREENSHOTS, BrowserWorld, open_user_menu, sign_in, watch

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "laptop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
    # where the bar stops folding behind the toggler (Bootstrap's xl): the tightest fit
    "xl": {"width": 1200, "height": 800},
}
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}
# (World attribute, the name the demo data gives that role's account)
ROLES = {
    "officer": ("officer_in", "江北区联络员"),
    "regulator": ("regulator_in", "江北区市场监督管理局知识产权保护科"),
    "enterprise_admin": ("ent_admin_in", "长安零部件商秘办"),
    "platform_admin": ("admin", "平台管理员"),
}

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def on_screen(page: Page, selector: str) -> bool:
    """The element's whole box lies inside the viewport horizontally."""
    return page.evaluate(
        "(sel) => { const r = document.querySelector(sel).getBoundingClientRect();"
        " return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; }",
        selector,
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_the_bar_fits_and_the_user_menu_is_reachable(
    browser: Browser, bworld: BrowserWorld, role: str, language: str
) -> None:
    attr, full_name = ROLES[role]
    user = getattr(bworld, attr)
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    for n in range(12):  # a two-digit badge on the bell
        notify([user], f"待办 {n}")

    for size, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, locale=LANGUAGES[language])
        context.set_default_timeout(15_000)
        page = context.new_page()
        problems = watch(page)
        sign_in(page, bworld.url, user.username)
        expect(page.locator("html")).to_have_attribute("lang", "en" if language == "en" else "zh-hans")
        name = f"{role}-{language}-{size}"

        page.screenshot(path=str(SCREENSHOTS / f"navigation-{name}.png"))
        assert page.evaluate(OVERFLOW) <= 0, f"{name}: the page scrolls sideways"

        # The bell and the user menu stay on the bar at every width, outside the collapsed menu.
        expect(page.get_by_test_id("notices")).to_be_visible()
        expect(page.get_by_test_id("notices")).to_contain_text("12")
        assert on_screen(page, "[data-testid=notices]"), f"{name}: the bell is off-screen"
        expect(page.get_by_test_id("user-menu")).to_be_visible()
        assert on_screen(page, "[data-testid=user-menu]"), f"{name}: the user menu is off-screen"

        if size == "phone":
            # The menus fold behind the toggler; opened, they still fit.
            menus = page.locator("#mainnav")
            page.locator(".navbar-toggler").click()
            expect(menus).to_have_class(re.compile(r"\bshow\b"))  # opened, not still sliding open
            assert page.evaluate(OVERFLOW) <= 0, f"{name}: the opened menu scrolls sideways"
            page.screenshot(path=str(SCREENSHOTS / f"navigation-{name}-menu.png"), full_page=True)
            page.locator(".navbar-toggler").click()
            expect(menus).to_be_hidden()
        else:
            # Every group opens inside the screen.
            for toggle in page.locator("#mainnav .dropdown-toggle").all():
                toggle.click()
                menu = toggle.locator("xpath=following-sibling::*[contains(@class,'dropdown-menu')]")
                expect(menu).to_be_visible()
                box = menu.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
                toggle.click()

        open_user_menu(page)
        whoami = page.get_by_test_id("whoami")
        expect(whoami).to_contain_text(full_name)
        sign_out = page.get_by_test_id("sign-out")
        expect(sign_out).to_be_visible()
        assert on_screen(page, "[data-testid=sign-out]"), f"{name}: the sign-out is off-screen"
        assert page.evaluate(OVERFLOW) <= 0, f"{name}: the opened user menu scrolls sideways"
        page.screenshot(path=str(SCREENSHOTS / f"navigation-{name}-user.png"))
        sign_out.click()
        page.wait_for_load_state("domcontentloaded")
        expect(page.get_by_test_id("user-menu")).to_have_count(0)
        assert page.evaluate(OVERFLOW) <= 0, f"{name}: the signed-out page scrolls sideways"
        context.close()
        assert not problems, "\n".join(problems)
