from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "retailiq.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
