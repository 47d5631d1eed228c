"""Ledgers (台账): guidance visits, activities (trainings, surveys, publicity, seminars) and
their participants, and the rate targets they are measured against.

Rates (training coverage) are always computed from these rows, never typed in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shangmi.core.models import StoredFile
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, RestrictedQuerySet, Scope


class GuidanceVisit(models.Model):
    """One guidance (指导) of an enterprise by an officer: 时间、地点、人员、内容."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="guidance_visits", verbose_name=_("enterprise")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guidance_visits", verbose_name=_("officer")
    )
    visited_at = models.DateTimeField(_("time"), db_index=True)
    place = models.CharField(_("place"), max_length=255)
    bureau_participants = models.CharField(_("participants (bureau side)"), max_length=500)
    enterprise_participants = models.CharField(_("participants (enterprise side)"), max_length=500)
    content = models.TextField(_("content"))
    issues = models.TextField(_("issues found"), blank=True)
    advice = models.TextField(_("advice"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        regions=("enterprise__region",),
        parks=("enterprise__park",),
        enterprises=("enterprise",),
        officers=("officer", "enterprise__liaison_officer", "enterprise__guidance_officer"),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE, DELETE}),
            Role.OFFICER: frozenset({VIEW, ADD, CHANGE}),
            Role.PARK_OPERATOR: frozenset({VIEW}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-visited_at", "-pk"]
        verbose_name = _("guidance visit")
        verbose_name_plural = _("guidance visits")
        indexes = [models.Index(fields=["enterprise", "visited_at"], name="visit_enterprise_time")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.visited_at:%Y-%m-%d}"


class GuidanceHalfCount(models.Model):
    """Guidance visits of an enterprise in one half of one year (local time): the summary the
    half-year status page reads instead of counting a province's visits on every request.

    Kept by the database itself: triggers on ledgers_guidancevisit (migration 0003) add, move
    and remove the counts on every insert, update and delete, whoever writes (the services,
    bulk loads, raw SQL), so the summary cannot drift from the visits. Nothing in Python
    writes it.
    """

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.DO_NOTHING, db_constraint=False)
    year = models.PositiveSmallIntegerField()
    half = models.PositiveSmallIntegerField()
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "half"], name="guidance_half_count_unique")
        ]
        indexes = [models.Index(fields=["year", "half", "enterprise"], name="guidance_half_count_covered")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}/{self.half}: {self.visits}"


# The per-region summaries below are what the half-year page reads for a reader whose scope is
# a region's whole subtree (a regulator, a platform administrator): a province's totals and its
# filter choices are then sums over its few dozen regions instead of a pass over its 100,000
# enterprises. Like GuidanceHalfCount they are kept by the database itself (migration 0004):
# triggers on ledgers_guidancehalfcount (an enterprise's first visit in a half, its last one
# removed) and on enterprises_enterprise (created, deleted, moved to another region, an officer
# or the liaison point set or cleared), in the writing statement's own transaction, whoever
# writes. "Guided" is halfyear.guided_enterprises(): a liaison or guidance officer, or a liaison
# point. Rows are counted at the enterprise's own region; a row whose counts fall to zero is
# removed. `manage.py rebuild_guidance_summary` recounts all four tables from the visits and
# the enterprises.


class GuidanceRegionCount(models.Model):
    """Guided enterprises registered at a region."""

    region = models.OneToOneField("regions.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    enterprises = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.region_id}: {self.enterprises}"


class GuidanceOfficerCount(models.Model):
    """Enterprises of a region followed by an officer (as liaison or guidance officer, once)."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    enterprises = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["officer", "region"], name="guidance_officer_count_unique")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.region_id}: {self.enterprises}"


class GuidanceRegionHalf(models.Model):
    """Guided enterprises of a region with at least one guidance in each half of a year, and in
    both (the "only missing" totals need the enterprises covered in both)."""

    region = models.ForeignKey("regions.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    year = models.PositiveSmallIntegerField()
    first_half = models.IntegerField(default=0)
    second_half = models.IntegerField(default=0)
    both_halves = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="guidance_region_half_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.first_half}/{self.second_half}/{self.both_halves}"


def attachment_path(instance: models.Model, filename: str) -> str:
    # Stored names carry no user input; the original name is kept in the row.
    return f"ledgers/{type(instance).__name__.lower()}/{uuid.uuid4().hex}"


class VisitAttachment(StoredFile):
    visit = models.ForeignKey(GuidanceVisit, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)

    scope = Scope(
        regions=("visit__enterprise__region",),
        parks=("visit__enterprise__park",),
        enterprises=("visit__enterprise",),
        officers=("visit__officer", "visit__enterprise__liaison_officer", "visit__enterprise__guidance_officer"),
        grants=GuidanceVisit.scope.grants,
    )
    objects = RestrictedQuerySet.as_manager()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Activity(models.Model):
    """A training, survey, publicity event or seminar: 活动名称、时间、地点、参与人员、活动内容."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        SURVEY = "survey", _("Survey / research")
        PUBLICITY = "publicity", _("Publicity")
        SEMINAR = "seminar", _("Seminar / exchange")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("activity name"), max_length=200)
    starts_at = models.DateTimeField(_("time"), db_index=True)
    place = models.CharField(_("place"), max_length=255)
    organiser = models.CharField(_("organiser"), max_length=200)
    # The region whose bureau holds the ledger (the organiser's region).
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="activities", verbose_name=_("region")
    )
    park = models.ForeignKey(
        "regions.Park", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", blank=True, related_name="activities", verbose_name=_("enterprises taking part")
    )
    content = models.TextField(_("content"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        regions=("region",),
        parks=("park",),
        enterprises=("enterprises",),
        officers=("created_by",),
        officers_view=("enterprises__liaison_officer", "enterprises__guidance_officer"),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE, DELETE}),
            Role.OFFICER: frozenset({VIEW, ADD, CHANGE}),
            Role.PARK_OPERATOR: frozenset({VIEW, ADD, CHANGE}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[enterprises])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.name


class ActivityParticipant(models.Model):
    """One person at an activity. ``person_key`` identifies the person across activities
    (employee number, else name + phone) so someone trained twice counts once."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity_participants",
        verbose_name=_("enterprise"),
    )
    name = models.CharField(_("name"), max_length=64)
    employee_no = models.CharField(_("employee number"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    position = models.CharField(_("position"), max_length=64, blank=True)
    person_key = models.CharField(max_length=160)

    scope = Scope(
        regions=("activity__region",),
        parks=("activity__park",),
        enterprises=("enterprise",),
        officers=("activity__created_by",),
        # Their own enterprises' people only, not everyone at an activity they did not organise.
        officers_view=("enterprise__liaison_officer", "enterprise__guidance_officer"),
        grants=Activity.scope.grants,
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["activity_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "enterprise", "person_key"], name="participant_once")
        ]
        indexes = [models.Index(fields=["enterprise", "person_key"], name="participant_person")]

    def __str__(self) -> str:
        return self.name


class ActivityMaterial(StoredFile):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(upload_to=attachment_path, max_length=200)

    scope = Scope(
        regions=("activity__region",),
        parks=("activity__park",),
        enterprises=("activity__enterprises",),
        officers=("activity__created_by",),
        officers_view=("activity__enterprises__liaison_officer", "activity__enterprises__guidance_officer"),
        grants=Activity.scope.grants,
    )
    objects = RestrictedQuerySet.as_manager()


class RateTarget(models.Model):
    """Training rate and awareness rate targets (seeds 000/001: 100% and 90%) per region and year."""

    class Metric(models.TextChoices):
        TRAINING = "training", _("Training rate")
        AWARENESS = "awareness", _("Awareness rate")

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="rate_targets", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    percent = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope = Scope(regions=("region",), grants={Role.REGULATOR: frozenset({VIEW, ADD, CHANGE, DELETE})})
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "region_id", "metric"]
        verbose_name = _("rate target")
        verbose_name_plural = _("rate targets")
        constraints = [models.UniqueConstraint(fields=["region", "year", "metric"], name="rate_target_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.metric} {self.percent}%"
