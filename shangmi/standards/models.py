"""Evaluation standards as versioned data: categories > criteria > items with points, or
pass/fail conditions.

A standard is loaded from a data file in the repository (shangmi/standards/data/); the
rows here are a read-only copy of it. Once an application has used a version, that
version is frozen: the loader refuses to change it and a new version must be published.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from shangmi.core.scoping import RestrictedQuerySet, Scope

# Points as the data files write them: up to 9999.9.
POINT_DIGITS = 5
POINT_PLACES = 1


class Standard(models.Model):
    class Kind(models.TextChoices):
        POINTS = "points", _("Points")
        CONDITIONS = "conditions", _("Pass / fail conditions")

    code = models.SlugField(_("code"), max_length=64)
    version = models.CharField(_("version"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The cap on the total (the Chongqing standard: bonus points never lift it above 100).
    max_total = models.DecimalField(
        _("maximum total"), null=True, blank=True, max_digits=POINT_DIGITS, decimal_places=POINT_PLACES
    )
    # Points needed to pass, where the standard names a threshold.
    pass_mark = models.DecimalField(
        _("pass mark"), null=True, blank=True, max_digits=POINT_DIGITS, decimal_places=POINT_PLACES
    )
    notes = models.TextField(_("notes"), blank=True)
    # Where the issuer's authority runs: a round may use the standard there and beneath it.
    # Empty: a national standard, usable everywhere.
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region where it applies"),
    )
    # SHA-256 of the canonical form of the data file: tells whether a reload changes anything.
    content_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)
    # Set when the first application uses this version; a frozen version never changes.
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)

    # Standards are published documents: every signed-in user may read them.
    scope = Scope(public_view=True, grants={})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("evaluation standard")
        verbose_name_plural = _("evaluation standards")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="standard_code_version")]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def has_points(self) -> bool:
        return self.kind == self.Kind.POINTS


class Category(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="categories")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    # The 创建标准 column: what the category asks of the applicant, in the standard's words.
    requirement = models.TextField(_("requirement"), blank=True)
    points = models.DecimalField(
        _("points"), null=True, blank=True, max_digits=POINT_DIGITS, decimal_places=POINT_PLACES
    )
    is_bonus = models.BooleanField(_("bonus"), default=False)

    class Meta:
        ordering = ["standard_id", "number"]
        constraints = [models.UniqueConstraint(fields=["standard", "number"], name="category_number")]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=16)
    title = models.TextField(_("title"), blank=True)
    points = models.DecimalField(
        _("points"), null=True, blank=True, max_digits=POINT_DIGITS, decimal_places=POINT_PLACES
    )

    class Meta:
        ordering = ["category_id", "number"]
        constraints = [models.UniqueConstraint(fields=["category", "number"], name="criterion_number")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Item(models.Model):
    """One checkbox of the standard (`1.1.a`), or one pass/fail condition."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=16)
    text = models.TextField(_("text"))
    points = models.DecimalField(
        _("points"), null=True, blank=True, max_digits=POINT_DIGITS, decimal_places=POINT_PLACES
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["standard_id", "order"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="item_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def points_or_zero(self) -> Decimal:
        return self.points if self.points is not None else Decimal(0)
