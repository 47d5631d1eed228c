"""What a bureau sees of an enterprise's protection system: counts and rates, never a record.

A regulator reads no protection row (``enterprise_private``); these figures are computed here
for the enterprises the reader may read (``Enterprise`` scope), from aggregate queries that
return numbers only: live secret points by grade, confidential staff still employed, and how
many of them are bound by a confidentiality agreement or a non-compete in force on the day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from shangmi.protection.models import Agreement, Grade, Person, SecretPoint

LIVE = (SecretPoint.Status.PROPOSED, SecretPoint.Status.FILED)


@dataclass
class Figures:
    secret_points: dict[str, int] = field(default_factory=lambda: {grade: 0 for grade in Grade.values})
    staff: int = 0  # confidential personnel not yet left
    with_confidentiality: int = 0
    with_non_compete: int = 0

    @property
    def secret_points_total(self) -> int:
        return sum(self.secret_points.values())

    def _rate(self, part: int) -> float | None:
        return round(100 * part / self.staff, 1) if self.staff else None

    @property
    def confidentiality_rate(self) -> float | None:
        """Share (%) of the confidential staff bound by a confidentiality agreement."""
        return self._rate(self.with_confidentiality)

    @property
    def non_compete_rate(self) -> float | None:
        return self._rate(self.with_non_compete)

    def add(self, other: Figures) -> None:
        for grade, count in other.secret_points.items():
            self.secret_points[grade] += count
        self.staff += other.staff
        self.with_confidentiality += other.with_confidentiality
        self.with_non_compete += other.with_non_compete


def figures_for(enterprises: QuerySet[Any], on: datetime.date) -> dict[int, Figures]:
    """The figures of each enterprise of ``enterprises`` on ``on``, in three queries."""
    ids = enterprises.values("pk")
    result: dict[int, Figures] = defaultdict(Figures)
    points = (
        SecretPoint.objects.filter(enterprise__in=ids, status__in=LIVE)
        .values("enterprise", "grade")
        .annotate(n=Count("pk"))
    )
    for row in points:
        result[row["enterprise"]].secret_points[row["grade"]] = row["n"]
    in_force = Q(agreements__starts_on__lte=on) & (Q(agreements__ends_on__isnull=True) | Q(agreements__ends_on__gte=on))
    kinds = Agreement.Kind
    staff = (
        Person.objects.filter(enterprise__in=ids)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .values("enterprise")
        .annotate(
            n=Count("pk", distinct=True),
            confidentiality=Count("pk", distinct=True, filter=in_force & Q(agreements__kind=kinds.CONFIDENTIALITY)),
            non_compete=Count("pk", distinct=True, filter=in_force & Q(agreements__kind=kinds.NON_COMPETE)),
        )
    )
    for person_row in staff:
        figures = result[person_row["enterprise"]]
        figures.staff, figures.with_confidentiality = person_row["n"], person_row["confidentiality"]
        figures.with_non_compete = person_row["non_compete"]
    return dict(result)


def protection_figures(enterprise: Any, on: datetime.date) -> Figures:
    """One enterprise's figures (all zero when it keeps nothing on the platform)."""
    return figures_for(type(enterprise).objects.filter(pk=enterprise.pk), on).get(enterprise.pk, Figures())


def region_figures(per_enterprise: dict[int, Figures]) -> Figures:
    """The sum over a region's enterprises: the rates are of all their confidential staff."""
    total = Figures()
    for figures in per_enterprise.values():
        total.add(figures)
    return total
