"""The rules of surveys: writing questionnaires, issuing a survey to a region's enterprises,
answering it, reminding the late and closing it. Views, commands and tests all call these;
each refusal is an ``AppError`` carrying one of the message constants below."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import CHANGE, in_scope
from shangmi.enterprises.models import Enterprise, Tag
from shangmi.notices.services import notify, todos_done
from shangmi.regions.models import Region
from shangmi.surveys.models import Answer, Question, Questionnaire, Survey, SurveyAssignment
from shangmi.surveys.rules import metric_problems, question_problems, validate_answers

ENTERPRISE_ROLES = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
BATCH = 2000


REGULATOR_ONLY = Message("survey_regulator_only", gettext_lazy("Only a regulator of a region can do this."))
QUESTIONNAIRE_NOT_YOURS = Message(
    "survey_questionnaire_not_yours", gettext_lazy("You cannot change this questionnaire.")
)
BASELINE_NOT_EDITED = Message(
    "survey_baseline_not_edited",
    gettext_lazy("The baseline questionnaire ships with the platform and is not edited here; copy it to adapt it."),
)
ISSUED_NOT_EDITED = Message(
    "survey_issued_not_edited",
    gettext_lazy(
        "This questionnaire has been issued: its questions stay as they were asked, so the answers keep "
        "their meaning. Copy it to make a changed version."
    ),
)
QUESTION_PROBLEMS = Message("survey_question_problems", gettext_lazy("The question cannot be saved: %(problems)s"))
REGION_OUTSIDE = Message(
    "survey_region_outside", gettext_lazy("A survey goes to your own region or a region below it.")
)
NOT_ISSUABLE = Message(
    "survey_not_issuable",
    gettext_lazy("This questionnaire cannot be issued (it has no questions, or is not yours to use)."),
)
DEADLINE_PAST = Message("survey_deadline_past", gettext_lazy("The deadline cannot be in the past."))
NOBODY_MATCHES = Message(
    "survey_nobody_matches", gettext_lazy("No enterprise of the region matches: nobody would be asked.")
)
NOT_MANAGER = Message("survey_not_manager", gettext_lazy("You cannot manage this survey."))
ALREADY_CLOSED = Message("survey_already_closed", gettext_lazy("The survey is already closed."))
CLOSED_KEEPS_DEADLINE = Message("survey_closed_keeps_deadline", gettext_lazy("A closed survey keeps its deadline."))
REMIND_NOT_ANSWERABLE = Message(
    "survey_remind_not_answerable",
    gettext_lazy("The survey no longer takes answers (closed or past its deadline): extend the deadline first."),
)
OWN_STAFF_ONLY = Message("survey_own_staff_only", gettext_lazy("Only the enterprise's own staff answer its survey."))
NOT_ANSWERABLE = Message(
    "survey_not_answerable",
    gettext_lazy("This survey no longer takes answers: it is closed or past its deadline."),
)
ANSWERS_NEED_CORRECTING = Message("survey_answers_invalid", gettext_lazy("Some answers need correcting."))


class AnswerErrors(AppError):
    """Answers that do not pass validation: beside the one message, the reason for each
    question (keyed by question code), so the form marks every question that needs work."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(ANSWERS_NEED_CORRECTING)
        self.errors = errors


def is_regulator(user: Any) -> bool:
    return getattr(user, "role", None) == Role.REGULATOR and getattr(user, "region_id", None) is not None


def _require_regulator(user: Any) -> Region:
    if not is_regulator(user):
        raise AppError(REGULATOR_ONLY)
    return user.region


# --- questionnaires ---------------------------------------------------------------------------


def relevant_questionnaires(user: Any) -> QuerySet[Questionnaire]:
    """The questionnaires a regulator works with: the baseline, their own region's (and
    below), and those of the regions above them (a city's questionnaire serves its
    districts). Others read every questionnaire (they are blank forms, public by design)."""
    questionnaires = Questionnaire.objects.restrict(user)
    if not is_regulator(user):
        return questionnaires
    region = user.region
    ancestors = [code for code in region.path.strip("/").split("/") if code]
    return questionnaires.filter(
        Q(is_baseline=True) | Q(region__path__subtree=region.path) | Q(region_id__in=ancestors)
    )


def usable_questionnaires(user: Any) -> QuerySet[Questionnaire]:
    """What a regulator may issue: the relevant questionnaires that have questions."""
    if not is_regulator(user):
        return Questionnaire.objects.none()
    return relevant_questionnaires(user).annotate(question_count=Count("questions")).filter(question_count__gt=0)


def edit_problem(questionnaire: Questionnaire) -> Message | None:
    """Why the questions of ``questionnaire`` cannot change now, or None when they can."""
    if questionnaire.is_baseline:
        return BASELINE_NOT_EDITED
    if questionnaire.surveys.exists():
        return ISSUED_NOT_EDITED
    return None


def _require_editable(user: Any, questionnaire: Questionnaire) -> None:
    if not in_scope(questionnaire, user, CHANGE):
        raise AppError(QUESTIONNAIRE_NOT_YOURS)
    problem = edit_problem(questionnaire)
    if problem:
        raise AppError(problem)


def _new_code(region: Region) -> str:
    return f"r{region.code}-{uuid.uuid4().hex[:10]}"


def questionnaire_create(user: Any, *, title: str, description: str = "", aware_threshold: int = 80) -> Questionnaire:
    region = _require_regulator(user)
    return Questionnaire.objects.create(
        code=_new_code(region),
        title=title.strip(),
        description=description.strip(),
        aware_threshold=aware_threshold,
        region=region,
        created_by=user,
    )


def questionnaire_update(
    user: Any, questionnaire: Questionnaire, *, title: str, description: str, aware_threshold: int
) -> Questionnaire:
    _require_editable(user, questionnaire)
    questionnaire.title = title.strip()
    questionnaire.description = description.strip()
    questionnaire.aware_threshold = aware_threshold
    questionnaire.save(update_fields=["title", "description", "aware_threshold"])
    return questionnaire


@transaction.atomic
def questionnaire_copy(user: Any, source: Questionnaire) -> Questionnaire:
    """An editable copy in the regulator's own region (the way to change an issued one)."""
    copy = questionnaire_create(
        user,
        title=_("%(title)s (copy)") % {"title": source.title},
        description=source.description,
        aware_threshold=source.aware_threshold,
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=copy,
            order=q.order,
            code=q.code,
            text=q.text,
            kind=q.kind,
            choices=q.choices,
            correct=q.correct,
            metric=q.metric,
            required=q.required,
        )
        for q in source.questions.all()
    )
    return copy


def questionnaire_delete(user: Any, questionnaire: Questionnaire) -> None:
    _require_editable(user, questionnaire)
    questionnaire.delete()


@dataclass(frozen=True)
class QuestionInput:
    text: str
    kind: str
    choices: list[dict[str, str]] = field(default_factory=list)
    correct: Any = None
    metric: str = ""
    required: bool = True


@transaction.atomic
def question_save(
    user: Any, questionnaire: Questionnaire, data: QuestionInput, question: Question | None = None
) -> Question:
    """Add a question at the end, or change one; refused with every problem listed."""
    _require_editable(user, questionnaire)
    problems = question_problems(data.kind, data.choices, data.correct, data.metric)
    others = questionnaire.questions.all()
    if question is not None:
        others = others.exclude(pk=question.pk)
    problems += metric_problems([*others.values_list("metric", flat=True), data.metric])
    if not data.text.strip():
        problems.insert(0, _("Write the question."))
    if problems:
        raise AppError(QUESTION_PROBLEMS, problems=" ".join(problems))
    if question is None:
        last = questionnaire.questions.aggregate(last=Max("order"))["last"] or 0
        codes = set(questionnaire.questions.values_list("code", flat=True))
        number = len(codes) + 1
        while f"q{number}" in codes:
            number += 1
        question = Question(questionnaire=questionnaire, order=last + 10, code=f"q{number}")
    question.text = data.text.strip()
    question.kind = data.kind
    question.choices = data.choices
    question.correct = data.correct
    question.metric = data.metric
    question.required = data.required
    question.save()
    return question


def question_delete(user: Any, question: Question) -> None:
    _require_editable(user, question.questionnaire)
    question.delete()


@transaction.atomic
def question_move(user: Any, question: Question, step: int) -> None:
    """Move a question up (-1) or down (+1); orders are renumbered 10, 20, ... on the way."""
    questionnaire = question.questionnaire
    _require_editable(user, questionnaire)
    questions = list(questionnaire.questions.order_by("order", "pk"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(questions):
        questions[index], questions[target] = questions[target], questions[index]
    for position, q in enumerate(questions, start=1):
        q.order = position * 10
    Question.objects.bulk_update(questions, ["order"])


# --- issuing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyInput:
    questionnaire: Questionnaire
    title: str
    deadline: datetime.date
    region: Region
    tags: Sequence[Tag] = ()
    industries: Sequence[str] = ()
    liaison_points_only: bool = False


def target_enterprises(
    user: Any,
    region: Region,
    *,
    tags: Iterable[Tag] = (),
    industries: Iterable[str] = (),
    liaison_points_only: bool = False,
) -> QuerySet[Enterprise]:
    """The enterprises a survey goes to: the region's subtree, within the issuer's own scope,
    narrowed by tag (any of them), industry (any of them) and liaison point."""
    qs = Enterprise.objects.restrict(user).filter(region__path__subtree=region.path)
    tags, industries = list(tags), list(industries)
    if tags:
        qs = qs.filter(pk__in=Enterprise.tags.through.objects.filter(tag__in=tags).values("enterprise_id"))
    if industries:
        qs = qs.filter(industry__in=industries)
    if liaison_points_only:
        qs = qs.filter(is_liaison_point=True)
    return qs


@transaction.atomic
def survey_issue(user: Any, data: SurveyInput) -> Survey:
    """Create the survey, one assignment per target enterprise, and tell their administrators."""
    own_region = _require_regulator(user)
    if not data.region.is_within(own_region):
        raise AppError(REGION_OUTSIDE, field="region")
    if not usable_questionnaires(user).filter(pk=data.questionnaire.pk).exists():
        raise AppError(NOT_ISSUABLE, field="questionnaire")
    if data.deadline < program_today():
        raise AppError(DEADLINE_PAST, field="deadline")
    enterprise_ids = list(
        target_enterprises(
            user,
            data.region,
            tags=data.tags,
            industries=data.industries,
            liaison_points_only=data.liaison_points_only,
        ).values_list("pk", flat=True)
    )
    if not enterprise_ids:
        raise AppError(NOBODY_MATCHES)
    survey = Survey.objects.create(
        questionnaire=data.questionnaire,
        title=data.title.strip(),
        region=data.region,
        deadline=data.deadline,
        issued_by=user,
        targeting={
            "tags": sorted(tag.code for tag in data.tags),
            "industries": sorted(data.industries),
            "liaison_points_only": data.liaison_points_only,
        },
    )
    SurveyAssignment.objects.bulk_create(
        (SurveyAssignment(survey=survey, enterprise_id=pk) for pk in enterprise_ids), batch_size=BATCH
    )
    notify(
        _admins_of(SurveyAssignment.objects.filter(survey=survey)),
        _("Survey to answer: %(title)s") % {"title": survey.title},
        _("%(region)s asks your enterprise to answer by %(deadline)s.")
        % {"region": survey.region.full_name, "deadline": survey.deadline.isoformat()},
        url=survey.get_absolute_url(),
    )
    return survey


def _admins_of(assignments: QuerySet[SurveyAssignment]) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.ENTERPRISE_ADMIN, is_active=True, enterprise_id__in=assignments.values("enterprise_id")
    ).order_by("pk")


def _require_manager(user: Any, survey: Survey) -> None:
    if user is not None and not in_scope(survey, user, CHANGE):
        raise AppError(NOT_MANAGER)


@transaction.atomic
def survey_close(user: Any, survey: Survey) -> Survey:
    _require_manager(user, survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        raise AppError(ALREADY_CLOSED)
    survey.status = Survey.Status.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    todos_done(survey.get_absolute_url())  # nobody can answer a closed survey any more
    return survey


def survey_set_deadline(user: Any, survey: Survey, deadline: datetime.date) -> Survey:
    _require_manager(user, survey)
    if survey.status != Survey.Status.OPEN:
        raise AppError(CLOSED_KEEPS_DEADLINE)
    if deadline < program_today():
        raise AppError(DEADLINE_PAST, field="deadline")
    survey.deadline = deadline
    survey.save(update_fields=["deadline"])
    return survey


@dataclass(frozen=True)
class RemindResult:
    reminded: int  # enterprises whose administrators were told
    without_admin: int  # unanswered enterprises with no active administrator to tell
    skipped: int  # unanswered enterprises reminded too recently


def survey_remind(
    survey: Survey,
    *,
    user: Any = None,
    min_interval: datetime.timedelta | None = None,
    now: datetime.datetime | None = None,
) -> RemindResult:
    """Notify the administrators of the enterprises that have not answered; mark them reminded.

    ``min_interval`` (for the periodic command) leaves alone those reminded less than that ago.
    """
    _require_manager(user, survey)
    survey.refresh_from_db(fields=["status", "deadline"])  # a closing a moment ago counts
    if not survey.is_answerable:
        raise AppError(REMIND_NOT_ANSWERABLE)
    now = now or timezone.now()
    unanswered = SurveyAssignment.objects.filter(survey=survey, answered_at__isnull=True)
    due = unanswered
    if min_interval is not None:
        due = due.exclude(reminded_at__gt=now - min_interval)
    total, due_count = unanswered.count(), due.count()
    admins = list(_admins_of(due))
    with_admin = {admin.enterprise_id for admin in admins if admin.enterprise_id is not None}
    notify(
        admins,
        _("Reminder: please answer the survey %(title)s") % {"title": survey.title},
        _("Your enterprise has not answered yet. The deadline is %(deadline)s.")
        % {"deadline": survey.deadline.isoformat()},
        url=survey.get_absolute_url(),
    )
    reminded = due.filter(enterprise_id__in=with_admin).update(reminded_at=now) if with_admin else 0
    return RemindResult(reminded=reminded, without_admin=due_count - reminded, skipped=total - due_count)


def open_surveys_to_remind(today: datetime.date | None = None) -> QuerySet[Survey]:
    today = today or program_today()
    return Survey.objects.filter(status=Survey.Status.OPEN, deadline__gte=today).order_by("pk")


# --- answering --------------------------------------------------------------------------------


def may_answer(user: Any, assignment: SurveyAssignment) -> bool:
    """The enterprise's own people answer; the bureau reads."""
    return (
        getattr(user, "role", None) in ENTERPRISE_ROLES
        and getattr(user, "enterprise_id", None) == assignment.enterprise_id
    )


def answers_of(assignment: SurveyAssignment) -> dict[str, Any]:
    """The saved answers, keyed by question code."""
    return dict(assignment.answers.values_list("question__code", "value"))


@transaction.atomic
def answers_save(user: Any, assignment: SurveyAssignment, raw: Mapping[str, Any]) -> SurveyAssignment:
    """Validate and store a whole questionnaire's answers (keyed by question code).

    The first save and every change until the deadline or the closing are the same step; the
    latest save is the answer, and answered_at tells when it was given.
    """
    if not may_answer(user, assignment):
        raise AppError(OWN_STAFF_ONLY)
    assignment = SurveyAssignment.objects.select_for_update().select_related("survey").get(pk=assignment.pk)
    if not assignment.survey.is_answerable:
        raise AppError(NOT_ANSWERABLE)
    questions = list(assignment.survey.questionnaire.questions.all())
    values, errors = validate_answers(questions, raw)
    if errors:
        raise AnswerErrors(errors)
    assignment.answers.all().delete()
    Answer.objects.bulk_create(
        Answer(assignment=assignment, question_id=pk, value=value) for pk, value in values.items() if value is not None
    )
    assignment.answered_at = timezone.now()
    assignment.answered_by = user
    assignment.save(update_fields=["answered_at", "answered_by"])
    # The enterprise's "survey to answer" and reminders go; other enterprises' still wait.
    todos_done(
        assignment.survey.get_absolute_url(), recipients=User.objects.filter(enterprise_id=assignment.enterprise_id)
    )
    return assignment
