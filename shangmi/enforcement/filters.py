"""The enforcement lists' filters (one FilterSet per list: page and export share it)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.core.calendar import program_today
from shangmi.core.lists import ScopedFilterSet
from shangmi.enforcement.models import Case, Clue, Demand, IncomingCase, Mediation, Transfer

OPEN = (Demand.Status.FILED, Demand.Status.ASSIGNED)


class DemandFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=Demand.Status.choices, label=_("Status"), empty_label=_("Any status"))
    kind = django_filters.ChoiceFilter(choices=Demand.Kind.choices, label=_("Kind"), empty_label=_("Any kind"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Search"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))

    class Meta:
        model = Demand
        fields = ["status", "kind", "q", "overdue"]

    def filter_overdue(self, queryset: QuerySet[Demand], name: str, value: Any) -> QuerySet[Demand]:
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN, due_on__lt=program_today())


class ClueFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=Clue.Status.choices, label=_("Status"), empty_label=_("Any status"))
    q = django_filters.CharFilter(field_name="against", lookup_expr="icontains", label=_("Search"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))

    class Meta:
        model = Clue
        fields = ["status", "q", "overdue"]

    def filter_overdue(self, queryset: QuerySet[Clue], name: str, value: Any) -> QuerySet[Clue]:
        if not value:
            return queryset
        return queryset.filter(
            status=Clue.Status.RECEIVED, stopped_since__isnull=True, screening_due__lt=program_today()
        )


class CaseFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=Case.Status.choices, label=_("Status"), empty_label=_("Any status"))
    stage = django_filters.ChoiceFilter(
        choices=Case.Stage.choices, label=_("Procedure stage"), empty_label=_("Any stage")
    )
    q = django_filters.CharFilter(field_name="party", lookup_expr="icontains", label=_("Search"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))

    class Meta:
        model = Case
        fields = ["status", "stage", "q", "overdue"]

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        if not value:
            return queryset
        return queryset.filter(status=Case.Status.INVESTIGATING, decision_due__lt=program_today())


class TransferFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(
        choices=Transfer.Status.choices, label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = Transfer
        fields = ["status"]


class MediationFilter(ScopedFilterSet):
    route = django_filters.ChoiceFilter(choices=Mediation.Route.choices, label=_("Route"), empty_label=_("Any route"))

    class Meta:
        model = Mediation
        fields = ["route"]


class IncomingFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=IncomingCase.Kind.choices, label=_("Kind"), empty_label=_("Any kind"))

    class Meta:
        model = IncomingCase
        fields = ["kind"]
