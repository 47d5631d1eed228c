from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shangmi.api"
    label = "api"
