"""Registry pages. Thin: rows come from restrict(), writes go through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView

from shangmi.core.forms import save_through
from shangmi.core.lists import FilteredRowsMixin, ScopedListView
from shangmi.core.scoping import ADD, CHANGE
from shangmi.core.views import ScopedViewMixin
from shangmi.enterprises.filters import EnterpriseFilter
from shangmi.enterprises.forms import EnterpriseForm
from shangmi.enterprises.history import history_entries
from shangmi.enterprises.models import Enterprise, Tag
from shangmi.enterprises.services import OUT_OF_SCOPE, enterprise_create, enterprise_update, may_add_enterprises
from shangmi.regions.models import Park
from shangmi.regions.picker import picker_context


class EnterpriseRows(FilteredRowsMixin):
    """The registry's rows as the list, its fragment and its export all read them."""

    model = Enterprise
    filterset_class = EnterpriseFilter
    ordering = ("name", "pk")

    def base_queryset(self) -> QuerySet[Enterprise]:
        return self.get_queryset().select_related("region", "park", "liaison_officer")


class EnterpriseListView(EnterpriseRows, ScopedListView):
    template_name = "enterprises/list.html"
    fragment_template_name = "enterprises/_table.html"

    def page_context(self, page: Page) -> dict[str, Any]:
        user = self.request.user
        filterset = self.filterset
        return {
            "can_add": may_add_enterprises(user),
            "picker": picker_context(user, filterset.chosen_region if filterset is not None else None),
            "parks": Park.objects.restrict(user).order_by("name").values_list("pk", "name"),
            "tags": Tag.objects.all(),
        }


class EnterpriseDetailView(ScopedViewMixin, DetailView):
    model = Enterprise
    template_name = "enterprises/detail.html"

    def get_queryset(self) -> QuerySet[Enterprise]:
        return super().get_queryset().select_related("region", "park", "liaison_officer").prefetch_related("tags")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object)
        context["can_change"] = (
            Enterprise.objects.restrict(self.request.user, CHANGE).filter(pk=self.object.pk).exists()
        )
        return context


class EnterpriseCreateView(ScopedViewMixin, FormView):
    model = Enterprise
    action = ADD
    template_name = "enterprises/form.html"
    form_class = EnterpriseForm

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not may_add_enterprises(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: EnterpriseForm) -> HttpResponse:
        user = self.request.user
        enterprise = save_through(
            form, lambda: enterprise_create(user=user, data=dict(form.cleaned_data)), out_of_scope=OUT_OF_SCOPE
        )
        if enterprise is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Enterprise %(name)s created.") % {"name": enterprise.name})
        return HttpResponseRedirect(enterprise.get_absolute_url())


class EnterpriseUpdateView(ScopedViewMixin, FormView):
    model = Enterprise
    action = CHANGE
    template_name = "enterprises/form.html"
    form_class = EnterpriseForm

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        from django.shortcuts import get_object_or_404

        self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "object": self.object}

    def form_valid(self, form: EnterpriseForm) -> HttpResponse:
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        user = self.request.user
        enterprise = save_through(
            form, lambda: enterprise_update(user=user, enterprise=self.object, data=data), out_of_scope=OUT_OF_SCOPE
        )
        if enterprise is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Changes to %(name)s saved.") % {"name": enterprise.name})
        return HttpResponseRedirect(enterprise.get_absolute_url())
