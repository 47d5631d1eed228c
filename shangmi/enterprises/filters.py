"""One FilterSet drives the list page, the API and the export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.enterprises.models import Enterprise, Industry, Tag
from shangmi.enterprises.uscc import normalise_uscc
from shangmi.regions.models import Park, Region
from shangmi.regions.picker import resolve_choice

SORTS = {
    "name": "name",
    "-name": "-name",
    "uscc": "uscc",
    "-uscc": "-uscc",
    "region": "region_id",
    "-region": "-region_id",
    "employees": "employee_count",
    "-employees": "-employee_count",
    "created": "created_at",
    "-created": "-created_at",
}


class EnterpriseFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    # A code, a full name or a name (the tree picker sends codes; people type names).
    region = django_filters.CharFilter(method="in_region", label=_("Region (with everything below it)"))
    park = django_filters.ModelChoiceFilter(queryset=Park.objects.none(), label=_("Park"), empty_label=_("Park: any"))
    tag = django_filters.ModelChoiceFilter(
        empty_label=_("Tag: any"), queryset=Tag.objects.all(), field_name="tags", to_field_name="code", label=_("Tag")
    )
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    liaison_point = django_filters.BooleanFilter(field_name="is_liaison_point", label=_("Liaison point"))
    has_officer = django_filters.BooleanFilter(
        field_name="liaison_officer", lookup_expr="isnull", exclude=True, label=_("Has a liaison officer")
    )
    sort = django_filters.ChoiceFilter(
        choices=[(k, k) for k in SORTS], method="sort_by", label=_("Sort"), empty_label=None
    )

    class Meta:
        model = Enterprise
        fields = ["q", "region", "park", "tag", "industry", "liaison_point", "has_officer"]

    def narrow(self, user: Any) -> None:
        # Only the parks the user may see are offered (and accepted) as a filter.
        self.filters["park"].queryset = Park.objects.restrict(user) if user is not None else Park.objects.none()

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        code = normalise_uscc(value)
        # Chinese has no case: a plain LIKE lets PostgreSQL estimate the match count
        # (UPPER(name) LIKE ... makes it guess 42 rows for 23,000 and pick a slow plan).
        lookup = "name__contains" if value.lower() == value.upper() else "name__icontains"
        return queryset.filter(Q(**{lookup: value}) | Q(uscc__startswith=code))

    @cached_property
    def chosen_region(self) -> Region | None:
        """The region the ``region`` parameter names (read once: the picker shows it too)."""
        value = self.data.get("region", "") if self.data else ""
        return resolve_choice(self.user, value) if value and self.user is not None else None

    def in_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        region = self.chosen_region
        if region is None:
            return queryset.none()
        # Codes first, then an IN on the indexed foreign key: a join on path LIKE cannot use
        # an index on SQLite and makes the count read every enterprise.
        codes = list(Region.objects.filter(path__subtree=region.path).values_list("code", flat=True))
        return queryset.filter(region_id__in=codes)

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        key = SORTS.get(value)
        return queryset.order_by(key, "pk") if key else queryset
