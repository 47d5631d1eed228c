from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.views.generic import DetailView, ListView

from shangmi.core.views import HtmxFragmentMixin, ScopedViewMixin
from shangmi.regions.models import Park, Region


class RegionListView(ScopedViewMixin, HtmxFragmentMixin, ListView):
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


class ParkListView(ScopedViewMixin, ListView):
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
