from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shangmi.jobs"
    label = "jobs"
