"""The protection registers as spreadsheets: the rows of each list, filter and all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _

from shangmi.core.xlsx import new_workbook
from shangmi.protection.models import SecretPoint


def _write(target: IO[bytes], title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    workbook = new_workbook(target)
    sheet = workbook.add_worksheet(title)
    sheet.write_row(0, 0, header)
    for number, values in enumerate(rows, start=1):
        sheet.write_row(number, 0, values)
    workbook.close()


def secret_points_export(rows: Iterable[SecretPoint], target: IO[bytes]) -> None:
    header = [_("Name"), _("Type"), _("Kind of information"), _("Grade"), _("Term"), _("Owning department"),
              _("Responsible person"), _("Circle of knowledge"), _("Where it is kept"), _("Protection measures"),
              _("Status")]  # fmt: skip
    _write(
        target,
        _("Secret points"),
        header,
        (
            [
                point.name,
                point.get_category_display(),
                point.get_subject_display(),
                point.get_grade_display(),
                point.term_display(),
                point.department,
                point.responsible.name,
                "、".join(person.name for person in point.circle.all()),
                point.location,
                "；".join(point.measure_labels()),
                point.get_status_display(),
            ]
            for point in rows
        ),
    )
