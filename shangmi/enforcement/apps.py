from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "shangmi.enforcement"
    label = "enforcement"
    verbose_name = _("Rights protection and enforcement")
