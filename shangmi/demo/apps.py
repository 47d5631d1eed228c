from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shangmi.demo"
    label = "demo"
