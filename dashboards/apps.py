from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The township, county and branch home pages: reads every room, nothing imports it."""

    default = True
    name = "dashboards"
    verbose_name = _("Dashboards")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with the township's site (Chinese titles, the warnings of the user's reach on its index)."""

    default = False
    default_site = "dashboards.admin_site.TownshipAdminSite"

    def ready(self) -> None:
        from core import placeholders

        placeholders.apply()  # before super().ready() imports every admin.py, and the forms they declare
        super().ready()
        from dashboards.admin_site import chinese_boolean_icons, readonly_links_that_open

        chinese_boolean_icons()
        readonly_links_that_open()
