"""The survey analysis report (调研分析报告): a Chinese PDF made from a closed survey.

Seed 002 asks for 形成调研分析报告，为当地党委、政府决策提供参考: so the report is a document a
bureau hands upwards, in Chinese whatever the reader's interface language, with the overview,
the indicators, the awareness rate against the 90% target, charts by region and industry,
findings and suggestions written from the numbers, and the full tables as annexes.

Text is set in the embedded Noto Sans SC (shangmi.pdf.fonts), never a system font, and the
charts (shangmi.surveys.charts) use the same font file, so Chinese renders on any machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image

from shangmi.core.calendar import program_date, program_now
from shangmi.core.errors import AppError, Message
from shangmi.enterprises.models import INDUSTRY_ZH, Tag
from shangmi.pdf.fonts import FONT_FAMILY, register_cjk_fonts
from shangmi.pdf.layout import wrap_cjk
from shangmi.surveys import charts
from shangmi.surveys.aggregation import GroupStats, SurveyResults, survey_results
from shangmi.surveys.models import Question, Survey

MARGIN = 18.0
TEXT_W = 210.0 - 2 * MARGIN
LINE_H = 6.2
ACCENT = (139, 26, 26)  # the dark red of official Chinese documents
INK = (33, 37, 41)
MUTED = (108, 117, 125)
HEAD_FILL = (236, 239, 243)
INDENT = "\u3000\u3000"  # Chinese paragraphs open with two full-width spaces

# Below these, a finding becomes a suggestion (the targets of the programs where there is one).
NDA_EXPECTED = 90.0
NON_COMPETE_EXPECTED = 50.0
RESPONSE_EXPECTED = 100.0
NUMBERS = "一二三四五六七八九十"
RULE = (170, 170, 170)


# The report cannot be made now: the survey is still open.
NOT_CLOSED = Message("survey_report_not_closed", _("Close the survey first: the report is made from final answers."))


def report_filename(survey: Survey) -> str:
    return f"{survey.title}-调研分析报告.pdf"


def survey_report(survey: Survey) -> bytes:
    """The report of a closed survey: the numbers are final only once no answer can change."""
    if survey.status != Survey.Status.CLOSED:
        raise AppError(NOT_CLOSED)
    return report_pdf(survey_results(survey))


# --- formatting -------------------------------------------------------------------------------


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value == int(value) else f"{value:.{digits}f}"


def date_zh(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = program_date(value) if isinstance(value, datetime) else value
    return f"{local.year}年{local.month}月{local.day}日"


def _issuer(survey: Survey) -> str:
    return f"{survey.region.full_name}市场监督管理局"


def _targeting_zh(survey: Survey) -> str:
    """调研对象 in words, from the filters the survey was issued with (each filter narrows;
    within one filter, any of the listed values will do)."""
    targeting = survey.targeting or {}
    conditions = []
    if targeting.get("liaison_points_only"):
        conditions.append("商业秘密保护联络点企业")
    tags = targeting.get("tags") or []
    if tags:
        names = dict(Tag.objects.filter(code__in=tags).values_list("code", "name_zh"))
        conditions.append("标签为" + "或".join(names.get(code, code) for code in tags))
    industries = targeting.get("industries") or []
    if industries:
        conditions.append("属于" + "或".join(INDUSTRY_ZH.get(letter, letter) for letter in industries))
    scope = f"{survey.region.full_name}辖区内的企业"
    return f"{scope}（{'；'.join(conditions)}）" if conditions else scope


# --- the document -----------------------------------------------------------------------------


class ReportDocument(FPDF):
    """A4 portrait with the embedded CJK font and a footer naming the report and the page."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        register_cjk_fonts(self)
        self.set_font(FONT_FAMILY, size=10.5)
        self.set_margins(MARGIN, 16, MARGIN)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT_FAMILY, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text}　第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
        self.set_text_color(*INK)

    # Building blocks

    def heading(self, text: str, keep: float = 40) -> None:
        """A section title, moved to the next page unless ``keep`` mm of its section fit below it."""
        if self.will_page_break(keep):
            self.add_page()
        self.ln(3)
        self.set_font(FONT_FAMILY, "B", 13.5)
        self.set_text_color(*ACCENT)
        self.multi_cell(TEXT_W, 8, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_font(FONT_FAMILY, size=10.5)
        self.ln(1)

    def subheading(self, text: str) -> None:
        if self.will_page_break(30):
            self.add_page()
        self.set_font(FONT_FAMILY, "B", 11)
        self.multi_cell(TEXT_W, 7, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT_FAMILY, size=10.5)

    def paragraph(
        self, text: str, *, indent: bool = True, size: float = 10.5, color: tuple[int, int, int] = INK
    ) -> None:
        self.set_font(FONT_FAMILY, size=size)
        self.set_text_color(*color)
        lines = wrap_cjk(self, (INDENT if indent else "") + text, TEXT_W - 2 * self.c_margin - 0.2)
        self.multi_cell(
            TEXT_W,
            LINE_H if size >= 10 else 5,
            "\n".join(lines),
            align="L",
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*INK)
        self.set_font(FONT_FAMILY, size=10.5)
        self.ln(1)

    @staticmethod
    def image_height(png: bytes) -> float:
        with Image.open(io.BytesIO(png)) as image:
            width_px, height_px = image.size
        return TEXT_W * height_px / width_px

    def image_png(self, png: bytes, caption: str) -> None:
        height = self.image_height(png)
        if self.will_page_break(height + 8):
            self.add_page()
        self.image(io.BytesIO(png), x=MARGIN, w=TEXT_W, h=height)
        self.set_font(FONT_FAMILY, size=9)
        self.set_text_color(*MUTED)
        self.cell(TEXT_W, 6, caption, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_font(FONT_FAMILY, size=10.5)
        self.ln(2)

    def grid(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        size: float = 8.5,
        text_columns: int = 1,
    ) -> None:
        """A table; the first ``text_columns`` columns are text (left), the rest numbers (right)."""
        self.set_font(FONT_FAMILY, size=size)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        aligns = ["LEFT"] * text_columns + ["RIGHT"] * (len(headers) - text_columns)
        padding = 1.2
        inner = [TEXT_W * w / sum(widths) - 2 * (padding + self.c_margin) - 0.3 for w in widths]

        def cells(row: Sequence[str], bold: bool = False) -> list[str]:
            self.set_font(FONT_FAMILY, "B" if bold else "", size)
            wrapped = ["\n".join(wrap_cjk(self, str(cell), width)) for cell, width in zip(row, inner, strict=True)]
            self.set_font(FONT_FAMILY, size=size)
            return wrapped

        with self.table(
            col_widths=widths,
            width=TEXT_W,
            line_height=size * 0.55,
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            text_align=aligns,
            wrapmode=WrapMode.CHAR,
            padding=padding,
            repeat_headings=1,
        ) as table:
            table.row(cells(headers, bold=True))
            for row in rows:
                table.row(cells(row))
        self.set_font(FONT_FAMILY, size=10.5)
        self.ln(3)


# --- content ----------------------------------------------------------------------------------


GROUP_HEADERS = (
    "名称",
    "调研企业",
    "答复企业",
    "答复率",
    "平均商业秘密数",
    "平均专利数",
    "保密协议签订率",
    "竞业限制签订率",
    "制度建立率",
    "知晓率",
)
GROUP_WIDTHS = (30, 16, 16, 15, 17, 15, 18, 18, 16, 17)


def _group_row(group: GroupStats) -> list[str]:
    return [
        group.label_zh,
        str(group.asked),
        str(group.answered),
        pct(group.response_rate),
        num(group.trade_secrets_mean),
        num(group.patents_mean),
        pct(group.nda_rate_mean),
        pct(group.non_compete_rate_mean),
        pct(group.system_share),
        pct(group.awareness_rate),
    ]


def _gap(rate: float, target: float) -> str:
    return f"{target - rate:.1f}"


def overview_text(results: SurveyResults) -> str:
    survey, total = results.survey, results.total
    issuer = survey.issued_by.display_name if hasattr(survey.issued_by, "display_name") else str(survey.issued_by)
    closed = f"，于{date_zh(survey.closed_at)}结束" if survey.closed_at else ""
    return (
        f"本次调研由{_issuer(survey)}（{issuer}）于{date_zh(survey.issued_at)}发起，截止日期为"
        f"{survey.deadline.year}年{survey.deadline.month}月{survey.deadline.day}日{closed}，"
        f"使用问卷《{survey.questionnaire.title}》（共{len(results.data.questions)}题）。"
        f"调研对象为{_targeting_zh(survey)}，共{total.asked}家；收到答复{total.answered}家，"
        f"答复率为{pct(total.response_rate)}。"
    )


def indicator_rows(results: SurveyResults) -> list[list[str]]:
    total = results.total
    absent = "本问卷未涉及"
    rows = [
        ["调研企业数", f"{total.asked}家", ""],
        ["答复企业数", f"{total.answered}家", f"答复率 {pct(total.response_rate)}"],
    ]
    if results.has(Question.Metric.TRADE_SECRETS):
        rows.append(
            [
                "商业秘密数量",
                f"平均 {num(total.trade_secrets_mean)} 项",
                f"中位数 {num(total.trade_secrets_median)} 项",
            ]
        )
    else:
        rows.append(["商业秘密数量", absent, ""])
    if results.has(Question.Metric.PATENTS):
        rows.append(["专利数量", f"平均 {num(total.patents_mean)} 件", f"中位数 {num(total.patents_median)} 件"])
    else:
        rows.append(["专利数量", absent, ""])
    for metric, name, value in (
        (Question.Metric.NDA_RATE, "保密协议签订率", total.nda_rate_mean),
        (Question.Metric.NON_COMPETE_RATE, "竞业限制协议签订率", total.non_compete_rate_mean),
    ):
        rows.append([name, f"平均 {pct(value)}" if results.has(metric) else absent, "各企业填报比例的平均值"])
    if results.has(Question.Metric.HAS_SYSTEM):
        rows.append(
            [
                "建立商业秘密保护制度的企业",
                f"{total.system_yes}家，占 {pct(total.system_share)}",
                f"在{total.system_answered}家作答企业中",
            ]
        )
    else:
        rows.append(["建立商业秘密保护制度的企业", absent, ""])
    if results.awareness_question_count:
        met = total.meets_target
        verdict = "" if met is None else ("已达到" if met else "未达到")
        rows.append(
            [
                "商业秘密保护知晓率",
                f"{pct(total.awareness_rate)}（{total.aware}/{total.awareness_answering}家）",
                f"目标 {results.target:g}%，{verdict}",
            ]
        )
    else:
        rows.append(["商业秘密保护知晓率", absent, ""])
    return rows


def awareness_rule_text(results: SurveyResults) -> str:
    count, threshold = results.awareness_question_count, results.threshold
    needed = -(-threshold * count // 100)  # ceiling: the fewest right answers that reach the threshold
    return (
        f"知晓率口径：问卷共设知晓题{count}题，企业答对{threshold}%及以上（即至少{needed}题）视为知晓；"
        "多选题须选出全部正确选项且不选错误选项方为答对，未作答视为答错；"
        "知晓率＝知晓企业数÷答复企业数。"
    )


def findings(results: SurveyResults) -> list[str]:
    """问题与建议: sentences written from the numbers, most pressing first."""
    out: list[str] = []
    total, target = results.total, results.target
    several_regions = len(results.regions) > 1

    if total.response_rate is not None and total.response_rate < RESPONSE_EXPECTED:
        lowest = min(results.regions, key=lambda g: g.response_rate or 0.0) if several_regions else None
        where = f"，答复率最低的是{lowest.label_zh}（{pct(lowest.response_rate)}）" if lowest else ""
        out.append(
            f"本次调研答复率为{pct(total.response_rate)}，尚有{total.unanswered}家企业未答复{where}。"
            "建议通过联络员、指导员跟进督促，确保辖区企业基本情况摸底全覆盖。"
        )
    if total.awareness_rate is not None:
        if total.meets_target:
            out.append(
                f"答复企业的商业秘密保护知晓率为{pct(total.awareness_rate)}，已达到{target:g}%的目标。"
                "建议保持宣传解读力度，巩固成果。"
            )
        else:
            out.append(
                f"答复企业的商业秘密保护知晓率为{pct(total.awareness_rate)}，低于{target:g}%的目标"
                f"{_gap(total.awareness_rate, target)}个百分点。建议围绕《反不正当竞争法》等法律法规和政策措施，"
                "通过专题培训、上门指导、微信公众号专栏、宣传册等方式加大宣传解读力度。"
            )
        below = [g for g in results.regions if g.meets_target is False]
        if several_regions and below:
            names = "、".join(f"{g.label_zh}（{pct(g.awareness_rate)}）" for g in below)
            out.append(f"知晓率低于{target:g}%目标的地区有：{names}。建议将其列为宣传培训的重点地区。")
        low_industries = sorted(
            (g for g in results.industries if g.meets_target is False and g.key),
            key=lambda g: g.awareness_rate or 0.0,
        )[:3]
        if low_industries and len(results.industries) > 1:
            names = "、".join(f"{g.label_zh}（{pct(g.awareness_rate)}）" for g in low_industries)
            out.append(f"分行业看，知晓率较低的行业为{names}，建议联合行业协会开展专题交流和培训。")
        rated = [q for q in results.questions if q.correct_rate is not None]
        if rated:
            weakest = min(rated, key=lambda q: q.correct_rate or 0.0)
            out.append(
                f"知晓题中答对率最低的是“{weakest.question.text}”（答对率{pct(weakest.correct_rate)}），"
                "建议在宣传培训中重点讲解。"
            )
    if total.nda_rate_mean is not None and total.nda_rate_mean < NDA_EXPECTED:
        out.append(
            f"保密协议平均签订率为{pct(total.nda_rate_mean)}。建议指导企业与涉密人员全面签订保密协议，"
            "或在劳动合同中约定保密条款。"
        )
    if total.non_compete_rate_mean is not None and total.non_compete_rate_mean < NON_COMPETE_EXPECTED:
        out.append(
            f"竞业限制协议平均签订率为{pct(total.non_compete_rate_mean)}。建议指导企业与高级管理人员、"
            "高级技术人员和其他负有保密义务的人员依法签订竞业限制协议，并按约支付经济补偿。"
        )
    if total.system_share is not None and total.system_yes < total.system_answered:
        missing = total.system_answered - total.system_yes
        out.append(
            f"尚有{missing}家作答企业（占{pct(100 - total.system_share)}）未建立商业秘密保护制度。建议发放"
            "《商业秘密保护工作指引》《商业秘密保护工作制度汇编》，指导企业建立符合行业特点的内部管理制度。"
        )
    if total.trade_secrets_median is not None and total.trade_secrets_median == 0:
        out.append("至少半数答复企业填报的商业秘密数量为0。建议指导企业开展定密工作，梳理密点，建立商业秘密清单。")
    if not out:
        out.append("各项指标总体良好。建议持续开展商业秘密保护宣传和指导，巩固保护成效。")
    return out


def _answer_zh(question: Question) -> str:
    labels = question.choice_labels()
    right = question.correct if isinstance(question.correct, list) else [question.correct]
    return "；".join(labels.get(str(v), str(v)) for v in right if v is not None)


def report_pdf(results: SurveyResults) -> bytes:
    survey, total = results.survey, results.total
    pdf = ReportDocument(f"{survey.title} · 调研分析报告")
    pdf.set_title(f"{survey.title}调研分析报告")
    pdf.set_author(_issuer(survey))
    pdf.set_creator("商秘 Shangmi")
    pdf.add_page()

    # Title block
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.set_text_color(*ACCENT)
    pdf.cell(TEXT_W, 7, _issuer(survey), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT_FAMILY, "B", 17)
    pdf.multi_cell(TEXT_W, 9, survey.title, align="C", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "B", 22)
    pdf.cell(TEXT_W, 13, "调研分析报告", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        TEXT_W, 6, f"报告日期：{date_zh(survey.closed_at or program_now())}", align="C", new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )  # fmt: skip
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN, pdf.get_y() + 2, MARGIN + TEXT_W, pdf.get_y() + 2)
    pdf.set_draw_color(*RULE)
    pdf.ln(6)

    section = iter(NUMBERS)
    pdf.heading(f"{next(section)}、调研概况")
    pdf.paragraph(overview_text(results))

    pdf.heading(f"{next(section)}、主要指标")
    pdf.grid(["指标", "数值", "说明"], indicator_rows(results), (58, 60, 56), size=9.5, text_columns=3)

    if results.awareness_question_count:
        pdf.heading(f"{next(section)}、商业秘密保护知晓率", keep=60)
        met = total.meets_target
        rate_text = (
            f"答复的{total.awareness_answering}家企业中，知晓企业{total.aware}家，知晓率为{pct(total.awareness_rate)}，"
            + (
                f"已达到{results.target:g}%的目标。"
                if met
                else f"低于{results.target:g}%的目标{_gap(total.awareness_rate or 0.0, results.target)}个百分点。"
            )
        )
        pdf.paragraph(rate_text)
        pdf.paragraph(awareness_rule_text(results), size=9, color=MUTED)
        if results.regions:
            pdf.image_png(
                charts.awareness_chart(results.regions, results.target), "图1  各地区商业秘密保护知晓率（虚线为目标）"
            )

    rates_png = charts.rates_chart(results.regions)
    pdf.heading(f"{next(section)}、分地区情况", keep=pdf.image_height(rates_png) + 30)
    pdf.paragraph(
        "各地区保密协议签订率、竞业限制协议签订率（均为企业填报比例的平均值）和建立商业秘密保护制度的企业占比如图2，"
        "企业平均商业秘密数量和专利数量如图3，详细数据见附表一。"
    )
    pdf.image_png(rates_png, "图2  各地区保密协议、竞业限制协议签订率与保护制度建立率")
    pdf.image_png(charts.counts_chart(results.regions), "图3  各地区企业平均商业秘密数量与专利数量")

    if results.industries:
        industry_png = charts.industry_chart(results.industries, results.target)
        pdf.heading(f"{next(section)}、分行业情况", keep=pdf.image_height(industry_png) + 24)
        pdf.paragraph("按国民经济行业分类（GB/T 4754）门类统计的知晓率和保护制度建立率如图4，详细数据见附表二。")
        pdf.image_png(industry_png, "图4  各行业知晓率与保护制度建立率")

    pdf.heading(f"{next(section)}、问题与建议")
    for index, sentence in enumerate(findings(results), start=1):
        pdf.paragraph(f"{index}. {sentence}", indent=False)

    # Annexes
    pdf.add_page()
    pdf.heading("附表")
    pdf.subheading("附表一　各地区主要指标")
    pdf.grid(GROUP_HEADERS, [*map(_group_row, results.regions), _group_row(total)], GROUP_WIDTHS, size=7.5)
    pdf.subheading("附表二　各行业主要指标")
    pdf.grid(GROUP_HEADERS, [_group_row(g) for g in results.industries], GROUP_WIDTHS, size=7.5)
    if results.tags:
        pdf.subheading("附表三　按企业标签统计（一家企业可有多个标签）")
        pdf.grid(GROUP_HEADERS, [_group_row(g) for g in results.tags], GROUP_WIDTHS, size=7.5)
    aware_rows = [q for q in results.questions if q.correct is not None]
    if aware_rows:
        pdf.subheading("附表四　知晓题答题情况")
        pdf.grid(
            ["题目", "正确答案", "答对企业", "答对率"],
            [[q.question.text, _answer_zh(q.question), str(q.correct), pct(q.correct_rate)] for q in aware_rows],
            (74, 66, 17, 17),
            size=8,
            text_columns=2,
        )
    choice_rows = [q for q in results.questions if q.options and q.correct is None]
    if choice_rows:
        pdf.subheading("附表五　选择题答题分布")
        pdf.grid(
            ["题目", "选项", "选择企业", "占作答企业"],
            [
                [q.question.text if i == 0 else "", option.label, str(option.count), pct(option.share)]
                for q in choice_rows
                for i, option in enumerate(q.options)
            ],
            (70, 70, 17, 17),
            size=8,
            text_columns=2,
        )
    written = [t for t in results.texts if t.answers]
    if written:
        pdf.subheading("附表六　文字答复（不列企业名称）")
        for t in written:
            pdf.paragraph(f"{t.question.text}（{len(t.answers)}条）", indent=False)
            for index, answer in enumerate(t.answers, start=1):
                pdf.paragraph(f"{index}. {answer}", indent=False, size=9)
    pdf.paragraph(
        "说明：答复率＝答复企业数÷调研企业数；平均值和中位数按作答企业计算；保密协议签订率、竞业限制协议签订率为各企业"
        "填报比例的简单平均；制度建立率＝填报“已建立”的企业数÷作答企业数。"
        + (awareness_rule_text(results) if results.awareness_question_count else ""),
        indent=False,
        size=8.5,
        color=MUTED,
    )
    return bytes(pdf.output())
