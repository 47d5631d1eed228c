"""The baseline survey as real users do it, in a browser.

The 江北区 regulator issues the baseline questionnaire to the district; the administrators of
its two enterprises sign in and answer; the regulator sees 2/2 answered, looks at the results
(charts drawn by chart.js from /static/vendor), closes the survey and downloads the analysis
report, whose Chinese text is read back with pdftotext and rendered with pdftoppm.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shangmi.core.roles import Role
from shangmi.surveys.loading import baseline
from shangmi.surveys.models import Survey, SurveyAssignment
from tests.browser.conftest import SCREENSHOTS, BrowserWorld, sign_in, sign_out
from tests.conftest import make_user
from tests.surveys.conftest import answers

pytestmark = pytest.mark.browser

TITLE = "2026年江北区企业商业秘密保护基本情况调研"


def fill_answers(page: Page, values: dict[str, Any]) -> None:
    """Type, tick and choose as a person would, question by question."""
    for code, value in values.items():
        name = f"q_{code}"
        if isinstance(value, bool):
            page.check(f"input[name={name}][value={'yes' if value else 'no'}]")
        elif isinstance(value, list):
            for option in value:
                page.check(f"input[name={name}][value={option}]")
        elif isinstance(value, str) and page.locator(f"input[type=radio][name={name}]").count():
            page.check(f"input[name={name}][value={value}]")
        else:
            page.fill(f"[name={name}]", str(value))


def answer_as(page: Page, url: str, username: str, values: dict[str, Any], shot: Any, step: str) -> None:
    sign_in(page, url, username)
    page.goto(f"{url}/surveys/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_test_id("answer").click()
    expect(page.get_by_test_id("answer-form")).to_be_visible()
    fill_answers(page, values)
    shot(page, step)
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_test_id("answers")).to_be_visible()
    expect(page.get_by_test_id("answered-at")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    sign_out(page)


def test_baseline_survey_from_issue_to_report(page: Page, bworld: BrowserWorld, shot, tmp_path: Path) -> None:
    baseline()
    make_user("gc_admin", Role.ENTERPRISE_ADMIN, enterprise=bworld.ent_in_other)
    url = bworld.url

    # 1. The district regulator issues the baseline survey to 江北区.
    sign_in(page, url, "jiangbei_regulator")
    page.goto(f"{url}/surveys/")
    page.get_by_test_id("issue-survey").click()
    page.fill("input[name=title]", TITLE)
    shot(page, "issue")
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("answered")).to_have_text("0/2")
    survey = Survey.objects.get(title=TITLE)
    assert set(survey.assignments.values_list("enterprise__name", flat=True)) == {
        bworld.ent_in.name,
        bworld.ent_in_other.name,
    }
    sign_out(page)

    # 2. Each enterprise's administrator answers; the first one corrects a mistake on the way.
    sign_in(page, url, "ent_admin_in")
    page.goto(f"{url}/surveys/{survey.pk}/")
    page.get_by_test_id("answer").click()
    fill_answers(page, {**answers(10, 4, 100, 50, True, 6), "nda_rate": "130"})
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_test_id("error-nda_rate")).to_be_visible()
    shot(page, "answer-error")
    sign_out(page)
    answer_as(page, url, "ent_admin_in", {**answers(10, 4, 100, 50, True, 6), "nda_rate": "95"}, shot, "answer-1")
    answer_as(page, url, "gc_admin", answers(3, 0, 60, 10, False, 4), shot, "answer-2")
    assert SurveyAssignment.objects.filter(survey=survey, answered_at__isnull=False).count() == 2

    # 3. The regulator sees 2/2, the results with their charts, closes and downloads the report.
    sign_in(page, url, "jiangbei_regulator")
    page.goto(f"{url}/surveys/{survey.pk}/")
    expect(page.get_by_test_id("answered")).to_have_text("2/2")
    page.get_by_test_id("results").click()
    expect(page.get_by_test_id("awareness-rate")).to_have_text("50.0%")
    # chart.js drew on the canvases (a drawn chart registers itself with Chart.getChart).
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-awareness') && Chart.getChart('chart-rates')")
    shot(page, "results")
    page.go_back()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("report")).to_be_visible()
    shot(page, "closed")
    with page.expect_download() as download_info:
        page.get_by_test_id("report").click()
    download = download_info.value
    assert download.suggested_filename == f"{TITLE}-调研分析报告.pdf"
    pdf = tmp_path / "report.pdf"
    download.save_as(pdf)

    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.fail("pdftotext and pdftoppm (poppler-utils) are needed to read the report; .ci/run installs them")
    text = "".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    for expected in (
        "调研分析报告",
        TITLE,
        "重庆市江北区市场监督管理局",
        "共2家；收到答复2家，答复率为100.0%",
        "知晓率为50.0%",
    ):
        assert expected in text, expected
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(SCREENSHOTS / "surveys-report"),
        ],
        check=True,
    )
    assert (SCREENSHOTS / "surveys-report.png").stat().st_size > 20_000
