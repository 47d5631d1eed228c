from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreationConfig(AppConfig):
    name = "shangmi.creation"
    label = "creation"
    verbose_name = _("Demonstration creation")
