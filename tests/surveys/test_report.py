"""The analysis report: a Chinese PDF with the survey's numbers, charts and findings.

The pages are also rendered as PNG under test-artifacts/ (page 1 and the first chart page),
for a person to look at: Chinese must render (no boxes) and the charts must be legible.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from shangmi.enterprises.models import Enterprise, Tag
from shangmi.surveys import services
from shangmi.surveys.aggregation import survey_results
from shangmi.surveys.report import NOT_CLOSED, findings, overview_text, survey_report
from tests.refusals import refused_with
from tests.surveys.conftest import SmallSurvey, issue_baseline

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdffonts", "pdfimages"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) not installed")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_an_open_survey_has_no_report_yet(small: SmallSurvey) -> None:
    with refused_with(NOT_CLOSED):
        survey_report(small.survey)


def test_findings_are_written_from_the_numbers(small: SmallSurvey) -> None:
    sentences = findings(survey_results(small.survey))
    assert sentences[0].startswith("本次调研答复率为75.0%，尚有1家企业未答复，答复率最低的是江津区（50.0%）")
    assert any("知晓率为66.7%，低于90%的目标23.3个百分点" in s for s in sentences)
    assert "知晓率低于90%目标的地区有：江津区（0.0%）。建议将其列为宣传培训的重点地区。" in sentences
    assert any(s.startswith("知晓题中答对率最低的是“依据《劳动合同法》") and "33.3%" in s for s in sentences)
    assert any(s.startswith("保密协议平均签订率为80.0%") for s in sentences)
    assert any(s.startswith("竞业限制协议平均签订率为23.3%") for s in sentences)
    assert any(s.startswith("尚有1家作答企业（占33.3%）未建立商业秘密保护制度") for s in sentences)


@needs_poppler
def test_the_report_pdf(small: SmallSurvey) -> None:
    services.survey_close(small.world.city_regulator, small.survey)
    small.survey.refresh_from_db()
    pdf = survey_report(small.survey)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "surveys-report.pdf"
    path.write_bytes(pdf)

    text = run("pdftotext", "-layout", str(path), "-")
    flat = "".join(text.split())
    for expected in (
        "调研分析报告",
        "2026年企业商业秘密保护基本情况调研",
        "重庆市市场监督管理局",
        "一、调研概况",
        "二、主要指标",
        "共4家；收到答复3家，答复率为75.0%",
        "平均5.3项",
        "中位数6项",
        "平均80.0%",
        "平均23.3%",
        "2家，占66.7%",
        "66.7%（2/3家）",
        "目标90%，未达到",
        "问题与建议",
        "附表一",
        "江北区",
        "江津区",
        "制造业",
        "知识密集型",
        "答对80%及以上（即至少5题）视为知晓",
    ):
        assert expected in flat, expected
    # Only the embedded Noto Sans SC, never a system font.
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all("NotoSansSC" in line and " yes yes yes " in line for line in fonts), fonts
    # The charts are images (matplotlib PNGs): one by region for awareness, rates, counts, industries.
    images = [line.split() for line in run("pdfimages", "-list", str(path)).splitlines()[2:]]
    assert len(images) >= 4
    chart_page = images[0][0]

    for page, name in (("1", "surveys-report-p1"), (chart_page, "surveys-report-charts")):
        target = ARTIFACTS / name
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", page, "-l", page, "-singlefile", str(path), str(target)], check=True
        )
        assert Path(f"{target}.png").stat().st_size > 20_000


def test_the_overview_says_whom_the_survey_asked(world) -> None:
    knowledge = Tag.objects.get(code="knowledge_intensive")
    world.ent_in.tags.add(knowledge)
    Enterprise.objects.filter(pk=world.ent_in.pk).update(industry="C")
    survey = issue_baseline(
        world, world.regulator_in, tags=[knowledge], industries=["C", "I"], liaison_points_only=True
    )
    text = overview_text(survey_results(survey))
    assert (
        "调研对象为重庆市江北区辖区内的企业（商业秘密保护联络点企业；标签为知识密集型；"
        "属于制造业或信息传输、软件和信息技术服务业），共1家"
    ) in text
