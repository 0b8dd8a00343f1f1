from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Role and account changes are kept as security events.
        from township import signals  # noqa: F401
