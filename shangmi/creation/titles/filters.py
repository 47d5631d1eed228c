"""The title lists' filters: the public announcement and the management list share the
year / type / level / search filters; each adds its own."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.core.calendar import program_today
from shangmi.core.lists import ScopedFilterSet
from shangmi.creation.models import DemoType, Level, Title
from shangmi.creation.titles.services import EXPIRY_FILTERS, regions_matching


class _TitleFilter(ScopedFilterSet):
    year = django_filters.NumberFilter(field_name="year", label=_("Year"))
    type = django_filters.ChoiceFilter(field_name="demo_type", choices=DemoType.choices, label=_("Type"))
    level = django_filters.ChoiceFilter(field_name="level", choices=Level.choices, label=_("Level"))
    q = django_filters.CharFilter(method="search", label=_("Holder or number"))

    def search(self, queryset: QuerySet[Title], name: str, value: str) -> QuerySet[Title]:
        value = value.strip()
        return queryset.filter(Q(holder_name__icontains=value) | Q(number__icontains=value)) if value else queryset


class AnnouncementFilter(_TitleFilter):
    # A code, a full name or a name; an unknown region matches nothing rather than all.
    region = django_filters.CharFilter(method="in_region", label=_("Region"))

    class Meta:
        model = Title
        fields = ["region", "year", "type", "level", "q"]

    def in_region(self, queryset: QuerySet[Title], name: str, value: str) -> QuerySet[Title]:
        if not value.strip():
            return queryset
        regions = regions_matching(value)
        if not regions:
            return queryset.none()
        within = Q()
        for region in regions:
            within |= Q(holder_region__path__subtree=region.path)
        return queryset.filter(within)


class TitleFilter(_TitleFilter):
    expiring = django_filters.ChoiceFilter(
        choices=[("90", "90"), ("expired", "expired")], method="by_expiry", label=_("Expiry")
    )
    status = django_filters.ChoiceFilter(choices=Title.Status.choices, label=_("Status"))

    class Meta:
        model = Title
        fields = ["expiring", "status", "year", "type", "level", "q"]

    def by_expiry(self, queryset: QuerySet[Title], name: str, value: str, today: datetime.date | None = None) -> Any:
        return queryset.filter(EXPIRY_FILTERS[value](today or program_today()))
