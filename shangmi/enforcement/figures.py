"""Enforcement cases per region, for the region dashboard: the cases the reader's case list
(/enforcement/cases/) shows, counted by the child region they were opened in (every year and
status: the list has neither filter, and the dashboard shows the list's number)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangmi.core.figures import FigureValue, RegionFigures
from shangmi.core.scoping import VIEW
from shangmi.enforcement.models import Case
from shangmi.regions.models import Region
from shangmi.regions.paths import child_code_sql


class Cases:
    key = "cases"
    label = _("Enforcement cases")
    unit = ""
    order = 50

    def figures(
        self, user: Any, parent: Region, children: list[Region], year: int, shared: dict[str, Any]
    ) -> RegionFigures:
        rows = (
            Case.objects.restrict(user, VIEW)
            .filter(region__path__subtree=parent.path)
            .annotate(row=child_code_sql(parent))
            .values("row")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {r["row"]: r["n"] for r in rows}
        return RegionFigures(
            children={child.code: FigureValue(counts.get(child.code, 0)) for child in children},
            total=FigureValue(sum(counts.values())),
            source_url=reverse("enforcement:case_list"),
        )
