"""The ledgers' list filters (one FilterSet per list: the page, its fragment and its export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.core.forms import bootstrap_widgets
from shangmi.core.lists import ScopedFilterSet
from shangmi.ledgers.activities import services
from shangmi.ledgers.activities.forms import region_label
from shangmi.ledgers.models import Activity
from shangmi.regions.chooser import YEARS
from shangmi.regions.models import Region


class ActivityFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"), empty_label=_("All kinds"))
    year = django_filters.NumberFilter(
        method="in_year", label=_("Year"), min_value=YEARS[0], max_value=YEARS[1], decimal_places=0
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(), method="in_region", label=_("Region"), empty_label=_("All regions")
    )
    enterprise = django_filters.CharFilter(method="with_enterprise", label=_("Enterprise"), max_length=128)

    class Meta:
        model = Activity
        fields = ["kind", "year", "region", "enterprise"]

    def narrow(self, user: Any) -> None:
        # Only the regions of activities the reader may see are offered (and accepted).
        regions = Region.objects.filter(pk__in=self.queryset.values("region_id")).order_by("code")
        self.filters["region"].queryset = regions

    @property
    def form(self) -> forms.Form:
        form = super().form
        if not getattr(form, "_styled", False):
            form.fields["region"].label_from_instance = region_label
            bootstrap_widgets(form)
            for name, field in form.fields.items():
                field.widget.attrs.setdefault("aria-label", str(field.label))
                if name == "enterprise":
                    field.widget.attrs.setdefault("placeholder", _("Enterprise name or credit code"))
            form._styled = True
        return form

    def in_year(self, queryset: QuerySet[Activity], name: str, value: Any) -> QuerySet[Activity]:
        return services.filter_activities(queryset, year=int(value)) if value is not None else queryset

    def in_region(self, queryset: QuerySet[Activity], name: str, value: Region | None) -> QuerySet[Activity]:
        return services.filter_activities(queryset, region=value) if value is not None else queryset

    def with_enterprise(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        text = (value or "").strip()
        if not text:
            return queryset
        return services.filter_activities(queryset, enterprises=services.find_enterprises(self.user, text))
