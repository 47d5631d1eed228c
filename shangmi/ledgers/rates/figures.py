"""The rates page's two figures (training and awareness rates against their targets) for the
region dashboard, read from ``rates_dashboard``: the same numbers as /ledgers/rates/."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangmi.core.figures import FigureValue, RegionFigures
from shangmi.core.scoping import VIEW
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.models import RateTarget
from shangmi.ledgers.rates.services import RateRow, rates_dashboard
from shangmi.regions.chooser import region_year_url
from shangmi.regions.models import Region


def _rates_figures(user: Any, parent: Region, year: int, training: bool, shared: dict[str, Any]) -> RegionFigures:
    # Both rates come from one rates dashboard: computed once per dashboard view.
    key = f"ledgers.rates:{parent.code}:{year}"
    if key not in shared:
        shared[key] = rates_dashboard(
            parent,
            year,
            enterprises=Enterprise.objects.restrict(user, VIEW),
            targets=RateTarget.objects.restrict(user, VIEW),
        )
    board = shared[key]

    def value(row: RateRow) -> FigureValue:
        if training:
            target = row.training_target
            return FigureValue(row.training_rate, target.percent if target is not None else None)
        target = row.awareness_target
        return FigureValue(row.awareness_rate, target.percent if target is not None else None)

    children = {row.region.code: value(row) for row in board.rows if row.region is not None and not row.is_total}
    return RegionFigures(
        children=children, total=value(board.total), source_url=region_year_url("ledgers:rates", parent, year)
    )


class TrainingRate:
    key = "training"
    label = _("Training rate of liaison-point enterprises")
    unit = "%"
    order = 30

    def figures(
        self, user: Any, parent: Region, children: list[Region], year: int, shared: dict[str, Any]
    ) -> RegionFigures:
        return _rates_figures(user, parent, year, training=True, shared=shared)


class AwarenessRate:
    key = "awareness"
    label = _("Awareness rate")
    unit = "%"
    order = 40

    def figures(
        self, user: Any, parent: Region, children: list[Region], year: int, shared: dict[str, Any]
    ) -> RegionFigures:
        return _rates_figures(user, parent, year, training=False, shared=shared)
