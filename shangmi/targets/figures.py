"""Titles awarded against the demonstration targets, for the region dashboard, read from
``progress_table``: the same numbers as the target progress page (/targets/)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangmi.core.figures import FigureValue, RegionFigures
from shangmi.core.scoping import VIEW
from shangmi.regions.chooser import region_year_url
from shangmi.regions.models import Region
from shangmi.targets.models import Target
from shangmi.targets.progress import Row, progress_table


def _titles(row: Row | None) -> FigureValue:
    """Titles awarded over the demonstration columns (coaching counts enterprises, not titles)."""
    if row is None:
        return FigureValue(None)
    cells = [cell for cell in row.cells if not cell.column.is_coaching]
    minimums = [cell.minimum for cell in cells if cell.minimum is not None]
    return FigureValue(sum(cell.approved for cell in cells), sum(minimums) if minimums else None)


class TitlesAwarded:
    key = "titles"
    label = _("Demonstration titles awarded")
    unit = ""
    order = 10

    def figures(
        self, user: Any, parent: Region, children: list[Region], year: int, shared: dict[str, Any]
    ) -> RegionFigures:
        table = progress_table(parent, year, targets=Target.objects.restrict(user, VIEW))
        by_code = {row.region.code: _titles(row) for row in table.rows if row.region is not None}
        total = _titles(table.total)
        if table.own is not None:
            # The parent's own target (set by the level above) is the one its total must meet.
            total = FigureValue(total.value, _titles(table.own).target)
        elif not children:
            total = by_code.get(parent.code, total)
        children_codes = {child.code for child in children}
        return RegionFigures(
            children={code: value for code, value in by_code.items() if code in children_codes},
            total=total,
            source_url=region_year_url("targets:progress", parent, year),
        )
