"""People and their roles: a person's rights come from role x region, park or enterprise."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shangmi.core.roles import ROLE_BINDING, Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, RestrictedQuerySet, Scope


class ScopedUserManager(UserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("region"),
    )
    park = models.ForeignKey(
        "regions.Park", on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("enterprise"),
    )
    organisation = models.CharField(
        _("organisation"), max_length=128, blank=True, help_text=_("Bureau, court, institution or firm.")
    )
    must_change_password = models.BooleanField(default=False)

    # Regulators manage the accounts of their region; enterprise admins invite their staff.
    scope = Scope(
        regions=("region", "park__region", "enterprise__region"),
        parks=("park",),
        enterprises=("enterprise",),
        owners=("pk",),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW, ADD, CHANGE}),
            Role.PARK_OPERATOR: frozenset({VIEW}),
        },
    )
    objects = ScopedUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new password, however it was set (changed, reset, by a command), ends every API
        # token: a token taken while the old password leaked must not outlive it.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user_id=self.pk).delete()

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        binding = ROLE_BINDING.get(self.role)
        errors = {}
        for attr in ("region", "park", "enterprise"):
            has = getattr(self, f"{attr}_id") is not None
            if attr == binding and not has:
                errors[attr] = _("This role must be bound to a %(what)s.") % {"what": attr_label(attr)}
            elif attr != binding and has:
                errors[attr] = _("This role is not bound to a %(what)s.") % {"what": attr_label(attr)}
        if errors:
            raise ValidationError(errors)

    @property
    def home_region(self):
        """The region a person works in, whatever their role is bound to."""
        if self.region_id:
            return self.region
        if self.park_id:
            return self.park.region
        if self.enterprise_id:
            return self.enterprise.region
        return None


def attr_label(attr: str) -> str:
    return {"region": _("region"), "park": _("park"), "enterprise": _("enterprise")}[attr]
