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
        from township.scoping import Role, role_of

        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or role_of(user) in {Role.TOWNSHIP_STAFF, Role.COUNTY_VIEWER, Role.ACCOUNT_ADMIN}

    def index(self, request, extra_context=None):
        from groups.selectors import warnings_for
        from township.scoping import villages_for

        extra_context = {**(extra_context or {}), "warnings": warnings_for(villages_for(request.user))}
        return super().index(request, extra_context)
