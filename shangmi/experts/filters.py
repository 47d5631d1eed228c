"""The pool's filter: by field of expertise, availability and name (page and tests share it)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.experts.models import ExpertProfile, Field


class ExpertFilter(ScopedFilterSet):
    field = django_filters.ChoiceFilter(
        field_name="expertise__field", choices=Field.choices, label=_("Field of expertise"), empty_label=_("Any field")
    )
    availability = django_filters.ChoiceFilter(
        choices=ExpertProfile.Availability.choices, label=_("Availability"), empty_label=_("Any availability")
    )
    q = django_filters.CharFilter(field_name="user__full_name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = ExpertProfile
        fields = ["field", "availability", "q"]
