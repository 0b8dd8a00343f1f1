from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Logins and passwords")

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (login, logout, failure and lockout events; sessions of disabled accounts)
