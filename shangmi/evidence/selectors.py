"""Reads of the evidence deposit: an enterprise's own deposits, filtered."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from shangmi.core.calendar import day_bounds
from shangmi.core.scoping import VIEW
from shangmi.evidence.models import Deposit

FILTERS = ("q", "secret_point", "project", "date_from", "date_to")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def deposits_for(user: Any, params: Any) -> QuerySet[Deposit]:
    """The user's visible deposits, narrowed by the list page's filters (bad dates are ignored)."""
    qs = Deposit.objects.restrict(user, VIEW).select_related("created_by", "enterprise")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(file_name__icontains=q) | Q(sha256=q.lower()))
    for field in ("secret_point", "project"):
        if value := (params.get(field) or "").strip():
            qs = qs.filter(**{field: value})
    # Days are China's: a deposit at 07:00 on the 2nd in Shanghai (23:00 on the 1st in UTC) is the 2nd's.
    if start := _date(params.get("date_from")):
        qs = qs.filter(accepted_at__gte=day_bounds(start)[0])
    if end := _date(params.get("date_to")):
        qs = qs.filter(accepted_at__lt=day_bounds(end)[1])
    return qs.order_by("-accepted_at", "-id")


def filter_choices(user: Any) -> dict[str, list[str]]:
    base = Deposit.objects.restrict(user, VIEW)
    return {
        field: list(base.exclude(**{field: ""}).order_by(field).values_list(field, flat=True).distinct()[:200])
        for field in ("secret_point", "project")
    }


def version_chain(deposit: Deposit, user: Any) -> list[Deposit]:
    """Every version of a document, oldest first: follow ``previous`` back, then later versions."""
    visible = Deposit.objects.restrict(user, VIEW)
    chain = [deposit]
    seen = {deposit.pk}
    current = deposit
    while current.previous_id and current.previous_id not in seen:
        current = visible.get(pk=current.previous_id)
        chain.insert(0, current)
        seen.add(current.pk)
    current = deposit
    while (following := visible.filter(previous=current).order_by("accepted_at").first()) and following.pk not in seen:
        chain.append(following)
        seen.add(following.pk)
        current = following
    return chain
