"""The service network: guidance and service stations and demonstration bases, with the
enterprises each serves. Liaison points and officers live on the enterprise itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, RestrictedQuerySet, Scope


class Station(models.Model):
    class Kind(models.TextChoices):
        GUIDANCE_STATION = "guidance_station", _("Guidance station")
        SERVICE_STATION = "service_station", _("Service station")
        WORK_STATION = "work_station", _("Work station")
        DEMONSTRATION_BASE = "demonstration_base", _("Demonstration base")

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.GUIDANCE_STATION)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="stations", verbose_name=_("district")
    )
    park = models.ForeignKey(
        "regions.Park",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("park"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("guidance officer"),
        limit_choices_to={"role": "officer"},
    )
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", blank=True, related_name="stations", verbose_name=_("enterprises served")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    established_on = models.DateField(_("established"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        regions=("region",),
        parks=("park",),
        enterprises=("enterprises",),
        officers=("officer",),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE, DELETE}),
            Role.PARK_OPERATOR: frozenset({VIEW, CHANGE}),
            Role.OFFICER: frozenset({VIEW}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[enterprises])

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="station_unique_name")]

    def __str__(self) -> str:
        return self.name
