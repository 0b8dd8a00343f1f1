"""Admin for 党情民意 concerns: township staff see their township's, county viewers read the county's."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activity.models import Concern
from township.admin_base import ScopedAdmin


@admin.register(Concern)
class ConcernAdmin(ScopedAdmin):
    list_display = ["raised_on", "village", "villager_group", "category", "handling", "due_on", "resolved_on"]
    list_filter = ["handling", "category", "village__township", "village", ("resolved_on", admin.EmptyFieldListFilter)]
    list_select_related = ["village", "villager_group__village"]
    search_fields = ["content", "villager_name", "raised_through__name", "answer", "answered_by"]
    date_hierarchy = "raised_on"
    ordering = ["resolved_on", "due_on", "raised_on"]
    autocomplete_fields = ["raised_through"]
    readonly_fields = ["village", "party_group", "recorded_by", "recorded_at"]
    fieldsets = [
        (
            None,
            {"fields": ["village", "villager_group", "party_group", "raised_through", "villager_name", "raised_on"]},
        ),
        (_("What was said"), {"fields": ["category", "content"]}),
        (_("Handling"), {"fields": ["handling", "relayed_on", "due_on"]}),
        (_("Answer"), {"fields": ["answer", "answered_by", "resolved_on", "settled_by_mediation"]}),
        (None, {"fields": ["recorded_by", "recorded_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        """The village and the covering party group follow from the villager group, as on the branch pages."""
        from activity.concerns.services import covering_party_group

        obj.village_id = obj.villager_group.village_id
        if not change or "villager_group" in form.changed_data:
            obj.party_group = covering_party_group(obj.villager_group, obj.raised_on)
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
