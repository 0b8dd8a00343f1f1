"""The township admin: Chinese titles, and the warnings of the user's reach on the index page."""

from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


class TownshipAdminSite(admin.AdminSite):
    site_header = _("Party group administration")
    site_title = _("Party group administration")
    index_title = _("Township administration")

    def has_permission(self, request) -> bool:
        """Township staff and county viewers (read-only) may enter; branch secretaries work on the branch pages; the
        account administrator (三员) enters for accounts and roles only, the security auditor not at all."""
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("admin.enter")

    def index(self, request, extra_context=None):
        from groups.selectors import warnings_for
        from township.scoping import villages_for

        extra_context = {**(extra_context or {}), "warnings": warnings_for(villages_for(request.user))}
        return super().index(request, extra_context)


BOOLEAN_WORDS = {True: ("yes", "是"), False: ("no", "否"), None: ("unknown", "未知")}


def _boolean_icon(value) -> str:
    """The admin's yes/no icon, its text 是/否/未知 (Django's says True/False/None, which a screen reader reads out)."""
    icon, word = BOOLEAN_WORDS[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), word)


def chinese_boolean_icons() -> None:
    """Every admin page draws booleans through `admin_list._boolean_icon` (the other modules look it up there)."""
    admin_list._boolean_icon = _boolean_icon
