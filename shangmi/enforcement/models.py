"""Rights protection and enforcement: the working-day calendar and the legal rules as data,
the demands ledger (维权诉求台账), public clues (线索) and their screening.

Every deadline is computed from data with its source (CalendarYear, LegalRule), never from a
constant in code, so a bureau loads a new year's calendar or a newer rule without a release.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shangmi.core.scoping import RestrictedQuerySet, Scope


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
