"""The township admin: Chinese titles, and the warnings of the user's reach on the index page."""

from django.contrib import admin
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
