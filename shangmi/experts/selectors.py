"""Reads of the expert pool that take the reader."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from shangmi.accounts.models import User
from shangmi.core.scoping import restricted
from shangmi.experts.models import Conflict, Expertise, ExpertProfile


def with_details(profiles: QuerySet[ExpertProfile]) -> QuerySet[ExpertProfile]:
    """The profiles with their person, region, fields and conflicts, in four queries."""
    return profiles.select_related("user__region").prefetch_related(
        Prefetch("expertise", queryset=Expertise.objects.order_by("field")),
        Prefetch("conflicts", queryset=Conflict.objects.order_by("name")),
    )


def own_profile(user: User) -> ExpertProfile | None:
    return restricted(ExpertProfile, user).filter(user=user).first()
