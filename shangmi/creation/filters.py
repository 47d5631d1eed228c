"""The application list's filter (the title lists' are in creation/titles/filters.py)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.creation.models import Application


class ApplicationFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=Application.Status.choices, label=_("Status"))

    class Meta:
        model = Application
        fields = ["status"]
