"""Demonstration creation rules: rounds, applications, self-assessment, and the review that
climbs the region tree from the applicant to the awarding region.

Views, the API and tests all call these functions; each checks who may do what and
raises ``AppError`` with a message constant the user can read. Every step appends an
ApplicationEvent and tells the people concerned.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import CHANGE, VIEW, is_platform_admin
from shangmi.creation.errors import EditConflict
from shangmi.creation.models import (
    Application,
    ApplicationEvent,
    AssessmentEntry,
    DemoType,
    Inspection,
    Level,
    ReviewScore,
    Round,
    Stage,
)
from shangmi.creation.selectors import applicant_users, is_applicant_user
from shangmi.creation.titles.services import issue_title
from shangmi.notices.services import notify, todos_done
from shangmi.regions.models import Region
from shangmi.standards.models import Item, Standard

# The refusals of the creation workflow.
ROUND_NOT_A_REGULATOR = Message(
    "creation.round_not_a_regulator", gettext_lazy("Only a regulator bound to a region can open a creation round.")
)
ROUND_OWN_REGION_ONLY = Message(
    "creation.round_own_region_only", gettext_lazy("You can open rounds only for %(region)s.")
)
ROUND_COVERS_OUTSIDE = Message("creation.round_covers_outside", gettext_lazy("%(child)s is outside %(region)s."))
ROUND_MAY_NOT_CLOSE = Message("creation.round_may_not_close", gettext_lazy("You cannot close this round."))
OWN_REGION_REVIEW = Message(
    "creation.own_region_review",
    gettext_lazy("A region cannot review its own application: apply to a round of a higher level."),
)
ENTERPRISE_WRONG_TYPE = Message(
    "creation.enterprise_wrong_type",
    gettext_lazy("An enterprise applies for a demonstration unit or station, not for this type."),
)
PARK_WRONG_TYPE = Message(
    "creation.park_wrong_type",
    gettext_lazy("A park applies for a demonstration base, station or zone, not for this type."),
)
MAY_NOT_APPLY = Message("creation.may_not_apply", gettext_lazy("Your account cannot apply in this round."))
ROUND_CLOSED = Message("creation.round_closed", gettext_lazy("This round is closed."))
DEADLINE_PASSED = Message("creation.deadline_passed", gettext_lazy("The deadline of this round (%(date)s) has passed."))
ROUND_DOES_NOT_COVER = Message("creation.round_does_not_cover", gettext_lazy("This round does not cover %(region)s."))
ONLY_APPLICANT_EDITS = Message(
    "creation.only_applicant_edits", gettext_lazy("Only the applicant can change the self-assessment.")
)
ASSESSMENT_LOCKED = Message(
    "creation.assessment_locked",
    gettext_lazy("The self-assessment is locked while the application is in review or decided."),
)
UNKNOWN_ITEM = Message("creation.unknown_item", gettext_lazy("The standard of this application has no item %(code)s."))
ONLY_ADMIN_SUBMITS = Message(
    "creation.only_admin_submits", gettext_lazy("Only the applicant's administrator can submit the application.")
)
ALREADY_SUBMITTED = Message("creation.already_submitted", gettext_lazy("This application has already been submitted."))
ONLY_ADMIN_WITHDRAWS = Message(
    "creation.only_admin_withdraws", gettext_lazy("Only the applicant's administrator can withdraw the application.")
)
DECIDED_NOT_WITHDRAWN = Message(
    "creation.decided_not_withdrawn", gettext_lazy("A decided application cannot be withdrawn.")
)
NOT_IN_REVIEW = Message("creation.not_in_review", gettext_lazy("This application is not waiting for a review."))
NOT_YOUR_QUEUE = Message("creation.not_your_queue", gettext_lazy("This application is not in your review queue."))
NOT_ALL_SCORED = Message("creation.not_all_scored", gettext_lazy("Score every item first; not yet scored: %(codes)s."))
AWARDING_DECIDES = Message(
    "creation.awarding_decides", gettext_lazy("The awarding stage decides; it does not pass the application on.")
)
OPINION_REQUIRED = Message(
    "creation.opinion_required", gettext_lazy("Write your opinion before passing the application on.")
)
RETURN_REASONS_REQUIRED = Message(
    "creation.return_reasons_required", gettext_lazy("Say what must change: the reasons are required.")
)
INSPECTION_AT_AWARDING = Message(
    "creation.inspection_at_awarding",
    gettext_lazy("On-site acceptance, spot checks and re-checks are recorded at the awarding stage."),
)
INSPECTION_INCOMPLETE = Message(
    "creation.inspection_incomplete", gettext_lazy("Name the inspectors and write the findings.")
)
INSPECTION_IN_FUTURE = Message(
    "creation.inspection_in_future", gettext_lazy("An inspection cannot be dated in the future.")
)
ONLY_AWARDING_DECIDES = Message("creation.only_awarding_decides", gettext_lazy("Only the awarding stage decides."))
DECISION_REASONS_REQUIRED = Message(
    "creation.decision_reasons_required", gettext_lazy("Give the reasons for the decision.")
)
ACCEPTANCE_FIRST = Message("creation.acceptance_first", gettext_lazy("Record the on-site acceptance before approving."))
LEVEL_NOT_AWARDED_HERE = Message(
    "creation.level_not_awarded_here", gettext_lazy("A %(level)s round cannot be awarded by %(region)s.")
)
APPLICANT_OUTSIDE = Message("creation.applicant_outside", gettext_lazy("%(region)s is outside %(awarding)s."))
ALREADY_APPLIED = Message(
    "creation.already_applied", gettext_lazy("%(name)s already has an application in this round.")
)
UNANSWERED_ITEMS = Message(
    "creation.unanswered_items", gettext_lazy("Answer every item before submitting; still open: %(codes)s.")
)

STANDARD_ELSEWHERE = Message(
    "creation.standard_elsewhere",
    gettext_lazy(
        "%(standard)s applies in %(where)s, not in %(region)s: choose a standard of your region, one above it, "
        "or a national one."
    ),
)

# Province-level units that are cities (直辖市): their bureau awards municipal titles.
MUNICIPALITY_PREFIXES = ("11", "12", "31", "50")


# --- rounds -------------------------------------------------------------------------------


def level_fits_region(level: str, region: Region) -> bool:
    """Which level of title a bureau at this region can award."""
    if level == Level.COUNTY:
        return region.level == Region.Level.DISTRICT
    if level == Level.MUNICIPAL:
        return region.level == Region.Level.CITY or (
            region.level == Region.Level.PROVINCE and region.code.startswith(MUNICIPALITY_PREFIXES)
        )
    # Provincial titles, and national ones the province recommends and records.
    return region.level == Region.Level.PROVINCE


@dataclass
class RoundInput:
    title: str
    year: int
    demo_type: str
    level: str
    standard: Standard
    deadline: datetime.date
    region: Region | None = None
    covered_regions: Iterable[Region] = ()
    review_days: int = 20
    validity_years: int = 3
    notes: str = ""


@transaction.atomic
def round_open(user: User, data: RoundInput) -> Round:
    region = data.region if data.region is not None else user.region
    if region is None:
        raise AppError(ROUND_NOT_A_REGULATOR)
    if not _manages_region(user, region):
        raise AppError(ROUND_OWN_REGION_ONLY, region=user.region)
    if not level_fits_region(data.level, region):
        raise AppError(LEVEL_NOT_AWARDED_HERE, field="level", level=Level(data.level).label, region=region.full_name)
    applies_in = data.standard.region
    if applies_in is not None and not region.is_within(applies_in):
        raise AppError(
            STANDARD_ELSEWHERE,
            field="standard",
            standard=data.standard.title,
            where=applies_in.full_name,
            region=region.full_name,
        )
    covered = list(data.covered_regions)
    for child in covered:
        if not child.is_within(region):
            raise AppError(ROUND_COVERS_OUTSIDE, field="covered_regions", child=child, region=region)
    round_ = Round.objects.create(
        title=data.title,
        year=data.year,
        demo_type=data.demo_type,
        level=data.level,
        standard=data.standard,
        region=region,
        deadline=data.deadline,
        review_days=data.review_days,
        validity_years=data.validity_years,
        notes=data.notes,
        created_by=user,
    )
    round_.covered_regions.set(covered or [region])
    return round_


def _manages_region(user: User, region: Region) -> bool:
    if is_platform_admin(user):
        return True
    return user.role == Role.REGULATOR and user.region is not None and region.is_within(user.region)


def round_covers(round_: Round, region: Region) -> bool:
    covered = list(round_.covered_regions.all()) or [round_.region]
    return any(region.is_within(c) for c in covered)


def round_close(user: User, round_: Round) -> None:
    if not Round.objects.restrict(user, CHANGE).filter(pk=round_.pk).exists():
        raise AppError(ROUND_MAY_NOT_CLOSE)
    # save(), not update(): simple_history records the closing, by whom (an update() would leave
    # the history behind the row, and the round's next edit would look like the closing).
    round_.status = Round.Status.CLOSED
    round_._history_user = user  # type: ignore[attr-defined]  # simple_history reads it; no field declares it
    round_.save(update_fields=["status"])


# --- who is who ---------------------------------------------------------------------------


def can_submit(user: User, application: Application) -> bool:
    """Staff fill the self-assessment; the enterprise admin (or park, or district) submits it."""
    return is_applicant_user(user, application) and user.role != Role.ENTERPRISE_STAFF


def stage_reviewers(stage: Stage) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.REGULATOR, region_id=stage.region_id)


def active_stage(application: Application) -> Stage | None:
    return application.stages.filter(status=Stage.Status.ACTIVE).select_related("region").first()


def is_reviewer(user: User, application: Application, stage: Stage | None = None) -> bool:
    stage = stage if stage is not None else active_stage(application)
    return (
        stage is not None
        and stage.status == Stage.Status.ACTIVE
        and user.role == Role.REGULATOR
        and user.region_id == stage.region_id
    )


# --- applications -------------------------------------------------------------------------


def review_path(applicant_region: Region, awarding_region: Region, *, skip_own: bool) -> list[Region]:
    """The regions that review, from the applicant's district up to the awarding region.

    A district applying for a zone does not review itself: its review starts one level up.
    """
    if not applicant_region.is_within(awarding_region):
        raise AppError(APPLICANT_OUTSIDE, region=applicant_region.full_name, awarding=awarding_region.full_name)
    chain = [*applicant_region.ancestors(), applicant_region]
    start = next(i for i, r in enumerate(chain) if r.code == awarding_region.code)
    path = list(reversed(chain[start:]))
    if skip_own:
        path = path[1:]
    if not path:
        raise AppError(OWN_REGION_REVIEW)
    return path


def stage_kinds(count: int) -> list[str]:
    """District initial review, city second review, provincial acceptance: the last stage
    accepts whatever its level; the first reviews first; any in between is a second review."""
    if count == 1:
        return [Stage.Kind.ACCEPTANCE.value]
    return [Stage.Kind.INITIAL.value] + [Stage.Kind.SECOND.value] * (count - 2) + [Stage.Kind.ACCEPTANCE.value]


def _applicant_of(user: User, round_: Round) -> dict:
    # The walrus reads the related row only for the role that has one (as reading it after did).
    if user.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF) and (enterprise := user.enterprise) is not None:
        if round_.demo_type not in (DemoType.UNIT, DemoType.STATION):
            raise AppError(ENTERPRISE_WRONG_TYPE)
        return {
            "applicant_kind": Application.ApplicantKind.ENTERPRISE,
            "enterprise": enterprise,
            "park": enterprise.park,
            "region": enterprise.region,
            "applicant_name": enterprise.name,
        }
    if user.role == Role.PARK_OPERATOR and (park := user.park) is not None:
        if round_.demo_type not in (DemoType.BASE, DemoType.STATION, DemoType.ZONE):
            raise AppError(PARK_WRONG_TYPE)
        return {
            "applicant_kind": Application.ApplicantKind.PARK,
            "park": park,
            "region": park.region,
            "applicant_name": park.name,
        }
    if user.role == Role.REGULATOR and round_.demo_type == DemoType.ZONE and (region := user.region) is not None:
        return {
            "applicant_kind": Application.ApplicantKind.REGION,
            "region": region,
            "applicant_name": region.full_name,
        }
    raise AppError(MAY_NOT_APPLY)


@transaction.atomic
def application_start(user: User, round_: Round, *, today: datetime.date | None = None) -> Application:
    from shangmi.standards.services import freeze

    today = today or program_today()
    if round_.status != Round.Status.OPEN:
        raise AppError(ROUND_CLOSED)
    if today > round_.deadline:
        raise AppError(DEADLINE_PASSED, date=round_.deadline)
    fields = _applicant_of(user, round_)
    region: Region = fields["region"]
    if not round_covers(round_, region):
        raise AppError(ROUND_DOES_NOT_COVER, region=region.full_name)
    path = review_path(region, round_.region, skip_own=fields["applicant_kind"] == Application.ApplicantKind.REGION)
    try:
        with transaction.atomic():
            application = Application.objects.create(round=round_, standard=round_.standard, created_by=user, **fields)
    except IntegrityError as exc:
        raise AppError(ALREADY_APPLIED, name=fields["applicant_name"]) from exc
    freeze(round_.standard)
    Stage.objects.bulk_create(
        Stage(application=application, index=i, region=r, kind=k)
        for i, (r, k) in enumerate(zip(path, stage_kinds(len(path)), strict=True))
    )
    AssessmentEntry.objects.bulk_create(
        AssessmentEntry(application=application, item=item) for item in round_.standard.items.all()
    )
    _event(application, ApplicationEvent.Kind.CREATED, user)
    return application


def _event(
    application: Application, kind: str, actor: User, *, stage: Stage | None = None, message: str = "", **data
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application, kind=kind, actor=actor, stage=stage, message=message, data=data
    )


def _fresh(application: Application) -> Application:
    """Rules read the stored state, never a copy a page loaded minutes ago."""
    return Application.objects.select_related("round", "standard").get(pk=application.pk)


def _require_editable(user: User, application: Application) -> None:
    application = _fresh(application)
    if not is_applicant_user(user, application):
        raise AppError(ONLY_APPLICANT_EDITS)
    if not application.is_editable:
        raise AppError(ASSESSMENT_LOCKED)


@dataclass(frozen=True)
class EntryChange:
    """An editor's answer to one item, with the version of the item they loaded."""

    met: bool | None
    note: str
    version: int


@transaction.atomic
def entries_save(user: User, application: Application, changes: dict[str, EntryChange]) -> SavedEntries:
    """Save the given items in one go (the whole form, or one row). An item whose version moved
    since its editor loaded it is not written; it comes back among the conflicts with the
    other editor's answer. Queries: two, plus one UPDATE per item."""
    _require_editable(user, application)
    entries = {
        e.item.code: e
        for e in AssessmentEntry.objects.select_related("item").filter(application=application, item__code__in=changes)
    }
    unknown = sorted(set(changes) - set(entries))
    if unknown:
        raise AppError(UNKNOWN_ITEM, code=", ".join(unknown))
    now = timezone.now()
    written: list[int] = []
    moved: list[int] = []
    for code, change in changes.items():
        updated = AssessmentEntry.objects.filter(pk=entries[code].pk, version=change.version).update(
            met=change.met, note=change.note.strip(), version=F("version") + 1, updated_by=user, updated_at=now
        )
        (written if updated else moved).append(entries[code].pk)
    fresh = AssessmentEntry.objects.select_related("item", "updated_by").filter(pk__in=written + moved)
    by_pk = {e.pk: e for e in fresh}
    return SavedEntries(
        saved={by_pk[pk].item.code: by_pk[pk] for pk in written},
        conflicts={by_pk[pk].item.code: EditConflict(by_pk[pk]) for pk in moved},
    )


@dataclass(frozen=True)
class SavedEntries:
    saved: dict[str, AssessmentEntry]
    conflicts: dict[str, EditConflict]


def entry_save(
    user: User, application: Application, item_code: str, met: bool | None, note: str, version: int
) -> AssessmentEntry:
    """Save one item; if its version moved, nothing is written and EditConflict carries the
    other editor's answer."""
    result = entries_save(user, application, {item_code: EntryChange(met, note, version)})
    if item_code in result.conflicts:
        raise result.conflicts[item_code]
    return result.saved[item_code]


def self_assessed_codes(application: Application) -> set[str]:
    return set(application.entries.filter(met=True).values_list("item__code", flat=True))


@transaction.atomic
def submit(user: User, application: Application) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not can_submit(user, application):
        raise AppError(ONLY_ADMIN_SUBMITS)
    if not application.is_editable:
        raise AppError(ALREADY_SUBMITTED)
    unanswered = list(
        application.entries.filter(met__isnull=True).order_by("item__order").values_list("item__code", flat=True)
    )
    if unanswered:
        raise AppError(UNANSWERED_ITEMS, codes=", ".join(unanswered))
    returned = application.status == Application.Status.RETURNED
    now = timezone.now()
    application.status = Application.Status.IN_REVIEW
    application.submitted_at = application.submitted_at or now
    application.save(update_fields=["status", "submitted_at"])
    stage = application.stages.get(index=application.stage_index)
    _arrive(application, stage)
    kind = ApplicationEvent.Kind.RESUBMITTED if returned else ApplicationEvent.Kind.SUBMITTED
    _event(application, kind, user, stage=stage)
    notify(
        stage_reviewers(stage),
        _("%(name)s waits for your %(stage)s")
        % {"name": application.applicant_name, "stage": stage.get_kind_display()},
        url=_review_url(application),
    )
    _tell_applicant(application, _("Your application was submitted to %(region)s") % {"region": stage.region})
    return application


def _arrive(application: Application, stage: Stage) -> None:
    stage.status = Stage.Status.ACTIVE
    stage.arrived_at = timezone.now()
    stage.due_on = program_today() + datetime.timedelta(days=application.round.review_days)
    stage.save(update_fields=["status", "arrived_at", "due_on"])


def _review_url(application: Application) -> str:
    return reverse("creation:application_review", args=[application.pk])


def _stage_left(application: Application) -> None:
    """The active stage is done with (passed, returned, decided, withdrawn): its reviewers'
    "waits for your review" to-dos go, from every reviewer of the stage, not only the one who acted."""
    todos_done(_review_url(application))


def _tell_applicant(application: Application, title: str, body: str = "") -> None:
    notify(applicant_users(application), title, body, url=application.get_absolute_url())


@transaction.atomic
def withdraw(user: User, application: Application) -> None:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not can_submit(user, application):
        raise AppError(ONLY_ADMIN_WITHDRAWS)
    if application.status in (Application.Status.APPROVED, Application.Status.REJECTED, Application.Status.WITHDRAWN):
        raise AppError(DECIDED_NOT_WITHDRAWN)
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status"])
    application.stages.filter(status=Stage.Status.ACTIVE).update(status=Stage.Status.WAITING)
    _stage_left(application)
    _event(application, ApplicationEvent.Kind.WITHDRAWN, user)


# --- review -------------------------------------------------------------------------------


def _review_stage(user: User, application: Application) -> Stage:
    application = _fresh(application)
    if application.status != Application.Status.IN_REVIEW:
        raise AppError(NOT_IN_REVIEW)
    stage = active_stage(application)
    if not is_reviewer(user, application, stage):
        raise AppError(NOT_YOUR_QUEUE)
    assert stage is not None
    return stage


def review_score(user: User, application: Application, item_code: str, met: bool, note: str = "") -> ReviewScore:
    stage = _review_stage(user, application)
    item = Item.objects.filter(standard_id=application.standard_id, code=item_code).first()
    if item is None:
        raise AppError(UNKNOWN_ITEM, code=item_code)
    score, _created = ReviewScore.objects.update_or_create(
        stage=stage, item=item, defaults={"met": met, "note": note.strip(), "scored_by": user}
    )
    return score


def review_adopt_self_assessment(user: User, application: Application) -> int:
    """Start the reviewer's scoring from the applicant's answers, for the items not yet scored."""
    stage = _review_stage(user, application)
    scored = set(stage.scores.values_list("item_id", flat=True))
    rows = [
        ReviewScore(stage=stage, item_id=entry.item_id, met=bool(entry.met), scored_by=user)
        for entry in application.entries.all()
        if entry.item_id not in scored
    ]
    ReviewScore.objects.bulk_create(rows)
    return len(rows)


def _require_all_scored(stage: Stage, application: Application) -> None:
    missing = list(
        Item.objects.filter(standard_id=application.standard_id)
        .exclude(pk__in=stage.scores.values("item_id"))
        .values_list("code", flat=True)
    )
    if missing:
        raise AppError(NOT_ALL_SCORED, codes=", ".join(missing))


@transaction.atomic
def review_pass(user: User, application: Application, opinion: str) -> Stage:
    """Pass the application up to the next region's stage."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    stage = _review_stage(user, application)
    if stage.kind == Stage.Kind.ACCEPTANCE:
        raise AppError(AWARDING_DECIDES)
    if not opinion.strip():
        raise AppError(OPINION_REQUIRED, field="opinion")
    _require_all_scored(stage, application)
    stage.status, stage.opinion, stage.reviewer = Stage.Status.PASSED, opinion.strip(), user
    stage.save(update_fields=["status", "opinion", "reviewer"])
    _stage_left(application)
    following = application.stages.get(index=stage.index + 1)
    application.stage_index = following.index
    application.save(update_fields=["stage_index"])
    _arrive(application, following)
    _event(application, ApplicationEvent.Kind.PASSED, user, stage=stage, message=opinion.strip())
    notify(
        stage_reviewers(following),
        _("%(name)s waits for your %(stage)s")
        % {"name": application.applicant_name, "stage": following.get_kind_display()},
        url=_review_url(application),
    )
    _tell_applicant(
        application,
        _("%(region)s passed your application on to %(next)s") % {"region": stage.region, "next": following.region},
        opinion.strip(),
    )
    return following


@transaction.atomic
def review_return(user: User, application: Application, reasons: str) -> None:
    """Back to the applicant for changes; after them it comes back to this same stage."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    stage = _review_stage(user, application)
    if not reasons.strip():
        raise AppError(RETURN_REASONS_REQUIRED, field="reasons")
    stage.status, stage.opinion, stage.reviewer = Stage.Status.RETURNED, reasons.strip(), user
    stage.save(update_fields=["status", "opinion", "reviewer"])
    _stage_left(application)
    application.status = Application.Status.RETURNED
    application.save(update_fields=["status"])
    _event(application, ApplicationEvent.Kind.RETURNED, user, stage=stage, message=reasons.strip())
    _tell_applicant(
        application, _("%(region)s returned your application for changes") % {"region": stage.region}, reasons.strip()
    )


def inspection_record(
    user: User, application: Application, kind: str, date: datetime.date, inspectors: str, findings: str
) -> Inspection:
    stage = _review_stage(user, application)
    if stage.kind != Stage.Kind.ACCEPTANCE:
        raise AppError(INSPECTION_AT_AWARDING)
    if not inspectors.strip() or not findings.strip():
        raise AppError(INSPECTION_INCOMPLETE, field="inspectors")
    if date > program_today():
        raise AppError(INSPECTION_IN_FUTURE, field="date")
    inspection = Inspection.objects.create(
        application=application,
        kind=kind,
        date=date,
        inspectors=inspectors.strip(),
        findings=findings.strip(),
        recorded_by=user,
    )
    _event(
        application,
        ApplicationEvent.Kind.INSPECTION,
        user,
        stage=stage,
        message=findings.strip(),
        inspection=inspection.pk,
        inspection_kind=kind,
        date=date.isoformat(),
    )
    _tell_applicant(
        application,
        _("%(kind)s recorded on %(date)s") % {"kind": Inspection.Kind(kind).label, "date": date.isoformat()},
        findings.strip(),
    )
    return inspection


@transaction.atomic
def decide(user: User, application: Application, *, approved: bool, reasons: str) -> Application:
    """The awarding stage approves (a title is issued) or rejects, with reasons."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    stage = _review_stage(user, application)
    if stage.kind != Stage.Kind.ACCEPTANCE:
        raise AppError(ONLY_AWARDING_DECIDES)
    if not reasons.strip():
        raise AppError(DECISION_REASONS_REQUIRED, field="reasons")
    _require_all_scored(stage, application)
    if approved and not application.inspections.filter(kind=Inspection.Kind.ON_SITE).exists():
        raise AppError(ACCEPTANCE_FIRST)
    stage.status, stage.opinion, stage.reviewer = Stage.Status.DECIDED, reasons.strip(), user
    stage.save(update_fields=["status", "opinion", "reviewer"])
    _stage_left(application)
    application.status = Application.Status.APPROVED if approved else Application.Status.REJECTED
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at"])
    kind = ApplicationEvent.Kind.APPROVED if approved else ApplicationEvent.Kind.REJECTED
    _event(application, kind, user, stage=stage, message=reasons.strip())
    if approved:
        issue_title(application, user)
    else:
        _tell_applicant(application, _("Your application was not approved"), reasons.strip())
    return application


# --- reading ------------------------------------------------------------------------------


@dataclass
class ItemComparison:
    item: Item
    applicant: bool | None
    applicant_note: str
    reviewer: bool | None
    reviewer_note: str
    evidence_files: list = field(default_factory=list)
    suggestion: object = None
    # An assigned expert's score of the item, where the expert's page shows it.
    expert: object = None

    @property
    def differs(self) -> bool:
        return self.reviewer is not None and bool(self.applicant) != self.reviewer


def compare(application: Application, stage: Stage | None) -> list[ItemComparison]:
    """The applicant's answer beside the reviewer's, item by item, in the standard's order."""
    entries = {e.item_id: e for e in application.entries.all()}
    scores = {s.item_id: s for s in stage.scores.all()} if stage is not None else {}
    rows = []
    for item in application.standard.items.select_related("criterion__category").order_by("order"):
        entry, score = entries.get(item.pk), scores.get(item.pk)
        rows.append(
            ItemComparison(
                item=item,
                applicant=entry.met if entry else None,
                applicant_note=entry.note if entry else "",
                reviewer=score.met if score else None,
                reviewer_note=score.note if score else "",
            )
        )
    return rows


def visible_applications(user: User) -> QuerySet[Application]:
    return Application.objects.restrict(user, VIEW).select_related("round", "region", "enterprise", "park")
