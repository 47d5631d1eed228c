"""Official papers (文书) in the two forms a bureau needs: a Word file it can still edit before
signing and sealing (.docx, written with python-docx), and a PDF for the record that renders
Chinese on any machine (Noto Sans SC embedded).

A paper is data (``Paper``: a title, a document number, a table of facts, paragraphs, lines
left to be filled in by hand, the signature block); both renderers read the same data, so the
Word file and the PDF never say different things. The layout is built in code rather than
kept as binary .docx templates: a template cannot be reviewed in a diff, and the bureau edits
the produced Word file, not the template. ``volume_pdf`` binds several papers into one PDF with
a table of contents and bookmarks (a case file's volume).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from fpdf import FPDF
from fpdf.outline import OutlineSection

from shangmi.pdf.fonts import FONT_FAMILY, new_document
from shangmi.pdf.layout import wrap_cjk

# Song (宋体) is what official papers are set in; Word substitutes a Song face where it is missing.
DOCX_FONT = "宋体"
WIDTH = 170.0  # mm of text on an A4 page with fpdf2's default margins
LABEL_WIDTH = 42.0
LINE = 7.0


@dataclass(frozen=True)
class Paper:
    title: str
    issuer: str = ""  # the authority, printed above the title
    number: str = ""  # the document number (文号), under the title
    fields: Sequence[tuple[str, str]] = ()  # a two-column table: label, value
    paragraphs: Sequence[str] = ()
    # Labelled blanks for what is written by hand (answers, signatures of the party).
    blanks: Sequence[str] = ()
    signature: Sequence[str] = ()  # right-aligned lines closing the paper (authority, date)
    extra: dict[str, Any] = field(default_factory=dict)


# --- Word ---------------------------------------------------------------------------------------


def _song(run: Any, size: float, *, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = DOCX_FONT
    # Word takes the font of Chinese text from w:eastAsia, not from the Latin name.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)


def _docx_paragraph(document: Any, text: str, *, size: float = 12, bold: bool = False, align: Any = None) -> None:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    _song(paragraph.add_run(text), size, bold=bold)


def paper_docx(paper: Paper) -> bytes:
    document = Document()
    if paper.issuer:
        _docx_paragraph(document, paper.issuer, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _docx_paragraph(document, paper.title, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if paper.number:
        _docx_paragraph(document, paper.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    if paper.fields:
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for label, value in paper.fields:
            cells = table.add_row().cells
            for cell, text, bold in ((cells[0], label, True), (cells[1], value, False)):
                cell.text = ""
                _song(cell.paragraphs[0].add_run(text), 12, bold=bold)
    for text in paper.paragraphs:
        _docx_paragraph(document, text)
    for label in paper.blanks:
        _docx_paragraph(document, f"{label}：" + "＿" * 20)
    for line in paper.signature:
        _docx_paragraph(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------


def _lines(pdf: FPDF, text: str, width: float, size: float, style: str = "") -> list[str]:
    pdf.set_font(FONT_FAMILY, style, size)
    return wrap_cjk(pdf, text, width)


def _room(pdf: FPDF, height: float) -> None:
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _draw_paper(pdf: FPDF, paper: Paper) -> None:
    if paper.issuer:
        pdf.set_font(FONT_FAMILY, "B", 14)
        pdf.cell(WIDTH, 9, paper.issuer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 18)
    pdf.cell(WIDTH, 13, paper.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if paper.number:
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.cell(WIDTH, 8, paper.number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for label, value in paper.fields:
        labels = _lines(pdf, label, LABEL_WIDTH - 3, 11, "B")
        values = _lines(pdf, value or "—", WIDTH - LABEL_WIDTH - 3, 11)
        height = max(len(labels), len(values)) * LINE + 2
        _room(pdf, height)
        x, y = pdf.l_margin, pdf.get_y()
        pdf.rect(x, y, LABEL_WIDTH, height)
        pdf.rect(x + LABEL_WIDTH, y, WIDTH - LABEL_WIDTH, height)
        pdf.set_font(FONT_FAMILY, "B", 11)
        for n, text in enumerate(labels):
            pdf.set_xy(x + 1.5, y + 1 + n * LINE)
            pdf.cell(LABEL_WIDTH - 3, LINE, text)
        pdf.set_font(FONT_FAMILY, "", 11)
        for n, text in enumerate(values):
            pdf.set_xy(x + LABEL_WIDTH + 1.5, y + 1 + n * LINE)
            pdf.cell(WIDTH - LABEL_WIDTH - 3, LINE, text)
        pdf.set_xy(x, y + height)
    pdf.ln(3)
    for text in paper.paragraphs:
        for line in _lines(pdf, text, WIDTH, 11):
            _room(pdf, LINE)
            pdf.cell(WIDTH, LINE, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    for label in paper.blanks:
        _room(pdf, LINE * 2)
        pdf.cell(WIDTH, LINE * 2, f"{label}：" + "＿" * 20, new_x="LMARGIN", new_y="NEXT")
    if paper.signature:
        pdf.ln(6)
    for line in paper.signature:
        _room(pdf, LINE)
        pdf.cell(WIDTH, LINE, line, align="R", new_x="LMARGIN", new_y="NEXT")


def paper_pdf(paper: Paper) -> bytes:
    pdf = new_document(orientation="P", unit="mm", format="A4")
    pdf.add_page()
    _draw_paper(pdf, paper)
    return bytes(pdf.output())


def volume_pdf(title: str, subtitle: str, papers: Sequence[Paper], contents_label: str) -> bytes:
    """The papers in their order, each from a new page, after a table of contents that gives
    the page each one starts on (also as PDF bookmarks)."""
    pdf = new_document(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 20)
    pdf.cell(WIDTH, 16, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 12)
    for line in _lines(pdf, subtitle, WIDTH, 12):
        pdf.cell(WIDTH, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def contents(target: FPDF, outline: list[OutlineSection]) -> None:
        target.set_font(FONT_FAMILY, "B", 14)
        target.cell(WIDTH, 10, contents_label, new_x="LMARGIN", new_y="NEXT")
        target.set_font(FONT_FAMILY, "", 11)
        for number, section in enumerate(outline, start=1):
            name = f"{number}. {section.name}"
            page = str(section.page_number)
            dots = WIDTH - target.get_string_width(name) - target.get_string_width(page) - 4
            target.cell(WIDTH - target.get_string_width(page) - 2, 8, name + " " + "." * max(int(dots / 1.2), 2))
            target.cell(target.get_string_width(page) + 2, 8, page, align="R", new_x="LMARGIN", new_y="NEXT")

    pages = max(1, (len(papers) + 27) // 28)
    # The placeholder ends with a page break: the first paper starts on the page it opens.
    pdf.insert_toc_placeholder(contents, pages=pages, allow_extra_pages=True, reset_page_indices=False)
    for number, paper in enumerate(papers):
        if number:
            pdf.add_page()
        pdf.start_section(paper.extra.get("section", paper.title))
        _draw_paper(pdf, paper)
    return bytes(pdf.output())
