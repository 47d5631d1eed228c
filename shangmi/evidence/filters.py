"""The deposit register's filters (the page, its export and the tests read them the same way)."""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.core.calendar import day_bounds
from shangmi.core.lists import ScopedFilterSet
from shangmi.evidence.models import Deposit


class DepositFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Title, file name or SHA-256"))
    secret_point = django_filters.CharFilter(field_name="secret_point", label=_("Secret point"))
    project = django_filters.CharFilter(field_name="project", label=_("Project"))
    # Days are China's: a deposit at 07:00 on the 2nd in Shanghai (23:00 on the 1st in UTC) is
    # the 2nd's. A date that does not parse is ignored, as the page always did.
    date_from = django_filters.DateFilter(method="from_day", label=_("From"))
    date_to = django_filters.DateFilter(method="to_day", label=_("To"))

    class Meta:
        model = Deposit
        fields = ["q", "secret_point", "project", "date_from", "date_to"]

    def search(self, queryset: QuerySet[Deposit], name: str, value: str) -> QuerySet[Deposit]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(file_name__icontains=value) | Q(sha256=value.lower()))

    def from_day(self, queryset: QuerySet[Deposit], name: str, value: date) -> QuerySet[Deposit]:
        return queryset.filter(accepted_at__gte=day_bounds(value)[0])

    def to_day(self, queryset: QuerySet[Deposit], name: str, value: date) -> QuerySet[Deposit]:
        return queryset.filter(accepted_at__lt=day_bounds(value)[1])
