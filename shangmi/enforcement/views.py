"""Pages of the enforcement app, declared on the kit: rows come from restrict() (a stranger
gets 404 whatever the method), writes from services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_today
from shangmi.core.forms import save_through
from shangmi.core.lists import FilteredRowsMixin, ScopedExportView, ScopedListView
from shangmi.core.scoping import ADD, CHANGE, VIEW, in_scope, may
from shangmi.core.views import (
    RightRequiredMixin,
    ScopedFileView,
    ScopedObjectViewMixin,
    ScopedViewMixin,
    refusals_as_messages,
)
from shangmi.core.xlsx import xlsx_response
from shangmi.enforcement import services
from shangmi.enforcement.exporting import demands_export
from shangmi.enforcement.filters import DemandFilter
from shangmi.enforcement.forms import DeadlineForm, DemandForm, RateForm
from shangmi.enforcement.models import CalendarYear, Demand, DemandAttachment, LegalRule
from shangmi.enforcement.workdays import deadline

# --- the calendar and the rules --------------------------------------------------------------


class CalendarView(ScopedViewMixin, TemplateView):
    """The loaded calendars and rules, and the deadline question staff ask most."""

    model = CalendarYear
    template_name = "enforcement/calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = DeadlineForm(self.request.GET or None)
        due = deadline(form.cleaned_data["start"], form.cleaned_data["working_days"]) if form.is_valid() else None
        context.update(
            form=form,
            due=due,
            years=self.get_queryset(),
            rules=LegalRule.objects.restrict(self.request.user, VIEW).order_by("code", "effective_from"),
        )
        return context


# --- demands -----------------------------------------------------------------------------------


class DemandRows(FilteredRowsMixin):
    model = Demand
    filterset_class = DemandFilter
    ordering = ("-filed_at", "-pk")

    def base_queryset(self) -> QuerySet[Demand]:
        return self.get_queryset().select_related("enterprise", "region", "handler")


class DemandListView(DemandRows, ScopedListView):
    template_name = "enforcement/demand_list.html"

    def page_context(self, page: Page) -> dict[str, Any]:
        return {
            "today": program_today(),
            "can_add": may(self.request.user, ADD, Demand),
            "statuses": Demand.Status.choices,
        }


class DemandExportView(DemandRows, ScopedExportView):
    def export(self, rows: QuerySet[Demand]) -> HttpResponseBase:
        return xlsx_response(lambda target: demands_export(rows, target), "维权诉求台账.xlsx")


class DemandCreateView(RightRequiredMixin, TemplateView):
    model = Demand
    action = ADD
    template_name = "enforcement/demand_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": DemandForm(user=request.user)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = DemandForm(request.POST, request.FILES, user=user)
        demand = None
        if form.is_valid():
            demand = save_through(
                form,
                lambda: services.demand_file(
                    user=user, data=form.demand_input(), files=form.cleaned_data["attachments"]
                ),
                out_of_scope_field="enterprise",
            )
        if demand is None:
            return self.render_to_response({"form": form})
        messages.success(request, _("Demand filed."))
        return HttpResponseRedirect(demand.get_absolute_url())


class DemandDetailView(ScopedObjectViewMixin, TemplateView):
    model = Demand
    template_name = "enforcement/demand_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        demand = self.scoped_row(self.kwargs["pk"])
        bureau = services.is_bureau(user)
        events = demand.events.select_related("actor")
        if not bureau:
            events = events.filter(internal=False)
        can_change = bureau and in_scope(demand, user, CHANGE)
        context.update(
            demand=demand,
            events=events,
            attachments=demand.attachments.all(),
            bureau=bureau,
            can_handle=can_change and demand.is_open,
            can_note=can_change,
            handlers=services.handler_choices(demand) if can_change and demand.is_open else (),
            can_rate=(
                demand.status == Demand.Status.ANSWERED
                and user.enterprise_id == demand.enterprise_id
                and may(user, CHANGE, Demand)
            ),
            today=program_today(),
            overdue=demand.overdue_on(program_today()),
            clue=getattr(demand, "clue", None),
        )
        return context


class DemandActionView(ScopedObjectViewMixin, View):
    """A POST that runs one service on the demand of the URL; refusals become messages."""

    model = Demand
    action = CHANGE
    http_method_names = ["post"]

    def run(self, user: Any, demand: Demand) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        demand = self.scoped_row(pk)
        with refusals_as_messages(request) as outcome:
            done = self.run(signed_in_user(request), demand)
        if outcome.ok:
            messages.success(request, done)
        return redirect(demand)


class DemandAssignView(DemandActionView):
    def run(self, user: Any, demand: Demand) -> str:
        handler = services.handler_choices(demand).filter(pk=_int(self.request.POST.get("handler"))).first()
        if handler is None:
            raise services.AppError(services.DEMAND_HANDLER, name=self.request.POST.get("handler", ""))
        services.demand_assign(user=user, demand=demand, handler=handler)
        return _("Handler assigned.")


class DemandAnswerView(DemandActionView):
    def run(self, user: Any, demand: Demand) -> str:
        services.demand_answer(user=user, demand=demand, answer=self.request.POST.get("answer", ""))
        return _("Answer recorded; the enterprise sees it now.")


class DemandNoteView(DemandActionView):
    def run(self, user: Any, demand: Demand) -> str:
        services.demand_note(user=user, demand=demand, note=self.request.POST.get("note", ""))
        return _("Note added.")


class DemandRateView(DemandActionView):
    def run(self, user: Any, demand: Demand) -> str:
        form = RateForm(self.request.POST)
        if not form.is_valid():
            raise services.AppError(services.DEMAND_RATING, field="rating")
        services.demand_rate(
            user=user, demand=demand, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        )
        return _("Thank you for rating the answer.")


class DemandAttachView(DemandActionView):
    action = VIEW

    def run(self, user: Any, demand: Demand) -> str:
        services.demand_attach(user=user, demand=demand, files=self.request.FILES.getlist("files"))
        return _("File attached.")


class DemandAttachmentView(ScopedFileView):
    model = DemandAttachment


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
