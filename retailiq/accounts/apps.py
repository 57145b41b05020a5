from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "retailiq.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from .token_cache import connect_token_cache_signals

        connect_token_cache_signals()
