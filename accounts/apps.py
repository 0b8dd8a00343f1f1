from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Logins and passwords")

    def ready(self) -> None:
        from django.apps import apps

        from accounts import signals  # noqa: F401  (login, logout, failure and lockout events; sessions of disabled accounts)

        # The two libraries' admin sections under names a clerk reads (their own catalogues have no Chinese).
        apps.get_app_config("axes").verbose_name = _("Login lockouts")
        apps.get_app_config("otp_totp").verbose_name = _("Two-factor phone apps")
