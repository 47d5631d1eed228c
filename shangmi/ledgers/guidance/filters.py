"""The guidance ledger's filters (the list, its export): one FilterSet; bad values are ignored."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.ledgers.guidance.services import filter_visits
from shangmi.ledgers.models import GuidanceVisit
from shangmi.regions.chooser import YEARS


class GuidanceFilter(ScopedFilterSet):
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), min_value=1)
    officer = django_filters.NumberFilter(label=_("Officer"), min_value=1)
    year = django_filters.NumberFilter(label=_("Year"), min_value=YEARS[0], max_value=YEARS[1])
    half = django_filters.NumberFilter(label=_("Half-year"), min_value=1, max_value=2)

    class Meta:
        model = GuidanceVisit
        fields = ["enterprise", "officer", "year", "half"]

    def chosen(self) -> SimpleNamespace:
        """The valid values as numbers (None where absent or invalid), for the filter bar."""
        cleaned: dict[str, Any] = {}
        if self.is_bound:
            self.form.is_valid()  # cleans every field; an invalid one is left out of cleaned_data
            cleaned = self.form.cleaned_data
        values = {name: (int(v) if (v := cleaned.get(name)) is not None else None) for name in self.filters}
        if values["year"] is None:
            values["half"] = None  # a half means nothing without its year
        return SimpleNamespace(**values)

    def filter_queryset(self, queryset: QuerySet[GuidanceVisit]) -> Any:
        # Year and half are read together (a half is cut in its year, in Shanghai time).
        chosen = self.chosen()
        return filter_visits(
            queryset,
            enterprise_id=chosen.enterprise,
            officer_id=chosen.officer,
            year=chosen.year,
            half=chosen.half,
        )
