from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "shangmi.ledgers"
    label = "ledgers"
    verbose_name = _("Ledgers")

    def ready(self) -> None:
        # The region dashboard shows this app's figures (shangmi.core.figures).
        from shangmi.core.figures import register_figure
        from shangmi.ledgers.rates.figures import AwarenessRate, TrainingRate

        register_figure(TrainingRate())
        register_figure(AwarenessRate())
