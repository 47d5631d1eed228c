"""The survey list's filter (one FilterSet per list)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.surveys.models import Survey


class SurveyFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=Survey.Status.choices, label=_("Status"))

    class Meta:
        model = Survey
        fields = ["status"]
