from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "shangmi.regions"
    label = "regions"
