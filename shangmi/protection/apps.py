from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "shangmi.protection"
    label = "protection"
    verbose_name = _("Protection system")

    def ready(self) -> None:
        # The reads this app records go into the enterprise's one access log (evidence.access).
        from shangmi.protection import access  # noqa: F401
