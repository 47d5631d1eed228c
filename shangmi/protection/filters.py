"""The protection registers' filters (one FilterSet per list: page and export share it)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.core.calendar import program_today
from shangmi.core.lists import ScopedFilterSet
from shangmi.protection.models import Agreement, Area, Carrier, Category, Engagement, Grade, Person, SecretPoint


class SecretPointFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(
        choices=SecretPoint.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Type"), empty_label=_("Any type"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"), empty_label=_("Any grade"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = SecretPoint
        fields = ["status", "category", "grade", "q"]


class PersonFilter(ScopedFilterSet):
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"), empty_label=_("Any grade"))
    post_category = django_filters.ChoiceFilter(
        choices=Person.PostCategory.choices, label=_("Post category"), empty_label=_("Any post category")
    )
    left = django_filters.BooleanFilter(field_name="left_on", lookup_expr="isnull", exclude=True, label=_("Left"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Person
        fields = ["grade", "post_category", "left", "q"]


class AgreementFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"), empty_label=_("Any kind"))
    in_force = django_filters.BooleanFilter(method="filter_in_force", label=_("In force today"))
    q = django_filters.CharFilter(field_name="person__name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Agreement
        fields = ["kind", "in_force", "q"]

    def filter_in_force(self, queryset: QuerySet[Agreement], name: str, value: Any) -> QuerySet[Agreement]:
        if value is None:
            return queryset
        today = program_today()
        in_force = queryset.filter(starts_on__lte=today).exclude(ends_on__lt=today)
        return in_force if value else queryset.exclude(pk__in=in_force.values("pk"))


class CarrierFilter(ScopedFilterSet):
    form = django_filters.ChoiceFilter(choices=Carrier.Form.choices, label=_("Form"), empty_label=_("Any form"))
    grade_mark = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade mark"), empty_label=_("Any grade"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = Carrier
        fields = ["form", "grade_mark", "q"]

    def filter_q(self, queryset: QuerySet[Carrier], name: str, value: Any) -> QuerySet[Carrier]:
        return queryset.filter(Q(name__icontains=value) | Q(number__icontains=value)) if value else queryset


class EngagementFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=Engagement.Kind.choices, label=_("Kind"), empty_label=_("Any kind"))
    ended = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", exclude=True, label=_("Ended"))
    q = django_filters.CharFilter(field_name="counterparty", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Engagement
        fields = ["kind", "ended", "q"]


class AreaFilter(ScopedFilterSet):
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"), empty_label=_("Any grade"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Area
        fields = ["grade", "q"]
