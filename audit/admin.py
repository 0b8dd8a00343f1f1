"""Security events in the admin: the system administrator reads them; nobody adds, changes or deletes one.

(The security auditor reads them on /audit/, outside the admin. History rows are not in the admin as such; each
record's history page shows them, and township.admin_base refuses to write a past version back.)
"""

from django.contrib import admin

from audit.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "ip", "object_type", "object_id", "object_repr", "rows"]
    list_filter = ["action"]
    search_fields = ["username", "object_repr", "=object_id", "=ip"]
    date_hierarchy = "at"
    list_per_page = 50

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
