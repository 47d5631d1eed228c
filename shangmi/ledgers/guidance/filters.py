"""The guidance ledger's filters: the list and its export (GuidanceFilter; a bad value is left
out), and the half-year page (HalfYearFilter; a bad value is a filter error on the page)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.lists import ScopedFilterSet
from shangmi.core.scoping import VIEW, scope_subtree
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance.halfyear import guided_regions, guiding_officers
from shangmi.ledgers.guidance.services import filter_visits
from shangmi.ledgers.models import GuidanceVisit
from shangmi.regions.chooser import YEARS
from shangmi.regions.models import Region


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


class HalfYearFilter(ScopedFilterSet):
    """The half-year page's filters, over the guided enterprises of the reader's scope.

    Region and officer narrow the rows. The year and "only missing" choose what the page
    counts, not which enterprises it starts from, so they filter nothing here and are read
    with ``chosen()``. A value that is not one of the choices is a filter error on the page.
    """

    year = django_filters.NumberFilter(
        label=_("Year"), min_value=YEARS[0], max_value=YEARS[1], method="counted_by_the_page"
    )
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.none(), method="in_region")
    officer = django_filters.ModelChoiceFilter(label=_("Officer"), queryset=User.objects.none(), method="followed_by")
    missing = django_filters.BooleanFilter(
        label=_("Only missing"), widget=forms.CheckboxInput, method="counted_by_the_page"
    )

    class Meta:
        model = Enterprise
        fields = ["year", "region", "officer", "missing"]

    def narrow(self, user: Any) -> None:
        # The districts and officers of the enterprises in scope, before any filter narrows them:
        # for a region's whole subtree from its regions' summaries, else from the enterprises.
        subtree = scope_subtree(Enterprise, user, VIEW)
        if subtree is not None:
            self.filters["region"].queryset = guided_regions(subtree).order_by("code")
            self.filters["officer"].queryset = guiding_officers(subtree).order_by("full_name", "username")
            return
        enterprises = self.queryset
        self.filters["region"].queryset = Region.objects.filter(pk__in=enterprises.values("region_id")).order_by("code")
        self.filters["officer"].queryset = User.objects.filter(
            Q(pk__in=enterprises.values("liaison_officer_id")) | Q(pk__in=enterprises.values("guidance_officer_id"))
        ).order_by("full_name", "username")

    def chosen(self) -> SimpleNamespace:
        """The valid values (None, or False for "missing", where absent or invalid)."""
        cleaned: dict[str, Any] = {}
        if self.is_bound:
            self.form.is_valid()  # an invalid field is left out of cleaned_data
            cleaned = self.form.cleaned_data
        year = cleaned.get("year")
        return SimpleNamespace(
            year=int(year) if year is not None else None,
            region=cleaned.get("region"),
            officer=cleaned.get("officer"),
            missing=bool(cleaned.get("missing")),
        )

    def counted_by_the_page(self, queryset: QuerySet[Enterprise], name: str, value: Any) -> QuerySet[Enterprise]:
        return queryset

    def in_region(self, queryset: QuerySet[Enterprise], name: str, value: Region) -> QuerySet[Enterprise]:
        return queryset.filter(region__path__subtree=value.path)

    def followed_by(self, queryset: QuerySet[Enterprise], name: str, value: User) -> QuerySet[Enterprise]:
        return queryset.filter(Q(liaison_officer=value) | Q(guidance_officer=value))
