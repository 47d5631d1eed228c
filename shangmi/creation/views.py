"""Pages of demonstration creation. Thin: every row comes through ``restrict`` (a stranger
gets 404), every step through shangmi.creation.services (which says why a step is refused)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from shangmi.accounts.models import User
from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError
from shangmi.core.forms import save_through
from shangmi.core.lists import ScopedListView, page_of
from shangmi.core.scoping import ADD, CHANGE
from shangmi.core.views import ScopedFileView, ScopedObjectViewMixin, ScopedViewMixin, refusals_as_messages
from shangmi.creation import panel, selectors, services
from shangmi.creation.errors import EditConflict
from shangmi.creation.evidence import evidence_add, evidence_link, evidence_remove
from shangmi.creation.filters import ApplicationFilter
from shangmi.creation.forms import EvidenceForm, InspectionForm, RoundForm
from shangmi.creation.models import Application, EvidenceFile, ExpertAssignment, Inspection, Round, Stage
from shangmi.creation.suggestions import suggestions_for
from shangmi.standards.scoring import score, spec_of

# --- rounds -------------------------------------------------------------------------------


class RoundListView(ScopedViewMixin, TemplateView):
    model = Round
    template_name = "creation/round_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rounds = self.get_queryset().select_related("region", "standard")
        year = self.request.GET.get("year", "")
        if year.isdigit():
            rounds = rounds.filter(year=int(year))
        user = signed_in_user(self.request)
        context.update(
            rounds=rounds,
            year=year,
            years=Round.objects.restrict(user).order_by("-year").values_list("year", flat=True).distinct(),
            can_open=user.role == "regulator" and user.region_id is not None,
            applications=services.visible_applications(user).order_by("-created_at")[:20],
        )
        return context


class RoundCreateView(ScopedViewMixin, TemplateView):
    model = Round
    action = ADD
    template_name = "creation/round_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if isinstance(user, User) and (user.role != "regulator" or user.region_id is None):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": RoundForm(region=signed_in_user(request).region)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = RoundForm(request.POST, region=user.region)
        if form.is_valid():
            data = form.cleaned_data
            round_ = save_through(
                form,
                lambda: services.round_open(
                    user,
                    services.RoundInput(
                        title=data["title"],
                        year=data["year"],
                        demo_type=data["demo_type"],
                        level=data["level"],
                        standard=data["standard"],
                        deadline=data["deadline"],
                        covered_regions=data["covered_regions"],
                        review_days=data["review_days"],
                        validity_years=data["validity_years"],
                        notes=data["notes"],
                    ),
                ),
            )
            if round_ is not None:
                messages.success(request, _("The round is open."))
                return HttpResponseRedirect(reverse("creation:round_detail", args=[round_.pk]))
        return self.render_to_response({"form": form})


class RoundDetailView(ScopedObjectViewMixin, TemplateView):
    model = Round
    template_name = "creation/round_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        round_ = self.scoped_row(kwargs["pk"])
        applications = services.visible_applications(user).filter(round=round_).order_by("region_id", "applicant_name")
        own = own_filter(user)
        context.update(
            round=round_,
            covered=round_.covered_regions.all(),
            page=page_of(self.request, applications, 50),
            can_manage=Round.objects.restrict(user, CHANGE).filter(pk=round_.pk).exists(),
            own_application=applications.filter(**own).first() if own else None,
            may_apply=_may_apply(user, round_),
        )
        return context


def own_filter(user: Any) -> dict[str, Any]:
    """How to find the user's own application in a round (as the applicant)."""
    if user.enterprise_id:
        return {"enterprise_id": user.enterprise_id}
    if user.park_id:
        return {"park_id": user.park_id, "applicant_kind": Application.ApplicantKind.PARK}
    if user.role == "regulator" and user.region_id:
        return {"region_id": user.region_id, "applicant_kind": Application.ApplicantKind.REGION}
    return {}


def _may_apply(user: Any, round_: Round) -> bool:
    try:
        fields = services._applicant_of(user, round_)
    except AppError:  # the account cannot apply in this round: no button
        return False
    # Nor where the round does not reach (a Chongqing enterprise and a Zhejiang round).
    return round_.status == Round.Status.OPEN and services.round_covers(round_, fields["region"])


class RoundCloseView(ScopedObjectViewMixin, View):
    model = Round
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        round_ = self.scoped_row(pk)
        with refusals_as_messages(request) as outcome:
            services.round_close(signed_in_user(request), round_)
        if outcome.ok:
            messages.success(request, _("The round is closed to new applications."))
        return HttpResponseRedirect(reverse("creation:round_detail", args=[pk]))


class ApplicationStartView(ScopedObjectViewMixin, TemplateView):
    """Apply in a round: a confirmation page, then the self-assessment."""

    model = Round
    template_name = "creation/application_start.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["round"] = self.scoped_row(kwargs["pk"])
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        round_ = self.scoped_row(pk)
        with refusals_as_messages(request) as outcome:
            application = services.application_start(signed_in_user(request), round_)
        if not outcome.ok:
            return HttpResponseRedirect(reverse("creation:round_detail", args=[pk]))
        return HttpResponseRedirect(reverse("creation:application_assess", args=[application.pk]))


# --- applications -------------------------------------------------------------------------


class ApplicationMixin(ScopedObjectViewMixin):
    model = Application

    def application(self, pk: int) -> Application:
        return self.scoped_row(pk)


class ApplicationListView(ScopedListView):
    model = Application
    filterset_class = ApplicationFilter
    ordering = ("-created_at",)
    template_name = "creation/application_list.html"

    def base_queryset(self) -> QuerySet[Application]:
        return services.visible_applications(signed_in_user(self.request))

    def page_context(self, page: Page) -> dict[str, Any]:
        return {"status": self.request.GET.get("status", ""), "statuses": Application.Status.choices}


def _score_of(application: Application, met: set[str]) -> Any:
    return score(spec_of(application.standard), met)


def _scores_of(application: Application, *met_sets: set[str]) -> list[Any]:
    """Several totals against the same standard: its spec is read once."""
    spec = spec_of(application.standard)
    return [score(spec, met) for met in met_sets]


def _grouped(rows: list[Any]) -> list[tuple[Any, list[tuple[Any, list[Any]]]]]:
    """Rows of items grouped by category, then criterion, for the standard's table layout."""
    categories: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        item = row.item if hasattr(row, "item") else row
        categories[item.criterion.category][item.criterion].append(row)
    return [(cat, list(crits.items())) for cat, crits in categories.items()]


class ApplicationDetailView(ApplicationMixin, TemplateView):
    template_name = "creation/application_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        application = self.application(kwargs["pk"])
        stage = services.active_stage(application)
        stages = list(application.stages.select_related("region", "reviewer"))
        # The latest stage that has scores, found in one query rather than one per stage.
        scored_ids = set(application.stages.filter(scores__isnull=False).values_list("pk", flat=True).distinct())
        last_scored = next((s for s in reversed(stages) if s.pk in scored_ids), None)
        rows = services.compare(application, last_scored)
        self_score, review_score = _scores_of(
            application,
            {r.item.code for r in rows if r.applicant},
            {r.item.code for r in rows if r.reviewer},
        )
        if last_scored is None:
            review_score = None
        context.update(
            application=application,
            stages=stages,
            stage=stage,
            events=application.events.select_related("actor", "stage__region"),
            inspections=application.inspections.select_related("recorded_by"),
            evidence=application.evidence.prefetch_related("items"),
            groups=_grouped(rows),
            last_scored=last_scored,
            self_score=self_score,
            review_score=review_score,
            is_applicant=selectors.is_applicant_user(user, application),
            can_submit=services.can_submit(user, application) and application.is_editable,
            is_reviewer=services.is_reviewer(user, application, stage),
            title=getattr(application, "title", None) if application.status == Application.Status.APPROVED else None,
            # Who judged it: the bureaus and the expert (their own); never the applicant.
            assignments=panel.assignments_of(application, user),
        )
        return context


class AssessmentView(ApplicationMixin, TemplateView):
    """The applicant's self-assessment, item by item. Each row saves on its own (htmx) with
    the version it loaded; without JavaScript the whole form saves, row by row, the same way."""

    action = CHANGE
    template_name = "creation/assessment.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        if not selectors.is_applicant_user(signed_in_user(request), application):
            messages.info(request, _("Only the applicant fills in the self-assessment."))
            return HttpResponseRedirect(application.get_absolute_url())
        return self.render_to_response(self.context(application))

    def context(self, application: Application, conflicts: dict[str, str] | None = None) -> dict[str, Any]:
        entries = list(
            application.entries.select_related("item__criterion__category", "updated_by").order_by("item__order")
        )
        evidence_by_item: dict[int, list[EvidenceFile]] = defaultdict(list)
        evidence = list(application.evidence.prefetch_related("items"))
        for file in evidence:
            file.linked = {item.code for item in file.items.all()}
            for item in file.items.all():
                evidence_by_item[item.pk].append(file)
        suggested = suggestions_for(application)
        for entry in entries:
            entry.evidence_files = evidence_by_item.get(entry.item_id, [])
            entry.conflict = (conflicts or {}).get(entry.item.code, "")
            entry.suggestion = suggested.get(entry.item.code)
        met = {e.item.code for e in entries if e.met}
        return {
            "application": application,
            "groups": _grouped(entries),
            "evidence": evidence,
            "evidence_form": EvidenceForm(item_codes=[(e.item.code, e.item.code) for e in entries]),
            "item_codes": [e.item.code for e in entries],
            "result": _score_of(application, met),
            "editable": application.is_editable,
            "can_submit": services.can_submit(signed_in_user(self.request), application),
            "answered": sum(1 for e in entries if e.met is not None),
            "total_items": len(entries),
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        changes: dict[str, services.EntryChange] = {}
        for entry in application.entries.select_related("item"):
            code = entry.item.code
            if f"version_{code}" not in request.POST:
                continue
            met, note = _met(request.POST.get(f"met_{code}")), request.POST.get(f"note_{code}", "")
            if met == entry.met and note.strip() == entry.note:
                continue
            version = _version(request.POST[f"version_{code}"])
            if version is None:  # the page never sends one that is not a number: a forged post
                return HttpResponseBadRequest()
            changes[code] = services.EntryChange(met, note, version)
        with refusals_as_messages(request) as outcome:
            result = services.entries_save(signed_in_user(request), application, changes)
        if not outcome.ok:
            return HttpResponseRedirect(application.get_absolute_url())
        conflicts = {code: str(exc) for code, exc in result.conflicts.items()}
        saved = len(result.saved)
        if conflicts:
            messages.warning(request, _("Some items were changed by someone else; they are marked below."))
            return self.render_to_response(self.context(application, conflicts))
        messages.success(request, _("%(count)d items saved.") % {"count": saved})
        return HttpResponseRedirect(reverse("creation:application_assess", args=[pk]))


def _met(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _version(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


class EntrySaveView(ApplicationMixin, View):
    """One row of the self-assessment, saved by htmx; answers the row (and the new total)."""

    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        code = request.POST.get("item", "")
        conflict = ""
        version = _version(request.POST.get(f"version_{code}", "-1"))
        if version is None:  # the page never sends one that is not a number: a forged post
            return HttpResponseBadRequest()
        try:
            entry = services.entry_save(
                signed_in_user(request),
                application,
                code,
                _met(request.POST.get(f"met_{code}")),
                request.POST.get(f"note_{code}", ""),
                version,
            )
        except EditConflict as exc:
            entry, conflict = exc.entry, exc.text
        except AppError as exc:
            # An htmx row: the refusal is the answer's text, shown where the row was.
            return HttpResponse(exc.text, status=400)
        entry.conflict = conflict
        entry.evidence_files = list(application.evidence.filter(items=entry.item))
        entry.suggestion = suggestions_for(application).get(entry.item.code)
        result = _score_of(application, services.self_assessed_codes(application))
        return render(
            request,
            "creation/_assessment_row.html",
            {"entry": entry, "application": application, "editable": True, "result": result, "oob": True},
        )


class EvidenceUploadView(ApplicationMixin, View):
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        codes = list(application.entries.values_list("item__code", flat=True))
        form = EvidenceForm(request.POST, request.FILES, item_codes=[(c, c) for c in codes])
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            with refusals_as_messages(request) as outcome:
                evidence = evidence_add(
                    signed_in_user(request), application, form.cleaned_data["file"], form.cleaned_data["items"]
                )
            if outcome.ok:
                messages.success(request, _("%(name)s uploaded.") % {"name": evidence.original_name})
        return HttpResponseRedirect(reverse("creation:application_assess", args=[pk]))


class EvidenceDownloadView(ScopedFileView):
    model = EvidenceFile


class EvidenceLinkView(ScopedObjectViewMixin, View):
    """Change which items a file supports (the way to take back evidence a reviewer has seen)."""

    model = EvidenceFile
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        evidence = self.scoped_row(pk)
        with refusals_as_messages(request) as outcome:
            evidence_link(signed_in_user(request), evidence, request.POST.getlist("items"))
        if outcome.ok:
            messages.success(request, _("%(name)s: items updated.") % {"name": evidence.original_name})
        return HttpResponseRedirect(reverse("creation:application_assess", args=[evidence.application_id]))


class EvidenceDeleteView(ScopedObjectViewMixin, View):
    model = EvidenceFile
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        evidence = self.scoped_row(pk)
        application_pk = evidence.application_id
        with refusals_as_messages(request):
            evidence_remove(signed_in_user(request), evidence)
        return HttpResponseRedirect(reverse("creation:application_assess", args=[application_pk]))


class SubmitView(ApplicationMixin, View):
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        with refusals_as_messages(request) as outcome:
            services.submit(signed_in_user(request), application)
        if not outcome.ok:
            return HttpResponseRedirect(reverse("creation:application_assess", args=[pk]))
        messages.success(request, _("Submitted. The self-assessment is now locked."))
        return HttpResponseRedirect(application.get_absolute_url())


class WithdrawView(ApplicationMixin, View):
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        with refusals_as_messages(request):
            services.withdraw(signed_in_user(request), application)
        return HttpResponseRedirect(application.get_absolute_url())


# --- review -------------------------------------------------------------------------------


class ReviewView(ApplicationMixin, TemplateView):
    """The reviewer scores each item (the page shows where they differ from the applicant),
    writes an opinion, and passes the application up, returns it, or at the awarding stage
    records inspections and decides."""

    template_name = "creation/review.html"
    # Reviewing writes scores and decisions: the row must be in the user's CHANGE scope.
    action = CHANGE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        stage = services.active_stage(application)
        if not services.is_reviewer(signed_in_user(request), application, stage):
            messages.info(request, _("This application is not in your review queue."))
            return HttpResponseRedirect(application.get_absolute_url())
        return self.render_to_response(self.context(application, stage))

    def context(self, application: Application, stage: Stage | None) -> dict[str, Any]:
        rows = services.compare(application, stage)
        evidence_by_item: dict[int, list[EvidenceFile]] = defaultdict(list)
        for file in application.evidence.prefetch_related("items"):
            for item in file.items.all():
                evidence_by_item[item.pk].append(file)
        suggested = suggestions_for(application)
        for row in rows:
            row.evidence_files = evidence_by_item.get(row.item.pk, [])
            row.suggestion = suggested.get(row.item.code)
        assignments = list(panel.assignments_of(application))
        # The experts asked to join the on-site acceptance are its first inspectors.
        on_site = [a.expert.display_name for a in assignments if a.on_site and stage and a.stage_id == stage.pk]
        reviewer_met = {r.item.code for r in rows if r.reviewer}
        self_score, review_score = _scores_of(application, {r.item.code for r in rows if r.applicant}, reviewer_met)
        return {
            "application": application,
            "stage": stage,
            "groups": _grouped(rows),
            "differences": sum(1 for r in rows if r.differs),
            "scored": sum(1 for r in rows if r.reviewer is not None),
            "total_items": len(rows),
            "self_score": self_score,
            "review_score": review_score,
            "earlier": application.stages.filter(index__lt=stage.index).select_related("region", "reviewer")
            if stage
            else [],
            "inspection_form": InspectionForm(initial={"inspectors": "、".join(on_site)} if on_site else None),
            "inspections": application.inspections.all(),
            "is_acceptance": stage is not None and stage.kind == Stage.Kind.ACCEPTANCE,
            "assignments": assignments,
            "candidates": _candidates(application, stage),
            "due_default": program_today() + datetime.timedelta(days=7),
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        user, post = signed_in_user(request), request.POST
        action = post.get("action", "save")
        with refusals_as_messages(request):
            if action == "adopt":
                services.review_adopt_self_assessment(user, application)
            else:
                for row in services.compare(application, services.active_stage(application)):
                    met = _met(post.get(f"met_{row.item.code}"))
                    if met is not None:
                        services.review_score(
                            user, application, row.item.code, met, post.get(f"note_{row.item.code}", "")
                        )
            opinion = post.get("opinion", "")
            if action == "pass":
                following = services.review_pass(user, application, opinion)
                messages.success(request, _("Passed on to %(region)s.") % {"region": following.region})
                return HttpResponseRedirect(reverse("creation:queue"))
            if action == "return":
                services.review_return(user, application, opinion)
                messages.success(request, _("Returned to the applicant."))
                return HttpResponseRedirect(reverse("creation:queue"))
            if action in ("approve", "reject"):
                services.decide(user, application, approved=action == "approve", reasons=opinion)
                messages.success(request, _("Decision recorded."))
                return HttpResponseRedirect(application.get_absolute_url())
        return HttpResponseRedirect(reverse("creation:application_review", args=[pk]))


def _candidates(application: Application, stage: Stage | None) -> list[tuple[Any, str]]:
    """The pool the stage draws from, each with what the bureau must know before choosing
    (a declared conflict with the applicant, an absence); the service decides."""
    if stage is None:
        return []
    uscc = application.enterprise.uscc if application.enterprise else None
    rows = []
    for profile in panel.candidates(stage).prefetch_related("conflicts"):
        marks = []
        if uscc and any(c.uscc == uscc for c in profile.conflicts.all()):
            marks.append(_("declared conflict with the applicant"))
        if profile.availability != profile.Availability.AVAILABLE:
            marks.append(profile.get_availability_display())
        rows.append((profile, "; ".join(marks)))
    return rows


class InspectionView(ApplicationMixin, View):
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        form = InspectionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            data = form.cleaned_data
            with refusals_as_messages(request) as outcome:
                services.inspection_record(
                    signed_in_user(request),
                    application,
                    data["kind"],
                    data["date"],
                    data["inspectors"],
                    data["findings"],
                )
            if outcome.ok:
                messages.success(request, _("%(kind)s recorded.") % {"kind": Inspection.Kind(data["kind"]).label})
        return HttpResponseRedirect(reverse("creation:application_review", args=[pk]))


# --- experts ------------------------------------------------------------------------------


class ExpertAssignView(ApplicationMixin, View):
    """The reviewing bureau asks an expert of the pool (from the review page)."""

    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.application(pk)
        post = request.POST
        stage = services.active_stage(application)
        profile = None
        if stage is not None and post.get("expert", "").isdigit():
            profile = panel.candidates(stage).filter(pk=int(post["expert"])).first()
        due_on = _date(post.get("due_on", ""))
        with refusals_as_messages(request) as outcome:
            assignment = panel.expert_assign(
                user=signed_in_user(request),
                application=application,
                data=panel.AssignmentInput(
                    profile=profile,
                    due_on=due_on,
                    score_items=post.get("score_items") == "on",
                    on_site=post.get("on_site") == "on",
                ),
                today=program_today(),
            )
        if outcome.ok:
            messages.success(request, _("%(expert)s is assigned.") % {"expert": assignment.expert.display_name})
        return HttpResponseRedirect(reverse("creation:application_review", args=[pk]))


def _date(value: str) -> datetime.date | None:
    """A date typed in the form, or None (the service names what is missing)."""
    try:
        return parse_date(value.strip())
    except ValueError:
        return None


class AssignmentDetailView(ScopedObjectViewMixin, TemplateView):
    """The expert's work on one application: the items to score and the opinion. The bureau
    reads the same page as it stands."""

    model = ExpertAssignment
    template_name = "creation/assignment.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        assignment = self.scoped_object_as(ExpertAssignment)
        application = assignment.application
        scores = {s.item_id: s for s in assignment.scores.all()}
        rows = services.compare(application, None)
        for row in rows:
            row.expert = scores.get(row.item.pk)
        context.update(
            assignment=assignment,
            application=application,
            groups=_grouped(rows),
            scored=len(scores),
            total_items=len(rows),
            is_expert=assignment.expert_id == user.pk and assignment.status == ExpertAssignment.Status.ASSIGNED,
            evidence=application.evidence.prefetch_related("items"),
        )
        return context


class AssignmentWorkView(ScopedObjectViewMixin, View):
    """The expert saves scores and a draft opinion, or submits the opinion."""

    model = ExpertAssignment
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.scoped_object_as(ExpertAssignment)
        user, post = signed_in_user(request), request.POST
        with refusals_as_messages(request) as outcome:
            if assignment.score_items:
                codes = assignment.application.standard.items.values_list("code", flat=True)
                for code in codes:
                    met = _met(post.get(f"met_{code}"))
                    if met is not None:
                        panel.expert_score(
                            user=user, assignment=assignment, item_code=code, met=met, note=post.get(f"note_{code}", "")
                        )
            if post.get("action") == "submit":
                panel.expert_submit(user=user, assignment=assignment, opinion=post.get("opinion", ""))
            else:
                panel.expert_opinion_save(user=user, assignment=assignment, opinion=post.get("opinion", ""))
        if outcome.ok:
            messages.success(request, _("Opinion submitted.") if post.get("action") == "submit" else _("Saved."))
        return HttpResponseRedirect(reverse("creation:assignment_detail", args=[pk]))
