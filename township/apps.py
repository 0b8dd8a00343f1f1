from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # The capability table (registers its rules); role and account changes are kept as security events.
        from accounts.otp import register_credentials_rule, register_role_rule
        from township import capabilities, signals  # noqa: F401

        register_role_rule(capabilities.second_factor_required)
        register_credentials_rule(capabilities.may_reset_credentials)
