"""The task list as a spreadsheet: the rows of the list, filter and all, with their colours."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _

from shangmi.core.calendar import program_today
from shangmi.core.xlsx import new_workbook
from shangmi.plans.models import Task
from shangmi.plans.status import LABELS, task_colour


def tasks_export(rows: Iterable[Task], target: IO[bytes]) -> None:
    today = program_today()
    workbook = new_workbook(target)
    sheet = workbook.add_worksheet(_("Tasks"))
    header = [_("Plan"), _("No."), _("Area"), _("Task"), _("Lead"), _("Co-units"), _("Phase"), _("Due"),
              _("Progress (%)"), _("Status"), _("Colour")]  # fmt: skip
    sheet.write_row(0, 0, header)
    for number, task in enumerate(rows, start=1):
        values: list[Any] = [
            task.plan.title,
            task.number,
            task.area,
            task.text,
            task.lead_unit.name,
            "、".join(unit.name for unit in task.co_units.all()),
            str(task.phase) if task.phase else "",
            task.due_on.isoformat(),
            task.progress,
            task.get_status_display(),
            str(LABELS[task_colour(task, today)]),
        ]
        sheet.write_row(number, 0, values)
    workbook.close()
