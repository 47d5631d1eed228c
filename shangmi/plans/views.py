"""Pages of plan supervision, declared on the kit: rows come from restrict() (a stranger gets
404 whatever the method), writes from services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_today, stamp
from shangmi.core.errors import AppError, Message
from shangmi.core.lists import FilteredRowsMixin, ScopedExportView, ScopedListView
from shangmi.core.scoping import CHANGE, VIEW, in_scope
from shangmi.core.views import ScopedActionView, ScopedFileView, ScopedObjectViewMixin, refusals_as_messages
from shangmi.core.xlsx import xlsx_response
from shangmi.plans import services
from shangmi.plans.compilation import compilation_docx, compilation_pdf
from shangmi.plans.exporting import tasks_export
from shangmi.plans.filters import TaskFilter
from shangmi.plans.forms import DecisionForm, ExtensionForm, NoteForm, ReportForm
from shangmi.plans.models import Extension, Plan, ReportFile, Task
from shangmi.plans.selectors import compilation_open, current_phase, plan_page
from shangmi.plans.status import LABELS, report_missing, task_colour

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BAD_FORM = Message("plans.bad_form", _("Check what you typed: %(errors)s"))
NOT_YET = Message("plans.compilation_not_yet", _("The results are compiled from the summary phase on (%(day)s)."))


def _form_errors(form: Any) -> str:
    return "; ".join(f"{form.fields[name].label or name}: {' '.join(errors)}" for name, errors in form.errors.items())


# --- plans -------------------------------------------------------------------------------------------


class PlanListView(ScopedListView):
    model = Plan
    template_name = "plans/plan_list.html"
    ordering = ("-starts_on", "code")

    def base_queryset(self) -> QuerySet[Plan]:
        return self.get_queryset().select_related("region").prefetch_related("phases")

    def page_context(self, page: Any) -> dict[str, Any]:
        today = program_today()
        return {"phases": {plan.pk: current_phase(plan, today) for plan in page.object_list}}


class PlanDetailView(ScopedObjectViewMixin, TemplateView):
    model = Plan
    template_name = "plans/plan_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan = self.scoped_object_as(Plan)
        context.update(page=plan_page(signed_in_user(self.request), plan), plan=plan, labels=LABELS)
        return context


class CompilationView(ScopedObjectViewMixin, View):
    """The results compilation (Word or PDF), for the owner bureau, from the summary phase on."""

    model = Plan
    action = CHANGE
    kind = "docx"

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        plan = self.scoped_object_as(Plan)
        with refusals_as_messages(request) as outcome:
            if not compilation_open(plan, program_today()):
                summary = plan.phases.filter(summary=True).first()
                raise AppError(NOT_YET, day=summary.starts_on.isoformat() if summary and summary.starts_on else "—")
        if not outcome.ok:
            return redirect(plan)
        name = f"{plan.title}-成果汇编-{stamp()}.{self.kind}"
        if self.kind == "pdf":
            response = HttpResponse(compilation_pdf(plan), content_type="application/pdf")
        else:
            response = HttpResponse(compilation_docx(plan), content_type=DOCX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


# --- tasks -------------------------------------------------------------------------------------------


class TaskRows(FilteredRowsMixin):
    model = Task
    filterset_class = TaskFilter
    ordering = ("plan", "number")

    def base_queryset(self) -> QuerySet[Task]:
        return self.get_queryset().select_related("plan", "lead_unit", "phase").prefetch_related("co_units")


class TaskListView(TaskRows, ScopedListView):
    template_name = "plans/task_list.html"

    def page_context(self, page: Any) -> dict[str, Any]:
        today = program_today()
        return {"colours": {task.pk: task_colour(task, today) for task in page.object_list}, "labels": LABELS}


class TaskExportView(TaskRows, ScopedExportView):
    def export(self, rows: QuerySet[Task]) -> HttpResponseBase:
        return xlsx_response(lambda target: tasks_export(rows, target), "督查任务.xlsx")


class TaskDetailView(ScopedObjectViewMixin, TemplateView):
    model = Task
    template_name = "plans/task_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        task = self.scoped_object_as(Task)
        today = program_today()
        reports = list(task.reports.select_related("unit", "reported_by").prefetch_related("files"))
        last = reports[-1].reported_on if reports else None
        unit = services.unit_of(user, task)
        lead = unit is not None and unit.pk == task.lead_unit_id
        open_ = task.status != Task.Status.DONE
        context.update(
            task=task,
            plan=task.plan,
            colour=task_colour(task, today),
            labels=LABELS,
            report_missing=report_missing(task, today, last),
            reports=reports,
            extensions=list(task.extensions.select_related("asked_by", "decided_by")),
            co_units=list(task.co_units.all()),
            unit=unit,
            can_report=unit is not None and open_,
            can_extend=lead and open_ and today <= task.due_on,
            can_claim=lead and task.status == Task.Status.OPEN,
            owner=in_scope(task, user, CHANGE),
            report_form=ReportForm(),
            extension_form=ExtensionForm(),
            today=today,
        )
        return context


class TaskActionView(ScopedActionView):
    """A POST that runs one service on the task of the URL; refusals become messages. A unit's
    member reads the task (VIEW); the service checks that they act for one of its units."""

    model = Task
    action = VIEW


class TaskReportView(TaskActionView):
    def run(self, user: Any, task: Task) -> str:
        form = ReportForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise AppError(BAD_FORM, errors=_form_errors(form))
        data = services.ReportInput(progress=form.cleaned_data["progress"], text=form.cleaned_data["text"])
        services.task_report(user=user, task=task, data=data, files=form.cleaned_data["attachments"])
        return _("Progress reported.")


class TaskExtendView(TaskActionView):
    def run(self, user: Any, task: Task) -> str:
        form = ExtensionForm(self.request.POST)
        if not form.is_valid():
            raise AppError(BAD_FORM, errors=_form_errors(form))
        services.extension_ask(
            user=user, task=task, reason=form.cleaned_data["reason"], new_due=form.cleaned_data["new_due"]
        )
        return _("More time asked; the owner decides.")


class TaskClaimView(TaskActionView):
    def run(self, user: Any, task: Task) -> str:
        services.task_claim_done(user=user, task=task)
        return _("Reported done; the owner confirms it.")


class TaskConfirmView(TaskActionView):
    action = CHANGE

    def run(self, user: Any, task: Task) -> str:
        services.task_confirm(user=user, task=task)
        return _("Task confirmed done.")


class TaskSendBackView(TaskActionView):
    action = CHANGE

    def run(self, user: Any, task: Task) -> str:
        form = NoteForm(self.request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        services.task_send_back(user=user, task=task, note=note)
        return _("Task sent back to its lead unit.")


class ExtensionDecideView(ScopedObjectViewMixin, View):
    model = Extension
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        extension = self.scoped_object_as(Extension)
        form = DecisionForm(request.POST)
        with refusals_as_messages(request) as outcome:
            if not form.is_valid():
                raise AppError(BAD_FORM, errors=_form_errors(form))
            services.extension_decide(
                user=signed_in_user(request),
                extension=extension,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        if outcome.ok:
            messages.success(request, _("Request decided."))
        return redirect(extension.task)


class ReportFileView(ScopedFileView):
    model = ReportFile
