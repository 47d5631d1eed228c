"""Rights protection and enforcement: the working-day calendar and the legal rules as data,
the demands ledger (维权诉求台账), public clues (线索) and their screening.

Every deadline is computed from data with its source (CalendarYear, LegalRule), never from a
constant in code, so a bureau loads a new year's calendar or a newer rule without a release.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangmi.core.models import StoredFile
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, RestrictedQuerySet, Scope


class CalendarYear(models.Model):
    """One year of China's official calendar as the State Council published it: the holidays
    and the weekend days made working days (调休). A year without a row is not counted."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    holidays = models.JSONField(_("holidays"), default=list)  # ISO dates
    working_weekends = models.JSONField(_("working weekends"), default=list)  # ISO dates
    source_title = models.CharField(_("source"), max_length=200)
    source_number = models.CharField(_("document number"), max_length=64, blank=True)
    source_issued = models.DateField(_("issued"), null=True, blank=True)
    source_url = models.CharField(_("address"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    # Public reference data: any signed-in user may read it.
    scope = Scope(public_view=True)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class LegalRule(models.Model):
    """A time limit or threshold with its legal source. Of the rows of one code, the one with
    the latest ``effective_from`` not after the date in question applies (None: always)."""

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        DAYS = "days", _("days")
        HOURS = "hours", _("hours")
        YUAN = "yuan", _("yuan")

    code = models.CharField(_("code"), max_length=64)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    article = models.CharField(_("article"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = Scope(public_view=True)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code", "effective_from"]
        verbose_name = _("legal rule")
        verbose_name_plural = _("legal rules")
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="legal_rule_unique_version"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(effective_from__isnull=True), name="legal_rule_unique_undated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.value} {self.unit}"


def enforcement_file_path(instance: models.Model, filename: str) -> str:
    # Stored names carry no user input; the original name is kept in the row.
    return f"enforcement/{type(instance).__name__.lower()}/{uuid.uuid4().hex}"


# An enterprise's demand is read by the enterprise, the bureau of its district and above, and
# the officers who serve it or handle the demand; a park operator sees none.
DEMAND_GRANTS: dict[str, frozenset[str]] = {
    Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}),
    Role.OFFICER: frozenset({VIEW, ADD, CHANGE}),
    Role.ENTERPRISE_ADMIN: frozenset({VIEW, ADD, CHANGE}),
    Role.ENTERPRISE_STAFF: frozenset({VIEW, ADD}),
}


class Demand(models.Model):
    """A rights-protection demand (维权诉求) in the ledger: filed by the enterprise online, or
    recorded by an officer from a visit or a call."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        HELP = "help", _("Request for help")
        COMPLAINT = "complaint", _("Complaint about an infringement")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        VISIT = "visit", _("On a visit")
        PHONE = "phone", _("By phone")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        ASSIGNED = "assigned", _("Being handled")
        ANSWERED = "answered", _("Answered")
        RATED = "rated", _("Rated")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="demands", verbose_name=_("enterprise")
    )
    # The enterprise's district when it was filed: the handling bureau.
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FILED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    filed_on = models.DateField(_("filed on"))
    # The response deadline (demand.response working days), or the year that kept it from
    # being counted (no calendar loaded).
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    due_missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment on the answer"), max_length=500, blank=True)

    scope = Scope(
        regions=("region",),
        enterprises=("enterprise",),
        officers=("handler", "enterprise__liaison_officer", "enterprise__guidance_officer"),
        grants=DEMAND_GRANTS,
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [models.Index(fields=["region", "status", "due_on"], name="demand_region_status_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("enforcement:demand_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.FILED, self.Status.ASSIGNED)

    def overdue_on(self, today: datetime.date) -> bool:
        """Open past its due date (shown in red)."""
        return self.is_open and self.due_on is not None and today > self.due_on


class DemandEvent(models.Model):
    """One step of a demand (who, when, what): append-only. ``internal`` events (a bureau's
    note) are never shown to the enterprise."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        ASSIGNED = "assigned", _("Assigned")
        ANSWERED = "answered", _("Answered")
        RATED = "rated", _("Rated")
        ATTACHED = "attached", _("File attached")
        NOTE = "note", _("Internal note")
        TO_CLUE = "to_clue", _("Turned into a clue")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The history is a record: a step once written is never rewritten.
        if self.pk is not None:
            raise ValueError("demand events are append-only")
        super().save(*args, **kwargs)


class DemandAttachment(StoredFile):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=enforcement_file_path, max_length=200)

    scope = Scope(
        regions=("demand__region",),
        enterprises=("demand__enterprise",),
        officers=(
            "demand__handler",
            "demand__enterprise__liaison_officer",
            "demand__enterprise__guidance_officer",
        ),
        grants=DEMAND_GRANTS,
    )
    objects = RestrictedQuerySet.as_manager()
