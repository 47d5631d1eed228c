from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "shangmi.targets"
    label = "targets"
    verbose_name = _("Targets")

    def ready(self) -> None:
        # The region dashboard shows this app's figures (shangmi.core.figures).
        from shangmi.core.figures import register_figure
        from shangmi.targets.figures import TitlesAwarded

        register_figure(TitlesAwarded())
