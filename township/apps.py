from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TownshipConfig(AppConfig):
    default = True
    name = "township"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from township import secrets  # noqa: F401  (registers the check that the secrets are set)


class TownshipAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "township.admin_site.TownshipAdminSite"
