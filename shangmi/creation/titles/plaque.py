"""The plaque certificate (授牌证书): a one-page landscape A4 PDF, in Chinese, for one title.

It names the holder, the title (region + level + 商业秘密保护 + type, e.g.
重庆市市级商业秘密保护示范单位), the certificate number, the award date and the last day of
validity written the way Chinese official documents write dates (二〇二六年十一月二十四日), and
the issuing bureau. A QR code opens the title's public page, so whoever sees the plaque on a wall
can check that the title is still valid: a printed certificate cannot show a later revocation.

Nothing imitates an official seal: the platform cannot affix one, and a drawn seal would be a
forgery of the bureau's. The font is the embedded Noto Sans SC (shangmi.pdf.fonts), never a
system font, so the page renders the same on every machine.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.urls import reverse
from fpdf import FPDF

from shangmi.creation.models import DemoType, Level, Title
from shangmi.pdf.fonts import FONT_FAMILY, new_document
from shangmi.pdf.layout import draw_qr
from shangmi.regions.models import Region

# Landscape A4, in mm.
PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 40.0
CONTENT_W = PAGE_W - 2 * MARGIN
QR_X, QR_Y, QR_SIZE = MARGIN, 148.0, 34.0
QR_QUIET = 5.0  # scanners need 4 light modules around the code; a module is at most 34/25 mm
ISSUER_X, ISSUER_W = PAGE_W - MARGIN - 100.0, 100.0

INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (170, 20, 20)  # the red of Chinese award certificates
GOLD = (184, 134, 11)

LEVEL_WORDS: Mapping[str, str] = {
    Level.NATIONAL: "国家级",
    Level.PROVINCIAL: "省级",
    Level.MUNICIPAL: "市级",
    Level.COUNTY: "县级",
}
# Full-width parentheses: 示范站（点） is how Chinese typesetting writes it.
TYPE_WORDS: Mapping[str, str] = {
    DemoType.ZONE: "示范区",
    DemoType.BASE: "示范基地",
    DemoType.UNIT: "示范单位",
    DemoType.STATION: "示范站（点）",
}
NATIONAL_ISSUER = "国家市场监督管理总局"

_DIGITS = "〇一二三四五六七八九"
ELLIPSIS = "…"


# --- the words ----------------------------------------------------------------------------------


def _chinese_small_number(value: int) -> str:
    """1..99 as written in dates: 十, 十一, 二十, 二十四, 三十一."""
    tens, units = divmod(value, 10)
    if tens == 0:
        return _DIGITS[units]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[units] if units else "")


def chinese_date(day: datetime.date) -> str:
    """A date as official documents write it: the year digit by digit with 〇, month and day as
    numbers (2026-11-24 -> 二〇二六年十一月二十四日, 2030-01-10 -> 二〇三〇年一月十日)."""
    year = "".join(_DIGITS[int(digit)] for digit in str(day.year))
    return f"{year}年{_chinese_small_number(day.month)}月{_chinese_small_number(day.day)}日"


def region_label(region: Region) -> str:
    """A region's name as a bureau's name uses it: 重庆市, 绍兴市, and a district with its city
    (重庆市江北区, 绍兴市越城区), since a district name alone is ambiguous (江北区 is in 重庆 and 宁波)."""
    if region.level == Region.Level.DISTRICT and region.parent is not None:
        return region.parent.name + region.name
    return region.name


def title_text(level: str, demo_type: str, region: Region) -> str:
    """The title's name: 重庆市市级商业秘密保护示范单位, 浙江省省级商业秘密保护示范站（点）;
    a national title carries no region (国家级商业秘密保护示范区)."""
    prefix = "" if level == Level.NATIONAL else region_label(region)
    return f"{prefix}{LEVEL_WORDS[level]}商业秘密保护{TYPE_WORDS[demo_type]}"


def issuer_name(level: str, region: Region) -> str:
    """The awarding bureau: the market regulation administration of the awarding region."""
    if level == Level.NATIONAL:
        return NATIONAL_ISSUER
    return f"{region_label(region)}市场监督管理局"


def public_title_url(title: Title, base_url: str | None) -> str | None:
    """The absolute address of the title's public page, which the QR code opens; None when
    no public address is known."""
    if base_url is None:
        return None
    return base_url.rstrip("/") + reverse("creation:title_public", args=[title.pk])


# --- layout -------------------------------------------------------------------------------------


def _font(pdf: FPDF, size: float, bold: bool = False, color: tuple[int, int, int] = INK) -> None:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*color)


def _break_chars(pdf: FPDF, text: str, width: float) -> list[str]:
    """Wrap between any two characters: Chinese names have no spaces to break at."""
    lines, line = [], ""
    for char in text:
        if line and pdf.get_string_width(line + char) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line]


def _fit(pdf: FPDF, text: str, width: float, size: float, min_size: float, bold: bool, max_lines: int = 2) -> list[str]:
    """Shrink the font until text fits one line; at min_size wrap it, cutting with an ellipsis
    beyond max_lines, so a very long name never runs off the page or into the next block."""
    while size > min_size:
        _font(pdf, size, bold)
        if pdf.get_string_width(text) <= width:
            return [text]
        size -= 0.5
    _font(pdf, min_size, bold)
    lines = _break_chars(pdf, text, width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and pdf.get_string_width(last + ELLIPSIS) > width:
            last = last[:-1]
        lines[-1] = last + ELLIPSIS
    return lines


def _draw_borders(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(11.5, 11.5, PAGE_W - 23, PAGE_H - 23)


def _draw_centered(pdf: FPDF, y: float, lines: list[str], line_h: float, color: tuple[int, int, int]) -> float:
    pdf.set_text_color(*color)
    for line in lines:
        pdf.set_xy(MARGIN, y)
        pdf.cell(CONTENT_W, line_h, line, align="C")
        y += line_h
    return y


# Printed in place of the QR code when the platform knows no public address (shangmi/pdf/links.py).
NO_VERIFY_URL = "本平台未配置公开核验地址，故不印二维码；请向授牌机关查询本称号的有效状态。"


def _draw_verification(pdf: FPDF, url: str | None) -> None:
    x = QR_X + QR_SIZE + 5
    width = ISSUER_X - 6 - x
    if url is None:
        # The line takes the code's place rather than leave a blank square beside it.
        x, width = QR_X, ISSUER_X - 6 - QR_X
        _font(pdf, 10, bold=True)
        y = QR_Y + 8
        for line in _break_chars(pdf, NO_VERIFY_URL, width)[:3]:
            pdf.set_xy(x, y)
            pdf.cell(width, 6, line)
            y += 6
        return
    draw_qr(pdf, url, QR_X, QR_Y, QR_SIZE)
    _font(pdf, 10, bold=True)
    pdf.set_xy(x, QR_Y + 8)
    pdf.cell(width, 6, "扫描二维码查询本称号的有效状态")
    _font(pdf, 8, color=MUTED)
    y = QR_Y + 15
    for line in _break_chars(pdf, url, width)[:3]:
        pdf.set_xy(x, y)
        pdf.cell(width, 4.2, line)
        y += 4.2


def _draw_issuer(pdf: FPDF, issuer: str, awarded_on: datetime.date) -> None:
    lines = _fit(pdf, issuer, ISSUER_W, 17, 11, bold=True)
    y = QR_Y + 6
    pdf.set_text_color(*INK)
    for line in lines:
        pdf.set_xy(ISSUER_X, y)
        pdf.cell(ISSUER_W, 9, line, align="C")
        y += 9
    _font(pdf, 14)
    pdf.set_xy(ISSUER_X, y + 2)
    pdf.cell(ISSUER_W, 8, chinese_date(awarded_on), align="C")


def render_plaque(title: Title, base_url: str | None) -> bytes:
    """The plaque certificate of title as PDF bytes; base_url (the site's public address)
    makes the QR code's link absolute; None prints a line saying it is not configured."""
    region = title.awarding_region
    name = title_text(title.level, title.demo_type, region)
    pdf = new_document(orientation="L", unit="mm", format="A4")
    # One page whatever the input: every text block fits itself to its box instead.
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.c_margin = 0
    pdf.set_title(f"授牌证书 {title.number}")
    pdf.set_subject(name)
    pdf.set_creator("Shangmi")
    pdf.add_page()
    _draw_borders(pdf)

    _font(pdf, 32, bold=True, color=ACCENT)
    pdf.set_char_spacing(8)
    pdf.set_xy(MARGIN, 22)
    pdf.cell(CONTENT_W, 16, "授牌证书", align="C")
    pdf.set_char_spacing(0)

    holder = _fit(pdf, f"{title.holder_name}：", CONTENT_W, 20, 13, bold=True)
    y = 50.0
    pdf.set_text_color(*INK)
    for line in holder:
        pdf.set_xy(MARGIN, y)
        pdf.cell(CONTENT_W, 9, line)
        y += 9
    _font(pdf, 15)
    pdf.set_xy(MARGIN, y + 3)
    # Two ideographic spaces: the first-line indent of Chinese paragraphs.
    pdf.cell(CONTENT_W, 8, "\u3000\u3000经审核认定，你单位被评为：")

    lines = _fit(pdf, name, CONTENT_W, 28, 18, bold=True)
    y = _draw_centered(pdf, 84, lines, 13, ACCENT)
    _font(pdf, 15)
    pdf.set_xy(MARGIN, y + 3)
    pdf.cell(CONTENT_W, 8, "\u3000\u3000特发此证。")

    details = (
        ("证书编号", title.number),
        ("授牌日期", chinese_date(title.awarded_on)),
        ("有效期至", chinese_date(title.valid_until)),
    )
    # Below a title that had to wrap, but never into the QR code's quiet zone (4 modules, under 5 mm).
    y = min(max(120.0, y + 14), QR_Y - QR_QUIET - 3 * 7.5)
    for label, value in details:
        _font(pdf, 12, bold=True)
        pdf.set_xy(MARGIN, y)
        pdf.cell(24, 7, f"{label}：")
        _font(pdf, 12)
        pdf.cell(CONTENT_W - 24, 7, value)
        y += 7.5

    _draw_verification(pdf, public_title_url(title, base_url))
    _draw_issuer(pdf, issuer_name(title.level, region), title.awarded_on)
    return bytes(pdf.output())
