"""The experts of an application's review (专家评审): the bureau of the active stage draws
experts from the pool (shangmi.experts) to score the items, to join the on-site acceptance, or
both; each answers with a written opinion the stage's reviewers read before they decide.

A declared conflict of interest with the applying enterprise refuses the assignment, as does
an expert who is away or outside the stage's province: nothing is written then.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.accounts.models import User
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import VIEW, may, restricted
from shangmi.creation.models import Application, ExpertAssignment, ExpertScore, Stage
from shangmi.creation.services import NOT_IN_REVIEW, NOT_YOUR_QUEUE, UNKNOWN_ITEM, active_stage, is_reviewer
from shangmi.experts.models import ExpertProfile
from shangmi.experts.services import conflict_with, is_available
from shangmi.notices.services import notify, todos_done
from shangmi.regions.models import Region
from shangmi.standards.models import Item

EXPERT_CONFLICT = Message(
    "creation.expert_conflict",
    gettext_lazy(
        "%(expert)s has declared a conflict of interest with %(enterprise)s (%(reason)s) and cannot judge it."
    ),
)
EXPERT_AWAY = Message("creation.expert_away", gettext_lazy("%(expert)s is not available at present."))
EXPERT_OUTSIDE = Message(
    "creation.expert_outside", gettext_lazy("%(expert)s is in %(region)s, outside the province of this review.")
)
EXPERT_NOT_IN_POOL = Message("creation.expert_not_in_pool", gettext_lazy("Choose an expert of the pool."))
EXPERT_NO_TASK = Message(
    "creation.expert_no_task",
    gettext_lazy("Ask the expert to score the items, to join the on-site acceptance, or both."),
)
EXPERT_ON_SITE_AT_ACCEPTANCE = Message(
    "creation.expert_on_site_at_acceptance",
    gettext_lazy("Experts join the on-site acceptance only at the acceptance stage."),
)
EXPERT_DUE_IN_PAST = Message("creation.expert_due_in_past", gettext_lazy("The due date (%(date)s) has already passed."))
EXPERT_ALREADY_ASSIGNED = Message(
    "creation.expert_already_assigned", gettext_lazy("%(expert)s is already assigned at this stage.")
)
NOT_YOUR_ASSIGNMENT = Message("creation.not_your_assignment", gettext_lazy("This assignment is not yours."))
ASSIGNMENT_DONE = Message(
    "creation.assignment_done", gettext_lazy("Your opinion is submitted; the assignment can no longer change.")
)
NO_SCORING_ASKED = Message("creation.no_scoring_asked", gettext_lazy("You were not asked to score the items."))
EXPERT_OPINION_REQUIRED = Message("creation.expert_opinion_required", gettext_lazy("Write your opinion first."))
EXPERT_NOT_ALL_SCORED = Message(
    "creation.expert_not_all_scored", gettext_lazy("Score every item first; not yet scored: %(codes)s.")
)


def _province(region: Region) -> Region:
    return next(iter(region.ancestors()), region) if region.level != Region.Level.PROVINCE else region


def candidates(stage: Stage) -> QuerySet[ExpertProfile]:
    """The pool a stage's bureau draws from: the experts of the stage's province."""
    province = _province(stage.region)
    return (
        ExpertProfile.objects.filter(user__is_active=True, user__region__path__subtree=province.path)
        .select_related("user__region")
        .prefetch_related("expertise")
        .order_by("user__full_name", "pk")
    )


@dataclass
class AssignmentInput:
    profile: ExpertProfile | None
    due_on: datetime.date | None
    score_items: bool = True
    on_site: bool = False


def _assignment_url(assignment: ExpertAssignment) -> str:
    return assignment.get_absolute_url()


@transaction.atomic
def expert_assign(
    *, user: User, application: Application, data: AssignmentInput, today: datetime.date
) -> ExpertAssignment:
    """The reviewing bureau of the active stage asks an expert of the pool to judge."""
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=application.pk)
    )
    if application.status != Application.Status.IN_REVIEW:
        raise AppError(NOT_IN_REVIEW)
    stage = active_stage(application)
    if stage is None or not is_reviewer(user, application, stage):
        raise AppError(NOT_YOUR_QUEUE)
    profile = data.profile
    if profile is None:
        raise AppError(EXPERT_NOT_IN_POOL, field="expert")
    expert = profile.user
    if not data.score_items and not data.on_site:
        raise AppError(EXPERT_NO_TASK, field="score_items")
    if data.on_site and stage.kind != Stage.Kind.ACCEPTANCE:
        raise AppError(EXPERT_ON_SITE_AT_ACCEPTANCE, field="on_site")
    if data.due_on is None or data.due_on < today:
        raise AppError(EXPERT_DUE_IN_PAST, field="due_on", date=data.due_on.isoformat() if data.due_on else "—")
    if expert.role != Role.EXPERT or not expert.is_active:
        raise AppError(EXPERT_NOT_IN_POOL, field="expert")
    if not candidates(stage).filter(pk=profile.pk).exists():
        raise AppError(
            EXPERT_OUTSIDE,
            field="expert",
            expert=expert.display_name,
            region=expert.region.full_name if expert.region else "—",
        )
    if application.enterprise is not None:
        conflict = conflict_with(profile, application.enterprise.uscc)
        if conflict is not None:
            raise AppError(
                EXPERT_CONFLICT,
                field="expert",
                expert=expert.display_name,
                enterprise=application.enterprise.name,
                reason=conflict.reason,
            )
    if not is_available(profile, today):
        raise AppError(EXPERT_AWAY, field="expert", expert=expert.display_name)
    try:
        with transaction.atomic():
            assignment = ExpertAssignment.objects.create(
                application=application,
                stage=stage,
                expert=expert,
                score_items=data.score_items,
                on_site=data.on_site,
                due_on=data.due_on,
                assigned_by=user,
            )
    except IntegrityError as exc:
        raise AppError(EXPERT_ALREADY_ASSIGNED, field="expert", expert=expert.display_name) from exc
    notify(
        [expert],
        _("%(name)s: you are asked for your expert opinion by %(date)s")
        % {"name": application.applicant_name, "date": data.due_on.isoformat()},
        url=_assignment_url(assignment),
    )
    return assignment


def _own_open(user: User, assignment: ExpertAssignment) -> ExpertAssignment:
    assignment = (
        ExpertAssignment.objects.select_for_update(of=("self",)).select_related("application").get(pk=assignment.pk)
    )
    if assignment.expert_id != user.pk:
        raise AppError(NOT_YOUR_ASSIGNMENT)
    if assignment.status != ExpertAssignment.Status.ASSIGNED:
        raise AppError(ASSIGNMENT_DONE)
    return assignment


@transaction.atomic
def expert_score(*, user: User, assignment: ExpertAssignment, item_code: str, met: bool, note: str = "") -> ExpertScore:
    assignment = _own_open(user, assignment)
    if not assignment.score_items:
        raise AppError(NO_SCORING_ASKED)
    item = Item.objects.filter(standard_id=assignment.application.standard_id, code=item_code).first()
    if item is None:
        raise AppError(UNKNOWN_ITEM, code=item_code)
    score, _created = ExpertScore.objects.update_or_create(
        assignment=assignment, item=item, defaults={"met": met, "note": note.strip()}
    )
    return score


@transaction.atomic
def expert_opinion_save(*, user: User, assignment: ExpertAssignment, opinion: str) -> ExpertAssignment:
    """Keep a draft of the opinion (the expert may come back to it before submitting)."""
    assignment = _own_open(user, assignment)
    assignment.opinion = opinion.strip()
    assignment.save(update_fields=["opinion"])
    return assignment


@transaction.atomic
def expert_submit(*, user: User, assignment: ExpertAssignment, opinion: str) -> ExpertAssignment:
    """The expert's opinion goes to the stage's reviewers; the assignment is done with."""
    assignment = _own_open(user, assignment)
    if not opinion.strip():
        raise AppError(EXPERT_OPINION_REQUIRED, field="opinion")
    if assignment.score_items:
        missing = list(
            Item.objects.filter(standard_id=assignment.application.standard_id)
            .exclude(pk__in=assignment.scores.values("item_id"))
            .order_by("order")
            .values_list("code", flat=True)
        )
        if missing:
            raise AppError(EXPERT_NOT_ALL_SCORED, codes=", ".join(missing))
    assignment.opinion = opinion.strip()
    assignment.status = ExpertAssignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["opinion", "status", "submitted_at"])
    todos_done(_assignment_url(assignment))
    # No ApplicationEvent: the applicant reads the events, and who sat on the panel is the
    # bureau's to say; the assignment itself is the record.
    application = assignment.application
    notify(
        User.objects.filter(is_active=True, role=Role.REGULATOR, region_id=assignment.stage.region_id),
        _("%(expert)s gave an expert opinion on %(name)s")
        % {"expert": user.display_name, "name": application.applicant_name},
        url=application.get_absolute_url(),
    )
    return assignment


def assignments_of(application: Application, reader: User | None = None) -> list[ExpertAssignment]:
    """Every expert asked about the application (those ``reader`` may read, when given), with
    how many items each scored and found met: what the review reads beside its own scores."""
    if reader is not None and not may(reader, VIEW, ExpertAssignment):
        return []  # the applicant: who sat on the panel is the bureau's to say
    rows_qs = application.expert_assignments.all()
    if reader is not None:
        rows_qs = rows_qs.filter(pk__in=restricted(ExpertAssignment, reader).values("pk"))
    rows = list(
        rows_qs.select_related("expert__region", "stage__region", "assigned_by")
        .prefetch_related("scores")
        .order_by("stage__index", "due_on", "pk")
    )
    for row in rows:
        scores = row.scores.all()
        row.scored_count = len(scores)
        row.met_count = sum(1 for s in scores if s.met)
    return rows
