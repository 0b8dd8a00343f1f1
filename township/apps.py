from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # The capability table (registers its rules); role and account changes are kept as security events.
        from django.db.models.signals import post_migrate, pre_migrate

        from accounts.otp import register_credentials_rule, register_role_rule
        from township import capabilities, signals  # noqa: F401
        from township.changes import reinstall_after_migrate, uninstall_before_migrate

        # after every migrate, once every app's tables are there: the triggers counting a village's changes (on
        # SQLite off while the migrations run, which rebuild a table to alter it)
        pre_migrate.connect(uninstall_before_migrate, sender=self, dispatch_uid="township-village-changes-off")
        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="township-village-changes")

        register_role_rule(capabilities.second_factor_required)
        register_credentials_rule(capabilities.may_reset_credentials)
