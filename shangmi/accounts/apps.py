from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shangmi.accounts"
    label = "accounts"
