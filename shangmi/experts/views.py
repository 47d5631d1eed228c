"""Pages of the expert pool, declared on the kit: the pool is read through restrict() (the
bureau of the expert's region and the expert themselves; anyone else gets 404), and every
write goes through services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_today
from shangmi.core.forms import save_through
from shangmi.core.lists import FilteredRowsMixin, ScopedListView
from shangmi.core.scoping import ADD, CHANGE, in_scope, may
from shangmi.core.views import RightRequiredMixin, ScopedObjectViewMixin, refusals_as_messages
from shangmi.experts import services
from shangmi.experts.filters import ExpertFilter
from shangmi.experts.forms import ConflictForm, ProfileForm, RegisterForm
from shangmi.experts.models import ExpertProfile
from shangmi.experts.selectors import with_details


class ExpertRows(FilteredRowsMixin):
    model = ExpertProfile
    filterset_class = ExpertFilter
    ordering = ("user__full_name", "pk")

    def base_queryset(self) -> QuerySet[ExpertProfile]:
        return with_details(self.get_queryset()).distinct()


class PoolView(ExpertRows, ScopedListView):
    template_name = "experts/pool.html"

    def page_context(self, page: Page[Any]) -> dict[str, Any]:
        return {
            "can_add": may(self.request.user, ADD, ExpertProfile),
            "fields": ExpertFilter.base_filters["field"].extra["choices"],
            "availabilities": ExpertProfile.Availability.choices,
        }


class RegisterView(RightRequiredMixin, TemplateView):
    """The bureau puts an expert account of its region into the pool."""

    model = ExpertProfile
    action = ADD
    template_name = "experts/register.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": RegisterForm(user=signed_in_user(request))})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = RegisterForm(request.POST, user=user)
        profile = None
        if form.is_valid():
            data = form.cleaned_data
            profile = save_through(
                form,
                lambda: services.expert_register(
                    user=user, expert=data["expert"], fields=data["fields_of_expertise"], title=data["title"]
                ),
                out_of_scope_field="expert",
            )
        if profile is None:
            return self.render_to_response({"form": form})
        messages.success(request, _("%(name)s is in the expert pool.") % {"name": profile})
        return HttpResponseRedirect(profile.get_absolute_url())


class ProfileView(ScopedObjectViewMixin, TemplateView):
    """One expert: fields, region, availability, declared conflicts; the forms to change them
    for whoever may (the expert, their bureau)."""

    model = ExpertProfile
    template_name = "experts/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        profile = with_details(ExpertProfile.objects.filter(pk=self.scoped_object_as(ExpertProfile).pk)).get()
        can_change = in_scope(profile, user, CHANGE)
        context.update(
            profile=profile,
            can_change=can_change,
            form=kwargs.get("form") or (ProfileForm(initial=ProfileForm.initial_of(profile)) if can_change else None),
            conflict_form=kwargs.get("conflict_form") or (ConflictForm() if can_change else None),
        )
        return context


class ProfileUpdateView(ScopedObjectViewMixin, View):
    model = ExpertProfile
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        profile = self.scoped_object_as(ExpertProfile)
        form = ProfileForm(request.POST)
        with refusals_as_messages(request) as outcome:
            if not form.is_valid():
                field, errors = next(iter(form.errors.items()))
                label = form.fields[field].label if field in form.fields else ""
                raise services.AppError(
                    services.FORM_REFUSED, field=field, error=f"{label}: {' '.join(str(e) for e in errors)}"
                )
            data = form.cleaned_data
            services.expert_update(
                user=signed_in_user(request),
                profile=profile,
                data=services.ProfileInput(
                    fields=data["fields_of_expertise"],
                    title=data["title"],
                    availability=data["availability"],
                    unavailable_until=data["unavailable_until"],
                ),
                today=program_today(),
            )
        if outcome.ok:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(profile.get_absolute_url())


class ConflictDeclareView(ScopedObjectViewMixin, View):
    model = ExpertProfile
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        profile = self.scoped_object_as(ExpertProfile)
        post = request.POST
        with refusals_as_messages(request) as outcome:
            conflict = services.conflict_declare(
                user=signed_in_user(request),
                profile=profile,
                uscc=post.get("uscc", ""),
                name=post.get("name", ""),
                reason=post.get("reason", ""),
            )
        if outcome.ok:
            messages.success(request, _("Conflict with %(name)s declared.") % {"name": conflict.name})
        return HttpResponseRedirect(profile.get_absolute_url())
