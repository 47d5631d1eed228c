"""Reads: a law's article as of a date, the comparison of country guides, receipt rates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from shangmi.knowledge.models import (
    AlertDelivery,
    Article,
    CountryGuide,
    GuideEntry,
    GuideField,
    RiskAlert,
)


def in_force(on: datetime.date) -> Q:
    """Article versions in force on ``on``: started on or before it, not yet ended."""
    return Q(effective_from__lte=on) & (Q(repealed_on__isnull=True) | Q(repealed_on__gt=on))


def article_as_of(law_code: str, article_no: str, on: datetime.date) -> Article | None:
    """The version of article ``article_no`` of law ``law_code`` in force on ``on``; None when
    that article was not in force then (not yet enacted, repealed, or renumbered away)."""
    return (
        Article.objects.select_related("law")
        .filter(in_force(on), law__code=law_code, number=article_no)
        .order_by("-effective_from")
        .first()
    )


def articles_as_of(law_code: str, on: datetime.date) -> QuerySet[Article]:
    return Article.objects.filter(in_force(on), law__code=law_code).order_by("order", "number")


@dataclass(frozen=True)
class ComparisonRow:
    field: str
    label: str
    cells: list[GuideEntry | None]


def comparison(guides: list[CountryGuide]) -> list[ComparisonRow]:
    """One row per field of the guide, one cell per country (None: not recorded)."""
    entries = {(e.guide_id, e.field): e for e in GuideEntry.objects.filter(guide__in=guides)}
    return [
        ComparisonRow(value, str(label), [entries.get((guide.pk, value)) for guide in guides])
        for value, label in GuideField.choices
    ]


@dataclass(frozen=True)
class ReceiptRate:
    delivered: int
    read: int

    @property
    def percent(self) -> int | None:
        return None if not self.delivered else round(100 * self.read / self.delivered)


def receipt_rate(alert: RiskAlert) -> ReceiptRate:
    counts: dict[str, Any] = AlertDelivery.objects.filter(alert=alert).aggregate(
        delivered=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False))
    )
    return ReceiptRate(counts["delivered"], counts["read"])
