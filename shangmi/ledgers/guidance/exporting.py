"""The guidance ledger as .xlsx, in the words of the programs: the Chongqing standard asks for
a ledger "recording the time, place, people and content of each guidance" (seed 001:
记录有指导时间、地点、人员、内容), so those four columns are there under those names, with the
enterprise, its code, the officer, the issues, the advice and the number of attachments.

The rows come from a queryset the caller has already passed through restrict(); nothing
here widens it.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.db.models import Count, QuerySet

from shangmi.core.calendar import program_local
from shangmi.core.xlsx import new_workbook
from shangmi.ledgers.models import GuidanceVisit

SHEET_NAME_ZH = "指导台账"
HEADERS_ZH = [
    "序号",
    "企业",
    "统一社会信用代码",
    "时间",
    "地点",
    "人员",
    "内容",
    "发现问题",
    "指导建议",
    "指导员",
    "附件数",
]
BUREAU_ZH = "指导方"
ENTERPRISE_ZH = "企业方"
WIDTHS = [6, 28, 22, 17, 24, 36, 48, 36, 36, 12, 8]


def people(visit: GuidanceVisit) -> str:
    """Both sides in one 人员 cell, as the paper ledgers write them."""
    parts = []
    if visit.bureau_participants:
        parts.append(f"{BUREAU_ZH}:{visit.bureau_participants}")
    if visit.enterprise_participants:
        parts.append(f"{ENTERPRISE_ZH}:{visit.enterprise_participants}")
    return ";".join(parts)


def ledger_rows(visits: QuerySet[GuidanceVisit]) -> list[list[Any]]:
    """One row per visit, oldest first: two queries whatever the number of rows."""
    rows: list[list[Any]] = []
    ordered = (
        visits.select_related("enterprise", "officer")
        .annotate(attachment_count=Count("attachments", distinct=True))
        .order_by("visited_at", "pk")
    )
    for number, visit in enumerate(ordered, start=1):
        rows.append(
            [
                number,
                visit.enterprise.name,
                visit.enterprise.uscc,
                program_local(visit.visited_at).strftime("%Y-%m-%d %H:%M"),
                visit.place,
                people(visit),
                visit.content,
                visit.issues,
                visit.advice,
                visit.officer.display_name,
                visit.attachment_count,
            ]
        )
    return rows


def guidance_export(visits: QuerySet[GuidanceVisit], target: Path | str | IO[bytes]) -> None:
    """Write the ledger of ``visits`` to ``target`` (a path or a seekable binary file)."""
    workbook = new_workbook(target, in_memory=True)
    sheet = workbook.add_worksheet(SHEET_NAME_ZH)
    header = workbook.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_row(0, 0, HEADERS_ZH, header)
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width, wrap)
    for index, row in enumerate(ledger_rows(visits), start=1):
        # write_string for text: a place called "=1+1" must stay text, not become a formula.
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(index, column, value, wrap)
            else:
                sheet.write_number(index, column, value, wrap)
    sheet.freeze_panes(1, 0)
    workbook.close()


__all__ = ["HEADERS_ZH", "guidance_export", "ledger_rows", "people"]
