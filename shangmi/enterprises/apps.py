from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "shangmi.enterprises"
    label = "enterprises"

    def ready(self) -> None:
        # The region dashboard shows this app's figures (shangmi.core.figures).
        from shangmi.core.figures import register_figure
        from shangmi.enterprises.figures import LiaisonPoints

        register_figure(LiaisonPoints())
