"""The expert pool (专家库): the people a bureau may ask to judge an application, what they
know, where they are, whether they can take work now, and the enterprises they must not judge.

The pool is a registry beneath demonstration creation: creation draws an expert from it and
refuses one with a declared conflict. Assignments themselves are creation's
(``creation.ExpertAssignment``): they are part of an application's review.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, RestrictedQuerySet, Scope


class Field(models.TextChoices):
    """Fields of expertise a bureau looks for when it composes a review panel."""

    LAW = "law", _("Law (trade secrets, competition)")
    TECHNOLOGY = "technology", _("Technology and R&D")
    INFORMATION_SECURITY = "information_security", _("Information security")
    MANAGEMENT = "management", _("Enterprise management and compliance")
    FINANCE = "finance", _("Finance and audit")
    APPRAISAL = "appraisal", _("Forensic appraisal")


class ExpertProfile(models.Model):
    """One expert of the pool: a user with the expert role, registered by the bureau of the
    region the expert is bound to."""

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Available")
        UNAVAILABLE = "unavailable", _("Not available")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile", verbose_name=_("expert")
    )
    title = models.CharField(_("professional title"), max_length=64, blank=True)
    availability = models.CharField(
        _("availability"), max_length=16, choices=Availability.choices, default=Availability.AVAILABLE
    )
    # Until when an unavailable expert is away (empty: until they say otherwise).
    unavailable_until = models.DateField(_("unavailable until"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    # The bureau of the expert's region (and those above it) keeps the pool; the expert reads
    # and keeps their own profile (their availability and conflicts).
    scope = Scope(
        regions=("user__region",),
        experts=("user",),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}),
            Role.EXPERT: frozenset({VIEW, CHANGE}),
        },
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name", "pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("expert pool")

    def __str__(self) -> str:
        return self.user.display_name

    def get_absolute_url(self) -> str:
        return reverse("experts:profile_detail", args=[self.pk])


class Expertise(models.Model):
    """One field of an expert's expertise (a row each, so the pool filters by field)."""

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="expertise")
    field = models.CharField(_("field of expertise"), max_length=32, choices=Field.choices)

    class Meta:
        ordering = ["profile_id", "field"]
        constraints = [models.UniqueConstraint(fields=["profile", "field"], name="expertise_field")]

    def __str__(self) -> str:
        return self.get_field_display()


class Conflict(models.Model):
    """A declared conflict of interest: the expert must not judge this enterprise.

    Named by its unified social credit code, so a conflict can be declared before the
    enterprise is on the platform and without the expert reading the enterprise registry.
    """

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="conflicts")
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("enterprise"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = Scope(
        regions=("profile__user__region",),
        experts=("profile__user",),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}),
            Role.EXPERT: frozenset({VIEW, ADD, CHANGE}),
        },
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["profile_id", "name"]
        constraints = [models.UniqueConstraint(fields=["profile", "uscc"], name="conflict_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"
