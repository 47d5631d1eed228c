"""The demands ledger as a spreadsheet: the rows of the list, filter and all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _

from shangmi.core.calendar import program_local
from shangmi.core.xlsx import new_workbook
from shangmi.enforcement.models import Demand


def demands_export(rows: Iterable[Demand], target: IO[bytes]) -> None:
    workbook = new_workbook(target)
    sheet = workbook.add_worksheet(_("Demands"))
    header = [_("Filed"), _("Enterprise"), _("District"), _("Kind"), _("Taken in"), _("Title"), _("Status"),
              _("Handler"), _("Answer due"), _("Answered"), _("Rating")]  # fmt: skip
    sheet.write_row(0, 0, header)
    for number, demand in enumerate(rows, start=1):
        values: list[Any] = [
            program_local(demand.filed_at).strftime("%Y-%m-%d %H:%M"),
            demand.enterprise.name,
            demand.region.full_name,
            demand.get_kind_display(),
            demand.get_channel_display(),
            demand.title,
            demand.get_status_display(),
            demand.handler.display_name if demand.handler else "",
            demand.due_on.isoformat() if demand.due_on else _("not counted"),
            demand.answered_on.isoformat() if demand.answered_on else "",
            demand.rating or "",
        ]
        sheet.write_row(number, 0, values)
    workbook.close()
