"""A progress table as .xlsx, in the layout of seed 003's annex 1 (the Shaoxing table).

    row 1  {year}年{region}商业秘密保护示范单位培育指标分解            (title, merged)
    row 2                                                   单位:个
    row 3  区、县(市) | 省级商业秘密保护示范区 (merged over its sub-columns) | …
    row 4             | 指标 | 培育 | 已申报 | 已命名                    | … | 指标 | 已辅导
    rows   one per child region: its minimum, then its progress
           合计
           {region}   (only when the region has targets of its own, set from above)
           备注:…      (merged)

Sub-columns: a demonstration column has 指标 (the minimum), 培育 (candidates: applications
not withdrawn), 已申报 (submitted) and 已命名 (approved: title issued); the coaching column has
指标 and 已辅导 (distinct enterprises on the coaching list or cultivation candidates). The
words are the seed's own (the sheet is a Chinese administrative form, like the registry's
export); the 指标 columns import back with importing.targets_import.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from shangmi.core.xlsx import new_workbook
from shangmi.regions.models import Region
from shangmi.targets.progress import Cell, CoachingEntry, ProgressTable, Row

REGION_HEADER = "区、县(市)"
UNIT_NOTE = "单位:个"
TOTAL_LABEL = "合计"
DEMONSTRATION_SUBHEADERS = ("指标", "培育", "已申报", "已命名")
COACHING_SUBHEADERS = ("指标", "已辅导")
SEED_NOTE = "备注:1.各区、县(市)辅导服务企业数含培育数;2.下达的培育任务是各地要完成的最低目标数"
COLUMNS_NOTE = (
    "3.指标为下达的最低目标数;培育为未撤回的申报数,已申报为已提交的申报数,已命名为已批准(已授牌)数;"
    "已辅导为专项辅导名单与培育对象合并去重后的企业数"
)


def title_of(table: ProgressTable) -> str:
    return f"{table.year}年{table.region.name}商业秘密保护示范单位培育指标分解"


def _values(cell: Cell) -> list[Any]:
    minimum = "" if cell.minimum is None else cell.minimum
    if cell.column.is_coaching:
        return [minimum, cell.candidates]
    return [minimum, cell.candidates, cell.submitted, cell.approved]


def progress_export(table: ProgressTable, target: Path | str | IO[bytes]) -> None:
    """Write ``table`` to ``target`` (a path or a seekable binary file) as one sheet."""
    if isinstance(target, Path):
        target = str(target)
    workbook = new_workbook(target, in_memory=True)
    title_format = workbook.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    unit_format = workbook.add_format({"align": "right"})
    head = workbook.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True, "bg_color": "#DDEBF7"}
    )
    cell_format = workbook.add_format({"border": 1, "align": "center"})
    behind_format = workbook.add_format({"border": 1, "align": "center", "font_color": "#C00000"})
    label_format = workbook.add_format({"border": 1})
    total_format = workbook.add_format({"border": 1, "bold": True, "align": "center"})
    note_format = workbook.add_format({"text_wrap": True, "valign": "top"})

    sheet = workbook.add_worksheet("指标分解")
    widths = [len(COACHING_SUBHEADERS if c.is_coaching else DEMONSTRATION_SUBHEADERS) for c in table.columns]
    last_col = sum(widths)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, max(last_col, 1), 8)

    if last_col > 0:
        sheet.merge_range(0, 0, 0, last_col, title_of(table), title_format)
        sheet.merge_range(1, 0, 1, last_col, UNIT_NOTE, unit_format)
    else:
        sheet.write(0, 0, title_of(table), title_format)
        sheet.write(1, 0, UNIT_NOTE, unit_format)
    sheet.set_row(0, 28)
    sheet.set_row(2, 48)
    sheet.merge_range(2, 0, 3, 0, REGION_HEADER, head)
    col = 1
    for column, width in zip(table.columns, widths, strict=True):
        if width > 1:
            sheet.merge_range(2, col, 2, col + width - 1, column.label_zh, head)
        else:
            sheet.write(2, col, column.label_zh, head)
        subheaders = COACHING_SUBHEADERS if column.is_coaching else DEMONSTRATION_SUBHEADERS
        sheet.write_row(3, col, subheaders, head)
        col += width

    def write_row(index: int, row: Row, label: str, bold: bool = False) -> None:
        sheet.write(index, 0, label, total_format if bold else label_format)
        col = 1
        for cell in row.cells:
            values = _values(cell)
            for offset, value in enumerate(values):
                fmt = total_format if bold else cell_format
                if offset == 0 and cell.behind and not bold:
                    fmt = behind_format
                sheet.write(index, col + offset, value, fmt)
            col += len(values)

    index = 4
    for row in table.rows:
        write_row(index, row, row.label)
        index += 1
    write_row(index, table.total, TOTAL_LABEL, bold=True)
    index += 1
    if table.own is not None:
        write_row(index, table.own, table.own.label)
        index += 1

    notes = [SEED_NOTE, COLUMNS_NOTE]
    deadlines = [
        f"{column.label_zh} {deadline.isoformat()}"
        for column, deadline in zip(table.columns, table.deadlines, strict=True)
        if deadline is not None
    ]
    if deadlines:
        notes.append("4.截止日期:" + ";".join(deadlines))
    note = ";".join(notes) + "。"
    if last_col > 0:
        sheet.merge_range(index, 0, index, last_col, note, note_format)
    else:
        sheet.write(index, 0, note, note_format)
    sheet.set_row(index, 60)
    sheet.freeze_panes(4, 1)
    workbook.close()


def coaching_export(region: Region, year: int, entries: list[CoachingEntry], target: Path | str | IO[bytes]) -> None:
    """The coaching list of ``region`` for ``year``: every enterprise that counts, once."""

    if isinstance(target, Path):
        target = str(target)
    workbook = new_workbook(target, in_memory=True)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet(_("Coaching list")[:31])
    title = _("Special coaching list of %(region)s, %(year)d") % {"region": region.name, "year": year}
    sheet.write(0, 0, title, title_format)
    headers = [
        _("No."),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Region"),
        _("On the coaching list"),
        _("Cultivation candidate"),
        _("Note"),
    ]
    sheet.write_row(1, 0, headers, bold)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 2, 22, text)
    sheet.set_column(3, 6, 16)
    yes = _("Yes")
    for number, entry in enumerate(entries, start=1):
        sheet.write_row(
            number + 1,
            0,
            [
                number,
                entry.enterprise.name,
                entry.enterprise.uscc,
                entry.enterprise.region.full_name,
                yes if entry.enrolment is not None else "",
                yes if entry.candidate else "",
                entry.enrolment.note if entry.enrolment is not None else "",
            ],
        )
    workbook.close()


__all__ = ["coaching_export", "progress_export", "title_of"]
