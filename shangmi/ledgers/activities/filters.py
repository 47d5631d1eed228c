"""The ledgers' list filters (one FilterSet per list: the page, its fragment and its export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.core.calendar import program_year
from shangmi.core.forms import bootstrap_widgets
from shangmi.core.lists import ScopedFilterSet
from shangmi.enterprises.models import Enterprise
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


class TrainingFilter(ScopedFilterSet):
    """The training list's filters, over the enterprises the reader may see. The year chooses
    whose trainings are counted, not which enterprises are listed: it is read with
    ``chosen_year()``. A year that is not a number in range is a filter error on the page."""

    year = django_filters.NumberFilter(
        method="counted_by_the_page", label=_("Year"), min_value=YEARS[0], max_value=YEARS[1], decimal_places=0
    )
    q = django_filters.CharFilter(method="matching", label=_("Enterprise"), max_length=128)
    liaison = django_filters.BooleanFilter(
        method="liaison_points", label=_("Liaison points only"), widget=forms.CheckboxInput
    )

    class Meta:
        model = Enterprise
        fields = ["year", "q", "liaison"]

    def cleaned(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.form.is_valid()  # an invalid field is left out of cleaned_data
        return dict(self.form.cleaned_data)

    def chosen_year(self) -> int:
        year = self.cleaned().get("year")
        return int(year) if year is not None else program_year()

    def error_texts(self) -> list[str]:
        """ "Field: what is wrong" for each bad value, for the page to show."""
        if not self.is_bound or self.form.is_valid():
            return []
        return [
            f"{self.form.fields[name].label}: {error}" for name, errors in self.form.errors.items() for error in errors
        ]

    def counted_by_the_page(self, queryset: QuerySet[Enterprise], name: str, value: Any) -> QuerySet[Enterprise]:
        return queryset

    def matching(self, queryset: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        text = (value or "").strip()
        if not text:
            return queryset
        return queryset.filter(pk__in=services.find_enterprises(self.user, text).values("pk"))

    def liaison_points(self, queryset: QuerySet[Enterprise], name: str, value: bool | None) -> QuerySet[Enterprise]:
        return queryset.filter(is_liaison_point=True) if value else queryset
