"""The roles of the platform. A person's rights come from role x region (or x park, x enterprise)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    REGULATOR = "regulator", _("Regulator")
    PARK_OPERATOR = "park_operator", _("Park operator")
    ENTERPRISE_ADMIN = "enterprise_admin", _("Enterprise administrator")
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise staff")
    OFFICER = "officer", _("Liaison / guidance officer")
    EXPERT = "expert", _("Expert")
    JUDICIAL_LIAISON = "judicial_liaison", _("Judicial liaison")


# What each role is bound to; the account form and model validation enforce it.
ROLE_BINDING: dict[str, str | None] = {
    Role.PLATFORM_ADMIN: None,
    Role.REGULATOR: "region",
    Role.PARK_OPERATOR: "park",
    Role.ENTERPRISE_ADMIN: "enterprise",
    Role.ENTERPRISE_STAFF: "enterprise",
    Role.OFFICER: "region",
    Role.EXPERT: "region",
    Role.JUDICIAL_LIAISON: "region",
}
