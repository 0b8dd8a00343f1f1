from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        # Connect the receivers: the history address and the login events (signals), role and account changes.
        from audit import account_signals, signals  # noqa: F401
