"""People and their roles: a person's rights come from role x region, park or enterprise."""

from __future__ import annotations

from typing import Any, ClassVar

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
    # An account someone else made for an enterprise that has an admin: inactive until one of
    # that enterprise's admins approves it (shangmi.accounts.approval).
    awaiting_approval = models.BooleanField(_("awaiting approval"), default=False)

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
    objects: ClassVar[ScopedUserManager] = ScopedUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever path writes an account (a page, a service, a command, a shell), what it does
        # to an enterprise's accounts is recorded for that enterprise's admins, and a new
        # password ends every API token: a token taken while the old password leaked must not
        # outlive it. Both are here, not in a service, because none of those paths may skip them.
        from shangmi.accounts.audit import account_changes, record_account_changes

        # AbstractBaseUser keeps a password set since loading in _password (not in its stubs).
        password_changed = getattr(self, "_password", None) is not None and self.pk is not None
        changes = account_changes(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        record_account_changes(self, changes)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user_id=self.pk).delete()

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        binding = ROLE_BINDING.get(self.role)
        errors: dict[str, str] = {}
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
    return str({"region": _("region"), "park": _("park"), "enterprise": _("enterprise")}[attr])


class AccountEvent(models.Model):
    """What was done to an enterprise's accounts, for that enterprise's admins to read: a
    bureau that made itself an account there, or reset a password, cannot do it unseen."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Account created")
        AWAITING = "awaiting", _("Account awaiting approval")
        APPROVED = "approved", _("Account approved")
        REJECTED = "rejected", _("Account refused")
        ROLE_CHANGED = "role_changed", _("Role or enterprise changed")
        PASSWORD_SET = "password_set", _("Password set")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="account_events", verbose_name=_("enterprise")
    )
    account = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    # Kept as text too: a refused account is deleted, its event stays.
    username = models.CharField(_("username"), max_length=150)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    scope = Scope(
        enterprises=("enterprise",),
        enterprise_private=True,
        grants={Role.ENTERPRISE_ADMIN: frozenset({VIEW})},
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")

    def __str__(self) -> str:
        return f"{self.username} {self.kind} {self.at:%Y-%m-%d %H:%M}"
