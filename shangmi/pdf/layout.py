"""Laying out Chinese text and QR codes on a PDF page (certificates, plaques, reports).

fpdf2 breaks lines at spaces, or anywhere (WrapMode.CHAR), which may start a line with "，" or
end one with "《", and moves a space-less run whole to the next line, so "与 SM3 摘要；…" leaves
a half-empty line. Chinese typesetting forbids both, so lines are broken here: between any two
CJK characters, at spaces between Latin words, never before closing punctuation or after
opening punctuation. A full-width space is text, not a break: Chinese paragraphs open with two.
"""

from __future__ import annotations

import re

import segno
from fpdf import FPDF

_CJK = "\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(rf"[ \t]+|[^ \t{_CJK}]+|.")
_CLOSING = frozenset("，。、；：！？）》」』】〕…’”,.;:!?)]}%")
_OPENING = frozenset("（《「『【〔‘“([{")


def tokens(text: str) -> list[str]:
    """Unbreakable pieces: a CJK character or a Latin word, with punctuation glued on."""
    pieces: list[str] = []
    for token in _TOKEN.findall(text):
        joinable = pieces and not pieces[-1].isspace() and not token.isspace()
        if joinable and (token[0] in _CLOSING or pieces[-1][-1] in _OPENING):
            pieces[-1] += token
        else:
            pieces.append(token)
    return pieces


def wrap_cjk(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy wrap at the current font; a piece wider than a whole line (a URL, a long file
    name) is cut between characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in tokens(paragraph):
            if token.isspace() and token != "\u3000":
                line = line + token if line else line  # no leading spaces
                continue
            if pdf.get_string_width(line + token) <= width:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            for char in token:
                if line and pdf.get_string_width(line + char) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line.rstrip())
    return lines


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code modules for url, without quiet zone (True is dark).

    Always a full QR code (never Micro QR, which phone cameras often fail to read); at least
    level M, so a printed page that was folded or soiled still scans (segno raises the level
    further when that costs no extra size).
    """
    qr = segno.make_qr(url, error="m")
    return [[bool(module) for module in row] for row in qr.matrix_iter(scale=1, border=0)]


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code of ``url`` as a ``size`` square at (x, y), drawn as vector rectangles."""
    matrix = qr_matrix(url)
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        # Horizontal runs of dark modules as one rectangle, overlapping rows by a hair: fewer
        # operators, and no seams in viewers that anti-alias each rectangle.
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module + 0.02, style="F")
