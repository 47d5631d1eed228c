"""Enforcement cases per region, for the region dashboard: the cases opened in the year, per
child region, as the enforcement figures page (/enforcement/figures/) counts them; both read
shangmi.enforcement.tallies.case_figures, so the dashboard and the page cannot disagree."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangmi.core.figures import FigureValue, RegionFigures
from shangmi.enforcement.tallies import case_figures
from shangmi.regions.chooser import region_year_url
from shangmi.regions.models import Region


class Cases:
    key = "cases"
    label = _("Enforcement cases")
    unit = ""
    order = 50

    def figures(
        self, user: Any, parent: Region, children: list[Region], year: int, shared: dict[str, Any]
    ) -> RegionFigures:
        tally = case_figures(parent, year, reader=user)
        opened = {row.region.code: row.cases for row in tally.rows if row.region is not None}
        return RegionFigures(
            children={child.code: FigureValue(opened.get(child.code, 0)) for child in children},
            total=FigureValue(tally.total.cases),
            source_url=region_year_url("enforcement:figures", parent, year),
        )
