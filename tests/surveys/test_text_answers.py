"""Free-text answers (the baseline's main difficulties and needs) on the results page and in
the report, without the enterprises' names: neither shows per-enterprise data."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from shangmi.surveys import services
from shangmi.surveys.aggregation import survey_results
from shangmi.surveys.report import survey_report
from tests.surveys.conftest import SmallSurvey, answers

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) not installed")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
NEEDS = "缺少专业的保密培训师资，希望市场监管部门组织上门培训"
OTHER = "Need a template for confidentiality agreements"


@pytest.fixture
def written(small: SmallSurvey) -> SmallSurvey:
    services.answers_save(small.admin_d, small.d, answers(3, 1, 40, 10, False, 2) | {"needs": NEEDS})
    services.answers_save(small.admin_b, small.b, answers(0, 2, 80, 20, False, 5) | {"needs": f"  {OTHER}  "})
    return small


def test_the_results_list_each_free_text_questions_answers(written: SmallSurvey) -> None:
    texts = survey_results(written.survey).texts
    assert [t.question.code for t in texts] == ["needs"]
    assert texts[0].answers == sorted([NEEDS, OTHER])  # stripped, blanks and non-answers left out


def test_the_results_page_shows_the_answers_without_names(written: SmallSurvey, client) -> None:
    client.force_login(written.world.city_regulator)
    page = client.get(reverse("surveys:survey_results", args=[written.survey.pk])).content.decode()
    section = re.search(r'data-testid="text-answers">(.*?)</div></div>', page, re.S)
    assert section is not None
    assert "贵单位在商业秘密保护中遇到的主要困难和需求" in page
    assert NEEDS in section.group(1) and OTHER in section.group(1)
    assert "2 written answers; enterprises are not named." in section.group(1)
    assert "江津机械制造有限公司" not in page and "江北软件信息有限公司" not in page
    chinese = client.get(reverse("surveys:survey_results", args=[written.survey.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "共 2 条文字答复，不列企业名称。" in chinese.content.decode()
    # The answers are the bureau's: a regulator of another region and the enterprise get 404.
    for stranger in (written.world.regulator_out, written.admin_d):
        client.force_login(stranger)
        assert client.get(reverse("surveys:survey_results", args=[written.survey.pk])).status_code == 404


@needs_poppler
def test_the_report_pdf_lists_the_answers(written: SmallSurvey) -> None:
    services.survey_close(written.world.city_regulator, written.survey)
    written.survey.refresh_from_db()
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "surveys-report-text-answers.pdf"
    path.write_bytes(survey_report(written.survey))
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(pages.split())
    assert "附表六文字答复（不列企业名称）" in flat
    assert "贵单位在商业秘密保护中遇到的主要困难和需求（2条）" in flat
    assert "".join(NEEDS.split()) in flat and "".join(OTHER.split()) in flat
    assert "江津机械制造有限公司" not in flat
    # The page that carries them, as PNG for a person to look at.
    page = next(i for i, text in enumerate(pages.split("\f"), start=1) if "附表六" in text)
    target = ARTIFACTS / "surveys-report-text-answers"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", str(path), str(target)],
        check=True,
    )
