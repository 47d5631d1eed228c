"""Spreadsheets of a creation round: the score summary of its applications, and a region's
cultivation list (培育名单) in the form districts submit it (seed 003: by 30 September).

The rows always come from a queryset the caller has already passed through
``Application.objects.restrict``; nothing here widens it. Headers and values are in
Chinese, as in the program documents the sheets are handed in with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from shangmi.core.xlsx import new_workbook
from shangmi.creation.models import Application, AssessmentEntry, DemoType, Level, ReviewScore, Round, Stage
from shangmi.creation.review.queues import SpecCache, self_assessment_totals
from shangmi.regions.models import Region
from shangmi.standards.models import Item

DEMO_TYPE_ZH: dict[str, str] = {
    DemoType.ZONE: "示范区",
    DemoType.BASE: "示范基地",
    DemoType.UNIT: "示范单位",
    DemoType.STATION: "示范站(点)",
}
# The word after 商业秘密保护示范 in a list's title: 示范区, 示范基地, 示范单位, 示范站(点).
DEMO_TYPE_TITLE_ZH: dict[str, str] = {
    DemoType.ZONE: "区",
    DemoType.BASE: "基地",
    DemoType.UNIT: "单位",
    DemoType.STATION: "站(点)",
}
LEVEL_ZH: dict[str, str] = {
    Level.NATIONAL: "国家级",
    Level.PROVINCIAL: "省级",
    Level.MUNICIPAL: "市级",
    Level.COUNTY: "县级",
}
STATUS_ZH: dict[str, str] = {
    Application.Status.DRAFT: "培育中",
    Application.Status.IN_REVIEW: "审核中",
    Application.Status.RETURNED: "退回修改",
    Application.Status.APPROVED: "已通过",
    Application.Status.REJECTED: "未通过",
    Application.Status.WITHDRAWN: "已撤回",
}
STAGE_KIND_ZH: dict[str, str] = {Stage.Kind.INITIAL: "初审", Stage.Kind.SECOND: "复审", Stage.Kind.ACCEPTANCE: "验收"}
STAGE_KINDS = (Stage.Kind.INITIAL, Stage.Kind.SECOND, Stage.Kind.ACCEPTANCE)

SUMMARY_HEADERS_ZH = [
    "序号",
    "申报单位",
    "统一社会信用代码",
    "所在地区",
    "园区",
    "申报类型",
    "级别",
    "状态",
    "当前环节",
    "自评得分",
]
STAGE_SCORE_HEADERS_ZH = [f"{STAGE_KIND_ZH[kind]}得分" for kind in STAGE_KINDS]
ITEM_HEADERS_ZH = ["编号", "评分项", "分值"]
SELF_ASSESSMENT_ZH = "自评"
CANDIDATE_HEADERS_ZH = [
    "序号",
    "区、县(市)",
    "单位名称",
    "统一社会信用代码",
    "申报类型",
    "级别",
    "联系人",
    "联系电话",
    "自评得分",
    "状态",
]
TOTAL_ZH = "合计"
MET_MARK = {True: "✓", False: "✗", None: ""}
# Excel's limit on the columns of one sheet: a round with more applications than fit is
# continued on further item sheets rather than cut off.
MAX_COLUMNS = 16384


@dataclass
class _Round:
    """The applications of a round with everything the sheets show, read in a fixed number of queries."""

    applications: list[Application]
    self_totals: dict[int, Decimal]
    entries: dict[int, dict[str, bool | None]] = field(default_factory=dict)
    stages: dict[int, list[Stage]] = field(default_factory=dict)
    stage_scores: dict[int, dict[str, bool]] = field(default_factory=dict)
    stage_totals: dict[int, Decimal] = field(default_factory=dict)


def _ordered(queryset: QuerySet[Application]) -> list[Application]:
    return list(
        queryset.select_related("round", "region", "park", "enterprise", "standard").order_by(
            "region__path", "applicant_name", "pk"
        )
    )


def _load(queryset: QuerySet[Application], *, with_items: bool, with_reviews: bool) -> _Round:
    applications = _ordered(queryset)
    specs = SpecCache()
    loaded = _Round(applications=applications, self_totals=self_assessment_totals(applications, specs))
    ids = [a.pk for a in applications]
    if with_items:
        entries: dict[int, dict[str, bool | None]] = defaultdict(dict)
        for application_id, code, met in AssessmentEntry.objects.filter(application__in=ids).values_list(
            "application_id", "item__code", "met"
        ):
            entries[application_id][code] = met
        loaded.entries = entries
    if not with_reviews:
        return loaded
    stages: dict[int, list[Stage]] = defaultdict(list)
    for stage in Stage.objects.filter(application__in=ids).select_related("region").order_by("application_id", "index"):
        stages[stage.application_id].append(stage)
    loaded.stages = stages
    scores: dict[int, dict[str, bool]] = defaultdict(dict)
    for stage_id, code, met in ReviewScore.objects.filter(stage__application__in=ids).values_list(
        "stage_id", "item__code", "met"
    ):
        scores[stage_id][code] = met
    loaded.stage_scores = scores
    by_id = {a.pk: a for a in applications}
    for application_id, application_stages in stages.items():
        standard = by_id[application_id].standard
        for stage in application_stages:
            # A stage nobody has scored yet has no total, not a total of zero.
            if stage.pk in scores:
                met_codes = [code for code, met in scores[stage.pk].items() if met]
                loaded.stage_totals[stage.pk] = specs.total(standard, met_codes)
    return loaded


def _current_stage(application: Application, stages: list[Stage]) -> str:
    if application.status not in (Application.Status.IN_REVIEW, Application.Status.RETURNED):
        return ""
    for stage in stages:
        if stage.index == application.stage_index:
            return f"{STAGE_KIND_ZH.get(stage.kind, stage.kind)}（{stage.region.name}）"
    return ""


def _number(value: Decimal | None) -> float | str:
    return float(value) if value is not None else ""


def _stage_score_cells(loaded: _Round, application: Application) -> list[float | str]:
    cells: list[float | str] = []
    for kind in STAGE_KINDS:
        # If a kind recurs (a longer chain), the latest scored stage of it is the one that counts.
        scored = [s for s in loaded.stages.get(application.pk, []) if s.kind == kind and s.pk in loaded.stage_totals]
        cells.append(_number(loaded.stage_totals[scored[-1].pk]) if scored else "")
    return cells


def _summary_row(number: int, application: Application, loaded: _Round, *, with_reviews: bool) -> list[Any]:
    stages = loaded.stages.get(application.pk, [])
    row: list[Any] = [
        number,
        application.applicant_name,
        application.enterprise.uscc if application.enterprise else "",
        application.region.full_name,
        application.park.name if application.park else "",
        DEMO_TYPE_ZH.get(application.round.demo_type, application.round.demo_type),
        LEVEL_ZH.get(application.round.level, application.round.level),
        STATUS_ZH.get(application.status, application.status),
        _current_stage(application, stages),
        _number(loaded.self_totals[application.pk]),
    ]
    if with_reviews:
        row.extend(_stage_score_cells(loaded, application))
    return row


def _item_sheet_groups(loaded: _Round) -> Iterator[list[Application]]:
    """Applications in groups whose columns fit on one sheet."""
    group: list[Application] = []
    used = len(ITEM_HEADERS_ZH)
    for application in loaded.applications:
        width = 1 + len(loaded.stages.get(application.pk, []))
        if group and used + width > MAX_COLUMNS:
            yield group
            group, used = [], len(ITEM_HEADERS_ZH)
        group.append(application)
        used += width
    # An empty round still gets its item sheet: the standard's items with no columns yet.
    if group or not loaded.applications:
        yield group


def _write_item_sheet(workbook: Any, name: str, items: list[Item], group: list[Application], loaded: _Round) -> None:
    bold = workbook.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "valign": "vcenter"}
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    centre = workbook.add_format({"align": "center"})
    sheet = workbook.add_worksheet(name)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 48, wrap)
    sheet.set_column(2, 2, 6)
    for col, header in enumerate(ITEM_HEADERS_ZH):
        sheet.merge_range(0, col, 1, col, header, bold)
    col = len(ITEM_HEADERS_ZH)
    columns: list[tuple[int, Application, Stage | None]] = []
    for application in group:
        stages = loaded.stages.get(application.pk, [])
        width = 1 + len(stages)
        if width > 1:
            sheet.merge_range(0, col, 0, col + width - 1, application.applicant_name, bold)
        else:
            sheet.write(0, col, application.applicant_name, bold)
        sheet.write(1, col, SELF_ASSESSMENT_ZH, bold)
        columns.append((col, application, None))
        for offset, stage in enumerate(stages, start=1):
            sheet.write(1, col + offset, STAGE_KIND_ZH.get(stage.kind, stage.kind), bold)
            columns.append((col + offset, application, stage))
        col += width
    sheet.freeze_panes(2, len(ITEM_HEADERS_ZH))
    for row, item in enumerate(items, start=2):
        sheet.write_row(row, 0, [item.code, item.text, _number(item.points)])
        for column, application, scored_by in columns:
            # Matched by code, not by row: an application keeps the standard version it
            # started with, and item codes are what versions share.
            if scored_by is None:
                met = loaded.entries.get(application.pk, {}).get(item.code)
            else:
                met = loaded.stage_scores.get(scored_by.pk, {}).get(item.code)
            sheet.write(row, column, MET_MARK[met], centre)


def _open(target: Path | str | IO[bytes]) -> Any:
    return new_workbook(target)


def round_export(
    *, round_: Round, queryset: QuerySet[Application], target: Path | str | IO[bytes], with_reviews: bool = True
) -> int:
    """Write the score summary of ``round_``'s applications in ``queryset`` to ``target`` (.xlsx).

    Sheet 申报汇总 has one row per application; sheet 逐项评分 one row per item of the
    round's standard and, per application, the self-assessment and each stage's ✓/✗.
    ``with_reviews=False`` leaves the reviewers' scores out (for applicants). Returns the
    number of applications written.
    """
    loaded = _load(queryset.filter(round=round_), with_items=True, with_reviews=with_reviews)
    workbook = _open(target)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet("申报汇总")
    headers = SUMMARY_HEADERS_ZH + (STAGE_SCORE_HEADERS_ZH if with_reviews else [])
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 2, 22, text)
    sheet.set_column(3, len(headers) - 1, 14)
    sheet.write_row(0, 0, headers, bold)
    sheet.freeze_panes(1, 2)
    for number, application in enumerate(loaded.applications, start=1):
        sheet.write_row(number, 0, _summary_row(number, application, loaded, with_reviews=with_reviews))

    items = list(Item.objects.filter(standard=round_.standard).order_by("order", "pk"))
    for index, group in enumerate(_item_sheet_groups(loaded)):
        _write_item_sheet(workbook, "逐项评分" if index == 0 else f"逐项评分({index + 1})", items, group, loaded)
    workbook.close()
    return len(loaded.applications)


def candidate_list_title(round_: Round, region: Region) -> str:
    """E.g. 重庆市江北区2026年商业秘密保护示范单位培育名单."""
    kind = DEMO_TYPE_TITLE_ZH.get(round_.demo_type, "")
    return f"{region.full_name}{round_.year}年商业秘密保护示范{kind}培育名单"


def candidates(queryset: QuerySet[Application], *, round_: Round, region: Region) -> QuerySet[Application]:
    """The cultivation candidates of ``region`` (its whole subtree) in ``round_``: all but the withdrawn."""
    return queryset.filter(round=round_, region__path__subtree=region.path).exclude(status=Application.Status.WITHDRAWN)


def candidate_list_export(
    *, round_: Round, region: Region, queryset: QuerySet[Application], target: Path | str | IO[bytes]
) -> int:
    """Write the cultivation list of ``region`` for ``round_`` to ``target`` (.xlsx): a title row,
    the headers, one row per candidate and a 合计 line with their count. Returns the count."""
    loaded = _load(candidates(queryset, round_=round_, region=region), with_items=False, with_reviews=False)
    workbook = _open(target)
    title = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    bold = workbook.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    cell = workbook.add_format({"border": 1})
    code = workbook.add_format({"border": 1, "num_format": "@"})
    sheet = workbook.add_worksheet("培育名单")
    last = len(CANDIDATE_HEADERS_ZH) - 1
    sheet.set_row(0, 32)
    sheet.merge_range(0, 0, 0, last, candidate_list_title(round_, region), title)
    sheet.write_row(1, 0, CANDIDATE_HEADERS_ZH, bold)
    for col, width in enumerate((6, 12, 32, 22, 12, 8, 10, 16, 10, 10)):
        sheet.set_column(col, col, width)
    row = 1
    for number, application in enumerate(loaded.applications, start=1):
        row += 1
        enterprise = application.enterprise if application.enterprise_id else None
        values = [
            number,
            application.region.name,
            application.applicant_name,
            enterprise.uscc if enterprise else "",
            DEMO_TYPE_ZH.get(round_.demo_type, round_.demo_type),
            LEVEL_ZH.get(round_.level, round_.level),
            enterprise.contact_name if enterprise else "",
            enterprise.contact_phone if enterprise else "",
            _number(loaded.self_totals[application.pk]),
            STATUS_ZH.get(application.status, application.status),
        ]
        for col, value in enumerate(values):
            sheet.write(row, col, value, code if col in (3, 7) else cell)
    row += 1
    count = len(loaded.applications)
    sheet.merge_range(row, 0, row, 1, TOTAL_ZH, bold)
    sheet.write(row, 2, count, bold)
    for col in range(3, last + 1):
        sheet.write_blank(row, col, None, cell)
    workbook.close()
    return count


__all__ = [
    "CANDIDATE_HEADERS_ZH",
    "STAGE_SCORE_HEADERS_ZH",
    "SUMMARY_HEADERS_ZH",
    "TOTAL_ZH",
    "candidate_list_export",
    "candidate_list_title",
    "candidates",
    "round_export",
]
