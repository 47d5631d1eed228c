from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "shangmi.enterprises"
    label = "enterprises"
