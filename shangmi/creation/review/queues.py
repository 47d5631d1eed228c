"""The reviewer's queue: the applications waiting at a stage of the reviewer's own region.

A stage is reviewed by the regulators of exactly its region (not of a sub-region: the
district reviews first, then the city; a district regulator never sees what waits for the
city). The queue is a selector: views, the home page and tests all read it from here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.creation.models import Application, AssessmentEntry, DemoType, Level, Round, Stage

# A stage due within this many days is flagged on the queue and counted on the home page.
DUE_SOON_DAYS = 7

FILTER_KEYS = ("round", "demo_type", "level", "kind", "overdue", "q")


def _reviewer_stages(user: Any) -> QuerySet[Stage]:
    """Every active stage of the user's own region, within what the user may see."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.REGULATOR or user.region_id is None:
        return Stage.objects.none()
    # restrict() as well as the region match: the queue never shows a row the scope rule
    # would hide, whatever the review chain says.
    visible = Application.objects.restrict(user).values("pk")
    return Stage.objects.filter(
        status=Stage.Status.ACTIVE,
        region_id=user.region_id,
        application__in=visible,
        application__status=Application.Status.IN_REVIEW,
    )


def _is_on(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on", "yes")


def review_queue(user: Any, filters: Mapping[str, str]) -> QuerySet[Stage]:
    """The stages waiting for ``user`` to review, filtered and ordered by due date.

    ``filters`` is a GET query (``round``, ``demo_type``, ``level``, ``kind``, ``overdue``,
    ``q``); a value that is not one of the known choices is ignored, as a list page ignores
    a stale bookmark rather than failing.
    """
    stages = _reviewer_stages(user)
    round_id = (filters.get("round") or "").strip()
    if round_id.isdigit():
        stages = stages.filter(application__round_id=int(round_id))
    demo_type = filters.get("demo_type")
    if demo_type in DemoType.values:
        stages = stages.filter(application__round__demo_type=demo_type)
    level = filters.get("level")
    if level in Level.values:
        stages = stages.filter(application__round__level=level)
    kind = filters.get("kind")
    if kind in Stage.Kind.values:
        stages = stages.filter(kind=kind)
    if _is_on(filters.get("overdue")):
        stages = stages.filter(due_on__lt=program_today())
    search = (filters.get("q") or "").strip()
    if search:
        stages = stages.filter(application__applicant_name__icontains=search)
    # Earliest due first puts the overdue ones on top; a stage without a due date last.
    return stages.select_related(
        "application__round", "application__region", "application__standard", "region"
    ).order_by(F("due_on").asc(nulls_last=True), "arrived_at", "pk")


def queue_rounds(user: Any) -> QuerySet[Round]:
    """The rounds that have something in the user's queue: the choices of the round filter."""
    return Round.objects.filter(pk__in=_reviewer_stages(user).values("application__round_id")).order_by(
        "-year", "title"
    )


def queue_counts(user: Any) -> dict[str, int]:
    """What the home page shows a reviewer: how many wait, how many are late, how many due soon."""
    today = program_today()
    counts = _reviewer_stages(user).aggregate(
        active=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(DUE_SOON_DAYS))),
    )
    return {key: counts[key] or 0 for key in ("active", "overdue", "due_soon")}


def due_state(due_on: datetime.date | None, today: datetime.date | None = None) -> str:
    """``overdue``, ``soon`` or ``""``: the badge a due date gets on the queue."""
    if due_on is None:
        return ""
    today = today or program_today()
    if due_on < today:
        return "overdue"
    if due_on <= today + datetime.timedelta(DUE_SOON_DAYS):
        return "soon"
    return ""


class SpecCache:
    """One scoring spec per standard version, built once however many applications share it."""

    def __init__(self) -> None:
        self._specs: dict[int, Any] = {}

    def total(self, standard: Any, met_codes: Iterable[str]) -> Decimal:
        # Imported here: the scorer is its own module (shangmi/standards/scoring.py), and
        # the URL configuration that imports this module must not depend on it to load.
        from shangmi.standards.scoring import score, spec_of

        if standard.pk not in self._specs:
            self._specs[standard.pk] = spec_of(standard)
        return score(self._specs[standard.pk], met_codes).total


def self_assessment_totals(applications: Iterable[Application], specs: SpecCache | None = None) -> dict[int, Decimal]:
    """The applicant's self-assessed total of each application, keyed by its id.

    One query for all the entries, whatever the number of applications; ``application.standard``
    should be loaded with them (select_related) so that it costs nothing either.
    """
    applications = list(applications)
    specs = specs or SpecCache()
    met: dict[int, list[str]] = defaultdict(list)
    entries = AssessmentEntry.objects.filter(application__in=[a.pk for a in applications], met=True)
    for application_id, code in entries.values_list("application_id", "item__code"):
        met[application_id].append(code)
    return {a.pk: specs.total(a.standard, met[a.pk]) for a in applications}


__all__ = [
    "DUE_SOON_DAYS",
    "FILTER_KEYS",
    "SpecCache",
    "due_state",
    "queue_counts",
    "queue_rounds",
    "review_queue",
    "self_assessment_totals",
]
