"""The rates dashboard (training and awareness against their targets) and the rate targets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from shangmi.accounts.requests import signed_in_user
from shangmi.core.forms import save_through
from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, in_scope
from shangmi.core.views import RightRequiredMixin, ScopedObjectViewMixin, ScopedViewMixin, refusals_as_messages
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.models import RateTarget
from shangmi.ledgers.rates.forms import RateTargetForm
from shangmi.ledgers.rates.services import (
    TargetInput,
    may_set_targets,
    rate_target_delete,
    rate_target_save,
    rates_dashboard,
)
from shangmi.regions.chooser import chosen_region, chosen_year, region_year_url
from shangmi.regions.picker import picker_context


class RatesView(ScopedViewMixin, TemplateView):
    model = RateTarget
    template_name = "ledgers/rates.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        region = chosen_region(self.request, RateTarget)
        year = chosen_year(self.request)
        targets = self.get_queryset()
        dashboard = (
            rates_dashboard(region, year, enterprises=Enterprise.objects.restrict(user, VIEW), targets=targets)
            if region is not None
            else None
        )
        own = (
            targets.filter(region__path__subtree=region.path, year=year).select_related("region")
            if region is not None
            else RateTarget.objects.none()
        )
        context.update(
            region=region,
            year=year,
            dashboard=dashboard,
            targets=own.order_by("region_id", "metric"),
            picker=picker_context(user, region),
            can_add=may_set_targets(user, ADD),
            can_change=may_set_targets(user, CHANGE),
        )
        return context


def _target_input(data: dict[str, Any]) -> TargetInput:
    return TargetInput(region=data["region"], year=data["year"], metric=data["metric"], percent=data["percent"])


class RateTargetCreateView(RightRequiredMixin, TemplateView):
    model = RateTarget
    action = ADD
    template_name = "ledgers/rates_target_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {k: request.GET[k] for k in ("region", "year", "metric") if request.GET.get(k)}
        return self.render_to_response({"form": RateTargetForm(user=signed_in_user(request), initial=initial)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = RateTargetForm(request.POST, user=user)
        if form.is_valid():
            target = save_through(
                form, lambda: rate_target_save(user=user, target=None, data=_target_input(form.cleaned_data))
            )
            if target is not None:
                messages.success(request, _("The target is set."))
                return HttpResponseRedirect(region_year_url("ledgers:rates", target.region, target.year))
        return self.render_to_response({"form": form})


class RateTargetUpdateView(ScopedObjectViewMixin, TemplateView):
    model = RateTarget
    action = CHANGE
    template_name = "ledgers/rates_target_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        target = self.scoped_row(pk)
        return self.render_to_response(
            self.context(target, RateTargetForm(user=signed_in_user(request), target=target))
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        target = self.scoped_row(pk)
        user = signed_in_user(request)
        form = RateTargetForm(request.POST, user=user, target=target)
        if form.is_valid():
            saved = save_through(
                form, lambda: rate_target_save(user=user, target=target, data=_target_input(form.cleaned_data))
            )
            if saved is not None:
                messages.success(request, _("The target is saved."))
                return HttpResponseRedirect(region_year_url("ledgers:rates", target.region, target.year))
        return self.render_to_response(self.context(target, form))

    def context(self, target: RateTarget, form: RateTargetForm) -> dict[str, Any]:
        return {"form": form, "object": target, "can_delete": in_scope(target, signed_in_user(self.request), DELETE)}


class RateTargetDeleteView(ScopedObjectViewMixin, View):
    model = RateTarget
    action = DELETE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        target = self.scoped_row(pk)
        region, year = target.region, target.year
        with refusals_as_messages(request) as outcome:
            rate_target_delete(user=signed_in_user(request), target=target)
        if outcome.ok:
            messages.success(request, _("The target is deleted."))
        return HttpResponseRedirect(region_year_url("ledgers:rates", region, year))
