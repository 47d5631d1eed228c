"""Targets (指标): minimum counts per region x demonstration type x level x year.

Only the minimum is typed; progress (candidates, submitted, approved) is always counted
from the applications and titles, never stored.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, RestrictedQuerySet, Scope
from shangmi.creation.models import DemoType

REGULATOR_WRITES: Mapping[str, frozenset[str]] = {Role.REGULATOR: frozenset({VIEW, ADD, CHANGE, DELETE})}


class Metric(models.TextChoices):
    """What a target counts."""

    DEMONSTRATION = "demonstration", _("Demonstration titles")
    # Seed 003's fourth column: enterprises given special coaching (专项辅导); the count
    # includes the cultivation candidates.
    COACHING = "coaching", _("Enterprises given special coaching")


class TargetProgram(models.Model):
    """A multi-year program: a total split into yearly shares (seed 003: 1,000 stations at 20/40/40)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    title = models.CharField(_("title"), max_length=200)
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices, default=Metric.DEMONSTRATION)
    demo_type = models.CharField(_("demonstration type"), max_length=16, choices=DemoType.choices, blank=True)
    # Comma-separated Level codes: "municipal,county" is seed 003's 市、县级.
    levels = models.CharField(_("levels"), max_length=64, blank=True)
    total = models.PositiveIntegerField(_("total"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    # Percent per year, in order from start_year; they add up to 100.
    shares = models.JSONField(_("shares per year (%)"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = Scope(regions=("region",), grants=REGULATOR_WRITES)
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["region_id", "start_year"]
        verbose_name = _("target program")
        verbose_name_plural = _("target programs")

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="targets", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices, default=Metric.DEMONSTRATION)
    demo_type = models.CharField(_("demonstration type"), max_length=16, choices=DemoType.choices, blank=True)
    levels = models.CharField(_("levels"), max_length=64, blank=True)
    minimum = models.PositiveIntegerField(_("minimum"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    program = models.ForeignKey(TargetProgram, on_delete=models.CASCADE, null=True, blank=True, related_name="targets")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(regions=("region",), grants=REGULATOR_WRITES)
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["year", "region_id", "metric", "demo_type", "levels"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "metric", "demo_type", "levels"], name="target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year} {self.demo_type} {self.levels}: {self.minimum}"

    @property
    def level_list(self) -> list[str]:
        return [code for code in self.levels.split(",") if code]


class CoachingEnrolment(models.Model):
    """An enterprise on a district's special-coaching list (专项辅导名单) for a year."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="coaching", verbose_name=_("enterprise")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(regions=("enterprise__region",), enterprises=("enterprise",), grants=REGULATOR_WRITES)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["year", "enterprise_id"]
        verbose_name = _("coaching enrolment")
        verbose_name_plural = _("coaching enrolments")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="coaching_once_a_year")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"
