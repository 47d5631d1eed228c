"""Scoring an applicant against a standard: one pure function, ``score``.

Self-assessment, reviewers' scores, the calculator page, the API and the command all
call it, so "what does 4.1.c plus 7.1.a give" has one answer everywhere. It reads no
database: the standard comes in as a ``StandardSpec`` (``spec_of`` for the rows,
``spec_from_file`` for a data file) and the met items as their codes.

Points are ``Decimal`` from end to end: the Chongqing standard has 2.5-point items, and
a float total of 97.49999 would fail a 97.5 threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shangmi.standards.spec import (
    CONDITIONS,
    CategorySpec,
    CriterionSpec,
    ItemSpec,
    StandardSpec,
    clean_points,
    format_points,
    read_standard_file,
)

if TYPE_CHECKING:
    from shangmi.standards.models import Standard

__all__ = [
    "CategoryScore",
    "CategorySpec",
    "CriterionScore",
    "CriterionSpec",
    "ItemSpec",
    "ScoreResult",
    "StandardSpec",
    "score",
    "spec_from_file",
    "spec_of",
]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class CriterionScore:
    code: str
    title: str
    points: Decimal | None  # None for a pass/fail condition
    earned: Decimal  # points earned; for a condition 1 when all its items are met, else 0
    met: tuple[str, ...]  # codes of the met items, in the standard's order
    items: tuple[str, ...]  # codes of all its items

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "points": format_points(self.points),
            "earned": format_points(self.earned),
            "met": list(self.met),
            "items": list(self.items),
        }


@dataclass(frozen=True)
class CategoryScore:
    number: int
    title: str
    points: Decimal | None
    earned: Decimal
    is_bonus: bool
    criteria: tuple[CriterionScore, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "points": format_points(self.points),
            "earned": format_points(self.earned),
            "is_bonus": self.is_bonus,
            "criteria": [criterion.as_dict() for criterion in self.criteria],
        }


@dataclass(frozen=True)
class ScoreResult:
    total: Decimal  # after the cap (max_total); for a conditions standard: number of conditions met
    raw_total: Decimal  # before the cap
    base: Decimal  # non-bonus points earned
    bonus: Decimal  # bonus points earned
    maximum: Decimal  # the most one can score (max_total, or sum of base points)
    passed: bool | None  # conditions: all met; points: total >= pass_mark when pass_mark is set, else None
    categories: tuple[CategoryScore, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts as strings ("97.5"), never floats."""
        return {
            "total": format_points(self.total),
            "raw_total": format_points(self.raw_total),
            "base": format_points(self.base),
            "bonus": format_points(self.bonus),
            "maximum": format_points(self.maximum),
            "passed": self.passed,
            "categories": [category.as_dict() for category in self.categories],
        }


def score(spec: StandardSpec, met: Iterable[str]) -> ScoreResult:
    """Score the met item codes against the standard. Unknown codes raise ``ValueError``
    naming them: a typo must not silently score zero."""
    if isinstance(met, str):
        raise TypeError("met must be an iterable of item codes, not one string")
    chosen = frozenset(met)
    unknown = chosen - spec.item_codes
    if unknown:
        raise ValueError(f"unknown item codes for {spec.code} {spec.version}: {', '.join(sorted(unknown))}")
    if spec.kind == CONDITIONS:
        return _score_conditions(spec, chosen)
    return _score_points(spec, chosen)


def _score_points(spec: StandardSpec, chosen: frozenset[str]) -> ScoreResult:
    categories = tuple(_category(category, chosen, _points_criterion) for category in spec.categories)
    base = sum((c.earned for c in categories if not c.is_bonus), _ZERO)
    bonus = sum((c.earned for c in categories if c.is_bonus), _ZERO)
    raw_total = base + bonus
    total = raw_total if spec.max_total is None else min(raw_total, spec.max_total)
    maximum = spec.max_total if spec.max_total is not None else spec.base_points
    return ScoreResult(
        total=clean_points(total),
        raw_total=clean_points(raw_total),
        base=clean_points(base),
        bonus=clean_points(bonus),
        maximum=clean_points(maximum),
        passed=None if spec.pass_mark is None else total >= spec.pass_mark,
        categories=categories,
    )


def _score_conditions(spec: StandardSpec, chosen: frozenset[str]) -> ScoreResult:
    categories = tuple(_category(category, chosen, _condition_criterion) for category in spec.categories)
    total = sum((c.earned for c in categories), _ZERO)
    maximum = Decimal(sum(len(category.criteria) for category in spec.categories))
    return ScoreResult(
        total=total,
        raw_total=total,
        base=total,
        bonus=_ZERO,
        maximum=maximum,
        passed=total == maximum,
        categories=categories,
    )


def _points_criterion(criterion: CriterionSpec, chosen: frozenset[str]) -> CriterionScore:
    met = tuple(item for item in criterion.items if item.code in chosen)
    earned = sum((item.points or _ZERO for item in met), _ZERO)
    return _criterion_score(criterion, met, clean_points(earned))


def _condition_criterion(criterion: CriterionSpec, chosen: frozenset[str]) -> CriterionScore:
    # A condition holds only when every part of it is met.
    met = tuple(item for item in criterion.items if item.code in chosen)
    earned = Decimal(1) if len(met) == len(criterion.items) else _ZERO
    return _criterion_score(criterion, met, earned)


def _criterion_score(criterion: CriterionSpec, met: tuple[ItemSpec, ...], earned: Decimal) -> CriterionScore:
    return CriterionScore(
        code=criterion.code,
        title=criterion.title,
        points=criterion.points,
        earned=earned,
        met=tuple(item.code for item in met),
        items=tuple(item.code for item in criterion.items),
    )


_CriterionScorer = Callable[[CriterionSpec, frozenset[str]], CriterionScore]


def _category(category: CategorySpec, chosen: frozenset[str], score_criterion: _CriterionScorer) -> CategoryScore:
    criteria = tuple(score_criterion(criterion, chosen) for criterion in category.criteria)
    return CategoryScore(
        number=category.number,
        title=category.title,
        points=category.points,
        earned=clean_points(sum((c.earned for c in criteria), _ZERO)),
        is_bonus=category.is_bonus,
        criteria=criteria,
    )


# --- where specs come from ---------------------------------------------------------------


def spec_from_file(path: Path | str) -> StandardSpec:
    """The spec of a data file, checked; no database. Raises ``StandardFileError``."""
    return read_standard_file(path)


def spec_of(standard: Standard) -> StandardSpec:
    """The spec of a loaded standard, in three queries whatever its size."""
    from shangmi.standards.models import Category, Criterion, Item

    categories = list(Category.objects.filter(standard=standard).order_by("number"))
    criteria_by_category: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(category__standard=standard).order_by("number"):
        criteria_by_category[criterion.category_id].append(criterion)
    items_by_criterion: dict[int, list[ItemSpec]] = defaultdict(list)
    for item in Item.objects.filter(standard=standard).order_by("order", "pk"):
        items_by_criterion[item.criterion_id].append(
            ItemSpec(code=item.code, text=item.text, points=_clean(item.points))
        )
    return StandardSpec(
        code=standard.code,
        version=standard.version,
        title=standard.title,
        kind=standard.kind,
        issuer=standard.issuer,
        source=standard.source,
        notes=standard.notes,
        max_total=_clean(standard.max_total),
        pass_mark=_clean(standard.pass_mark),
        region=standard.region_id or "",
        categories=tuple(
            CategorySpec(
                number=category.number,
                title=category.title,
                requirement=category.requirement,
                points=_clean(category.points),
                is_bonus=category.is_bonus,
                criteria=tuple(
                    CriterionSpec(
                        number=criterion.number,
                        code=criterion.code,
                        title=criterion.title,
                        points=_clean(criterion.points),
                        items=tuple(items_by_criterion[criterion.pk]),
                    )
                    for criterion in criteria_by_category[category.pk]
                ),
            )
            for category in categories
        ),
    )


def _clean(value: Decimal | int | None) -> Decimal | None:
    # The walk test's factory and old rows may hold ints; the database gives 5.0 for 5.
    return None if value is None else clean_points(Decimal(value))
