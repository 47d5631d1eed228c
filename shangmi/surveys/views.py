"""Survey pages. Thin: every row comes through ``restrict`` (a stranger gets 404), every step
through shangmi.surveys.services, every number through shangmi.surveys.aggregation.

Who does what: regulators write questionnaires, issue surveys to their region and manage them
(the survey's CHANGE right: results, report, spreadsheet, reminders, closing); the enterprise's
own people answer; an enterprise sees only the surveys it was asked and its own answers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from shangmi.accounts.requests import signed_in_user
from shangmi.core.errors import AppError, Message
from shangmi.core.forms import save_through
from shangmi.core.lists import ScopedListView, page_of
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, DELETE, in_scope, is_platform_admin
from shangmi.core.views import ScopedObjectViewMixin, ScopedViewMixin, refusals_as_messages
from shangmi.core.xlsx import xlsx_response
from shangmi.surveys import services
from shangmi.surveys.aggregation import survey_results
from shangmi.surveys.exporting import answers_export, export_filename
from shangmi.surveys.filters import AssignmentFilter, SurveyFilter
from shangmi.surveys.forms import AnswerForm, DeadlineForm, QuestionForm, QuestionnaireForm, SurveyForm
from shangmi.surveys.loading import baseline
from shangmi.surveys.models import Question, Questionnaire, Survey, SurveyAssignment
from shangmi.surveys.report import report_filename, survey_report
from shangmi.surveys.services import AnswerErrors

PAGE_SIZE = 50

DEADLINE_NOT_A_DATE = Message("survey_deadline_not_a_date", gettext_lazy("Enter the new deadline as a date."))


def _regulator_only(request: HttpRequest) -> None:
    """Pages for writing and issuing: anyone else is answered 404, as for a row they cannot see."""
    if request.user.is_authenticated and not services.is_regulator(request.user):
        raise Http404


# --- surveys ------------------------------------------------------------------------------------


class SurveyListView(ScopedListView):
    model = Survey
    filterset_class = SurveyFilter
    ordering = ("-issued_at", "-pk")
    paginate_by = PAGE_SIZE
    template_name = "surveys/survey_list.html"

    @cached_property
    def is_regulator(self) -> bool:
        return services.is_regulator(self.request.user) or is_platform_admin(self.request.user)

    def base_queryset(self) -> QuerySet[Survey]:
        surveys = self.get_queryset().select_related("region", "questionnaire")
        if self.is_regulator:
            # Counts for the bureau; an enterprise sees only its own assignment, never how many others answered.
            surveys = surveys.annotate(
                asked=Count("assignments"),
                answered=Count("assignments", filter=Q(assignments__answered_at__isnull=False)),
            )
        return surveys

    def page_context(self, page: Page) -> dict[str, Any]:
        user = self.request.user
        own = {}
        if not self.is_regulator:
            own = {
                a.survey_id: a
                for a in SurveyAssignment.objects.restrict(user).filter(survey__in=[s.pk for s in page.object_list])
            }
        for survey in page.object_list:
            survey.own_assignment = own.get(survey.pk)
        return {
            "status": self.request.GET.get("status", ""),
            "statuses": Survey.Status.choices,
            "is_regulator": self.is_regulator,
            # Whom the empty list speaks to: "your enterprise" only to an enterprise's people.
            "reader": "enterprise"
            if getattr(user, "role", None) in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
            else "officer"
            if getattr(user, "role", None) == Role.OFFICER
            else "other",
            "can_issue": services.is_regulator(user),
        }


class SurveyCreateView(ScopedViewMixin, TemplateView):
    model = Survey
    action = ADD
    template_name = "surveys/survey_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _regulator_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The baseline is reference data (load_questionnaires); an install that skipped that
        # step still offers it here rather than an empty choice.
        baseline()
        return self.render_to_response({"form": SurveyForm(user=request.user)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SurveyForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            survey = save_through(
                form,
                lambda: services.survey_issue(
                    signed_in_user(request),
                    services.SurveyInput(
                        questionnaire=data["questionnaire"],
                        title=data["title"],
                        deadline=data["deadline"],
                        region=data["region"],
                        tags=list(data["tags"]),
                        industries=data["industries"],
                        liaison_points_only=data["liaison_points_only"],
                    ),
                ),
            )
            if survey is not None:
                count = survey.assignments.count()
                messages.success(
                    request,
                    _("The survey was sent to %(count)d enterprises; their administrators were notified.")
                    % {"count": count},
                )
                return HttpResponseRedirect(survey.get_absolute_url())
        return self.render_to_response({"form": form})


class SurveyMixin(ScopedObjectViewMixin):
    model = Survey

    def survey(self, pk: int) -> Survey:
        return self.scoped_row(pk)


class SurveyDetailView(SurveyMixin, TemplateView):
    template_name = "surveys/survey_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        survey = self.survey(kwargs["pk"])
        can_manage = in_scope(survey, user, CHANGE)
        context.update(survey=survey, can_manage=can_manage)
        if can_manage:
            assignments = survey.assignments.select_related("enterprise__region")
            counts = assignments.aggregate(asked=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
            shown = AssignmentFilter(self.request.GET, queryset=assignments, user=user)
            # A value the filter refuses lists nothing and says why, rather than another table.
            rows = (shown.qs if shown.is_valid() else assignments.none()).order_by(
                "enterprise__region_id", "enterprise__name"
            )
            context.update(
                asked=counts["asked"],
                answered=counts["answered"],
                unanswered=counts["asked"] - counts["answered"],
                rate=counts["answered"] * 100 / counts["asked"] if counts["asked"] else None,
                show=shown.shown or "",
                filter=shown,
                page=page_of(self.request, rows, PAGE_SIZE),
                deadline_form=DeadlineForm(initial={"deadline": survey.deadline}),
            )
        else:
            visible = SurveyAssignment.objects.restrict(user).filter(survey=survey).select_related("enterprise")
            if getattr(user, "role", None) == Role.OFFICER:
                # The liaison officer follows each of their enterprises (read only).
                context.update(follows=True, followed=list(visible.order_by("enterprise__name", "pk")))
            else:
                own = visible.first()
                context.update(own=own, may_answer=own is not None and services.may_answer(user, own))
        return context


class SurveyActionView(SurveyMixin, View, ABC):
    """A POST that changes a survey, then back to its page with what happened."""

    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = self.survey(pk)
        with refusals_as_messages(request):
            messages.success(request, self.act(request, survey))
        return HttpResponseRedirect(survey.get_absolute_url())

    @abstractmethod
    def act(self, request: HttpRequest, survey: Survey) -> str:
        """Do the change; return the message that tells the user it is done."""


class SurveyCloseView(SurveyActionView):
    def act(self, request: HttpRequest, survey: Survey) -> str:
        services.survey_close(request.user, survey)
        return _("The survey is closed: answers can no longer change, and the report can be produced.")


class SurveyRemindView(SurveyActionView):
    def act(self, request: HttpRequest, survey: Survey) -> str:
        result = services.survey_remind(survey, user=request.user)
        message = _("The administrators of %(count)d enterprises that have not answered were reminded.") % {
            "count": result.reminded
        }
        if result.without_admin:
            message += " " + _("%(count)d enterprises have no administrator account to remind.") % {
                "count": result.without_admin
            }
        return message


class SurveyDeadlineView(SurveyActionView):
    def act(self, request: HttpRequest, survey: Survey) -> str:
        form = DeadlineForm(request.POST)
        if not form.is_valid():
            raise AppError(DEADLINE_NOT_A_DATE, field="deadline")
        services.survey_set_deadline(request.user, survey, form.cleaned_data["deadline"])
        return _("The deadline is now %(date)s.") % {"date": survey.deadline.isoformat()}


class SurveyResultsView(SurveyMixin, TemplateView):
    """The numbers; the survey's managers only (its CHANGE right), as they are the bureau's."""

    action = CHANGE
    template_name = "surveys/survey_results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        survey = self.survey(kwargs["pk"])
        results = survey_results(survey)
        context.update(
            survey=survey,
            results=results,
            chart_data=_chart_data(results),
            tables=[
                (_("By region"), [*results.regions, results.total], "by-region"),
                (_("By industry"), results.industries, "by-industry"),
                (_("By enterprise tag"), results.tags, "by-tag"),
            ],
        )
        return context


def _chart_data(results: Any) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    regions = results.regions
    return {
        "target": results.target,
        "regions": [g.label for g in regions],
        "awareness": [rounded(g.awareness_rate) for g in regions],
        "nda": [rounded(g.nda_rate_mean) for g in regions],
        "nonCompete": [rounded(g.non_compete_rate_mean) for g in regions],
        "system": [rounded(g.system_share) for g in regions],
        "text": {
            "awareness": _("Awareness rate (%)"),
            "target": _("Target %(target)s%%") % {"target": f"{results.target:g}"},
            "nda": _("NDA signing rate (%)"),
            "nonCompete": _("Non-compete signing rate (%)"),
            "system": _("With a protection system (%)"),
        },
    }


class SurveyReportView(SurveyMixin, View):
    action = CHANGE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = self.survey(pk)
        pdf = b""
        with refusals_as_messages(request) as outcome:
            pdf = survey_report(survey)
        if not outcome.ok:
            return HttpResponseRedirect(survey.get_absolute_url())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, report_filename(survey))
        return response


class SurveyExportView(SurveyMixin, View):
    action = CHANGE

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        survey = self.survey(pk)
        return xlsx_response(lambda target: answers_export(survey, target), export_filename(survey))


# --- answering ----------------------------------------------------------------------------------


class AssignmentMixin(ScopedObjectViewMixin):
    model = SurveyAssignment

    def assignment(self, pk: int) -> SurveyAssignment:
        found = (
            SurveyAssignment.objects.restrict(self.request.user, self.action)
            .select_related("survey__questionnaire", "survey__region", "enterprise__region")
            .filter(pk=pk)
            .first()
        )
        if found is None:
            raise Http404
        return found


class AssignmentDetailView(AssignmentMixin, TemplateView):
    template_name = "surveys/assignment_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assignment = self.assignment(kwargs["pk"])
        saved = services.answers_of(assignment)
        questions = list(assignment.survey.questionnaire.questions.all())
        context.update(
            assignment=assignment,
            survey=assignment.survey,
            rows=[(q, _display(q, saved.get(q.code))) for q in questions],
            may_answer=services.may_answer(self.request.user, assignment) and assignment.survey.is_answerable,
        )
        return context


def _display(question: Question, value: Any) -> str:
    if value is None:
        return ""
    if question.kind == Question.Kind.YES_NO:
        return _("Yes") if value else _("No")
    if question.is_choice:
        labels = question.choice_labels()
        return "; ".join(labels.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value]))
    if question.kind == Question.Kind.PERCENT:
        return f"{value}%"
    return str(value)


class AnswerView(AssignmentMixin, TemplateView):
    action = CHANGE
    template_name = "surveys/answer_form.html"

    def _refuse(self, assignment: SurveyAssignment) -> HttpResponse | None:
        """The bureau reads answers, it does not type them; late answers are not taken."""
        if not services.may_answer(self.request.user, assignment):
            return HttpResponseRedirect(assignment.get_absolute_url())
        if not assignment.survey.is_answerable:
            messages.error(self.request, _("This survey no longer takes answers: it is closed or past its deadline."))
            return HttpResponseRedirect(assignment.get_absolute_url())
        return None

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.assignment(pk)
        refused = self._refuse(assignment)
        if refused:
            return refused
        questions = list(assignment.survey.questionnaire.questions.all())
        form = AnswerForm(questions=questions, saved=services.answers_of(assignment))
        return self.render_to_response({"assignment": assignment, "survey": assignment.survey, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.assignment(pk)
        refused = self._refuse(assignment)
        if refused:
            return refused
        questions = list(assignment.survey.questionnaire.questions.all())
        form = AnswerForm(request.POST, questions=questions)
        if form.is_valid():
            with refusals_as_messages(request) as outcome:
                try:
                    services.answers_save(signed_in_user(request), assignment, form.raw_answers())
                except AnswerErrors as exc:
                    # Marked on each question it concerns, not as one message at the top.
                    for code, message in exc.errors.items():
                        form.add_error(f"q_{code}", message)
            if not outcome.ok:
                return HttpResponseRedirect(assignment.get_absolute_url())
            if not form.errors:
                messages.success(request, _("Your answers are saved. You can change them until the deadline."))
                return HttpResponseRedirect(assignment.get_absolute_url())
        messages.error(request, _("Some answers need correcting: see the marked questions."))
        return self.render_to_response({"assignment": assignment, "survey": assignment.survey, "form": form})


# --- questionnaires -------------------------------------------------------------------------------


class QuestionnaireListView(ScopedViewMixin, TemplateView):
    model = Questionnaire
    template_name = "surveys/questionnaire_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        questionnaires = services.relevant_questionnaires(user).select_related("region")
        context.update(
            questionnaires=questionnaires.annotate(question_count=Count("questions")).order_by("-is_baseline", "title"),
            can_create=services.is_regulator(user),
        )
        return context


class QuestionnaireCreateView(ScopedViewMixin, TemplateView):
    model = Questionnaire
    action = ADD
    template_name = "surveys/questionnaire_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _regulator_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": QuestionnaireForm()})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = QuestionnaireForm(request.POST)
        if form.is_valid():
            questionnaire = services.questionnaire_create(request.user, **form.cleaned_data)
            messages.success(request, _("The questionnaire is created: now add its questions."))
            return HttpResponseRedirect(questionnaire.get_absolute_url())
        return self.render_to_response({"form": form})


class QuestionnaireMixin(ScopedObjectViewMixin):
    model = Questionnaire

    def questionnaire(self, pk: int) -> Questionnaire:
        return self.scoped_row(pk)


class QuestionnaireDetailView(QuestionnaireMixin, TemplateView):
    template_name = "surveys/questionnaire_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        questionnaire = self.questionnaire(kwargs["pk"])
        can_change = in_scope(questionnaire, user, CHANGE)
        problem = services.edit_problem(questionnaire)
        questions = list(questionnaire.questions.all())
        # The answer key is for the bureaus; the enterprises who will answer never see it.
        show_key = services.is_regulator(user) or is_platform_admin(user)
        for question in questions:
            # Shown by the template beside the question; not a field of Question.
            question.right = (  # type: ignore[attr-defined]
                _display(question, question.correct) if show_key and question.correct is not None else ""
            )
        context.update(
            questionnaire=questionnaire,
            questions=questions,
            editable=can_change and problem is None,
            edit_problem=problem.render() if problem and (can_change or questionnaire.is_baseline) else None,
            can_copy=services.is_regulator(user),
            question_form=QuestionForm(),
        )
        return context


class QuestionnaireEditView(QuestionnaireMixin, TemplateView):
    action = CHANGE
    template_name = "surveys/questionnaire_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        questionnaire = self.questionnaire(pk)
        form = QuestionnaireForm(
            initial={
                "title": questionnaire.title,
                "description": questionnaire.description,
                "aware_threshold": questionnaire.aware_threshold,
            }
        )
        return self.render_to_response({"form": form, "questionnaire": questionnaire})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        questionnaire = self.questionnaire(pk)
        form = QuestionnaireForm(request.POST)
        if form.is_valid():
            saved = save_through(
                form, lambda: services.questionnaire_update(signed_in_user(request), questionnaire, **form.cleaned_data)
            )
            if saved is not None:
                messages.success(request, _("The questionnaire is saved."))
                return HttpResponseRedirect(questionnaire.get_absolute_url())
        return self.render_to_response({"form": form, "questionnaire": questionnaire})


class QuestionnaireCopyView(QuestionnaireMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = self.questionnaire(pk)
        _regulator_only(request)
        copy = services.questionnaire_copy(request.user, source)
        messages.success(request, _("This is your copy: change it as you need."))
        return HttpResponseRedirect(copy.get_absolute_url())


class QuestionnaireDeleteView(QuestionnaireMixin, View):
    action = DELETE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        questionnaire = self.questionnaire(pk)
        with refusals_as_messages(request) as outcome:
            services.questionnaire_delete(signed_in_user(request), questionnaire)
        if not outcome.ok:
            return HttpResponseRedirect(questionnaire.get_absolute_url())
        messages.success(request, _("The questionnaire is deleted."))
        return HttpResponseRedirect(reverse("surveys:questionnaire_list"))


class QuestionEditView(QuestionnaireMixin, TemplateView):
    """Add a question (no question_id) or change one: one question at a time."""

    action = CHANGE
    template_name = "surveys/question_form.html"

    def objects(self, pk: int, question_id: int | None) -> tuple[Questionnaire, Question | None]:
        questionnaire = self.questionnaire(pk)
        question = None
        if question_id is not None:
            question = questionnaire.questions.filter(pk=question_id).first()
            if question is None:
                raise Http404
        return questionnaire, question

    def get(self, request: HttpRequest, pk: int, question_id: int | None = None) -> HttpResponse:
        questionnaire, question = self.objects(pk, question_id)
        problem = services.edit_problem(questionnaire)
        if problem:
            messages.error(request, problem.render())
            return HttpResponseRedirect(questionnaire.get_absolute_url())
        form = QuestionForm(question=question)
        return self.render_to_response({"form": form, "questionnaire": questionnaire, "question": question})

    def post(self, request: HttpRequest, pk: int, question_id: int | None = None) -> HttpResponse:
        questionnaire, question = self.objects(pk, question_id)
        form = QuestionForm(request.POST)
        if form.is_valid():
            saved = save_through(
                form,
                lambda: services.question_save(signed_in_user(request), questionnaire, form.question_input(), question),
            )
            if saved is not None:
                messages.success(request, _("The question is saved."))
                return HttpResponseRedirect(questionnaire.get_absolute_url())
        return self.render_to_response({"form": form, "questionnaire": questionnaire, "question": question})


class QuestionActionView(QuestionnaireMixin, View, ABC):
    action = CHANGE

    def post(self, request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
        questionnaire = self.questionnaire(pk)
        question = questionnaire.questions.filter(pk=question_id).first()
        if question is None:
            raise Http404
        with refusals_as_messages(request):
            self.act(request, question)
        return HttpResponseRedirect(questionnaire.get_absolute_url())

    @abstractmethod
    def act(self, request: HttpRequest, question: Question) -> None:
        """Do the change to the question (a subclass per action: delete, move)."""


class QuestionDeleteView(QuestionActionView):
    def act(self, request: HttpRequest, question: Question) -> None:
        services.question_delete(request.user, question)
        messages.success(request, _("The question is deleted."))


class QuestionMoveView(QuestionActionView):
    def act(self, request: HttpRequest, question: Question) -> None:
        services.question_move(request.user, question, -1 if request.POST.get("direction") == "up" else 1)
