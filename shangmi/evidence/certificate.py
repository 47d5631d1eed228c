"""The deposit certificate (存证证书): a one-page A4 PDF rendered from an evidence receipt.

The certificate is the human-facing face of a receipt: it is what an enterprise prints, files
and shows a court. It therefore carries everything a reader needs to check the deposit on their
own (both digests, the commitment, the log position and checkpoint root, a QR code to the
verification page and the offline verifier command), in Chinese first with English subtitles.
The receipt itself stays the proof; nothing here is signed.

The layout is fixed on purpose: the footer (QR code, statement, printing date) sits at a fixed
place at the bottom of the page, and every value is capped to a few wrapped lines (then to one,
from the bottom up, if the page would still overflow), so an unusually long title or file name
shortens itself with an ellipsis instead of overlapping the footer or spilling onto a second page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.utils import timezone
from fpdf import FPDF

from shangmi.core.calendar import PROGRAM_TZ, program_local
from shangmi.pdf.fonts import FONT_FAMILY, new_document
from shangmi.pdf.layout import draw_qr, wrap_cjk

# Page geometry, in mm (A4 is 210 x 297).
PAGE_W, PAGE_H = 210.0, 297.0
BORDER_OUTER = 8.0
BORDER_INNER = 10.0
MARGIN = 18.0
CONTENT_W = PAGE_W - 2 * MARGIN
LABEL_W = 46.0
VALUE_W = CONTENT_W - LABEL_W
LINE_H = 5.0
ROW_GAP = 1.4
SECTION_H = 8.0
SECTION_GAP = 1.5
BODY_TOP = 45.0

# The footer is anchored to the bottom so its position never depends on the body's length;
# tests sample the drawn QR code at this exact place.
QR_X = MARGIN
QR_Y = 222.0
QR_SIZE = 32.0
BODY_BOTTOM = QR_Y - 4.0
FOOTER_Y = 277.5

INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (139, 26, 26)  # the dark red of official Chinese documents
WARN = (160, 82, 0)

ELLIPSIS = "…"


@dataclass(frozen=True)
class Row:
    """One label/value line of the certificate body."""

    label_zh: str
    label_en: str
    value: str
    max_lines: int = 2
    hex: bool = False
    color: tuple[int, int, int] = INK
    # Cut to one line only when nothing else is left to cut: the holder must read it whole.
    whole: bool = False


Section = tuple[str, str, list[Row]]


# ---------------------------------------------------------------- formatting helpers


def format_size(num_bytes: int | None) -> str:
    """Human readable size with the exact byte count, since the exact count is the evidence."""
    if num_bytes is None:
        return "—"
    size = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            human = f"{num_bytes} B" if unit == "B" else f"{size:.1f} {unit}"
            break
        size /= 1024
    return f"{human}（{num_bytes:,} 字节 bytes）"


def format_datetime_zh(value: datetime) -> str:
    """'2026年11月24日 11:20:31' in Beijing time, the way Chinese documents write it."""
    local = program_local(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


def format_date_zh(value: datetime) -> str:
    local = program_local(value)
    return f"{local.year}年{local.month}月{local.day}日"


def parse_accepted_at(text: str) -> datetime:
    """Parse the receipt's ISO 8601 time; a time without offset is taken as Beijing time."""
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=PROGRAM_TZ)


def group_hex(value: str, group: int = 8) -> str:
    """Split a hex digest into groups so it reads like a fingerprint and wraps between groups."""
    return " ".join(value[i : i + group] for i in range(0, len(value), group))


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int | None
    root: str


def parse_checkpoint(text: str | None) -> Checkpoint | None:
    """Origin, tree size and root hash: the first three lines of a signed-note checkpoint."""
    if not text:
        return None
    lines = text.splitlines()
    if len(lines) < 3:
        return None
    try:
        tree_size: int | None = int(lines[1].strip())
    except ValueError:
        tree_size = None
    return Checkpoint(origin=lines[0].strip(), tree_size=tree_size, root=lines[2].strip())


# ---------------------------------------------------------------- text layout


def _font(pdf: FPDF, size: float, bold: bool = False, color: tuple[int, int, int] = INK) -> None:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*color)


def _fit_lines(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """Wrap text to width, keeping at most max_lines and marking a cut with an ellipsis."""
    lines = wrap_cjk(pdf, text or "—", width)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1].rstrip()
    while last and pdf.get_string_width(last + ELLIPSIS) > width:
        last = last[:-1]
    kept[-1] = last + ELLIPSIS
    return kept


def _draw_lines(pdf: FPDF, x: float, y: float, width: float, lines: Sequence[str], line_h: float = LINE_H) -> float:
    """Draw pre-wrapped lines from (x, y); returns the y below them."""
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(width, line_h, line)
        y += line_h
    return y


# ---------------------------------------------------------------- page parts


def _draw_borders(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.rect(BORDER_OUTER, BORDER_OUTER, PAGE_W - 2 * BORDER_OUTER, PAGE_H - 2 * BORDER_OUTER)
    pdf.set_line_width(0.25)
    pdf.rect(BORDER_INNER, BORDER_INNER, PAGE_W - 2 * BORDER_INNER, PAGE_H - 2 * BORDER_INNER)


def _draw_header(pdf: FPDF, certificate_no: str) -> None:
    _font(pdf, 22, bold=True, color=ACCENT)
    pdf.set_xy(MARGIN, 16)
    pdf.cell(CONTENT_W, 10, "商业秘密存证证书", align="C")
    _font(pdf, 11, color=MUTED)
    pdf.set_xy(MARGIN, 26.5)
    pdf.cell(CONTENT_W, 6, "Trade Secret Evidence Deposit Certificate", align="C")
    _font(pdf, 9)
    pdf.set_xy(MARGIN, 34.5)
    # A uuid is 36 characters; the cap only matters for a malformed id.
    number = _fit_lines(pdf, f"证书编号 Certificate No.  {certificate_no}", CONTENT_W, 1)
    pdf.cell(CONTENT_W, 5, number[0], align="C")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN, 42, PAGE_W - MARGIN, 42)


def _draw_section(pdf: FPDF, y: float, title_zh: str, title_en: str) -> float:
    pdf.set_fill_color(*ACCENT)
    pdf.rect(MARGIN, y + 1.2, 1.2, 4.2, style="F")
    _font(pdf, 10.5, bold=True, color=ACCENT)
    pdf.set_xy(MARGIN + 3, y)
    pdf.cell(pdf.get_string_width(title_zh) + 2, 6.5, title_zh)
    _font(pdf, 8.5, color=MUTED)
    pdf.cell(80, 6.5, title_en)
    pdf.set_draw_color(220, 200, 200)
    pdf.set_line_width(0.2)
    pdf.line(MARGIN, y + 6.8, PAGE_W - MARGIN, y + 6.8)
    return y + SECTION_H


def _value_font(pdf: FPDF, row: Row) -> None:
    # Digests are set a little smaller so all 64 hex digits, grouped by 8, fit on one line.
    _font(pdf, 8.8 if row.hex else 9.5, color=row.color)


def _value_lines(pdf: FPDF, row: Row) -> list[str]:
    _value_font(pdf, row)
    text = group_hex(row.value) if row.hex else row.value
    return _fit_lines(pdf, text, VALUE_W, row.max_lines)


def _draw_row(pdf: FPDF, y: float, row: Row) -> float:
    lines = _value_lines(pdf, row)
    _font(pdf, 9, bold=True)
    pdf.set_xy(MARGIN + 3, y)
    pdf.cell(pdf.get_string_width(row.label_zh) + 1.5, LINE_H, row.label_zh)
    _font(pdf, 7, color=MUTED)
    pdf.cell(LABEL_W - 4.5 - pdf.get_string_width(row.label_zh), LINE_H, row.label_en)
    _value_font(pdf, row)
    return _draw_lines(pdf, MARGIN + LABEL_W, y, VALUE_W, lines) + ROW_GAP


def _body_height(pdf: FPDF, sections: Sequence[Section]) -> float:
    rows = [row for _zh, _en, section_rows in sections for row in section_rows]
    lines = sum(len(_value_lines(pdf, row)) for row in rows)
    return len(sections) * (SECTION_H + SECTION_GAP) + len(rows) * ROW_GAP + lines * LINE_H


def _shrink_to_fit(pdf: FPDF, sections: Sequence[Section]) -> list[Section]:
    """Cap values to one line, from the bottom of the page up, until the body fits.

    The lowest rows (file name, version note) give up their second line before the title and
    the enterprise do. The pending notice is never cut: it tells the reader what to expect.
    """
    fitted = [(zh, en, list(rows)) for zh, en, rows in sections]
    candidates = [
        (s, r)
        for s, (_zh, _en, rows) in enumerate(fitted)
        for r, row in enumerate(rows)
        if row.max_lines > 1 and row.color != WARN
    ]
    # Rows to be read whole are cut last (first in the list, which is walked from the end).
    candidates.sort(key=lambda sr: not fitted[sr[0]][2][sr[1]].whole)
    for s, r in reversed(candidates):
        if BODY_TOP + _body_height(pdf, fitted) <= BODY_BOTTOM:
            break
        fitted[s][2][r] = replace(fitted[s][2][r], max_lines=1)
    return fitted


def _draw_body(pdf: FPDF, sections: Sequence[Section]) -> float:
    # Unusually long values would push the body into the fixed footer: cut them to one line
    # (with an ellipsis) rather than overlap the footer or spill onto a second page.
    y = BODY_TOP
    for title_zh, title_en, rows in _shrink_to_fit(pdf, sections):
        y = _draw_section(pdf, y, title_zh, title_en)
        for row in rows:
            y = _draw_row(pdf, y, row)
        y += SECTION_GAP
    return y


# Printed in place of the QR code when the platform knows no public address (shangmi/pdf/links.py).
NO_VERIFY_URL_ZH = "本平台未配置公开核验地址，故不印二维码；请向签发机关询问核验地址。"
NO_VERIFY_URL_EN = (
    "The platform's public verification address is not configured, so no QR code is printed; "
    "ask the issuing bureau for the address."
)


def _draw_verify_caption(pdf: FPDF, verify_url: str | None) -> None:
    """To the right of the QR code: where to verify online, and how to verify offline."""
    # Without a QR code the caption takes its place rather than leave a blank square.
    x = QR_X if verify_url is None else QR_X + QR_SIZE + 6
    width = PAGE_W - MARGIN - x
    y = QR_Y + 0.5
    if verify_url is None:
        _font(pdf, 9, bold=True)
        y = _draw_lines(pdf, x, y, width, _fit_lines(pdf, NO_VERIFY_URL_ZH, width, 2))
        _font(pdf, 7.5, color=MUTED)
        y = _draw_lines(pdf, x, y, width, _fit_lines(pdf, NO_VERIFY_URL_EN, width, 2), 3.8) + 2
    else:
        _font(pdf, 9, bold=True)
        y = _draw_lines(pdf, x, y, width, ["扫描二维码或访问以下地址核验本证书："])
        _font(pdf, 7.5, color=MUTED)
        y = _draw_lines(pdf, x, y, width, ["Scan the QR code or visit this address to verify:"], 3.8)
        _font(pdf, 8.5, color=ACCENT)
        y = _draw_lines(pdf, x, y + 0.5, width, _fit_lines(pdf, verify_url, width, 2), 4.4) + 2
    _font(pdf, 9, bold=True)
    y = _draw_lines(pdf, x, y, width, ["亦可使用回执文件离线核验，无需联网："])
    _font(pdf, 7.5, color=MUTED)
    y = _draw_lines(pdf, x, y, width, ["Or verify offline, without network access, with the receipt file:"], 3.8)
    _font(pdf, 8.5)
    _draw_lines(pdf, x, y + 0.5, width, ["python -m shangmi.evidence verify <回执 receipt.json>"])


def _draw_statement(pdf: FPDF, y: float) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.2)
    pdf.line(MARGIN, y, PAGE_W - MARGIN, y)
    _font(pdf, 8.5)
    statement = "声明：本平台从未接收该文件的内容，仅接收其 SHA-256 与 SM3 摘要；持有原文件者可自行重新计算摘要并比对。"
    y = _draw_lines(pdf, MARGIN, y + 1.5, CONTENT_W, _fit_lines(pdf, statement, CONTENT_W, 2), 4.4)
    _font(pdf, 7.5, color=MUTED)
    statement_en = (
        "The platform never received this file's content, only its SHA-256 and SM3 digests; "
        "whoever holds the file can recompute and compare them."
    )
    _draw_lines(pdf, MARGIN, y, CONTENT_W, _fit_lines(pdf, statement_en, CONTENT_W, 2), 3.6)


def _draw_footer(pdf: FPDF, verify_url: str | None, printed_at: datetime) -> None:
    if verify_url is not None:
        draw_qr(pdf, verify_url, QR_X, QR_Y, QR_SIZE)
    _draw_verify_caption(pdf, verify_url)
    # 4 mm below the code: the rule must stay out of its quiet zone (4 modules) or scanners stumble.
    _draw_statement(pdf, QR_Y + QR_SIZE + 4)
    _font(pdf, 8.5)
    pdf.set_xy(MARGIN, FOOTER_Y)
    pdf.cell(CONTENT_W / 2, 5, "商秘 · 商业秘密保护平台  Shangmi", align="L")
    pdf.cell(CONTENT_W / 2, 5, f"打印日期 Printed on  {format_date_zh(printed_at)}", align="R")


# ---------------------------------------------------------------- content


def _log_rows(receipt: dict) -> list[Row]:
    deposit = receipt.get("deposit") or {}
    leaf = receipt.get("leaf") or {}
    log = receipt.get("log") or {}
    checkpoint = parse_checkpoint(receipt.get("checkpoint"))

    accepted = deposit.get("accepted_at")
    accepted_text = f"{format_datetime_zh(parse_accepted_at(accepted))}（北京时间 UTC+8）" if accepted else "—"
    rows = [
        Row("受理时间", "Accepted at", accepted_text, max_lines=1),
        Row("透明日志", "Log", log.get("origin") or "—", max_lines=1),
    ]
    if receipt.get("status") == "sequenced" and leaf.get("index") is not None:
        tree_size = checkpoint.tree_size if checkpoint else None
        rows += [
            Row("日志序号", "Log index", str(leaf["index"]), max_lines=1),
            Row("检查点树大小", "Tree size", "—" if tree_size is None else str(tree_size), max_lines=1),
            Row("检查点树根", "Root hash", checkpoint.root if checkpoint else "—", max_lines=1),
        ]
    else:
        rows.append(
            Row(
                "状态",
                "Status",
                "待排序：本存证已受理，正在等待写入透明日志；排序完成后回执将自动升级，补入日志序号与检查点。"
                " Awaiting sequencing: the receipt will upgrade itself with its log index and checkpoint.",
                max_lines=3,
                color=WARN,
            )
        )
    if receipt.get("timestamp_token"):
        rows.append(Row("可信时间戳", "Timestamp", "已附带 RFC 3161 时间戳令牌 Attached", max_lines=1))
    else:
        rows.append(
            Row(
                "可信时间戳",
                "Timestamp",
                no_timestamp_text(witness_count(receipt.get("checkpoint"))),
                max_lines=4,
                whole=True,
            )
        )
    return rows


def witness_count(note: str | None) -> int:
    """How many witnesses cosigned the receipt's checkpoint: the signature lines ("— name
    signature") after the note's blank line, less the log's own (named by the origin)."""
    if not note or "\n\n" not in note:
        return 0
    body, signatures = note.split("\n\n", 1)
    origin = body.splitlines()[0].strip() if body else ""
    names = [line[2:].split(" ", 1)[0] for line in signatures.splitlines() if line.startswith("— ")]
    return sum(1 for name in names if name != origin)


def no_timestamp_text(witnesses: int) -> str:
    """What a missing RFC 3161 token means to the holder, and how a bureau adds one: without it
    the time rests on the log's signed checkpoint, and on the witnesses' cosignatures if any."""
    if witnesses:
        proof_zh = f"存证时间由日志检查点证明，{witnesses} 个独立见证方已联署并记下时间"
        proof_en = f"the time rests on the log's checkpoint, cosigned by {witnesses} witness(es)"
    else:
        proof_zh = "存证时间仅由平台自己签名的检查点证明（未配置见证方）"
        proof_en = "the time rests only on the platform's own signed checkpoint (no witnesses)"
    return (
        f"未附带外部时间戳机构（RFC 3161）的时间戳。{proof_zh}；"
        "签发机关设置 SHANGMI_EVIDENCE_TSA_URL 即可接入。"
        f" No RFC 3161 timestamp; {proof_en}. Setting SHANGMI_EVIDENCE_TSA_URL adds one."
    )


def _sections(receipt: dict) -> list[Section]:
    deposit = receipt.get("deposit") or {}
    enterprise = deposit.get("enterprise") or {}
    digests = receipt.get("digests") or {}

    item = [
        Row("存证标题", "Title", deposit.get("title") or "—"),
        Row("秘密点", "Secret point", deposit.get("secret_point") or "—"),
        Row("所属项目", "Project", deposit.get("project") or "—", max_lines=1),
        Row("版本说明", "Version note", deposit.get("version_note") or "—"),
        Row("文件名称", "File name", deposit.get("file_name") or "—"),
        Row("文件大小", "File size", format_size(deposit.get("file_size")), max_lines=1),
    ]
    if deposit.get("previous"):
        item.append(Row("上一版本", "Previous version", str(deposit["previous"]), max_lines=1))

    return [
        (
            "一、存证主体",
            "Depositor",
            [
                Row("企业名称", "Enterprise", enterprise.get("name") or "—"),
                Row("统一社会信用代码", "USCC", enterprise.get("uscc") or "—", max_lines=1),
                Row("存证人", "Depositor", deposit.get("depositor") or "—", max_lines=1),
            ],
        ),
        ("二、存证内容", "Deposited item", item),
        (
            "三、数字指纹",
            "Digital fingerprints",
            [
                Row("SHA-256 摘要", "Digest", digests.get("sha256") or "—", max_lines=1, hex=True),
                Row("SM3 摘要", "Digest (GM/T 0004)", digests.get("sm3") or "—", max_lines=1, hex=True),
                Row("承诺值", "Commitment", receipt.get("commitment") or "—", max_lines=1, hex=True),
            ],
        ),
        ("四、存证时间与透明日志", "Time and transparency log", _log_rows(receipt)),
    ]


def render_deposit_certificate(receipt: dict, verify_url: str | None, *, printed_at: datetime | None = None) -> bytes:
    """One-page A4 PDF certificate for an evidence receipt (shape shangmi-evidence-receipt/1).

    verify_url None (no public address known) prints a line saying so instead of a QR code.

    printed_at defaults to now; tests pass it to get a stable page.
    """
    deposit = receipt.get("deposit") or {}
    pdf = new_document(orientation="P", unit="mm", format="A4")
    # Never a second page: the layout caps every value instead (see the module docstring).
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.c_margin = 0
    pdf.set_title(f"商业秘密存证证书 {deposit.get('title') or ''}".strip())
    pdf.set_subject("Trade Secret Evidence Deposit Certificate")
    pdf.set_creator("Shangmi")
    pdf.add_page()
    _draw_borders(pdf)
    _draw_header(pdf, str(deposit.get("id") or "—"))
    end = _draw_body(pdf, _sections(receipt))
    if end > BODY_BOTTOM + 0.01:  # _shrink_to_fit makes this unreachable; say so loudly if it is not
        raise RuntimeError(f"certificate body overflows into the footer ({end:.1f} mm > {BODY_BOTTOM} mm)")
    _draw_footer(pdf, verify_url, printed_at or timezone.now())
    return bytes(pdf.output())
