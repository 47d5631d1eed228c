"""Every step's official paper as a Word file the bureau can edit and as a PDF that renders
Chinese, read back here (python-docx for the Word file, pdftotext and pdffonts for the PDF);
the case file's two volumes in the order of art. 78 with their contents; everything read as the
case is (a stranger gets 404), and a paper the case has not reached does not exist."""

from __future__ import annotations

import datetime
import io
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from docx import Document

from shangmi.enforcement import documents, procedure
from shangmi.enforcement.models import Case, EvidenceItem, Measure
from shangmi.enforcement.procedure import EvidenceInput, ServiceInput
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from tests.enforcement.steps import new_case, noticed, proof

D = datetime.date
PARTY = "某精密模具有限公司"


@pytest.fixture
def loaded(db: Any, tmp_media: Any) -> None:
    calendars_load()
    rules_load()


def closed_case(world: Any) -> Case:
    """A case walked to its closing: a witness statement, a preservation decided, the notice,
    the decision served, the fine paid."""
    case = new_case(world)
    procedure.evidence_add(
        user=world.officer_in, case=case, today=D(2026, 5, 21),
        data=EvidenceInput(kind=EvidenceItem.Kind.WITNESS, title="前研发主管证言", source="证人赵六",
                           obtained_on=D(2026, 5, 21)),
    )  # fmt: skip
    measure = procedure.measure_start(
        user=world.regulator_in, case=case, kind=Measure.Kind.PRESERVATION, items="涉案笔记本电脑一台",
        approval="局长王某 2026-05-21 批准", started_on=D(2026, 5, 21), today=D(2026, 5, 21),
    )  # fmt: skip
    procedure.measure_decide(user=world.regulator_in, case=case, measure=measure, outcome="fixed",
                             today=D(2026, 5, 22))  # fmt: skip
    noticed(world, case, today=D(2026, 6, 1), fine=Decimal(200000))
    procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(200000),
                          number="渝江北市监处罚〔2026〕18号", today=D(2026, 6, 9))  # fmt: skip
    procedure.case_serve(
        user=world.regulator_in, case=case, today=D(2026, 6, 10),
        service=ServiceInput(mode="direct", recipient="法定代表人王五", delivered_on=D(2026, 6, 10), proof=proof()),
    )  # fmt: skip
    procedure.case_pay(user=world.regulator_in, case=case, amount=Decimal(200000), paid_on=D(2026, 6, 12),
                       receipt="渝财0001", today=D(2026, 6, 12))  # fmt: skip
    procedure.case_close(user=world.regulator_in, case=case, opinion="罚款已缴清，同意结案", today=D(2026, 6, 16))
    case.refresh_from_db()
    return case


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(content: bytes, tmp_path: Path, name: str = "paper.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdf_fonts(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


EXPECTED = {
    # kind: (title, facts of this case the paper must carry)
    "filing": ("立案审批表", [PARTY, "图纸", "立案条件", "2025年11月3日"]),
    "inquiry": ("询问笔录", [PARTY, "证人赵六", "前研发主管证言", "如实回答", "问：", "答："]),
    "preservation": ("先行登记保存通知书", [PARTY, "涉案笔记本电脑一台", "7个工作日", "局长王某"]),
    "notice": ("行政处罚告知书", [PARTY, "200,000.00 元", "5个工作日", "拟处罚款"]),
    "decision": ("行政处罚决定书", [PARTY, "渝江北市监处罚〔2026〕18号", "200,000.00 元", "当事人以不正当手段获取图纸",
                                 "15日内"]),
    "service": ("送达回证", [PARTY]),
    "closing": ("结案审批表", [PARTY, "罚款已缴清，同意结案", "2026年6月16日", "200,000.00 元"]),
}  # fmt: skip


def test_every_paper_as_word_and_pdf_with_the_case_facts(world: Any, loaded: None, tmp_path: Path) -> None:
    case = closed_case(world)
    refs = documents.case_papers(case)
    kinds = [r.kind for r in refs]
    assert kinds == ["filing", "inquiry", "inquiry", "preservation", "notice", "decision", "service", "service",
                     "closing"]  # fmt: skip
    for ref in refs:
        if ref.kind not in EXPECTED or (ref.kind == "inquiry" and ref.row is None):
            continue
        title, facts = EXPECTED[ref.kind]
        word = docx_text(documents.paper_file(ref, "docx"))
        text = pdf_text(documents.paper_file(ref, "pdf"), tmp_path)
        for needle in [title, "重庆市江北区市场监督管理局", *facts]:
            assert needle in word, (ref.kind, needle)
            assert needle.replace(" ", "") in text.replace(" ", ""), (ref.kind, needle)
        if ref.kind == "service":
            record = case.services.get(pk=ref.row)
            served = f"{record.served_on.year}年{record.served_on.month}月{record.served_on.day}日"
            with translation.override("zh-hans"):
                mode = str(record.get_mode_display())
            assert record.recipient in word and served in word and mode in text.replace(" ", "")
    # The Word file is editable Word, its Chinese set in Song.
    word = documents.paper_file(refs[0], "docx")
    assert word[:2] == b"PK" and b'w:eastAsia="\xe5\xae\x8b\xe4\xbd\x93"' in _document_xml(word)
    # The PDF embeds its Chinese font (a subset).
    fonts = pdf_fonts(documents.paper_file(refs[0], "pdf"), tmp_path)
    assert "NotoSansSC" in fonts and " yes " in fonts


def _document_xml(docx: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read("word/document.xml")


def test_papers_exist_only_once_the_case_reaches_them(world: Any, loaded: None) -> None:
    case = new_case(world)
    assert [r.kind for r in documents.case_papers(case)] == ["filing", "inquiry"]
    assert documents.find_paper(case, "decision", None) is None
    assert documents.find_paper(case, "closing", None) is None
    assert documents.find_paper(case, "service", 1) is None


def test_the_two_volumes_in_the_order_of_art_78(world: Any, loaded: None, tmp_path: Path) -> None:
    case = closed_case(world)
    main = pdf_text(documents.volume_file(case, documents.MAIN), tmp_path, "main.pdf").replace(" ", "")
    secondary = pdf_text(documents.volume_file(case, documents.SECONDARY), tmp_path, "secondary.pdf").replace(" ", "")
    assert main.startswith("正卷") or "正卷" in main.splitlines()[0]
    order = ["立案审批表", "行政处罚决定书", "送达回证", "行政处罚告知书", "先行登记保存通知书", "证据目录", "询问笔录",
             "罚没款票据"]  # fmt: skip
    body = main.split("\f", 1)[1]  # after the contents page
    positions = [body.find(title) for title in order]
    assert -1 not in positions and positions == sorted(positions), dict(zip(order, positions, strict=True))
    # The contents list every paper with the page it starts on.
    contents = main.split("\f", 1)[0]
    assert "目录" in contents
    for title in order:
        assert title in contents
    assert "1.立案审批表" in contents
    pages = main.split("\f")
    for line in contents.splitlines():
        if "...." in line:  # "3.送达回证........ 4": the page named starts with that paper
            title, page = line.split(".", 1)[1].split(".", 1)[0], int(line.rstrip(".").split(".")[-1])
            heading = [text for text in pages[page - 1].splitlines() if text.strip()][:2]  # the issuer, the title
            assert title in heading, (title, page, heading)
    assert len([line for line in contents.splitlines() if "...." in line]) == len(order) + 1  # two acknowledgements
    # The evidence list names each file with its hash; the bureau's internal papers are not here.
    assert "前研发主管证言" in main and "服务器日志" in main
    for internal in ("调查终结报告", "审核意见", "事实清楚", "结案审批表"):
        assert internal not in main, internal
    s_order = ["案源材料", "调查终结报告", "审核意见", "结案审批表"]
    s_body = secondary.split("\f", 1)[1]
    s_positions = [s_body.find(t) for t in s_order]
    assert -1 not in s_positions and s_positions == sorted(s_positions)
    assert "事实清楚" in secondary and "罚款已缴清，同意结案" in secondary
    # The reporter's identity stays with the clue.
    assert "实名举报" in secondary


def test_downloads_are_read_as_the_case_is(world: Any, loaded: None, client: Any) -> None:
    case = closed_case(world)
    service = case.services.get(document="decision")
    urls = [
        reverse("enforcement:case_paper_docx", args=[case.pk]) + "?kind=decision",
        reverse("enforcement:case_paper_pdf", args=[case.pk]) + f"?kind=service&row={service.pk}",
        reverse("enforcement:case_paper_pdf", args=[case.pk]),  # the filing form
        reverse("enforcement:case_volume_main", args=[case.pk]),
        reverse("enforcement:case_volume_secondary", args=[case.pk]),
    ]
    for reader in (world.regulator_in, world.officer_in, world.city_regulator):
        client.force_login(reader)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (reader, url)
    client.force_login(world.regulator_in)
    word = client.get(urls[0])
    assert word["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in word["Content-Disposition"] and PARTY in docx_text(word.content)
    # The reader's language does not change the paper: it is always in Chinese.
    client.cookies["django_language"] = "en"
    assert "行政处罚决定书" in docx_text(client.get(urls[0]).content)
    for stranger in (world.regulator_out, world.officer_out, world.ent_admin_in, world.judicial):
        client.force_login(stranger)
        for url in urls:
            assert client.get(url).status_code == 404, (stranger, url)
    client.force_login(world.regulator_in)
    base = reverse("enforcement:case_paper_pdf", args=[case.pk])
    for query in ("?kind=nonsense", "?kind=hearing", f"?kind=service&row={service.pk + 1000}", "?kind=service&row=x"):
        assert client.get(base + query).status_code == 404, query
    # Another case's service record is not this case's paper.
    other = new_case(world, n=7)
    assert (
        client.get(
            reverse("enforcement:case_paper_pdf", args=[other.pk]) + f"?kind=service&row={service.pk}"
        ).status_code
        == 404
    )
    # The case page lists the papers with both links.
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"?kind=service&amp;row={service.pk}" in page and "main-volume.pdf" in page


def test_the_hearing_papers(world: Any, loaded: None, tmp_path: Path) -> None:
    """The hearing notice once it is scheduled; once held, its transcript goes to the main volume
    and its report to the secondary one."""
    case = noticed(world, new_case(world), today=D(2026, 6, 1))
    procedure.notice_respond(user=world.regulator_in, case=case, response="hearing", on=D(2026, 6, 3),
                             today=D(2026, 6, 3))  # fmt: skip
    assert documents.find_paper(case, "hearing", None) is None  # requested, not yet scheduled
    procedure.hearing_schedule(user=world.regulator_in, case=case, chair=world.city_regulator, on=D(2026, 6, 10),
                               place="第一听证室", today=D(2026, 6, 3))  # fmt: skip
    ref = documents.find_paper(case, "hearing", None)
    assert ref is not None
    word = docx_text(documents.paper_file(ref, "docx"))
    for needle in ("听证通知书", PARTY, "2026年6月10日", "第一听证室", world.city_regulator.display_name, "不公开"):
        assert needle in word, needle
    procedure.hearing_held(user=world.regulator_in, case=case, held_on=D(2026, 6, 10), report="建议维持原拟处罚",
                           signed=True, today=D(2026, 6, 10))  # fmt: skip
    main = pdf_text(documents.volume_file(case, documents.MAIN), tmp_path, "main.pdf").replace(" ", "")
    secondary = pdf_text(documents.volume_file(case, documents.SECONDARY), tmp_path, "s.pdf").replace(" ", "")
    assert "听证通知书" in main and "听证笔录" in main and "建议维持原拟处罚" not in main
    assert "听证报告" in secondary and "建议维持原拟处罚" in secondary
