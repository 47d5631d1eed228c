"""The legal rules (time limits, thresholds, fine ranges) as data with their sources.

data/rules.json ships the rules in force; a bureau loads a newer file (a new judicial
interpretation, SAMR's 商业秘密保护规定 of 2026) with ``manage.py load_enforcement_rules FILE``.
A rule applies by date: the act's date for thresholds and fines (the rule in force when the
act was done), the step's date for time limits.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from shangmi.enforcement.models import LegalRule

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.json"


class RuleFileError(ValueError):
    """A rules file that cannot be loaded; nothing of it was written."""


class RuleMissing(LookupError):
    """No rule of this code is in force on the date asked."""


def rules_load(path: Path | str = RULES_FILE) -> list[LegalRule]:
    """Load (add or replace, by code and effective date) every rule of a rules file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["rules"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RuleFileError(
            _("%(path)s cannot be read as a rules file: %(error)s") % {"path": path, "error": exc}
        ) from exc
    units = set(LegalRule.Unit.values)
    loaded = []
    with transaction.atomic():
        for number, entry in enumerate(entries, start=1):
            try:
                code = str(entry["code"]).strip()
                value = Decimal(str(entry["value"]))
                unit = entry["unit"]
                source = str(entry["source"]).strip()
                effective = entry.get("effective_from")
                effective_from = datetime.date.fromisoformat(effective) if effective else None
            except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
                raise RuleFileError(_("Rule %(number)d is incomplete or malformed (%(error)s).") % {
                    "number": number, "error": exc}) from exc  # fmt: skip
            if not code or not source or unit not in units or value < 0:
                raise RuleFileError(
                    _("Rule %(number)d needs a code, a source, a unit of %(units)s and a value of at least 0.")
                    % {"number": number, "units": ", ".join(sorted(units))}
                )
            rule, _created = LegalRule.objects.update_or_create(
                code=code,
                effective_from=effective_from,
                defaults={
                    "value": value,
                    "unit": unit,
                    "source": source[:300],
                    "article": str(entry.get("article") or "")[:100],
                    "note": str(entry.get("note") or "")[:300],
                },
            )
            loaded.append(rule)
    return loaded


def rule_on(code: str, on: datetime.date) -> LegalRule:
    """The rule of ``code`` in force on ``on``."""
    # The latest dated version in force; an undated one (in force before any date) otherwise.
    found = LegalRule.objects.filter(code=code, effective_from__lte=on).order_by("-effective_from").first()
    if found is None:
        found = LegalRule.objects.filter(code=code, effective_from__isnull=True).first()
    if found is None:
        raise RuleMissing(code)
    return found


def period(code: str, on: datetime.date) -> int:
    """A time limit's number (of working days, days or hours)."""
    return int(rule_on(code, on).value)


@dataclass(frozen=True)
class Threshold:
    amount: Decimal
    rule: LegalRule

    @property
    def source(self) -> str:
        return f"{self.rule.source} {self.rule.article}".strip()


def criminal_threshold(act_date: datetime.date, *, prior_penalty: bool) -> Threshold:
    """The loss or gain from which a trade secret infringement is a crime (刑法 art. 219),
    in force on the date of the act; lower for a party penalised for it within two years."""
    if prior_penalty:
        try:
            rule = rule_on("threshold.criminal_prior_penalty", act_date)
            return Threshold(rule.value, rule)
        except RuleMissing:
            pass  # before 2025 there was no lower threshold
    rule = rule_on("threshold.criminal", act_date)
    return Threshold(rule.value, rule)


def reaches_criminal_threshold(amount: Decimal, act_date: datetime.date, *, prior_penalty: bool = False) -> bool:
    return amount >= criminal_threshold(act_date, prior_penalty=prior_penalty).amount


@dataclass(frozen=True)
class FineRange:
    low: Decimal
    high: Decimal
    source: str


def fine_range(act_date: datetime.date, *, serious: bool) -> FineRange:
    """The fine the Anti-Unfair Competition Law in force on the date of the act allows."""
    low = rule_on("fine.serious_min" if serious else "fine.min", act_date)
    high = rule_on("fine.serious_max" if serious else "fine.max", act_date)
    return FineRange(low.value, high.value, f"{low.source} {low.article}".strip())
