from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "shangmi.enforcement"
    label = "enforcement"
    verbose_name = _("Rights protection and enforcement")

    def ready(self) -> None:
        # The region dashboard shows this app's figures (shangmi.core.figures).
        from shangmi.core.figures import register_figure
        from shangmi.enforcement.figures import Cases

        register_figure(Cases())
