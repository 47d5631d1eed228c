"""Charts of the analysis report, drawn with matplotlib as PNG images.

matplotlib's own fonts have no Chinese glyphs (labels would print as boxes), and a system font
may not be there on a district office's laptop; so the charts use the same Noto Sans SC file
that the PDF embeds, registered with matplotlib's font manager. Figures are built with the
object API (Figure + the Agg canvas), never pyplot: no global figure state, safe in a threaded
web server.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from shangmi.pdf.fonts import cjk_font_paths
from shangmi.surveys.aggregation import GroupStats

GREEN = "#2e7d32"
RED = "#c62828"
BLUE = "#1f4e99"
ORANGE = "#e08a00"
GREY = "#6c757d"
DPI = 150
WIDTH_IN = 7.2  # about the report's text width (174 mm), so text in the chart prints at its size
MIN_SLOTS = 5
# Beyond this many groups, the values are not printed on the bars (they would overlap): the
# report's annex tables carry them.
CROWDED = 12


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """Register Noto Sans SC with matplotlib once per process; its family name."""
    path = cjk_font_paths()["regular"]
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _style() -> dict[str, object]:
    return {
        "font.family": [cjk_family()],
        "font.size": 9,
        # The Unicode minus sign is missing from many CJK fonts' tables; the hyphen never is.
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _height(base: float, groups: int) -> float:
    """Taller when the names stand upright under many bars (a province's 38 districts)."""
    return base + (1.0 if groups > CROWDED else 0.0)


def _labels(ax: Axes, labels: Sequence[str]) -> None:
    """Region and industry names are long: slant them when there are several, stand them
    upright when there are many. With few groups, keep room for at least five, so two regions
    do not become two walls of colour."""
    if len(labels) > CROWDED:
        rotation, align, size = 90, "center", 7
    elif len(labels) > 6:
        rotation, align, size = 40, "right", 8
    else:
        rotation, align, size = 0, "center", 9
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=rotation, ha=align, fontsize=size)
    slots = max(len(labels), MIN_SLOTS)
    pad = (slots - len(labels)) / 2
    ax.set_xlim(-0.6 - pad, len(labels) - 0.4 + pad)


def _legend_below(figure: Figure, columns: int) -> None:
    # "outside" places the legend in the constrained layout's margin, never over bars or labels.
    figure.legend(loc="outside lower center", ncols=columns, frameon=False)


def awareness_chart(groups: Sequence[GroupStats], target: float, title: str = "各地区商业秘密保护知晓率") -> bytes:
    """Bars of the awareness rate per group against the target line: green met, red not."""
    rows = [g for g in groups if g.awareness_rate is not None]
    with matplotlib.rc_context(_style()):
        figure = Figure(figsize=(WIDTH_IN, _height(3.0, len(rows))), layout="constrained")
        ax = figure.add_subplot()
        rates = [g.awareness_rate or 0.0 for g in rows]
        colors = [GREEN if rate >= target else RED for rate in rates]
        bars = ax.bar(range(len(rows)), rates, color=colors, width=0.6)
        if len(rows) <= CROWDED:
            ax.bar_label(bars, labels=[f"{rate:.1f}%" for rate in rates], padding=2, fontsize=8)
        ax.axhline(target, color=ORANGE, linestyle="--", linewidth=1.2)
        ax.text(
            1.0, target, f"目标 {target:g}%", transform=ax.get_yaxis_transform(), color=ORANGE, ha="right", va="bottom"
        )
        ax.set_ylim(0, 110)
        ax.set_ylabel("知晓率（%）")
        ax.set_title(title)
        _labels(ax, [g.label_zh for g in rows])
        return _png(figure)


def rates_chart(
    groups: Sequence[GroupStats], title: str = "各地区保密协议、竞业限制协议签订率与保护制度建立率"
) -> bytes:
    """Three bars per group: mean NDA rate, mean non-compete rate, share with a protection system."""
    series = (
        ("保密协议签订率", BLUE, [g.nda_rate_mean for g in groups]),
        ("竞业限制协议签订率", ORANGE, [g.non_compete_rate_mean for g in groups]),
        ("建立保护制度企业占比", GREEN, [g.system_share for g in groups]),
    )
    width = 0.26
    with matplotlib.rc_context(_style()):
        figure = Figure(figsize=(WIDTH_IN, _height(3.3, len(groups))), layout="constrained")
        ax = figure.add_subplot()
        for index, (name, color, values) in enumerate(series):
            xs = [i + (index - 1) * width for i in range(len(groups))]
            bars = ax.bar(xs, [v or 0.0 for v in values], width=width, color=color, label=name)
            if len(groups) <= 8:
                ax.bar_label(bars, labels=[f"{v:.0f}" if v is not None else "" for v in values], fontsize=7)
        ax.set_ylim(0, 110)
        ax.set_ylabel("%")
        ax.set_title(title)
        _labels(ax, [g.label_zh for g in groups])
        _legend_below(figure, 3)
        return _png(figure)


def industry_chart(groups: Sequence[GroupStats], target: float, title: str = "各行业知晓率与保护制度建立率") -> bytes:
    """Horizontal bars (industry names are long): awareness rate and protection-system share."""
    rows = list(reversed(groups))  # the first industry on top
    height = 0.38
    with matplotlib.rc_context(_style()):
        figure = Figure(figsize=(WIDTH_IN, 1.3 + 0.3 * max(len(rows), 1)), layout="constrained")
        ax = figure.add_subplot()
        ys = range(len(rows))
        aware = [g.awareness_rate for g in rows]
        system = [g.system_share for g in rows]
        first = ax.barh([y + height / 2 for y in ys], [v or 0.0 for v in aware], height=height, color=BLUE)
        second = ax.barh([y - height / 2 for y in ys], [v or 0.0 for v in system], height=height, color=GREEN)
        first.set_label("知晓率")
        second.set_label("建立保护制度企业占比")
        ax.bar_label(first, labels=[f"{v:.1f}%" if v is not None else "" for v in aware], padding=2, fontsize=7)
        ax.bar_label(second, labels=[f"{v:.1f}%" if v is not None else "" for v in system], padding=2, fontsize=7)
        ax.axvline(target, color=ORANGE, linestyle="--", linewidth=1.2, label=f"知晓率目标 {target:g}%")
        ax.set_yticks(list(ys))
        ax.set_yticklabels([g.label_zh for g in rows])
        ax.set_xlim(0, 112)
        ax.set_xlabel("%")
        ax.set_title(title)
        _legend_below(figure, 3)
        return _png(figure)


def counts_chart(groups: Sequence[GroupStats], title: str = "各地区企业平均商业秘密数量与专利数量") -> bytes:
    """Mean number of trade secrets and of patents per enterprise, per group."""
    width = 0.38
    with matplotlib.rc_context(_style()):
        figure = Figure(figsize=(WIDTH_IN, _height(3.0, len(groups))), layout="constrained")
        ax = figure.add_subplot()
        for offset, (name, color, values) in zip(
            (-width / 2, width / 2),
            (
                ("平均商业秘密数量（项）", BLUE, [g.trade_secrets_mean for g in groups]),
                ("平均专利数量（件）", GREY, [g.patents_mean for g in groups]),
            ),
            strict=True,
        ):
            bars = ax.bar([i + offset for i in range(len(groups))], [v or 0.0 for v in values], width, color=color)
            bars.set_label(name)
            if len(groups) <= CROWDED:
                ax.bar_label(bars, labels=[f"{v:.1f}" if v is not None else "" for v in values], fontsize=7)
        ax.set_title(title)
        ax.margins(y=0.15)
        _labels(ax, [g.label_zh for g in groups])
        _legend_below(figure, 2)
        return _png(figure)
