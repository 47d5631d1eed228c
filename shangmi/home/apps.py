from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top floor: the home dashboard and the commands that set up every app's reference
    data. It may read every app; no app imports it."""

    name = "shangmi.home"
    label = "home"
