"""Admin for monthly reports: read-only, because a report changes only through the branch pages' services
(which keep the version, the closed-month rule and the reopening record)."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activity.models import Activity, MonthlyReport, ReportReopening
from township.admin_base import ReadOnlyAdmin, ScopedTabularInline


class ReadOnlyInline(ScopedTabularInline):
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ActivityInline(ReadOnlyInline):
    model = Activity
    fields = ["held_on", "kind", "is_emergency", "villager_group", "households_reached", "non_party_present",
              "content", "outcome"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("villager_group__village")


class ReopeningInline(ReadOnlyInline):
    model = ReportReopening
    fields = ["reopened_at", "reopened_by", "reason"]
    readonly_fields = fields


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["party_group", "village", "month", "status", "activity_count", "submitted_at", "closed_at"]
    list_filter = ["status", "party_group__village__township", "party_group__village"]
    list_select_related = ["party_group__village"]
    search_fields = ["party_group__name", "party_group__village__name"]
    date_hierarchy = "month"
    inlines = [ActivityInline, ReopeningInline]
    readonly_fields = ["party_group", "month", "status", "summary", "activity_count", "submitted_at", "submitted_by",
                       "closed_at", "closed_by", "updated_at", "updated_by"]
    fields = readonly_fields

    @admin.display(description=_("village"), ordering="party_group__village__name")
    def village(self, obj):
        return obj.party_group.village
