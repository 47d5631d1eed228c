"""Fixtures for the browser tests: one headless Chromium per test session, a live server, a world.

Playwright drives the Chromium that the operating system provides (Debian's package at
/usr/bin/chromium, see .ci/run); nothing is downloaded at test time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in the test thread; Django's ORM refuses to run
# under a running loop unless told that this is safe (it is: the loop never touches the ORM).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, expect, sync_playwright

from benchmarks.browser_hash import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import World, make_enterprise

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "Secret-pass-2026"  # what tests/conftest.py make_user sets


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium), as .ci/run does")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def watch(page: Page) -> list[str]:
    """What went wrong on the page while it was driven: script errors, policy violations, missing
    static files. A page that works only by luck (a script error, a missing stylesheet) fails
    whichever test met it."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    # Every page must satisfy the Content-Security-Policy (shangmi/core/security.py): a blocked
    # inline script or eval shows as a console error.
    page.on(
        "console",
        lambda msg: (
            problems.append(f"CSP: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} for {r.url}") if "/static/" in r.url and r.status >= 400 else None,
    )
    return problems


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # A fresh context per test: no cookies (session, language) leak from one test to the next.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page)
    yield page
    context.close()
    assert not problems, "\n".join(problems)


class BrowserWorld(World):
    """The shared World plus a second enterprise in 江北 that a search must filter out."""

    def __init__(self, live_server_url: str) -> None:
        super().__init__()
        self.url = live_server_url
        self.ent_in_other = make_enterprise("500105", "港城精密机械制造有限公司", 3, park=self.park_in)


@pytest.fixture
def bworld(transactional_db: None, live_server) -> BrowserWorld:
    # live_server needs transactional_db: the server thread must see committed rows.
    return BrowserWorld(live_server.url)


@pytest.fixture
def shot(request: pytest.FixtureRequest):
    """shot(page, "step") saves a full-page screenshot as <test>-<n>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_]+", "_", request.node.name).removeprefix("test_")
    counter = {"n": 0}

    def save(page: Page, step: str) -> Path:
        counter["n"] += 1
        path = SCREENSHOTS / f"{test}-{counter['n']:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def sign_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")


def open_user_menu(page: Page) -> None:
    """Open the signed-in user's menu on the bar (name, language, sign-out)."""
    toggle = page.get_by_test_id("user-menu")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.get_by_test_id("sign-out")).to_be_visible()


def sign_out(page: Page) -> None:
    open_user_menu(page)
    page.get_by_test_id("sign-out").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_test_id("whoami")).to_have_count(0)


def switch_language(page: Page, code: str) -> None:
    """Choose a language from the bar's menu (the user menu when signed in) and wait for the page."""
    if page.get_by_test_id("user-menu").count():
        open_user_menu(page)
    else:
        page.get_by_test_id("language-menu").click()
    with page.expect_navigation():
        page.locator(f"#language-form button[name=language][value={code}]").click()
