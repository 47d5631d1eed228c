"""The labour-law bounds of a non-compete agreement, as data with their sources (data/rules.json,
loaded into the enforcement app's LegalRule with the other legal rules):

- only senior management, senior technical staff and others bound to confidentiality may be
  bound (劳动合同法 art. 24); "bound to confidentiality" is read from the records: a
  confidentiality agreement in force when the non-compete starts;
- at most two years (art. 24; ``noncompete.max_term``);
- a monthly compensation of at least 30% of the average monthly wage of the last 12 months
  (``noncompete.compensation_share``) and not below the local minimum wage
  (``minimum_wage.<division>``, the enterprise's district up to its province), 劳动争议解释(一)
  art. 36. A division with no minimum wage loaded is not checked, and the check says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from pathlib import Path
from typing import Any

from shangmi.enforcement.models import LegalRule
from shangmi.enforcement.rules import RuleMissing, rule_on

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.json"
FEN = Decimal("0.01")


def months_later(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; where that month lacks the day, the first of the next."""
    year, month = divmod(day.month - 1 + months, 12)
    try:
        return day.replace(year=day.year + year, month=month + 1)
    except ValueError:
        after = datetime.date(day.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        return after


def latest_end(starts_on: datetime.date, months: int) -> datetime.date:
    """The last day of a term of ``months`` months that starts on ``starts_on`` (counted in)."""
    return months_later(starts_on, months) - datetime.timedelta(days=1)


def plain(value: Decimal) -> str:
    """30.00 as 30, 12.50 as 12.5: a rule's number as people write it."""
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def source_of(rule: LegalRule) -> str:
    return f"{rule.source} {rule.article}".strip()


def minimum_wage(region: Any, on: datetime.date) -> LegalRule | None:
    """The monthly minimum wage in force on ``on`` in ``region``: its own, else its city's, else
    its province's (the path lists the codes from the province down)."""
    for code in reversed(region.path.strip("/").split("/")):
        try:
            return rule_on(f"minimum_wage.{code}", on)
        except RuleMissing:
            continue
    return None


@dataclass(frozen=True)
class NonCompeteBounds:
    max_term: LegalRule
    share: LegalRule
    wage: LegalRule | None  # None: no minimum wage loaded for the region

    def latest_end(self, starts_on: datetime.date) -> datetime.date:
        return latest_end(starts_on, int(self.max_term.value))

    def compensation_floor(self, average_monthly_wage: Decimal) -> Decimal:
        """The least monthly compensation: 30% of the average wage, rounded up to the fen, and
        not below the minimum wage."""
        floor = (average_monthly_wage * self.share.value / 100).quantize(FEN, rounding=ROUND_UP)
        return max(floor, self.wage.value) if self.wage is not None else floor

    def record(self, region: Any, average_monthly_wage: Decimal) -> dict[str, Any]:
        """What the agreement was checked against, kept with it."""
        return {
            "max_months": int(self.max_term.value),
            "max_source": source_of(self.max_term),
            "share_percent": plain(self.share.value),
            "share_source": source_of(self.share),
            "minimum_wage": str(self.wage.value) if self.wage is not None else None,
            "minimum_wage_source": source_of(self.wage) if self.wage is not None else "",
            "minimum_wage_code": self.wage.code if self.wage is not None else "",
            "region": region.code,
            "compensation_floor": str(self.compensation_floor(average_monthly_wage)),
        }


def noncompete_bounds(region: Any, on: datetime.date) -> NonCompeteBounds:
    """The bounds in force on ``on`` (the non-compete's start) where the enterprise is."""
    return NonCompeteBounds(
        max_term=rule_on("noncompete.max_term", on),
        share=rule_on("noncompete.compensation_share", on),
        wage=minimum_wage(region, on),
    )
