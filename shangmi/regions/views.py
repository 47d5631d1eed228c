from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.views.generic import DetailView, TemplateView

from shangmi.core.lists import ScopedListView
from shangmi.core.views import ScopedViewMixin
from shangmi.regions.models import Park, Region
from shangmi.regions.picker import children_of, in_picker, search

# The picker's radios are named after the form field they fill: a plain identifier only.
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class RegionListView(ScopedListView):
    """Browse the division tree: provinces, or the children of the region asked for."""

    model = Region
    template_name = "regions/list.html"
    fragment_template_name = "regions/list.html"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Region]:
        qs = super().get_queryset()
        q = self.request.GET.get("q", "").strip()
        if q:
            return qs.filter(full_name__contains=q)[:200]
        parent = self.request.GET.get("parent")
        return qs.filter(parent_id=parent) if parent else qs.filter(parent__isnull=True)


class RegionDetailView(ScopedViewMixin, DetailView):
    model = Region
    template_name = "regions/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["children"] = self.object.children.all()
        context["ancestors"] = self.object.ancestors()
        context["parks"] = Park.objects.restrict(self.request.user).filter(region=self.object)
        return context


class ParkListView(ScopedListView):
    model = Park
    template_name = "regions/park_list.html"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Park]:
        # A grouped query drops Meta.ordering: order again, or pages may repeat rows.
        qs = super().get_queryset().select_related("region").annotate(enterprise_count=Count("enterprises"))
        return qs.order_by("region_id", "name")


class ParkDetailView(ScopedViewMixin, DetailView):
    model = Park
    template_name = "regions/park_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from shangmi.enterprises.models import Enterprise

        context = super().get_context_data(**kwargs)
        context["enterprises"] = Enterprise.objects.restrict(self.request.user).filter(park=self.object)[:200]
        return context


class RegionPickerView(ScopedViewMixin, TemplateView):
    """Fragments of the tree picker (regions/_picker.html): the children of ``?parent=CODE``,
    or the regions matching ``?region_q=`` — only inside the reader's own tree."""

    model = Region

    def get_template_names(self) -> list[str]:
        if "region_q" in self.request.GET:
            return ["regions/_picker_matches.html"]
        return ["regions/_picker_nodes.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        field = self.request.GET.get("field", "region")
        context["field"] = field if FIELD_NAME.match(field) else "region"
        user = self.request.user
        if "region_q" in self.request.GET:
            query = self.request.GET["region_q"].strip()
            return {**context, "query": query, "matches": search(user, query)}
        parent = Region.objects.filter(pk=self.request.GET.get("parent", "")).first()
        if parent is None or not in_picker(user, parent):
            raise Http404
        return {**context, "nodes": children_of(parent)}
