"""A region's dashboard: its children, each with every registered figure
(shangmi.core.figures) against its target, and whether the map can draw it.

The figures are the providers' (each read from the selector of the page it comes from); the
dashboard only puts them side by side, so a number here is the number of its source page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shangmi.core.figures import FigureProvider, FigureValue, Number, figure_provider, figure_providers
from shangmi.dashboard.boundaries import Boundaries, children_boundaries
from shangmi.regions.models import Region


def shown(number: Number | None, unit: str) -> str:
    """A figure as the pages write it: "—" when unknown, a rate with its per cent sign."""
    if number is None:
        return "—"
    return f"{number}%" if unit == "%" else str(number)


@dataclass(frozen=True)
class Cell:
    value: str
    target: str
    behind: bool


@dataclass
class DashboardRow:
    region: Region
    values: list[FigureValue]
    has_boundary: bool
    units: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    @property
    def labelled_cells(self) -> list[tuple[str, Cell]]:
        return list(zip(self.labels, self.cells, strict=True))

    @property
    def cells(self) -> list[Cell]:
        return [
            Cell(shown(v.value, unit), shown(v.target, unit) if v.target is not None else "", v.behind)
            for v, unit in zip(self.values, self.units, strict=True)
        ]


@dataclass
class Dashboard:
    region: Region
    year: int
    providers: list[FigureProvider]
    chosen: FigureProvider
    rows: list[DashboardRow]
    total: DashboardRow
    sources: list[str]
    boundaries: Boundaries
    ancestors: list[Region] = field(default_factory=list)

    @property
    def chosen_index(self) -> int:
        return self.providers.index(self.chosen)

    @property
    def columns(self) -> list[tuple[FigureProvider, str]]:
        return list(zip(self.providers, self.sources, strict=True))

    @property
    def without_boundary(self) -> list[DashboardRow]:
        """The children the map cannot draw: listed under it with their figures."""
        return [row for row in self.rows if not row.has_boundary]

    def map_data(self) -> list[dict[str, Any]]:
        """The chosen figure per child, for the map's colours (code, name, value)."""
        index = self.chosen_index
        return [
            {
                "code": row.region.code,
                "name": row.region.name,
                "value": None if row.values[index].value is None else float(row.values[index].value or 0),
            }
            for row in self.rows
            if row.has_boundary
        ]


def chosen_figure(key: str) -> FigureProvider:
    """The provider of ``key``; an unknown key (or none) is the first figure."""
    provider = figure_provider(key) if key else None
    providers = figure_providers()
    return provider if provider is not None else providers[0]


def region_dashboard(user: Any, region: Region, year: int, figure: str = "") -> Dashboard:
    """``region``'s children against every figure, as ``user`` reads them on the source pages."""
    children = list(Region.objects.filter(parent=region).order_by("code"))
    providers = figure_providers()
    shared: dict[str, Any] = {}
    results = [provider.figures(user, region, children, year, shared) for provider in providers]
    boundaries = children_boundaries(region.code, tuple((child.code, child.name) for child in children))
    rows = [
        DashboardRow(
            region=child,
            values=[result.children.get(child.code, FigureValue(None)) for result in results],
            has_boundary=child.code in boundaries.matched,
            units=[provider.unit for provider in providers],
            labels=[str(provider.label) for provider in providers],
        )
        for child in children
    ]
    return Dashboard(
        region=region,
        year=year,
        providers=providers,
        chosen=chosen_figure(figure),
        rows=rows,
        total=DashboardRow(
            region=region,
            values=[result.total for result in results],
            has_boundary=False,
            units=[provider.unit for provider in providers],
            labels=[str(provider.label) for provider in providers],
        ),
        sources=[result.source_url for result in results],
        boundaries=boundaries,
        ancestors=region.ancestors(),
    )
