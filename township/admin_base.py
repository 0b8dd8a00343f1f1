"""The base of every admin page: querysets, choices and permissions all follow `township.scoping`."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from township.scoping import Role, role_of


def may_view(user) -> bool:
    return user.is_active and (user.is_superuser or role_of(user) in {Role.TOWNSHIP_STAFF, Role.COUNTY_VIEWER})


def may_edit(user) -> bool:
    return user.is_active and (user.is_superuser or role_of(user) == Role.TOWNSHIP_STAFF)


class ScopeMixin:
    """Scoped queryset, scoped foreign-key choices, and permissions by role (county viewers only read)."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if hasattr(qs, "visible_to") else qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        qs = related._default_manager.all()
        if hasattr(qs, "visible_to"):
            qs = qs.visible_to(request.user)
            if any(f.name == "village" for f in related._meta.fields):
                qs = qs.select_related("village")
            kwargs.setdefault("queryset", qs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return may_view(request.user)

    def has_view_permission(self, request, obj=None):
        return may_view(request.user)

    def has_add_permission(self, request, *args):
        return may_edit(request.user)

    def has_change_permission(self, request, obj=None):
        return may_edit(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_edit(request.user)


class ScopedAdmin(ScopeMixin, SimpleHistoryAdmin):
    """A model admin for township staff, with the change history (who, when, what) one click away."""


class ScopedTabularInline(ScopeMixin, admin.TabularInline):
    extra = 0
