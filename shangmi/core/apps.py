from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shangmi.core"
    label = "core"
