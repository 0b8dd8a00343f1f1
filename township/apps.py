from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # The capability table (registers its rules); role and account changes are kept as security events.
        from township import capabilities, signals  # noqa: F401
