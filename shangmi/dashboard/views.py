"""The region dashboard: its page, the map's boundaries and the view's exports.

The dashboard is the bureaus' page, read by the same readers as the rates page (regulators
of the region or above it, platform administrators): ``chosen_region`` answers 404 for a
region outside the reader's scope, on every URL here, so a district's regulator cannot open
the province and a stranger cannot open either.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import TemplateView

from shangmi.accounts.requests import signed_in_user
from shangmi.core.scoping import VIEW
from shangmi.core.views import ScopedViewMixin
from shangmi.core.xlsx import xlsx_response
from shangmi.dashboard.exporting import dashboard_pdf, dashboard_xlsx
from shangmi.dashboard.selectors import Dashboard, region_dashboard
from shangmi.ledgers.models import RateTarget
from shangmi.regions.chooser import chosen_region, chosen_year
from shangmi.regions.models import Region
from shangmi.regions.picker import picker_context


def dashboard_url(name: str, region: Region, year: int, figure: str = "") -> str:
    query = {"region": region.code, "year": year, **({"figure": figure} if figure else {})}
    return f"{reverse(name)}?{urlencode(query)}"


class _DashboardMixin(ScopedViewMixin):
    # The readers of the rates page (RateTarget's scope): bureaus, not enterprises.
    model = RateTarget

    def region(self) -> Region | None:
        return chosen_region(self.request, RateTarget, VIEW)

    def dashboard(self) -> Dashboard:
        region = self.region()
        if region is None:
            raise Http404
        user = signed_in_user(self.request)
        return region_dashboard(user, region, chosen_year(self.request), self.request.GET.get("figure", ""))


class DashboardView(_DashboardMixin, TemplateView):
    template_name = "dashboard/region.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        region = self.region()
        user = signed_in_user(self.request)
        context.update(region=region, year=chosen_year(self.request), picker=picker_context(user, region))
        if region is None:
            return context
        board = self.dashboard()
        code, year, key = region.code, board.year, board.chosen.key
        context.update(
            dashboard=board,
            map_config={
                "boundaries": dashboard_url("dashboard:boundaries", region, year),
                "region": code,
                "figure": str(board.chosen.label),
                "unit": board.chosen.unit,
                "data": board.map_data(),
                # Click-through: the child's own dashboard, same year and figure.
                "link": f"{reverse('dashboard:region')}?{urlencode({'year': year, 'figure': key})}&region=",
            },
            xlsx_url=dashboard_url("dashboard:export_xlsx", region, year, key),
            pdf_url=dashboard_url("dashboard:export_pdf", region, year, key),
        )
        return context


class BoundariesView(_DashboardMixin, View):
    """The GeoJSON of the region's children (cut from the map packages, cached per region)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        region = self.region()
        if region is None:
            raise Http404
        from shangmi.dashboard.boundaries import children_boundaries

        children = tuple(Region.objects.filter(parent=region).order_by("code").values_list("code", "name"))
        found = children_boundaries(region.code, children)
        response = HttpResponse(found.geojson, content_type="application/geo+json")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class DashboardXlsxView(_DashboardMixin, View):
    def get(self, request: HttpRequest) -> Any:
        board = self.dashboard()
        return xlsx_response(lambda target: dashboard_xlsx(board, target), f"{board.region.name}看板{board.year}.xlsx")


class DashboardPdfView(_DashboardMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        board = self.dashboard()
        response = HttpResponse(dashboard_pdf(board), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, f"{board.region.name}看板{board.year}.pdf")
        return response
