"""The monthly e-bulletin (资讯电子刊) and a region's typical case compilation, as PDFs with the
embedded Chinese font (shangmi/pdf)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from fpdf import FPDF

from shangmi.pdf.fonts import FONT_FAMILY, new_document
from shangmi.pdf.layout import wrap_cjk

MARGIN = 18.0
LINE = 6.0


@dataclass(frozen=True)
class Section:
    heading: str
    meta: str
    paragraphs: list[str]


def _page(pdf: FPDF, title: str) -> None:
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=8)
    pdf.set_text_color(120, 120, 120)
    pdf.set_xy(MARGIN, 8)
    pdf.cell(0, 5, title)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(MARGIN)


def _lines(pdf: FPDF, text: str, size: float, *, bold: bool = False, height: float = LINE) -> None:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size=size)
    width = pdf.w - 2 * MARGIN
    for line in wrap_cjk(pdf, text, width):
        if pdf.get_y() + height > pdf.h - MARGIN:
            pdf.add_page()
            pdf.set_y(MARGIN)
        pdf.set_x(MARGIN)
        pdf.cell(width, height, line)
        pdf.ln(height)


def document(title: str, subtitle: str, sections: Iterable[Section], empty: str) -> bytes:
    """A titled document of sections (a heading, a line of facts, paragraphs)."""
    pdf = new_document()
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    _page(pdf, title)
    _lines(pdf, title, 20, bold=True, height=11)
    _lines(pdf, subtitle, 10)
    pdf.ln(4)
    pdf.set_draw_color(11, 60, 125)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(5)
    written = 0
    for section in sections:
        written += 1
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
            pdf.set_y(MARGIN)
        _lines(pdf, section.heading, 13, bold=True, height=8)
        pdf.set_text_color(90, 90, 90)
        _lines(pdf, section.meta, 9, height=5)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1)
        for paragraph in section.paragraphs:
            _lines(pdf, "\u3000\u3000" + paragraph.strip(), 10.5)
            pdf.ln(1)
        pdf.ln(4)
    if not written:
        _lines(pdf, empty, 11)
    return bytes(pdf.output())


def month_label(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"
