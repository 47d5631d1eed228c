"""Pages of the enforcement app, declared on the kit: rows come from restrict() (a stranger
gets 404 whatever the method), writes from services.py."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import PROGRAM_TZ, program_now, program_today
from shangmi.core.forms import save_through
from shangmi.core.lists import FilteredRowsMixin, ScopedExportView, ScopedListView
from shangmi.core.scoping import ADD, CHANGE, VIEW, in_scope, may
from shangmi.core.views import (
    RightRequiredMixin,
    ScopedActionView,
    ScopedFileView,
    ScopedObjectViewMixin,
    ScopedViewMixin,
    refusals_as_messages,
)
from shangmi.core.xlsx import xlsx_response
from shangmi.enforcement import documents, procedure, rules, services, tallies
from shangmi.enforcement.challenge import challenge_issue
from shangmi.enforcement.documents import transfer_letter_docx, transfer_letter_pdf
from shangmi.enforcement.exporting import demands_export
from shangmi.enforcement.filters import (
    CaseFilter,
    ClueFilter,
    DemandFilter,
    IncomingFilter,
    MediationFilter,
    TransferFilter,
)
from shangmi.enforcement.forms import ClueReportForm, DeadlineForm, DemandForm, MediationForm, RateForm, TrackForm
from shangmi.enforcement.models import (
    CalendarYear,
    Case,
    ChecklistEntry,
    Clue,
    ClueAttachment,
    Demand,
    DemandAttachment,
    EvidenceAttachment,
    EvidenceItem,
    IncomingCase,
    IncomingDocument,
    LegalRule,
    Measure,
    Mediation,
    PenaltyNotice,
    ServiceRecord,
    Transfer,
)
from shangmi.enforcement.procedure import EvidenceInput, ReportInput, ServiceInput
from shangmi.enforcement.workdays import deadline
from shangmi.regions.chooser import chosen_region, chosen_year
from shangmi.regions.picker import picker_context

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
            can_load=may(self.request.user, ADD, CalendarYear),
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


class DemandActionView(ScopedActionView):
    """A POST that runs one service on the demand of the URL; refusals become messages."""

    model = Demand
    action = CHANGE


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


class DemandToClueView(DemandActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        demand = self.scoped_row(pk)
        with refusals_as_messages(request) as outcome:
            clue = services.demand_to_clue(user=signed_in_user(request), demand=demand)
        if outcome.ok:
            messages.success(request, _("The demand is now a clue."))
            return redirect(clue)
        return redirect(demand)


class DemandAttachmentView(ScopedFileView):
    model = DemandAttachment


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- public clue reporting -----------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The sender's address: behind SHANGMI_PROXY_COUNT trusted proxies, the one they saw."""
    count = settings.SHANGMI_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return str(request.META.get("REMOTE_ADDR", ""))


class ClueReportView(TemplateView):
    """Anyone, without an account, reports an infringement; the page answers with the
    tracking code once. ``model`` names what it writes, for the scope walk."""

    model = Clue
    template_name = "enforcement/clue_report.html"

    def with_challenge(self, form: ClueReportForm) -> HttpResponse:
        # A new question each time: a refused answer cannot be retried on the same one.
        challenge = challenge_issue()
        return self.render_to_response({"form": form, "question": challenge.question, "token": challenge.token})

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.with_challenge(ClueReportForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ClueReportForm(request.POST, request.FILES)
        result = None
        if form.is_valid() and not form.cleaned_data.get("website"):
            data = form.cleaned_data
            result = save_through(
                form,
                lambda: services.clue_report(
                    data=services.ClueInput(
                        district=data["district"], against=data["against"], description=data["description"],
                        real_name=data["real_name"], reporter_name=data["reporter_name"],
                        reporter_contact=data["reporter_contact"],
                    ),
                    files=data["attachments"], address=client_address(request),
                    challenge_token=data["token"], challenge_answer=data["answer"],
                ),
                out_of_scope_field=None,
            )  # fmt: skip
        if result is None:
            return self.with_challenge(form)
        clue, code = result
        return self.response_class(
            request=request,
            template="enforcement/clue_reported.html",
            context={"code": code, "clue": clue},
            headers={"Cache-Control": "no-store"},
        )


class ClueTrackView(TemplateView):
    """The reporter's page: the status and the bureau's answer for a tracking code, nothing
    more (no reporter, no notes, no files). The code is posted, never put in a URL."""

    model = Clue
    template_name = "enforcement/clue_track.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": TrackForm()})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = TrackForm(request.POST)
        clue = services.clue_tracked(form.cleaned_data["code"]) if form.is_valid() else None
        if form.is_valid() and clue is None:
            form.add_error("code", _("No clue has this tracking code."))
        return self.render_to_response({"form": form, "clue": clue}, headers={"Cache-Control": "no-store"})


# --- clues: the bureau's side --------------------------------------------------------------------


class ClueRows(FilteredRowsMixin):
    model = Clue
    filterset_class = ClueFilter
    ordering = ("-received_at", "-pk")

    def base_queryset(self) -> QuerySet[Clue]:
        return self.get_queryset().select_related("region")


class ClueListView(ClueRows, ScopedListView):
    template_name = "enforcement/clue_list.html"

    def page_context(self, page: Page) -> dict[str, Any]:
        return {"today": program_today(), "statuses": Clue.Status.choices}


class ClueDetailView(ScopedObjectViewMixin, TemplateView):
    model = Clue
    template_name = "enforcement/clue_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        clue = self.scoped_row(self.kwargs["pk"])
        user = signed_in_user(self.request)
        today = program_today()
        can_change = in_scope(clue, user, CHANGE)
        context.update(
            clue=clue,
            today=today,
            events=clue.events.select_related("actor"),
            attachments=clue.attachments.all(),
            can_change=can_change,
            screening_overdue=clue.screening_overdue(today),
            notice_overdue=clue.notice_overdue(today),
            clue_case=Case.objects.filter(clue=clue).first(),
            conditions=(
                (1, _("There is prima facie evidence of a violation")),
                (2, _("An administrative penalty applies by law")),
                (3, _("The case is within this bureau's jurisdiction")),
                (4, _("The limitation period has not run out")),
            ),
            investigators=(
                services.investigator_choices(clue.region).order_by("role", "full_name", "pk")
                if can_change and clue.status == Clue.Status.OPENED
                else ()
            ),
            others=(
                Clue.objects.restrict(user, CHANGE).filter(status=Clue.Status.RECEIVED).exclude(pk=clue.pk)[:50]
                if can_change and clue.is_open
                else ()
            ),
        )
        return context


class ClueActionView(ScopedActionView):
    model = Clue
    action = CHANGE

    def after(self, row: Any) -> str:
        # Forwarded away: no longer ours to see.
        return (
            str(row.get_absolute_url()) if in_scope(row, self.request.user, VIEW) else reverse("enforcement:clue_list")
        )


class ClueExtendView(ClueActionView):
    def run(self, user: Any, clue: Clue) -> str:
        services.clue_extend(user=user, clue=clue, reason=self.request.POST.get("reason", ""))
        return _("Screening extended by the approved period.")


class ClueStopView(ClueActionView):
    def run(self, user: Any, clue: Clue) -> str:
        services.clue_stop_clock(user=user, clue=clue, reason=self.request.POST.get("reason", ""))
        return _("The clock is stopped.")


class ClueResumeView(ClueActionView):
    def run(self, user: Any, clue: Clue) -> str:
        services.clue_resume_clock(user=user, clue=clue)
        return _("The clock runs again; the deadline moved by the days it stood.")


class ClueDecideView(ClueActionView):
    def run(self, user: Any, clue: Clue) -> str:
        post = self.request.POST
        services.clue_decide(
            user=user,
            clue=clue,
            open_case=post.get("decision") == "open",
            reason=post.get("reason", ""),
            public_answer=post.get("public_answer", ""),
        )
        return _("Decision recorded.")


class ClueNotifyView(ClueActionView):
    def run(self, user: Any, clue: Clue) -> str:
        services.clue_notified(user=user, clue=clue, how=self.request.POST.get("how", ""))
        return _("Notice to the reporter recorded.")


class ClueForwardView(ClueActionView):
    def run(self, user: Any, clue: Clue) -> str:
        to = services.district_named(self.request.POST.get("to", ""))
        if to is None:
            raise services.AppError(services.CLUE_FORWARD, field="to")
        services.clue_forward(user=user, clue=clue, to=to, reason=self.request.POST.get("reason", ""))
        return _("Clue forwarded to %(region)s.") % {"region": to.full_name}


class ClueMergeView(ClueActionView):
    def run(self, user: Any, clue: Clue) -> str:
        into = Clue.objects.filter(pk=_int(self.request.POST.get("into")) or 0).first()
        if into is None:
            raise services.AppError(services.CLUE_MERGE, field="into")
        services.clue_merge(user=user, clue=clue, into=into)
        return _("Clue merged.")


class ClueAttachmentView(ScopedFileView):
    model = ClueAttachment


class CaseOpenView(ClueActionView):
    """立案 from a clue decided as 'case opened': the four conditions ticked, two investigators."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        clue = self.scoped_row(pk)
        post = request.POST
        case = None
        with refusals_as_messages(request) as outcome:
            act_date = _date(post.get("act_date"))
            loss = _amount(post.get("loss_amount"))
            if act_date is None:
                raise services.AppError(services.CASE_ACT_DATE, field="act_date")
            officers = list(services.investigator_choices(clue.region).filter(pk__in=_ints(post.getlist("officers"))))
            case = services.case_open(
                user=signed_in_user(request),
                clue=clue,
                data=services.CaseOpening(
                    party=post.get("party", ""),
                    act_date=act_date,
                    officers=officers,
                    conditions=tuple(post.get(f"condition_{n}") == "on" for n in range(1, 5)),  # type: ignore[arg-type]
                    loss_amount=loss,
                    prior_penalty=post.get("prior_penalty") == "on",
                ),
            )
        if outcome.ok and case is not None:
            messages.success(request, _("Case opened."))
            return redirect(case)
        return redirect(clue)


class CaseRows(FilteredRowsMixin):
    model = Case
    filterset_class = CaseFilter
    ordering = ("-opened_on", "-pk")

    def base_queryset(self) -> QuerySet[Case]:
        return self.get_queryset().select_related("region")


class CaseListView(CaseRows, ScopedListView):
    template_name = "enforcement/case_list.html"

    def page_context(self, page: Page) -> dict[str, Any]:
        return {"today": program_today(), "statuses": Case.Status.choices, "stages": Case.Stage.choices}


class CaseDetailView(ScopedObjectViewMixin, TemplateView):
    model = Case
    template_name = "enforcement/case_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = self.scoped_row(self.kwargs["pk"])
        today = program_today()
        user = signed_in_user(self.request)
        can_change = in_scope(case, user, CHANGE)
        officers = list(case.officers.all())
        context.update(procedure.case_file(case))
        context["papers"] = documents.case_papers(case)
        context.update(
            case=case,
            today=today,
            officers=officers,
            events=case.events.select_related("actor"),
            can_change=can_change,
            # The investigators record evidence, the checklist and the report; the bureau the rest.
            can_investigate=case.stage == Case.Stage.INVESTIGATION
            and case.is_open
            and (can_change or any(o.pk == user.pk for o in officers)),
            evidence_kinds=EvidenceItem.Kind.choices,
            fixings=EvidenceItem.Fixing.choices,
            checklist_groups=ChecklistEntry.Group.choices,
            measure_kinds=Measure.Kind.choices,
            measure_outcomes=Measure.Outcome.choices,
            responses=[c for c in PenaltyNotice.Response.choices if c[0]],
            service_modes=ServiceRecord.Mode.choices,
            chairs=(
                services.investigator_choices(case.region)
                .exclude(pk__in=[o.pk for o in officers])
                .order_by("full_name")
                if can_change and case.stage == Case.Stage.HEARING
                else ()
            ),
            overdue=case.overdue_on(today),
            late_reports={m.pk for m in context["measures"] if m.report_late(program_now())},
            transfer=services.case_proposes_transfer(case),
            decisions=Case.Decision.choices,
            transfers=case.transfers.select_related("receiver"),
            organs=Transfer.Organ.choices,
            liaisons=services.liaison_choices() if in_scope(case, self.request.user, CHANGE) and case.is_open else (),
        )
        return context


class CaseActionView(ScopedActionView):
    model = Case
    action = CHANGE


class CaseSuspendView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        services.case_suspend(user=user, case=case, reason=self.request.POST.get("reason", ""))
        return _("The case is suspended; its clock stands.")


class CaseResumeView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        services.case_resume(user=user, case=case)
        return _("The case resumes; the deadline moved by the days it stood.")


class CaseExtendView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        collective = None
        if post.get("collective") == "on":
            collective = _int(post.get("collective_days")) or 0
        services.case_extend(user=user, case=case, reason=post.get("reason", ""), collective_days=collective)
        return _("The limit is extended.")


class CaseDecideView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        fine = None
        if post.get("decision") == Case.Decision.PENALTY:
            fine = _amount(post.get("fine"))
            if fine is None:
                allowed = rules.fine_range(case.act_date, serious=post.get("serious") == "on")
                raise services.AppError(
                    procedure.CASE_FINE, field="fine", low=allowed.low, high=allowed.high, source=allowed.source
                )
        procedure.case_decide(
            user=user, case=case, decision=post.get("decision", ""), fine=fine, serious=post.get("serious") == "on",
            number=post.get("number", ""),
        )  # fmt: skip
        return _("Decision recorded.")


class CaseEvidenceView(CaseActionView):
    action = VIEW  # an investigating officer reads the case and records its evidence

    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        procedure.evidence_add(
            user=user,
            case=case,
            data=EvidenceInput(
                kind=post.get("kind", ""), title=post.get("title", ""), source=post.get("source", ""),
                obtained_on=_date(post.get("obtained_on")), fixing=post.get("fixing", ""),
                fixing_detail=post.get("fixing_detail", ""), files=self.request.FILES.getlist("files"),
            ),
        )  # fmt: skip
        return _("Evidence recorded.")


class CaseEvidenceAttachView(CaseActionView):
    action = VIEW  # as recording evidence: the investigators or the bureau

    def run(self, user: Any, case: Case) -> str:
        item = case.evidence.filter(pk=_int(self.request.POST.get("item")) or 0).first()
        procedure.evidence_attach(user=user, case=case, item=item, files=self.request.FILES.getlist("files"))
        return _("Files added to the evidence.")


class EvidenceFileView(ScopedFileView):
    """A file of the evidence, for those who read the case alone."""

    model = EvidenceAttachment


class CaseChecklistView(CaseActionView):
    action = VIEW

    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        procedure.checklist_record(
            user=user, case=case, group=post.get("group", ""), finding=post.get("finding", ""),
            evidence=_ints(post.getlist("evidence")),
        )  # fmt: skip
        return _("Checklist item recorded.")


class CaseReportView(CaseActionView):
    action = VIEW

    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        fine = _amount(post.get("proposed_fine")) if post.get("proposal") == Case.Decision.PENALTY else None
        procedure.report_submit(
            user=user,
            case=case,
            data=ReportInput(
                facts=post.get("facts", ""), grounds=post.get("grounds", ""), proposal=post.get("proposal", ""),
                proposed_fine=fine, serious=post.get("serious") == "on",
            ),
        )  # fmt: skip
        return _("Report submitted for legal review.")


class CaseReviewView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        approve = post.get("outcome") == "approve"
        procedure.report_review(user=user, case=case, approve=approve, opinion=post.get("opinion", ""))
        return _("Review approved.") if approve else _("Report returned to the investigators.")


class CaseMeasureView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        procedure.measure_start(
            user=user, case=case, kind=post.get("kind", ""), items=post.get("items", ""),
            approval=post.get("approval", ""), started_on=_date(post.get("started_on")),
            on_site=post.get("on_site") == "on", taken_at=_moment(post.get("taken_at")),
        )  # fmt: skip
        return _("Measure recorded; its deadline is on the case page.")


class CaseMeasureReportView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        measure = get_object_or_404(Measure, pk=_int(post.get("measure")) or 0, case=case)
        procedure.measure_report(user=user, case=case, measure=measure, approval=post.get("approval", ""))
        return _("The on-site measure is reported to the head.")


def _moment(value: str | None) -> datetime.datetime | None:
    """A day and hour typed in the form, in the program's time zone."""
    try:
        return datetime.datetime.fromisoformat(value or "").replace(tzinfo=PROGRAM_TZ)
    except ValueError:
        return None


class CaseMeasureDecideView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        measure = get_object_or_404(Measure, pk=_int(post.get("measure")) or 0, case=case)
        if post.get("extend") == "on":
            procedure.measure_extend(user=user, case=case, measure=measure, reason=post.get("note", ""))
            return _("The seizure is extended.")
        procedure.measure_decide(
            user=user, case=case, measure=measure, outcome=post.get("outcome", ""), note=post.get("note", "")
        )
        return _("Decision on the measure recorded.")


class CaseAppraisalView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        appraisal_pk = _int(post.get("appraisal"))
        if appraisal_pk is not None:
            appraisal = get_object_or_404(case.appraisals, pk=appraisal_pk)
            procedure.appraisal_finish(user=user, case=case, appraisal=appraisal, conclusion=post.get("conclusion", ""))
            return _("Appraisal concluded; the clock runs again.")
        procedure.appraisal_start(
            user=user, case=case, institution=post.get("institution", ""), matters=post.get("matters", "")
        )
        return _("Appraisal commissioned; the clock stands until its conclusion.")


def _service(request: HttpRequest) -> ServiceInput:
    post = request.POST
    return ServiceInput(
        mode=post.get("mode", ""), recipient=post.get("recipient", ""), delivered_on=_date(post.get("delivered_on")),
        proof=request.FILES.get("proof"), address_confirmed=post.get("address_confirmed") == "on",
    )  # fmt: skip


class CaseNoticeView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        serious = post.get("serious") == "on"
        fine = _amount(post.get("fine"))
        procedure.notice_serve(
            user=user, case=case, fine=fine, serious=serious, content=post.get("content", ""),
            service=_service(self.request),
        )  # fmt: skip
        return _("Notice served; the party's window is on the case page.")


class CaseRespondView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        procedure.notice_respond(
            user=user, case=case, response=post.get("response", ""), on=_date(post.get("on")),
            note=post.get("note", ""),
        )  # fmt: skip
        return _("The party's response is recorded.")


class CaseHearingView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        if post.get("held") == "on":
            procedure.hearing_held(
                user=user, case=case, held_on=_date(post.get("held_on")), report=post.get("report", ""),
                signed=post.get("signed") == "on",
            )  # fmt: skip
            return _("Hearing recorded; the clock runs again.")
        chair = services.investigator_choices(case.region).filter(pk=_int(post.get("chair")) or 0).first()
        procedure.hearing_schedule(
            user=user, case=case, chair=chair, on=_date(post.get("on")), place=post.get("place", ""),
            public=post.get("public") == "on",
        )  # fmt: skip
        return _("Hearing scheduled.")


class CaseServeView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        procedure.case_serve(user=user, case=case, service=_service(self.request))
        return _("Service of the decision recorded.")


class CasePayView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        procedure.case_pay(
            user=user, case=case, amount=_amount(post.get("amount")), paid_on=_date(post.get("paid_on")),
            receipt=post.get("receipt", ""),
        )  # fmt: skip
        return _("Payment recorded.")


class CaseCloseView(CaseActionView):
    def run(self, user: Any, case: Case) -> str:
        post = self.request.POST
        procedure.case_close(
            user=user, case=case, opinion=post.get("opinion", ""), court_enforcement=post.get("court") == "on"
        )
        return _("Case closed.")


class ServiceProofView(ScopedFileView):
    model = ServiceRecord


def _ints(values: list[str]) -> list[int]:
    return [n for n in (_int(v) for v in values) if n is not None]


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _amount(value: str | None) -> Decimal | None:
    """An amount typed in yuan ("1,200,000" or "1200000.50"); None when it is not a number."""
    try:
        amount = Decimal((value or "").replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


class TransferProposeView(CaseActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.scoped_row(pk)
        post = request.POST
        transfer = None
        with refusals_as_messages(request) as outcome:
            receiver = services.liaison_choices().filter(pk=_int(post.get("receiver")) or 0).first()
            transfer = services.transfer_propose(
                user=signed_in_user(request), case=case, organ=post.get("organ", ""), receiver=receiver,
                reason=post.get("reason", ""),
            )  # fmt: skip
        if outcome.ok and transfer is not None:
            messages.success(request, _("Transfer proposed; the head decides within 3 days."))
            return redirect(transfer)
        return redirect(case)


class TransferRows(FilteredRowsMixin):
    model = Transfer
    filterset_class = TransferFilter
    ordering = ("-proposed_on", "-pk")

    def base_queryset(self) -> QuerySet[Transfer]:
        return self.get_queryset().select_related("case", "case__region", "receiver")


class TransferListView(TransferRows, ScopedListView):
    template_name = "enforcement/transfer_list.html"

    def page_context(self, page: Page) -> dict[str, Any]:
        return {"statuses": Transfer.Status.choices}


class TransferDetailView(ScopedObjectViewMixin, TemplateView):
    model = Transfer
    template_name = "enforcement/transfer_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        transfer = self.scoped_row(self.kwargs["pk"])
        user = signed_in_user(self.request)
        context.update(
            transfer=transfer,
            case=transfer.case,
            attachments=Transfer.ATTACHMENTS,
            can_send=transfer.status == Transfer.Status.PROPOSED and in_scope(transfer, user, CHANGE),
            is_receiver=transfer.receiver_id == user.pk,
            can_change=in_scope(transfer, user, CHANGE),
            events=transfer.events.select_related("actor"),
            returns=transfer.returns.all(),
            today=program_today(),
        )
        return context


class TransferActionView(ScopedActionView):
    """A step on a transfer; the service decides who may take it (the bureau, or the receiver)."""

    model = Transfer


class TransferSendView(TransferActionView):
    action = CHANGE

    def run(self, user: Any, transfer: Transfer) -> str:
        services.transfer_send(user=user, transfer=transfer, attachments=self.request.POST.getlist("attachments"))
        return _("Transfer sent with its attachments.")


class TransferReceiptView(TransferActionView):
    def run(self, user: Any, transfer: Transfer) -> str:
        services.transfer_receipt(user=user, transfer=transfer)
        return _("Receipt signed.")


class TransferOrganDecideView(TransferActionView):
    def run(self, user: Any, transfer: Transfer) -> str:
        post = self.request.POST
        services.transfer_organ_decide(
            user=user, transfer=transfer, accepted=post.get("decision") == "accept", reason=post.get("reason", "")
        )
        return _("The organ's decision is recorded.")


class TransferReconsiderView(TransferActionView):
    action = CHANGE

    def run(self, user: Any, transfer: Transfer) -> str:
        services.transfer_reconsider(user=user, transfer=transfer, reason=self.request.POST.get("reason", ""))
        return _("Reconsideration requested.")


class TransferReconsiderAnswerView(TransferActionView):
    def run(self, user: Any, transfer: Transfer) -> str:
        post = self.request.POST
        services.transfer_reconsider_answer(
            user=user, transfer=transfer, accepted=post.get("decision") == "accept", reason=post.get("reason", "")
        )
        return _("The answer to the reconsideration is recorded.")


class TransferSupervisionView(TransferActionView):
    action = CHANGE

    def run(self, user: Any, transfer: Transfer) -> str:
        services.transfer_supervision(user=user, transfer=transfer, note=self.request.POST.get("reason", ""))
        return _("Supervision requested from the procuratorate.")


class IncomingListView(ScopedListView):
    model = IncomingCase
    filterset_class = IncomingFilter
    ordering = ("-received_on", "-pk")
    template_name = "enforcement/incoming_list.html"

    def base_queryset(self) -> QuerySet[IncomingCase]:
        return self.get_queryset().select_related("region", "clue")

    def page_context(self, page: Page) -> dict[str, Any]:
        user = signed_in_user(self.request)
        can_add = may(user, ADD, IncomingCase)
        return {
            "kinds": IncomingCase.Kind.choices,
            "organs": Transfer.Organ.choices,
            "can_add": can_add,
            "transfers": (
                Transfer.objects.restrict(user, CHANGE)
                .exclude(status__in=[Transfer.Status.PROPOSED])
                .select_related("case")
                .order_by("-proposed_on", "-pk")[:200]
                if can_add
                else ()
            ),
            "today": program_today(),
        }


class IncomingCreateView(RightRequiredMixin, View):
    """Record a case a judicial organ sent, with its documents; a refusal says why and writes nothing."""

    model = IncomingCase
    action = ADD
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        post = request.POST
        user = signed_in_user(request)
        transfer = Transfer.objects.restrict(user, CHANGE).filter(pk=_int(post.get("transfer")) or 0).first()
        data = services.IncomingInput(
            kind=post.get("kind", ""), organ=post.get("organ", ""), organ_name=post.get("organ_name", ""),
            document_number=post.get("document_number", ""), received_on=_date(post.get("received_on")),
            party=post.get("party", ""), summary=post.get("summary", ""), documents=request.FILES.getlist("documents"),
            transfer=transfer,
        )  # fmt: skip
        incoming = None
        with refusals_as_messages(request) as outcome:
            incoming = services.incoming_record(user=user, data=data)
        if not outcome.ok or incoming is None:
            return redirect("enforcement:incoming_list")
        messages.success(request, _("Recorded; a clue is made of it for screening."))
        return redirect(incoming)


class IncomingDetailView(ScopedObjectViewMixin, TemplateView):
    model = IncomingCase
    template_name = "enforcement/incoming_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        incoming = self.scoped_row(self.kwargs["pk"])
        context.update(incoming=incoming, documents=incoming.documents.all())
        return context


class IncomingDocumentView(ScopedFileView):
    model = IncomingDocument


class CalendarLoadView(RightRequiredMixin, View):
    """A platform administrator loads a new year's calendar (the file of data/calendars/'s
    shape) when the State Council publishes it; a bad file changes nothing."""

    model = CalendarYear
    action = ADD
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with refusals_as_messages(request) as outcome:
            year = services.calendar_upload(upload=request.FILES.get("calendar"))
        if outcome.ok:
            messages.success(request, _("The calendar of %(year)s is loaded.") % {"year": year.year})
        return redirect("enforcement:calendar")


class TransferLetterView(ScopedObjectViewMixin, View):
    """The 移送书 as a PDF: for the bureau and the receiving liaison alone."""

    model = Transfer

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        transfer = self.scoped_row(pk)
        response = HttpResponse(transfer_letter_pdf(transfer), content_type="application/pdf")
        response["Content-Disposition"] = (
            content_disposition_header(False, f"涉嫌犯罪案件移送书-{transfer.pk}.pdf") or ""
        )
        return response


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX if fmt == "docx" else "application/pdf")
    response["Content-Disposition"] = content_disposition_header(fmt == "docx", filename) or ""
    return response


class TransferLetterWordView(TransferLetterView):
    """The 移送书 as a Word file the bureau edits before sealing it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        transfer = self.scoped_row(pk)
        return _download(transfer_letter_docx(transfer), "docx", f"涉嫌犯罪案件移送书-{transfer.pk}.docx")


class CasePaperView(ScopedObjectViewMixin, View):
    """One official paper of the case (``?kind=...&row=...``, the filing form when none is
    named) as Word or PDF, for those who read the case; a paper the case has not reached is 404."""

    model = Case
    fmt = "pdf"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.scoped_row(pk)
        ref = documents.find_paper(case, request.GET.get("kind") or "filing", _int(request.GET.get("row")))
        if ref is None:
            raise Http404
        return _download(documents.paper_file(ref, self.fmt), self.fmt, documents.paper_filename(case, ref, self.fmt))


class CaseWordPaperView(CasePaperView):
    fmt = "docx"


class CaseVolumeView(ScopedObjectViewMixin, View):
    """The case file's main volume (正卷) as one PDF with its contents."""

    model = Case
    volume = documents.MAIN

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.scoped_row(pk)
        content = documents.volume_file(case, self.volume)
        return _download(content, "pdf", documents.volume_filename(case, self.volume))


class CaseSecondaryVolumeView(CaseVolumeView):
    """The secondary volume (副卷): the bureau's internal papers."""

    volume = documents.SECONDARY


class MediationListView(ScopedListView):
    model = Mediation
    filterset_class = MediationFilter
    ordering = ("-recorded_at", "-pk")
    template_name = "enforcement/mediation_list.html"

    def base_queryset(self) -> QuerySet[Mediation]:
        return self.get_queryset().select_related("enterprise", "region")

    def page_context(self, page: Page) -> dict[str, Any]:
        return {"routes": Mediation.Route.choices, "can_add": may(self.request.user, ADD, Mediation)}


class MediationCreateView(RightRequiredMixin, TemplateView):
    model = Mediation
    action = ADD
    template_name = "enforcement/mediation_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": MediationForm(user=request.user)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = MediationForm(request.POST, user=user)
        row = None
        if form.is_valid():
            data = form.cleaned_data
            row = save_through(
                form,
                lambda: services.mediation_record(
                    user=user,
                    data=services.MediationInput(
                        enterprise=data["enterprise"], route=data["route"], counterparty=data["counterparty"],
                        outcome=data["outcome"], concluded_on=data["concluded_on"], note=data["note"],
                    ),
                ),
                out_of_scope_field="enterprise",
            )  # fmt: skip
        if row is None:
            return self.render_to_response({"form": form})
        messages.success(request, _("Dispute recorded."))
        return redirect("enforcement:mediation_list")


class CaseFiguresMixin(ScopedViewMixin):
    """The enforcement figures of the region and year of the query string
    (shangmi.enforcement.tallies); a region the reader may not read cases in answers 404, as
    a row out of scope does."""

    model = Case

    def figures(self) -> tuple[tallies.CaseFigures | None, int]:
        region = chosen_region(self.request, Case)
        year = chosen_year(self.request)
        reader = signed_in_user(self.request)
        return (tallies.case_figures(region, year, reader=reader) if region is not None else None), year


class CaseFiguresView(CaseFiguresMixin, TemplateView):
    template_name = "enforcement/figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        figures, year = self.figures()
        region = figures.region if figures is not None else None
        context.update(
            figures=figures,
            region=region,
            year=year,
            header=tallies.header(),
            # The page's cells are the export's (tallies.cells), so the two cannot disagree.
            lines=[(row, tallies.cells(row, figures)) for row in figures.lines] if figures is not None else [],
            picker=picker_context(signed_in_user(self.request), region),
        )
        return context


class CaseFiguresExportView(CaseFiguresMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        figures, year = self.figures()
        if figures is None:
            raise Http404
        name = f"执法数据_{figures.region.name}_{year}.xlsx"
        return xlsx_response(lambda target: tallies.figures_export(figures, target), name)
