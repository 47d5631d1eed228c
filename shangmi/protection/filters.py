"""The protection registers' filters (one FilterSet per list: page and export share it)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.protection.models import Category, Grade, SecretPoint


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
