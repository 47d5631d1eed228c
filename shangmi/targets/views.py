"""Targets pages. Thin: rows come from restrict(), counting and writing are in the services.

A page about a region answers 404 for a region outside the reader's scope, as for a row:
the regulator of 江北区 cannot even learn what 江津区's table looks like.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_year
from shangmi.core.forms import save_through
from shangmi.core.lists import ScopedListView
from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, in_scope
from shangmi.core.views import RightRequiredMixin, ScopedObjectViewMixin, ScopedViewMixin
from shangmi.core.xlsx import xlsx_response
from shangmi.enterprises.models import Enterprise
from shangmi.regions.chooser import chosen_region, chosen_year, region_year_url
from shangmi.regions.models import Region
from shangmi.regions.picker import picker_context
from shangmi.targets.exporting import coaching_export, progress_export
from shangmi.targets.forms import CoachingAddForm, ProgramForm, TargetForm, TargetImportForm
from shangmi.targets.importing import targets_import
from shangmi.targets.models import CoachingEnrolment, Metric, Target, TargetProgram
from shangmi.targets.progress import coaching_entries, progress_table, targets_progress
from shangmi.targets.services import (
    COACHING,
    OUT_OF_SCOPE,
    Column,
    coaching_add,
    coaching_remove,
    find_enterprise,
    may_manage,
    program_save,
    program_years,
    region_in_scope,
    target_delete,
    target_save,
)


def table_region(user: Any, region: Region) -> Region:
    """The table a target of ``region`` shows in: its parent's, when the user may see that."""
    parent = region.parent
    if region.level == Region.Level.DISTRICT and parent is not None and region_in_scope(user, parent):
        return parent
    return region


# --- Progress ---------------------------------------------------------------------------------


class ProgressView(ScopedViewMixin, TemplateView):
    model = Target
    template_name = "targets/progress.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        region = chosen_region(self.request, Target)
        year = chosen_year(self.request)
        targets = self.get_queryset()
        table = progress_table(region, year, targets=targets) if region is not None else None
        own = (
            targets.filter(region__path__subtree=region.path, year=year).select_related("region", "program")
            if region is not None
            else Target.objects.none()
        )
        years = set(targets.values_list("year", flat=True).distinct()) | {program_year(), year}
        context.update(
            region=region,
            year=year,
            table=table,
            targets=[
                (target, Column.of(target).label)
                for target in sorted(own, key=lambda t: (t.region_id, Column.of(t).sort_key, t.levels))
            ],
            picker=picker_context(user, region),
            years=sorted(years),
            can_add=may_manage(user, ADD),
            can_change=may_manage(user, CHANGE),
            export_url=region_year_url("targets:export", region, year),
        )
        return context


class ProgressExportView(ScopedViewMixin, View):
    model = Target

    def get(self, request: HttpRequest) -> HttpResponseBase:
        region = chosen_region(request, Target)
        if region is None:
            raise Http404
        year = chosen_year(request)
        table = progress_table(region, year, targets=self.get_queryset())
        return xlsx_response(lambda target: progress_export(table, target), f"targets-{region.code}-{year}.xlsx")


# --- Import -----------------------------------------------------------------------------------


class TargetImportView(RightRequiredMixin, FormView):
    model = Target
    action = ADD
    template_name = "targets/import.html"
    form_class = TargetImportForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: TargetImportForm) -> HttpResponse:
        data = form.cleaned_data
        upload = data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            result = targets_import(
                path=path,
                region=data["region"],
                year=data["year"],
                user=self.request.user,
                deadline=data["deadline"],
                dry_run=data["dry_run"],
            )
        context = self.get_context_data(form=form, result=result)
        if result.ok and not result.dry_run:
            context["progress_url"] = region_year_url("targets:progress", data["region"], data["year"])
        return self.render_to_response(context)


# --- One target -------------------------------------------------------------------------------


class _TargetFormMixin:
    request: HttpRequest
    action: ClassVar[str]

    def editing(self) -> Target | None:
        """The target the form changes; None on the page for a new one."""
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        kwargs.update(user=self.request.user, action=self.action, instance=self.editing())
        if self.editing() is None:
            kwargs["initial"] = {k: v for k, v in self.request.GET.items() if k in ("region", "year", "metric")}
        return kwargs

    def form_valid(self, form: TargetForm) -> HttpResponse:
        user = signed_in_user(self.request)
        target = save_through(
            form,
            lambda: target_save(user=user, target=self.editing(), data=dict(form.cleaned_data)),
            out_of_scope=OUT_OF_SCOPE,
        )
        if target is None:
            return self.form_invalid(form)  # type: ignore[attr-defined]
        messages.success(self.request, _("Target saved."))
        return HttpResponseRedirect(
            region_year_url("targets:progress", table_region(self.request.user, target.region), target.year)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "object": self.editing()}  # type: ignore[misc]


class TargetCreateView(_TargetFormMixin, RightRequiredMixin, FormView):
    model = Target
    action = ADD
    template_name = "targets/form.html"
    form_class = TargetForm


class TargetUpdateView(_TargetFormMixin, ScopedObjectViewMixin, FormView):
    model = Target
    action = CHANGE
    template_name = "targets/form.html"
    form_class = TargetForm

    def editing(self) -> Target:
        return self.scoped_object_as(Target)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_delete"] = in_scope(self.editing(), self.request.user, DELETE)
        return context


class TargetDeleteView(ScopedObjectViewMixin, View):
    model = Target
    action = DELETE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        target = self.scoped_object_as(Target)
        region, year = table_region(request.user, target.region), target.year
        target_delete(user=request.user, target=target)
        messages.success(request, _("Target deleted."))
        return HttpResponseRedirect(region_year_url("targets:progress", region, year))


# --- Multi-year programs ----------------------------------------------------------------------


class ProgramListView(ScopedListView):
    model = TargetProgram
    template_name = "targets/program_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[TargetProgram]:
        return super().get_queryset().select_related("region").order_by("-start_year", "region_id", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programs = list(context["object_list"])
        targets = list(
            Target.objects.restrict(self.request.user, VIEW)
            .filter(program__in=programs)
            .select_related("region")
            .order_by("year")
        )
        cells = targets_progress(targets)
        by_program: dict[int, list[Any]] = {}
        for target in targets:
            if target.program_id is not None:  # every one here: they were read by their program
                by_program.setdefault(target.program_id, []).append(cells[target.pk])
        context["programs"] = [(program, by_program.get(program.pk, [])) for program in programs]
        context["can_add"] = may_manage(self.request.user, ADD, TargetProgram)
        return context


class _ProgramFormMixin:
    request: HttpRequest
    action: ClassVar[str]

    def editing(self) -> TargetProgram | None:
        """The program the form changes; None on the page for a new one."""
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        kwargs.update(user=self.request.user, action=self.action, instance=self.editing())
        return kwargs

    def form_valid(self, form: ProgramForm) -> HttpResponse:
        user = signed_in_user(self.request)
        program = save_through(
            form,
            lambda: program_save(user=user, program=self.editing(), data=dict(form.cleaned_data)),
            out_of_scope=OUT_OF_SCOPE,
        )
        if program is None:
            return self.form_invalid(form)  # type: ignore[attr-defined]
        years = "、".join(f"{year}: {minimum}" for year, minimum in program_years(program))
        messages.success(self.request, _("Program saved; yearly targets %(years)s.") % {"years": years})
        return HttpResponseRedirect(reverse("targets:program_list"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "object": self.editing()}  # type: ignore[misc]


class ProgramCreateView(_ProgramFormMixin, RightRequiredMixin, FormView):
    model = TargetProgram
    action = ADD
    template_name = "targets/program_form.html"
    form_class = ProgramForm


class ProgramUpdateView(_ProgramFormMixin, ScopedObjectViewMixin, FormView):
    model = TargetProgram
    action = CHANGE
    template_name = "targets/program_form.html"
    form_class = ProgramForm

    def editing(self) -> TargetProgram:
        return self.scoped_object_as(TargetProgram)


# --- Coaching lists ---------------------------------------------------------------------------


def _coaching_entries(request: HttpRequest, region: Region, year: int) -> list[Any]:
    return coaching_entries(
        region,
        year,
        enrolments=CoachingEnrolment.objects.restrict(request.user, VIEW),
        enterprises=Enterprise.objects.restrict(request.user, VIEW),
    )


class CoachingView(ScopedViewMixin, TemplateView):
    model = CoachingEnrolment
    template_name = "targets/coaching.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        region = chosen_region(self.request, CoachingEnrolment)
        year = chosen_year(self.request)
        context.update(
            region=region,
            year=year,
            picker=picker_context(user, region),
            years=sorted({program_year() - 1, program_year(), year}),
            form=kwargs.get("form") or CoachingAddForm(),
        )
        if region is not None:
            targets = Target.objects.restrict(user, VIEW).filter(metric=Metric.COACHING)
            context.update(
                entries=_coaching_entries(self.request, region, year),
                table=progress_table(region, year, targets=targets, columns=[COACHING]),
                can_add=region_in_scope(user, region, ADD, CoachingEnrolment),
                can_remove=may_manage(user, DELETE, CoachingEnrolment),
                export_url=region_year_url("targets:coaching_export", region, year),
                here=region_year_url("targets:coaching", region, year),
            )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        region = chosen_region(request, CoachingEnrolment, ADD)
        if region is None:
            raise Http404
        year = chosen_year(request)
        form = CoachingAddForm(request.POST)
        if form.is_valid():
            enterprise = find_enterprise(request.user, form.cleaned_data["enterprise"], region)
            if enterprise is None:
                form.add_error(
                    "enterprise",
                    _("No enterprise in %(region)s has this code or name.") % {"region": region.full_name},
                )
            else:
                enrolment = save_through(
                    form,
                    lambda: coaching_add(
                        user=signed_in_user(request), enterprise=enterprise, year=year, note=form.cleaned_data["note"]
                    ),
                    out_of_scope=_("This enterprise is outside your region."),
                    out_of_scope_field="enterprise",
                )
                if enrolment is not None:
                    messages.success(
                        request,
                        _("%(name)s added to the coaching list of %(year)d.") % {"name": enterprise.name, "year": year},
                    )
                    return HttpResponseRedirect(region_year_url("targets:coaching", region, year))
        return self.render_to_response(self.get_context_data(form=form))


class CoachingRemoveView(ScopedObjectViewMixin, View):
    model = CoachingEnrolment
    action = DELETE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        enrolment = self.scoped_object_as(CoachingEnrolment)
        region: Region = enrolment.enterprise.region
        code = request.POST.get("region", "")
        if code:
            chosen = Region.objects.filter(pk=code).first()
            if chosen is not None and region_in_scope(request.user, chosen, VIEW, CoachingEnrolment):
                region = chosen
        year, name = enrolment.year, enrolment.enterprise.name
        coaching_remove(user=request.user, enrolment=enrolment)
        messages.success(request, _("%(name)s removed from the coaching list.") % {"name": name})
        return HttpResponseRedirect(region_year_url("targets:coaching", region, year))


class CoachingExportView(ScopedViewMixin, View):
    model = CoachingEnrolment

    def get(self, request: HttpRequest) -> HttpResponseBase:
        region = chosen_region(request, CoachingEnrolment)
        if region is None:
            raise Http404
        year = chosen_year(request)
        entries = _coaching_entries(request, region, year)
        return xlsx_response(
            lambda target: coaching_export(region, year, entries, target), f"coaching-{region.code}-{year}.xlsx"
        )
