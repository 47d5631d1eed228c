"""Items the ledgers answer by themselves (nothing typed twice).

The Chongqing standard asks for a fixed guidance officer (5.1.a), a guidance in each half
of the year (5.2.a, 5.2.b), a training, survey or publicity activity (5.3.a), the two
ledgers (5.4.a, 5.5.a) and training of every employee (7.1.b). For an enterprise applicant
the platform already holds those records: it suggests the answer with links to them; the
applicant and the reviewer still decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from shangmi.creation.models import Application

# Which standards the rules below apply to (by standard code), and for which items.
LEDGER_STANDARDS = {"cq-creation"}


@dataclass(frozen=True)
class Suggestion:
    code: str
    met: bool
    reason: str
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def suggestions_for(application: Application) -> dict[str, Suggestion]:
    """Suggested answers by item code, from the ledgers of the round's year."""
    if application.enterprise_id is None or application.standard.code not in LEDGER_STANDARDS:
        return {}
    from shangmi.ledgers.activities.training import activity_evidence
    from shangmi.ledgers.guidance.halfyear import guidance_evidence

    enterprise, year = application.enterprise, application.round.year
    if enterprise is None:  # enterprise_id was checked above; this tells the type checker
        return {}
    guidance = guidance_evidence(enterprise, year)
    activities = activity_evidence(enterprise, year)

    def visits(ids: list[int]) -> tuple[tuple[str, str], ...]:
        return tuple((_("guidance record"), reverse("ledgers:guidance_detail", args=[pk])) for pk in ids[:5])

    def acts(ids: list[int]) -> tuple[tuple[str, str], ...]:
        return tuple((_("activity record"), reverse("ledgers:activity_detail", args=[pk])) for pk in ids[:5])

    first, second = list(guidance["first_half"]), list(guidance["second_half"])
    rate = activities["training_rate"]
    found = {
        "5.1.a": Suggestion(
            "5.1.a",
            guidance["officer"] is not None,
            _("A guidance officer is appointed for the enterprise.")
            if guidance["officer"] is not None
            else _("No guidance officer is appointed for the enterprise."),
        ),
        "5.2.a": Suggestion(
            "5.2.a",
            bool(first),
            _("%(count)d guidance records in January–June %(year)d.") % {"count": len(first), "year": year},
            visits(first),
        ),
        "5.2.b": Suggestion(
            "5.2.b",
            bool(second),
            _("%(count)d guidance records in July–December %(year)d.") % {"count": len(second), "year": year},
            visits(second),
        ),
        "5.3.a": Suggestion(
            "5.3.a",
            bool(activities["activities"]),
            _("%(count)d trainings, surveys or publicity activities in %(year)d.")
            % {"count": len(activities["activities"]), "year": year},
            acts(list(activities["activities"])),
        ),
        "5.4.a": Suggestion(
            "5.4.a",
            guidance["ledger_count"] > 0,
            _("The guidance ledger holds %(count)d records.") % {"count": guidance["ledger_count"]},
        ),
        "5.5.a": Suggestion(
            "5.5.a",
            activities["ledger_count"] > 0,
            _("The activity ledger holds %(count)d records.") % {"count": activities["ledger_count"]},
        ),
        "7.1.b": Suggestion(
            "7.1.b",
            bool(activities["fully_trained"]),
            _("Training rate %(rate)s%% in %(year)d.") % {"rate": rate, "year": year}
            if rate is not None
            else _("The training rate is unknown: the number of employees is not recorded."),
        ),
    }
    codes = set(application.standard.items.values_list("code", flat=True))
    return {code: s for code, s in found.items() if code in codes}
