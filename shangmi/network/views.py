"""Pages of the service network. Thin: rows come from restrict() (a stranger gets 404),
counts and the tree from overview.py, writes from services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from shangmi.accounts.requests import signed_in_user
from shangmi.core.forms import save_through
from shangmi.core.lists import ScopedListView, page_of
from shangmi.core.scoping import ADD, CHANGE, VIEW
from shangmi.core.views import ScopedObjectViewMixin, ScopedViewMixin, refusals_as_messages
from shangmi.enterprises.models import Enterprise
from shangmi.network import overview
from shangmi.network.filters import StationFilter
from shangmi.network.forms import STATION_FIELDS, AssignFilterForm, AssignForm, StationForm
from shangmi.network.models import Station
from shangmi.network.services import (
    STATION_OUTSIDE,
    may_add_stations,
    may_manage_network,
    network_assign,
    station_save,
)
from shangmi.regions.chooser import chosen_region
from shangmi.regions.models import Region
from shangmi.regions.picker import in_picker, picker_context


class OverviewView(ScopedViewMixin, TemplateView):
    model = Enterprise
    template_name = "network/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        # The network's rule is the reader's own tree, whatever their rights on enterprises
        # (what they see of it still comes through restrict): exactly what the picker offers.
        region = chosen_region(self.request, Enterprise, allowed=in_picker)
        counts = overview.network_counts(user, region)
        is_district = region is not None and region.level == Region.Level.DISTRICT
        context.update(
            region=region,
            picker=picker_context(user, region),
            counts=counts,
            children=[] if is_district else overview.child_counts(user, region),
            tree=overview.network_tree(user, region) if counts.enterprises <= overview.TREE_LIMIT else None,
            tree_limit=overview.TREE_LIMIT,
            gaps=overview.network_gaps(user, region) if counts.gaps else [],
            gap_limit=overview.GAP_LIMIT,
            can_assign=may_manage_network(user),
            can_add_station=may_add_stations(user),
        )
        return context


# --- stations ------------------------------------------------------------------------------


def _served_count() -> Coalesce:
    # A subquery, not Count("enterprises"): restrict() may already have joined the
    # enterprises (an enterprise's own staff), which would make a join count only theirs.
    through = Station.enterprises.through.objects.filter(station_id=OuterRef("pk"))
    counted = through.values("station_id").annotate(n=Count("pk"))
    # django-stubs does not see annotations on an auto-created through model's rows.
    return Coalesce(Subquery(counted.values("n")[:1]), 0)  # type: ignore[misc]


class StationListView(ScopedListView):
    model = Station
    filterset_class = StationFilter
    ordering = ("region_id", "name", "pk")
    template_name = "network/station_list.html"

    def base_queryset(self) -> QuerySet[Station]:
        return self.get_queryset().select_related("region", "park", "officer").annotate(served=_served_count())

    def page_context(self, page: Page) -> dict[str, Any]:
        return {
            "kind": self.request.GET.get("kind", ""),
            "kinds": Station.Kind.choices,
            "can_add": may_add_stations(signed_in_user(self.request)),
        }


class StationCreateView(ScopedViewMixin, TemplateView):
    model = Station
    action = ADD
    template_name = "network/station_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not may_add_stations(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        initial = {"region": user.home_region} if user.home_region else {}
        form = StationForm(user=user, initial=_with_query(initial, request.GET))
        return self.render_to_response({"form": form})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = StationForm(request.POST, user=signed_in_user(request))
        station = _save(request, form, None)
        if station is not None:
            messages.success(request, _("Station %(name)s created.") % {"name": station.name})
            return HttpResponseRedirect(reverse("network:station_detail", args=[station.pk]))
        return self.render_to_response({"form": form})


def _with_query(
    initial: dict[str, Any] | None, query: QueryDict, station: Station | None = None, user: Any = None
) -> dict[str, Any]:
    """The form's starting values, overlaid with what the page sent when its district or park
    changed (the form re-renders its enterprise list for them; nothing is saved by a GET)."""
    values = dict(initial or {})
    if station is not None:
        values.update(StationForm.initial_of(station, user))
    for name in STATION_FIELDS:
        if name in query:
            values[name] = query[name]
    if "enterprises" in query:
        values["enterprises"] = query.getlist("enterprises")
    return values


def _save(request: HttpRequest, form: StationForm, station: Station | None) -> Station | None:
    if not form.is_valid():
        return None
    return save_through(
        form,
        lambda: station_save(
            user=signed_in_user(request),
            station=station,
            data=form.station_data(),
            enterprises=form.cleaned_data["enterprises"],
        ),
        out_of_scope=STATION_OUTSIDE.text,
        out_of_scope_field=None,
    )


class StationUpdateView(ScopedObjectViewMixin, TemplateView):
    model = Station
    action = CHANGE
    template_name = "network/station_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        station = self.scoped_row(pk)
        user = signed_in_user(request)
        initial = _with_query(None, request.GET, station, user)
        form = StationForm(user=user, station=station, initial=initial)
        return self.render_to_response({"form": form, "station": station})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        station = self.scoped_row(pk)
        form = StationForm(request.POST, user=signed_in_user(request), station=station)
        saved = _save(request, form, station)
        if saved is not None:
            messages.success(request, _("Station %(name)s saved.") % {"name": saved.name})
            return HttpResponseRedirect(reverse("network:station_detail", args=[saved.pk]))
        station.refresh_from_db()
        return self.render_to_response({"form": form, "station": station})


class StationDetailView(ScopedObjectViewMixin, TemplateView):
    model = Station
    template_name = "network/station_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        station = self.scoped_row(kwargs["pk"])
        # Only the enterprises the reader may see are named; the others are only counted.
        served = station.enterprises.restrict(user, VIEW).select_related("region", "liaison_officer")
        shown = list(served.order_by("name", "pk"))
        context.update(
            station=station,
            enterprises=shown,
            hidden=station.enterprises.count() - len(shown),
            can_change=Station.objects.restrict(user, CHANGE).filter(pk=station.pk).exists(),
        )
        return context


# --- assigning liaison points and officers ---------------------------------------------------


class AssignView(ScopedViewMixin, TemplateView):
    """Tick enterprises, choose an action (and an officer), apply: one service call."""

    model = Enterprise
    action = CHANGE
    template_name = "network/assign.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not may_manage_network(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def enterprises(self, filters: AssignFilterForm) -> QuerySet[Enterprise]:
        enterprises = self.get_queryset().select_related("region", "park", "liaison_officer", "guidance_officer")
        enterprises = enterprises.annotate(key=overview.is_key())
        if filters.is_valid():
            data = filters.cleaned_data
            text = (data.get("q") or "").strip()
            if text:
                enterprises = enterprises.filter(Q(name__contains=text) | Q(uscc=text.upper()))
            if data.get("key"):
                enterprises = enterprises.filter(overview.is_key())
            if data.get("gaps"):
                enterprises = enterprises.filter(overview.is_key()).filter(
                    overview.NO_LIAISON_POINT | overview.NO_OFFICER
                )
        return enterprises.order_by("region__path", "name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = AssignFilterForm(self.request.GET)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=filters,
            page=page_of(self.request, self.enterprises(filters), 50),
            form=kwargs.get("form") or AssignForm(user=signed_in_user(self.request)),
            query=query.urlencode(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Re-encoded, so whatever was posted back can only ever be a query string of this page.
        query = QueryDict(request.POST.get("next_query", "")).urlencode()
        back = reverse("network:assign") + (f"?{query}" if query else "")
        form = AssignForm(request.POST, user=signed_in_user(request))
        try:
            ids = [int(value) for value in request.POST.getlist("enterprise")]
        except ValueError:
            ids = []
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        with refusals_as_messages(request) as outcome:
            changed = network_assign(
                user=signed_in_user(request),
                enterprise_ids=ids,
                action=form.cleaned_data["action"],
                officer_id=form.cleaned_data["officer"],
            )
        if outcome.ok:
            messages.success(request, _("%(count)d enterprises changed.") % {"count": changed})
        return HttpResponseRedirect(back)
