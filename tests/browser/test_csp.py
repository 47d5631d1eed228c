"""The Content-Security-Policy holds in a real browser: pages that use htmx, chart.js and the
in-browser hashing (WebAssembly) run without one violation."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BrowserWorld, sign_in, switch_language
from tests.surveys.conftest import small_world

# Playwright's init scripts run outside the page's policy; this one records every violation.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_htmx_and_chart_pages_break_no_policy(page: Page, bworld: BrowserWorld) -> None:
    small = small_world(bworld)
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, bworld.url, bworld.city_regulator.username)

    response = page.goto(f"{bworld.url}/surveys/{small.survey.pk}/results/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    canvas = page.locator("canvas").first
    expect(canvas).to_be_visible()
    # chart.js drew: the canvas holds a chart instance.
    page.wait_for_function("() => typeof Chart !== 'undefined' && Object.keys(Chart.instances).length > 0")
    assert violations(page) == []

    # htmx: the registry list filters as one types (an htmx request swapping the table).
    page.goto(f"{bworld.url}/enterprises/")
    with page.expect_response(lambda r: "/enterprises/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.fill("input[name=q]", "港城")
    expect(page.locator("table")).to_contain_text("港城精密机械制造有限公司")
    expect(page.locator("table")).not_to_contain_text(bworld.ent_in.name)
    assert violations(page) == []

    # A select that submits its form when changed (formerly an inline handler).
    page.goto(f"{bworld.url}/enforcement/demands/")
    with page.expect_navigation():
        page.select_option("select[name=status]", index=1)
    expect(page).to_have_url(re.compile(r"status="))
    assert violations(page) == []

    # The bar's menus (Bootstrap's drop-downs) and the language switch inside the user menu.
    switch_language(page, "en")
    expect(page.locator("nav")).to_contain_text("Registry")
    assert violations(page) == []


def test_evidence_hashing_page_breaks_no_policy(page: Page, bworld: BrowserWorld, tmp_path) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, bworld.url, bworld.ent_admin_in.username)
    page.goto(f"{bworld.url}/evidence/new/")
    secret = tmp_path / "配方.txt"
    secret.write_bytes(b"formula 42")
    page.set_input_files("#deposit-form input[type=file]", str(secret))
    page.locator("#deposit-form button[type=submit]").click()
    expect(page.get_by_test_id("deposit-results")).to_contain_text("配方", timeout=20_000)
    assert violations(page) == []


def test_the_policy_does_block_inline_script(browser: Browser, bworld: BrowserWorld) -> None:
    """A guard on the checks above: an inline script on our page is refused and reported."""
    context = browser.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{bworld.url}/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.append(s); }"
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert any("Content Security Policy" in text for text in console)
    context.close()


def test_the_api_docs_run_under_the_policy(page: Page, bworld: BrowserWorld) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, bworld.url, bworld.regulator_in.username)
    page.goto(f"{bworld.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Shangmi API", timeout=20_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/evidence/deposits/")
    assert violations(page) == []
