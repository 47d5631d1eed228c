"""Reads of the evidence deposit: an enterprise's own deposits, filtered."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shangmi.core.scoping import VIEW
from shangmi.evidence.filters import DepositFilter
from shangmi.evidence.models import Deposit


def deposits_for(user: Any, params: Any) -> QuerySet[Deposit]:
    """The user's visible deposits narrowed by the register's filters (creation.filters'
    DepositFilter), newest first: what the list, its export and the API read."""
    base = Deposit.objects.restrict(user, VIEW).select_related("created_by", "enterprise")
    filterset = DepositFilter(params or None, queryset=base, user=user)
    return (filterset.qs if filterset.is_bound else base).order_by("-accepted_at", "-id")


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
