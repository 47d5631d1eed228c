"""The network's list filters (one FilterSet per list: page, fragment and export share it)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.network.models import Station


class StationFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=Station.Kind.choices, label=_("Kind"), empty_label=_("Any kind"))

    class Meta:
        model = Station
        fields = ["kind"]
