"""Rate targets (training rate, awareness rate) and the dashboard that measures a region
against them.

Seeds 000 and 001 set both numbers: 联络点内企业受训率达到100% (the training rate of the
liaison-point enterprises) and 全区企业知晓率达到90%以上 (awareness). A target set on a region
applies to every region below it that has none of its own.

The dashboard of a region for a year has a row per child region (a city's row rolls up its
districts), each with the training rate of its liaison-point enterprises (computed from the
activity ledger, shangmi.ledgers.activities.training) and the awareness rate (from the surveys, through
``awareness_by_region``), each against the target that applies, and a total row. Its query
count does not grow with the rows: children, targets, enterprises, one grouped count of the
trained, and the surveys' own count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.core.errors import AppError, Message
from shangmi.core.scoping import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    OutOfScopeError,
    ensure_in_scope,
    in_scope,
    may,
    regions_in_scope,
)
from shangmi.core.scoping import region_in_scope as core_region_in_scope
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.activities.training import Coverage, percent, region_coverage
from shangmi.ledgers.models import RateTarget
from shangmi.regions.models import Region
from shangmi.surveys.aggregation import awareness_counts

Metric = RateTarget.Metric

# The seeds' numbers, offered when a target is set and used when its percent is left blank.
DEFAULT_PERCENT: dict[str, Decimal] = {Metric.TRAINING: Decimal("100.0"), Metric.AWARENESS: Decimal("90.0")}


# --- Awareness, from the surveys ------------------------------------------------------------------


def awareness_by_region(
    parent_region: Region, year: int, *, children: Sequence[Region] | None = None
) -> dict[str, tuple[int, int]]:
    """Region code → (aware_count, answered_count) for ``parent_region`` and each of its
    children, each over its whole subtree, from the baseline surveys of ``year``
    (shangmi.surveys.aggregation.awareness_counts, in a number of queries that does not grow
    with the regions). Regions nobody answered for are left out: the page says "no survey data".
    """
    if children is None:
        children = list(Region.objects.filter(parent=parent_region).order_by("code"))
    codes = [parent_region.code, *(child.code for child in children)]
    # A region nobody answered for has no rate: (0, 0) is left out, so it reads "no survey data".
    return {
        code: (int(aware), int(answered))
        for code, (aware, answered) in awareness_counts(codes, year).items()
        if answered
    }


# --- Targets ---------------------------------------------------------------------------------------


def ancestor_codes(region: Region) -> list[str]:
    """The codes of ``region`` and the regions above it, nearest first (read from the path)."""
    return list(reversed([code for code in region.path.strip("/").split("/") if code]))


def applicable_targets(
    region: Region, year: int, *, subtree: QuerySet[RateTarget] | None = None
) -> dict[tuple[str, str], RateTarget]:
    """(region code, metric) → target, for the targets of ``year`` set on ``region``'s subtree
    (read from ``subtree``, the reader's restricted queryset) and on the regions above it.

    The targets above are read whatever the reader's scope: a target set by the city is
    addressed to its districts, whose regulators must see what they are measured against.
    One query.
    """
    base = RateTarget.objects.all() if subtree is None else subtree
    inside = base.filter(region__path__subtree=region.path).values("pk")
    found = RateTarget.objects.filter(Q(pk__in=inside) | Q(region_id__in=ancestor_codes(region)), year=year).order_by()
    return {(t.region_id, t.metric): t for t in found}


def target_for(region: Region, metric: str, targets: dict[tuple[str, str], RateTarget]) -> RateTarget | None:
    """The target that applies to ``region``: its own, else the nearest region's above it."""
    for code in ancestor_codes(region):
        target = targets.get((code, metric))
        if target is not None:
            return target
    return None


# --- The dashboard ---------------------------------------------------------------------------------


@dataclass
class RateRow:
    label: str
    region: Region | None
    training: Coverage
    # (aware, answered) from the surveys; None when they have nothing for the region.
    awareness: tuple[int, int] | None
    training_target: RateTarget | None = None
    awareness_target: RateTarget | None = None
    is_total: bool = False

    @property
    def training_rate(self) -> Decimal | None:
        return self.training.rate

    @property
    def awareness_rate(self) -> Decimal | None:
        if self.awareness is None:
            return None
        aware, answered = self.awareness
        return percent(aware, answered)

    @property
    def training_behind(self) -> bool:
        return _behind(self.training_rate, self.training_target)

    @property
    def awareness_behind(self) -> bool:
        return _behind(self.awareness_rate, self.awareness_target)

    @property
    def behind(self) -> bool:
        return self.training_behind or self.awareness_behind


def _behind(rate: Decimal | None, target: RateTarget | None) -> bool:
    # An unknown rate is shown as unknown, not as behind: nothing says it is short.
    return rate is not None and target is not None and rate < target.percent


@dataclass
class RatesDashboard:
    region: Region
    year: int
    rows: list[RateRow]
    total: RateRow
    has_survey_data: bool


def rates_dashboard(
    region: Region,
    year: int,
    *,
    enterprises: QuerySet[Enterprise] | None = None,
    targets: QuerySet[RateTarget] | None = None,
) -> RatesDashboard:
    """``region``'s children (or ``region`` alone, for a district) against the rate targets.

    ``enterprises`` and ``targets`` are the reader's restricted querysets (a view passes them);
    the training counts read every training of those enterprises, whoever organised it.
    """
    children = list(Region.objects.filter(parent=region).order_by("code"))
    applicable = applicable_targets(region, year, subtree=targets)
    coverage = region_coverage(region, year, enterprises=enterprises, liaison_only=True)
    awareness = awareness_by_region(region, year, children=children)

    rows: list[RateRow] = []
    if children:
        for child in children:
            rows.append(
                RateRow(
                    label=child.name,
                    region=child,
                    training=coverage.of(child.code),
                    awareness=awareness.get(child.code),
                    training_target=target_for(child, Metric.TRAINING, applicable),
                    awareness_target=target_for(child, Metric.AWARENESS, applicable),
                )
            )
        own = coverage.of("")
        if own.enterprises:
            # Enterprises registered at the region itself: they count in the total, so they
            # get a row of their own (their survey answers are inside the total's).
            rows.append(
                RateRow(
                    label=_("%(region)s (itself)") % {"region": region.name},
                    region=None,
                    training=own,
                    awareness=None,
                    training_target=target_for(region, Metric.TRAINING, applicable),
                    awareness_target=target_for(region, Metric.AWARENESS, applicable),
                )
            )
    total = RateRow(
        label=_("Total") if children else region.name,
        region=region,
        training=coverage.total,
        awareness=awareness.get(region.code),
        training_target=target_for(region, Metric.TRAINING, applicable),
        awareness_target=target_for(region, Metric.AWARENESS, applicable),
        is_total=bool(children),
    )
    if not children:
        rows = [total]
    return RatesDashboard(region=region, year=year, rows=rows, total=total, has_survey_data=bool(awareness))


# --- Who may see and set targets -------------------------------------------------------------------


def target_regions(user: Any, action: str = VIEW) -> QuerySet[Region]:
    """The regions whose rate targets ``user`` may ``action``."""
    return regions_in_scope(RateTarget, user, action)


def may_set_targets(user: Any, action: str = ADD) -> bool:
    return may(user, action, RateTarget)


def region_in_scope(user: Any, region: Region, action: str = VIEW) -> bool:
    return core_region_in_scope(RateTarget, user, region, action)


MAY_NOT_CHANGE = Message("rates.may_not_change", gettext_lazy("You may not change this target."))
MAY_NOT_DELETE = Message("rates.may_not_delete", gettext_lazy("You may not delete this target."))
OUTSIDE_REGION = Message("rates.outside_region", gettext_lazy("You cannot set targets outside your own region."))
UNKNOWN_METRIC = Message("rates.unknown_metric", gettext_lazy("Unknown metric: %(metric)s."))
PERCENT_RANGE = Message("rates.percent_range", gettext_lazy("A rate target is between 0 and 100 per cent."))
ALREADY_SET = Message(
    "rates.already_set", gettext_lazy("%(region)s already has this target for %(year)d: edit that one instead.")
)


@dataclass(frozen=True)
class TargetInput:
    region: Region
    year: int
    metric: str
    # None: the seeds' number for the metric.
    percent: Decimal | None


def rate_target_save(*, user: Any, target: RateTarget | None, data: TargetInput) -> RateTarget:
    """Create (``target`` None) or change a rate target; raises AppError saying why not."""
    action = ADD if target is None else CHANGE
    if target is not None and not in_scope(target, user, CHANGE):
        raise AppError(MAY_NOT_CHANGE)
    if not region_in_scope(user, data.region, action):
        raise AppError(OUTSIDE_REGION, field="region")
    if data.metric not in Metric.values:
        raise AppError(UNKNOWN_METRIC, field="metric", metric=data.metric)
    value = DEFAULT_PERCENT[data.metric] if data.percent is None else data.percent
    if not Decimal(0) <= value <= Decimal(100):
        raise AppError(PERCENT_RANGE, field="percent")
    clash = RateTarget.objects.filter(region=data.region, year=data.year, metric=data.metric)
    if target is not None:
        clash = clash.exclude(pk=target.pk)
    if clash.exists():
        raise AppError(ALREADY_SET, region=data.region.full_name, year=data.year)
    try:
        with transaction.atomic():
            target = target or RateTarget()
            target.region = data.region
            target.year = data.year
            target.metric = data.metric
            target.percent = value
            target.updated_by = user
            target.save()
            ensure_in_scope(target, user, action)
    except OutOfScopeError as exc:
        raise AppError(OUTSIDE_REGION, field="region") from exc
    return target


def rate_target_delete(*, user: Any, target: RateTarget) -> None:
    if not in_scope(target, user, DELETE):
        raise AppError(MAY_NOT_DELETE)
    target.delete()


__all__ = [
    "DEFAULT_PERCENT",
    "RateRow",
    "RatesDashboard",
    "TargetInput",
    "applicable_targets",
    "awareness_by_region",
    "may_set_targets",
    "rate_target_delete",
    "rate_target_save",
    "rates_dashboard",
    "region_in_scope",
    "target_for",
    "target_regions",
]
