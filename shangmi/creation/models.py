"""Demonstration creation (示范创建): rounds, applications, self-assessment with evidence,
the review that climbs the region tree, and the titles it awards.

Review decisions are append-only (ApplicationEvent, Inspection): they are the record a
title rests on, so they are never edited or deleted, only followed by new ones.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shangmi.core.models import StoredFile
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, RestrictedQuerySet, Scope

if TYPE_CHECKING:
    from shangmi.creation.suggestions import Suggestion


class DemoType(models.TextChoices):
    ZONE = "zone", _("Demonstration zone")
    BASE = "base", _("Demonstration base")
    UNIT = "unit", _("Demonstration unit / enterprise")
    STATION = "station", _("Demonstration station")


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    COUNTY = "county", _("County")


class AppendOnlyError(Exception):
    """A review record may be followed by another, never changed or removed.

    Not an AppError: no service ever asks for this and no person can act on it. It guards the
    record against code (a bug, a shell session) that tries to rewrite history, so it must stay
    a loud failure and never become a polite message on a page.
    """


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class Round(models.Model):
    """A creation round: e.g. the 2026 municipal round of 重庆市, with its standard and deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    demo_type = models.CharField(_("demonstration type"), max_length=16, choices=DemoType.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    standard = models.ForeignKey(
        "standards.Standard", on_delete=models.PROTECT, related_name="rounds", verbose_name=_("standard")
    )
    # The awarding region: its regulators open the round and take the last review stage.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="creation_rounds", verbose_name=_("awarding region")
    )
    covered_regions = models.ManyToManyField(
        "regions.Region", related_name="covering_rounds", blank=True, verbose_name=_("regions covered")
    )
    deadline = models.DateField(_("application deadline"))
    # Days each review stage has before the queue shows it as overdue.
    review_days = models.PositiveSmallIntegerField(_("days per review stage"), default=20)
    validity_years = models.PositiveSmallIntegerField(_("validity of the title (years)"), default=3)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # A round is a public call: every signed-in user may read it; the awarding region's
    # regulators manage it.
    scope = Scope(
        regions=("region",),
        public_view=True,
        grants={Role.REGULATOR: frozenset({VIEW, ADD, CHANGE})},
    )
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[covered_regions])

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("creation round")
        verbose_name_plural = _("creation rounds")

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    class ApplicantKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        PARK = "park", _("Park")
        REGION = "region", _("District")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (cultivation candidate)")
        IN_REVIEW = "in_review", _("In review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications", verbose_name=_("round"))
    # The standard version the application started with; kept even if a new one is published.
    standard = models.ForeignKey(
        "standards.Standard", on_delete=models.PROTECT, related_name="applications", verbose_name=_("standard")
    )
    applicant_kind = models.CharField(_("applicant kind"), max_length=16, choices=ApplicantKind.choices)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="creation_applications",
        verbose_name=_("enterprise"),
    )
    park = models.ForeignKey(
        "regions.Park",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="creation_applications",
        verbose_name=_("park"),
    )
    # Where the applicant is (its district; the district itself for a zone): the review
    # starts here and the scope follows it.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="creation_applications", verbose_name=_("region")
    )
    applicant_name = models.CharField(_("applicant"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    stage_index = models.PositiveSmallIntegerField(_("current stage"), default=0)
    summary = models.TextField(_("summary of the work"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    scope = Scope(
        regions=("region",),
        parks=("park",),
        enterprises=("enterprise",),
        # An expert a bureau assigned to the application reads it (and nothing else of creation).
        experts=("expert_assignments__expert",),
        # The liaison officer of the applying enterprise follows it (read only).
        officers_view=("enterprise__liaison_officer",),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}),
            Role.PARK_OPERATOR: frozenset({VIEW, ADD, CHANGE}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW, ADD, CHANGE}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW, CHANGE}),
            Role.EXPERT: frozenset({VIEW}),
            Role.OFFICER: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "enterprise"], condition=models.Q(enterprise__isnull=False), name="one_per_enterprise"
            ),
            models.UniqueConstraint(
                fields=["round", "park"], condition=models.Q(applicant_kind="park"), name="one_per_park"
            ),
            models.UniqueConstraint(
                fields=["round", "region"],
                condition=models.Q(applicant_kind="region"),
                name="one_per_district",
            ),
        ]
        indexes = [models.Index(fields=["round", "status"], name="application_round_status")]

    def __str__(self) -> str:
        return f"{self.applicant_name} · {self.round}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("creation:application_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Stage(models.Model):
    """One step of the review: a region on the way from the applicant up to the awarding region."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial review")
        SECOND = "second", _("Second review")
        ACCEPTANCE = "acceptance", _("Acceptance")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ACTIVE = "active", _("In review")
        PASSED = "passed", _("Passed")
        RETURNED = "returned", _("Returned")
        DECIDED = "decided", _("Decided")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stages")
    index = models.PositiveSmallIntegerField()
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    kind = models.CharField(_("stage"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    # Set each time the application arrives at this stage.
    arrived_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opinion = models.TextField(_("opinion"), blank=True)

    class Meta:
        ordering = ["application_id", "index"]
        constraints = [models.UniqueConstraint(fields=["application", "index"], name="stage_index")]
        indexes = [models.Index(fields=["region", "status"], name="stage_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.region}"


class AssessmentEntry(models.Model):
    """The applicant's answer for one item: met or not, with a note. ``version`` guards
    against two editors overwriting each other."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("standards.Item", on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"), null=True)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    # Not stored: what the self-assessment page sets on each row it shows (the other editor's
    # conflicting answer, the files linked to the item, the ledgers' suggestion).
    conflict: str = ""
    evidence_files: list[EvidenceFile]
    suggestion: Suggestion | None = None

    class Meta:
        ordering = ["application_id", "item__order"]
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="entry_item")]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.item_id}={self.met}"


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    # The stored name carries no user input: the original name is kept in the row.
    return f"creation/{instance.application_id}/{uuid.uuid4().hex}"


class EvidenceFile(StoredFile):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    items = models.ManyToManyField("standards.Item", related_name="+", blank=True, verbose_name=_("items"))
    # Not stored: the codes of the items it backs, set by the self-assessment page.
    linked: set[str]

    # Evidence is read by whoever may read its application (the same lookups, one level down).
    scope = Scope(
        regions=("application__region",),
        parks=("application__park",),
        enterprises=("application__enterprise",),
        experts=("application__expert_assignments__expert",),
        officers_view=("application__enterprise__liaison_officer",),
        grants={
            Role.EXPERT: frozenset({VIEW}),
            Role.OFFICER: frozenset({VIEW}),
            Role.REGULATOR: frozenset({VIEW}),
            Role.PARK_OPERATOR: frozenset({VIEW, ADD, CHANGE}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW, ADD, CHANGE}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW, ADD, CHANGE}),
        },
    )
    objects = RestrictedQuerySet.as_manager()


class ReviewScore(models.Model):
    """A reviewer's own judgement of one item at one stage."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey("standards.Item", on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"))
    note = models.TextField(_("note"), blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stage", "item"], name="score_item")]

    def __str__(self) -> str:
        return f"{self.stage_id}:{self.item_id}={self.met}"


class ExpertAssignment(models.Model):
    """A bureau asks an expert of the pool (shangmi.experts) to judge an application at its
    stage: to score the items, to join the on-site acceptance, or both; the expert answers
    with a written opinion the stage's reviewers read before they decide."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Opinion submitted")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="expert_assignments", verbose_name=_("application")
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="expert_assignments")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_assignments", verbose_name=_("expert")
    )
    score_items = models.BooleanField(_("scores the items"), default=True)
    on_site = models.BooleanField(_("joins the on-site acceptance"), default=False)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    opinion = models.TextField(_("opinion"), blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    # Not stored: set by creation.panel.assignments_of for the pages that list opinions.
    met_count: int = 0
    scored_count: int = 0

    # The bureaus that read the application read who judged it; the expert reads their own.
    # Not the applicant: who sits on a panel is the bureau's to say.
    scope = Scope(
        regions=("application__region",),
        experts=("expert",),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD}),
            Role.EXPERT: frozenset({VIEW, CHANGE}),
        },
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [models.UniqueConstraint(fields=["stage", "expert"], name="assignment_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.expert} · {self.application.applicant_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("creation:assignment_detail", args=[self.pk])


class ExpertScore(models.Model):
    """An assigned expert's judgement of one item (kept apart from the bureau's own scores)."""

    assignment = models.ForeignKey(ExpertAssignment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey("standards.Item", on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"))
    note = models.TextField(_("note"), blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "item"], name="expert_score_item")]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.item_id}={self.met}"


class Inspection(AppendOnlyModel):
    """On-site acceptance, spot check or re-check recorded at the awarding stage."""

    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("On-site acceptance")
        SPOT_CHECK = "spot_check", _("Spot check")
        RE_CHECK = "re_check", _("Re-check")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=300)
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class ApplicationEvent(AppendOnlyModel):
    """Every step of an application, in order: who, when, what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Resubmitted after changes")
        PASSED = "passed", _("Passed to the next stage")
        RETURNED = "returned", _("Returned for changes")
        INSPECTION = "inspection", _("Inspection recorded")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TITLE_ISSUED = "title_issued", _("Title awarded")
        TITLE_REVOKED = "title_revoked", _("Title revoked")
        RE_EVALUATION = "re_evaluation", _("Re-evaluation opened")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Empty for what the platform does by itself (a title reaching re-evaluation).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Title(models.Model):
    """A title awarded by an approved application: the plaque, its number and validity."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Valid")
        RE_EVALUATION = "re_evaluation", _("Under re-evaluation")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="title")
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    holder_name = models.CharField(_("holder"), max_length=200)
    demo_type = models.CharField(_("demonstration type"), max_length=16, choices=DemoType.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    # The awarding region (who may revoke) and the holder's region (where it is announced).
    awarding_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    holder_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    awarded_on = models.DateField(_("awarded on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)

    # Titles are announced publicly; the awarding region's regulators revoke them.
    scope = Scope(
        regions=("awarding_region",),
        public_view=True,
        grants={Role.REGULATOR: frozenset({VIEW, CHANGE})},
    )
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-awarded_on", "number"]
        verbose_name = _("title")
        verbose_name_plural = _("titles")

    def __str__(self) -> str:
        return f"{self.holder_name} · {self.number}"
