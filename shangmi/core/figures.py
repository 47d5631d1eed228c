"""The registry of region figures: each app says which of its numbers a region's dashboard
shows, and the dashboard (shangmi.dashboard) iterates what was registered.

The registry lives in core because the apps that own the numbers sit on floors below the
dashboard: they cannot import it, but they all import core. An app registers its providers in
its ``AppConfig.ready()`` (``register_figure(SomeProvider())``); a new app (the work plans, with
their overdue tasks) adds its figure the same way and the dashboard, its map, its table and its
exports show it without a change.

A provider answers with the figures of a parent region's children and of the parent itself (the
total), each read from the selector of the page the number comes from, so the dashboard shows
the same number as that page (one source per figure), and the address of that page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.utils.functional import Promise

Number = int | Decimal


@dataclass(frozen=True)
class FigureValue:
    """One region's figure and the target it is measured against (None: no target applies)."""

    value: Number | None
    target: Number | None = None
    # True when a higher number is worse (overdue tasks): being above the target is behind.
    lower_is_better: bool = False

    @property
    def behind(self) -> bool:
        """Short of the target; an unknown value is not behind (nothing says it is short)."""
        if self.value is None or self.target is None:
            return False
        return self.value > self.target if self.lower_is_better else self.value < self.target


@dataclass
class RegionFigures:
    """A figure for a parent region's children (by code) and for the parent itself."""

    children: dict[str, FigureValue] = field(default_factory=dict)
    total: FigureValue = field(default_factory=lambda: FigureValue(None))
    # The page the numbers come from, opened on the parent region and year.
    source_url: str = ""


class FigureProvider(Protocol):
    """What an app registers: a key (unique), a label, a unit ("" or "%") and the figures."""

    # Read-only members: a provider declares them as class attributes (a lazy label included).
    @property
    def key(self) -> str: ...

    @property
    def label(self) -> str | Promise: ...

    @property
    def unit(self) -> str: ...

    # Lower orders come first on the dashboard (its default figure is the first).
    @property
    def order(self) -> int: ...

    def figures(self, user: Any, parent: Any, children: list[Any], year: int, shared: dict[str, Any]) -> RegionFigures:
        """The figures of ``children`` (regions whose parent is ``parent``) and of ``parent``,
        for ``year``, as ``user`` may read them on the source page. ``shared`` is one dict for
        every provider of one dashboard: two figures read from one page (the rates page's
        training and awareness) keep what they computed there and compute it once."""
        ...


_PROVIDERS: dict[str, FigureProvider] = {}


def register_figure(provider: FigureProvider) -> None:
    """Add ``provider``; registering the same key again replaces it (a reloaded app)."""
    _PROVIDERS[provider.key] = provider


def figure_providers() -> list[FigureProvider]:
    """Every registered provider, in their order."""
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))


def figure_provider(key: str) -> FigureProvider | None:
    return _PROVIDERS.get(key)
