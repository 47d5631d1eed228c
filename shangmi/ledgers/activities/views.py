"""Pages of the activity ledger, the trainings and the rate dashboard.

Thin: every row comes through ``restrict`` (a stranger gets 404, whatever the method), every
write through shangmi.ledgers.activities.services / .rates (which say why a write is refused), every
count through shangmi.ledgers.activities.training.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Page
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_now, program_year
from shangmi.core.forms import save_through
from shangmi.core.lists import FilteredRowsMixin, ScopedExportView, ScopedListView, page_of
from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, in_scope
from shangmi.core.views import (
    RightRequiredMixin,
    ScopedFileView,
    ScopedObjectViewMixin,
    ScopedViewMixin,
    refusals_as_messages,
)
from shangmi.core.xlsx import xlsx_response
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.activities import services
from shangmi.ledgers.activities.exporting import activities_export
from shangmi.ledgers.activities.filters import ActivityFilter, TrainingFilter
from shangmi.ledgers.activities.forms import (
    ActivityForm,
    MaterialForm,
    ParticipantForm,
    ParticipantImportForm,
)
from shangmi.ledgers.activities.importing import participants_import, write_participant_template
from shangmi.ledgers.activities.services import ActivityInput, ParticipantInput
from shangmi.ledgers.activities.training import (
    enterprises_coverage,
    group_coverage,
    trained_counts,
    trained_people,
    training_years,
)
from shangmi.ledgers.models import Activity, ActivityMaterial, ActivityParticipant
from shangmi.regions.chooser import chosen_year

PAGE_SIZE = 50


# --- The activity ledger ----------------------------------------------------------------------------


class ActivityRows(FilteredRowsMixin):
    """The user's activities with the query string's filters (the list and the export share it)."""

    model = Activity
    filterset_class = ActivityFilter
    ordering = ("-starts_at", "-pk")


class ActivityListView(ActivityRows, ScopedListView):
    template_name = "ledgers/activity_list.html"
    fragment_template_name = "ledgers/_activity_table.html"

    def base_queryset(self) -> QuerySet[Activity]:
        return self.get_queryset().select_related("region", "park")

    def page_context(self, page: Page) -> dict[str, Any]:
        user = signed_in_user(self.request)
        ids = [a.pk for a in page.object_list]
        # Counted among the participants the reader may see: an enterprise counts its own.
        counts = dict(
            ActivityParticipant.objects.restrict(user, VIEW)
            .filter(activity_id__in=ids)
            .values("activity_id")
            .annotate(n=Count("pk"))
            .values_list("activity_id", "n")
            .order_by()
        )
        for activity in page.object_list:
            activity.participant_count = counts.get(activity.pk, 0)
        filters = self.filterset
        if filters is None:  # filterset_class names ActivityFilter
            raise ImproperlyConfigured("the activity list is filtered by ActivityFilter")
        return {"form": filters.form, "can_add": services.may_add_activities(user)}


class ActivityExportView(ActivityRows, ScopedExportView):
    """The list's filter (same query string) over what the user may see, as .xlsx."""

    def export(self, rows: QuerySet[Activity]) -> HttpResponseBase:
        stamp = program_now().strftime("%Y%m%d")
        return xlsx_response(
            lambda target: activities_export(queryset=rows, user=signed_in_user(self.request), target=target),
            f"活动台账-{stamp}.xlsx",
        )


def _activity_input(data: dict[str, Any]) -> ActivityInput:
    return ActivityInput(
        kind=data["kind"],
        name=data["name"],
        starts_at=data["starts_at"],
        place=data["place"],
        organiser=data["organiser"],
        region=data["region"],
        park=data["park"],
        enterprises=list(data["enterprises"]),
        content=data["content"],
    )


class ActivityCreateView(RightRequiredMixin, TemplateView):
    model = Activity
    action = ADD
    template_name = "ledgers/activity_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": ActivityForm(user=signed_in_user(request))})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = ActivityForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            activity = save_through(
                form,
                lambda: services.activity_save(
                    user=user,
                    activity=None,
                    data=_activity_input(form.cleaned_data),
                    materials=form.cleaned_data["materials"],
                ),
            )
            if activity is not None:
                messages.success(request, _("The activity is recorded."))
                return HttpResponseRedirect(reverse("ledgers:activity_detail", args=[activity.pk]))
        return self.render_to_response({"form": form})


class ActivityUpdateView(ScopedObjectViewMixin, TemplateView):
    model = Activity
    action = CHANGE
    template_name = "ledgers/activity_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = self.scoped_row(pk)
        return self.render_to_response(
            {"form": ActivityForm(user=signed_in_user(request), activity=activity), "object": activity}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = self.scoped_row(pk)
        user = signed_in_user(request)
        form = ActivityForm(request.POST, request.FILES, user=user, activity=activity)
        if form.is_valid():
            saved = save_through(
                form,
                lambda: services.activity_save(
                    user=user,
                    activity=activity,
                    data=_activity_input(form.cleaned_data),
                    materials=form.cleaned_data["materials"],
                ),
            )
            if saved is not None:
                messages.success(request, _("The activity is saved."))
                return HttpResponseRedirect(reverse("ledgers:activity_detail", args=[pk]))
        return self.render_to_response({"form": form, "object": activity})


class ActivityDeleteView(ScopedObjectViewMixin, TemplateView):
    model = Activity
    action = DELETE
    template_name = "ledgers/activity_confirm_delete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object"] = self.scoped_row(kwargs["pk"])
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = self.scoped_row(pk)
        with refusals_as_messages(request) as outcome:
            services.activity_delete(user=signed_in_user(request), activity=activity)
        if not outcome.ok:
            return HttpResponseRedirect(reverse("ledgers:activity_detail", args=[pk]))
        messages.success(request, _("The activity is deleted."))
        return HttpResponseRedirect(reverse("ledgers:activity_list"))


def activity_page(
    request: HttpRequest,
    activity: Activity,
    *,
    participant_form: ParticipantForm | None = None,
    material_form: MaterialForm | None = None,
) -> HttpResponse:
    """The detail page of an activity, also answered with a form's errors."""
    user = signed_in_user(request)
    can_change = in_scope(activity, user, CHANGE)
    enterprises = list(services.visible_enterprises(user, activity))
    participants = services.visible_participants(user, activity)
    page = page_of(request, participants, 200)
    context = {
        "activity": activity,
        "enterprises": enterprises,
        "hidden_enterprises": activity.enterprises.count() - len(enterprises),
        "page": page,
        "materials": services.visible_materials(user, activity),
        "can_change": can_change,
        "can_delete": in_scope(activity, user, DELETE),
    }
    if can_change:
        context["participant_form"] = participant_form or ParticipantForm(user=user, activity=activity)
        context["material_form"] = material_form or MaterialForm()
    status = 400 if (participant_form is not None or material_form is not None) else 200
    return render(request, "ledgers/activity_detail.html", context, status=status)


class ActivityDetailView(ScopedObjectViewMixin, View):
    model = Activity

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = (
            Activity.objects.restrict(signed_in_user(request), VIEW)
            .select_related("region", "park", "created_by")
            .filter(pk=pk)
            .first()
        )
        if activity is None:
            raise Http404
        return activity_page(request, activity)


class ParticipantAddView(ScopedObjectViewMixin, View):
    model = Activity
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = self.scoped_row(pk)
        user = signed_in_user(request)
        form = ParticipantForm(request.POST, user=user, activity=activity)
        if form.is_valid():
            data = form.cleaned_data
            participant = save_through(
                form,
                lambda: services.participant_add(
                    user=user,
                    activity=activity,
                    data=ParticipantInput(
                        name=data["name"],
                        enterprise=data["enterprise"],
                        employee_no=data["employee_no"],
                        phone=data["phone"],
                        position=data["position"],
                    ),
                ),
            )
            if participant is not None:
                messages.success(request, _("%(name)s is recorded.") % {"name": participant.name})
                return HttpResponseRedirect(reverse("ledgers:activity_detail", args=[pk]) + "#participants")
        return activity_page(request, activity, participant_form=form)


class ParticipantDeleteView(ScopedObjectViewMixin, View):
    model = ActivityParticipant
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        participant = self.scoped_row(pk)
        activity_pk = participant.activity_id
        with refusals_as_messages(request):
            services.participant_remove(user=signed_in_user(request), participant=participant)
        return HttpResponseRedirect(reverse("ledgers:activity_detail", args=[activity_pk]) + "#participants")


class ParticipantImportView(ScopedObjectViewMixin, TemplateView):
    model = Activity
    action = CHANGE
    template_name = "ledgers/activity_participant_import.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["activity"] = self.scoped_row(kwargs["pk"])
        context.setdefault("form", ParticipantImportForm())
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = self.scoped_row(pk)
        form = ParticipantImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(pk=pk, form=form))
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            result = participants_import(
                user=signed_in_user(request), activity=activity, path=path, dry_run=form.cleaned_data["dry_run"]
            )
        if result.ok and not result.dry_run:
            messages.success(request, result.message)
            return HttpResponseRedirect(reverse("ledgers:activity_detail", args=[pk]) + "#participants")
        return self.render_to_response(
            self.get_context_data(pk=pk, form=ParticipantImportForm(), result=result),
            status=200 if result.ok else 400,
        )


class ParticipantTemplateView(RightRequiredMixin, View):
    model = Activity
    action = CHANGE

    def get(self, request: HttpRequest) -> HttpResponseBase:
        return xlsx_response(write_participant_template, "参与人员导入模板.xlsx")


class MaterialUploadView(ScopedObjectViewMixin, View):
    model = Activity
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = self.scoped_row(pk)
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            user = signed_in_user(request)
            material = save_through(
                form, lambda: services.material_add(user=user, activity=activity, upload=form.cleaned_data["file"])
            )
            if material is not None:
                messages.success(request, _("%(name)s uploaded.") % {"name": material.original_name})
                return HttpResponseRedirect(reverse("ledgers:activity_detail", args=[pk]) + "#materials")
        return activity_page(request, activity, material_form=form)


class MaterialDownloadView(ScopedFileView):
    model = ActivityMaterial


class MaterialDeleteView(ScopedObjectViewMixin, View):
    model = ActivityMaterial
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = self.scoped_row(pk)
        activity_pk = material.activity_id
        with refusals_as_messages(request):
            services.material_remove(user=signed_in_user(request), material=material)
        return HttpResponseRedirect(reverse("ledgers:activity_detail", args=[activity_pk]) + "#materials")


# --- Trainings and coverage ----------------------------------------------------------------------------


class TrainingListView(ScopedViewMixin, TemplateView):
    """The enterprises the reader may see, each with its trained people and rate for a year,
    and the liaison-point enterprises among them together."""

    model = Enterprise
    template_name = "ledgers/training_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        # A bad filter value: the page, with what is wrong, answered as the bad request it is.
        return self.render_to_response(context, status=400 if context["filter_errors"] else 200)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        enterprises = self.get_queryset()
        filters = TrainingFilter(request.GET or None, queryset=enterprises, user=signed_in_user(request))
        year = filters.chosen_year()
        cleaned = filters.cleaned()
        liaison_only = bool(cleaned.get("liaison"))
        text = (cleaned.get("q") or "").strip()
        page = page_of(request, filters.qs.select_related("region").order_by("name", "pk"), PAGE_SIZE)
        group = group_coverage(enterprises.filter(is_liaison_point=True), year)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            year=year,
            rows=enterprises_coverage(page.object_list, year),
            page=page,
            liaison_only=liaison_only,
            q=text,
            group=group,
            query=query.urlencode(),
            filter_errors=filters.error_texts(),
        )
        return context


class TrainingEnterpriseView(ScopedObjectViewMixin, TemplateView):
    """One enterprise: its rate and who was trained when in a year."""

    model = Enterprise
    template_name = "ledgers/training_enterprise.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        enterprise = self.scoped_row(kwargs["pk"])
        year = chosen_year(self.request)
        participants = ActivityParticipant.objects.restrict(user, VIEW).filter(enterprise=enterprise)
        people = trained_people(participants, year)
        trained = trained_counts(year, enterprises=[enterprise.pk]).get(enterprise.pk, 0)
        (coverage,) = enterprises_coverage([enterprise], year)
        years = sorted({*training_years(participants), year, program_year()}, reverse=True)
        context.update(
            enterprise=enterprise,
            year=year,
            years=years,
            people=people,
            trained=trained,
            coverage=coverage,
            # The rate counts every training; the list only the rows the reader may see.
            hidden=max(trained - len(people), 0),
        )
        return context


# --- Rates -----------------------------------------------------------------------------------------------


__all__ = [
    "ActivityCreateView",
    "ActivityDeleteView",
    "ActivityDetailView",
    "ActivityExportView",
    "ActivityListView",
    "ActivityUpdateView",
    "MaterialDeleteView",
    "MaterialDownloadView",
    "MaterialUploadView",
    "ParticipantAddView",
    "ParticipantDeleteView",
    "ParticipantImportView",
    "ParticipantTemplateView",
    "TrainingEnterpriseView",
    "TrainingListView",
]
