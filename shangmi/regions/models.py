"""Regions (GB/T 2260 administrative divisions) and the parks attached to districts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shangmi.core.roles import Role
from shangmi.core.scoping import VIEW, RestrictedQuerySet, Scope
from shangmi.regions.lookups import SubtreeOf


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District / county")

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64, db_index=True)
    full_name = models.CharField(_("full name"), max_length=128, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    # Materialised path of codes ("330000/330600/330602/"): a subtree is one prefix match.
    path = models.CharField(max_length=32, unique=True)

    # The division codes are public reference data: any signed-in user may read them.
    scope = Scope(public_view=True, grants={})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.full_name

    def is_within(self, other: Region) -> bool:
        return self.path.startswith(other.path)

    def subtree(self) -> models.QuerySet[Region]:
        return Region.objects.filter(path__subtree=self.path)

    def ancestors(self) -> list[Region]:
        codes = [c for c in self.path.strip("/").split("/")][:-1]
        by_code = Region.objects.in_bulk(codes)
        return [by_code[c] for c in codes if c in by_code]


# region__path__subtree=P (through any relation): at or under the region whose path is P.
Region._meta.get_field("path").register_lookup(SubtreeOf)


class Park(models.Model):
    """An industrial park, high-tech zone or development zone, attached to a district."""

    class Kind(models.TextChoices):
        HIGH_TECH_ZONE = "high_tech_zone", _("High-tech zone")
        ECONOMIC_ZONE = "economic_zone", _("Economic and technological development zone")
        INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=128)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="parks", verbose_name=_("district"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.INDUSTRIAL_PARK)
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        regions=("region",),
        parks=("pk",),
        enterprises=("enterprises",),
        grants={
            Role.REGULATOR: frozenset({VIEW, "add", "change", "delete"}),
            Role.PARK_OPERATOR: frozenset({VIEW, "change"}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="park_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name
