"""Liaison points per region, for the region dashboard: the count of the enterprise list
filtered to liaison points in the region (/enterprises/?region=CODE&liaison_point=true)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangmi.core.figures import FigureValue, RegionFigures
from shangmi.core.scoping import VIEW
from shangmi.enterprises.models import Enterprise
from shangmi.regions.models import Region
from shangmi.regions.paths import child_code_sql


class LiaisonPoints:
    key = "liaison_points"
    label = _("Liaison points")
    unit = ""
    order = 20

    def figures(
        self, user: Any, parent: Region, children: list[Region], year: int, shared: dict[str, Any]
    ) -> RegionFigures:
        # The list's region filter reads the codes first and filters on the key (indexed).
        codes = list(Region.objects.filter(path__subtree=parent.path).values_list("code", flat=True))
        rows = (
            Enterprise.objects.restrict(user, VIEW)
            .filter(is_liaison_point=True, region_id__in=codes)
            .annotate(row=child_code_sql(parent))
            .values("row")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {r["row"]: r["n"] for r in rows}
        query = urlencode({"region": parent.code, "liaison_point": "true"})
        return RegionFigures(
            children={child.code: FigureValue(counts.get(child.code, 0)) for child in children},
            total=FigureValue(sum(counts.values())),
            source_url=f"{reverse('enterprises:list')}?{query}",
        )
