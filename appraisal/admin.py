"""Admin of the appraisal: each year's rules and rubric (changed while the year is not decided), and read-only lists
of the scores, spot checks, branch appraisals and reopenings.

Scores, checks and branch rows are written on the appraisal pages only, through `appraisal.scoring`, which keeps what
the admin's plain forms would not: the lock of a decided year, an item's maximum, the rectification deadline, and a
branch total that always agrees with its parts. A year is opened on the appraisal pages too (it gets its rubric there).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from appraisal.models import (
    AppraisalYear,
    Award,
    BranchAppraisal,
    GroupScore,
    ReserveCandidate,
    RubricItem,
    SpotCheck,
    YearReopening,
)
from township.admin_base import (
    ReadOnlyMixin,
    ScopedAdmin,
    ScopedRelatedFieldListFilter,
    ScopedTabularInline,
    ScopeMixin,
)
from township.scoping import townships_for


class YearFilter(admin.SimpleListFilter):
    """The appraisal years in reach, named with their township in one query (the plain related filter would fetch
    each year's township to name it)."""

    title = _("year")
    parameter_name = "year__id__exact"

    def lookups(self, request, model_admin):
        years = AppraisalYear.objects.visible_to(request.user).select_related("township").order_by("-year")
        return [(y.pk, str(y)) for y in years]

    def queryset(self, request, queryset):
        # str(): with facets on (?_facets=True) Django counts each lookup by handing its value (an int pk) in here
        value = str(self.value() or "")
        return queryset.filter(year_id=value) if value.isdigit() else queryset


class RubricItemInline(ScopedTabularInline):
    model = RubricItem
    fields = ["position", "name", "max_points", "source", "target", "evidence"]
    verbose_name_plural = _("items of the regular appraisal (each quarter)")

    def _locked(self, obj) -> bool:
        return obj is not None and obj.is_locked

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request) and not self._locked(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)


class ReopeningInline(ReadOnlyMixin, ScopedTabularInline):
    model = YearReopening
    fields = ["reopened_at", "reopened_by", "reason"]
    readonly_fields = fields
    can_delete = False


@admin.register(AppraisalYear)
class AppraisalYearAdmin(ScopedAdmin):
    money_fields = (
        "advanced_group_amount",
        "excellent_leader_amount",
        "excellent_member_amount",
        "streak_bonus_amount",
    )
    list_display = ["__str__", "township", "year", "state", "advanced_group_quota", "pages"]
    list_filter = ["state", "township"]
    list_select_related = ["township"]
    search_fields = ["township__name", "year"]
    inlines = [RubricItemInline, ReopeningInline]
    fieldsets = [
        (None, {"fields": ["township", "year", "state", "decided_at", "decided_by"]}),
        (
            _("Quotas and amounts"),
            {
                "fields": [
                    ("advanced_group_quota", "advanced_group_amount"),
                    ("excellent_leader_quota", "excellent_leader_amount"),
                    ("excellent_member_quota", "excellent_member_amount"),
                    ("streak_years", "streak_bonus_amount", "streak_bonus_repeatable"),
                ]
            },
        ),
        (
            _("民主评议 and weights"),
            {
                "fields": [
                    ("excellent_share_numerator", "excellent_share_denominator"),
                    "spot_check_weight",
                    "group_work_weight",
                ]
            },
        ),
        (
            _("Public notice and issuing"),
            {"fields": [("publicity_starts_on", "publicity_ends_on"), "issuing_unit", "issued_on"]},
        ),
    ]
    # The state moves through the award pages (nominating, decided, reopened with a reason), never by a form field.
    always_read_only = ["township", "year", "state", "decided_at", "decided_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return [f for block in self.fieldsets for f in _flatten(block[1]["fields"])]
        return self.always_read_only

    def has_add_permission(self, request, *args):
        return False  # opened on the appraisal pages, which give the year its rubric

    def has_delete_permission(self, request, obj=None):
        return False  # a year is a record: scores, checks and awards hang on it

    @admin.display(description=_("pages"))
    def pages(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("appraisal:year", args=[obj.pk]), _("open"))


def _flatten(fields):
    for f in fields:
        if isinstance(f, list | tuple):
            yield from f
        else:
            yield f


@admin.register(GroupScore)
class GroupScoreAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["party_group", "village", "year", "quarter", "item", "points", "entered_by", "updated_at"]
    list_filter = [YearFilter, "quarter", "item__source", "party_group__village"]
    list_select_related = ["party_group__village", "year__township", "item", "entered_by"]
    search_fields = ["party_group__name", "party_group__village__name", "item__name"]
    fields = ["year", "party_group", "quarter", "item", "points", "evidence", "entered_by", "updated_at", "page"]
    readonly_fields = fields

    @admin.display(description=_("village"), ordering="party_group__village__name")
    def village(self, obj):
        return obj.party_group.village

    @admin.display(description=_("page"))
    def page(self, obj):
        url = reverse("appraisal:quarter", args=[obj.year_id, obj.party_group_id, obj.quarter])
        return format_html('<a href="{}">{}</a>', url, _("the quarter's items and evidence"))


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["checked_on", "party_group", "village", "rating", "points", "rectify_by", "rectified_on"]
    list_filter = [YearFilter, "rating", "party_group__village"]
    list_select_related = ["party_group__village", "year__township"]
    search_fields = ["party_group__name", "party_group__village__name", "findings", "checked_by"]
    date_hierarchy = "checked_on"
    fields = [
        "year",
        "party_group",
        "checked_on",
        "checked_by",
        "by_visit",
        "by_asking_villagers",
        "by_reading_records",
        "findings",
        "rating",
        "points",
        "rectification",
        "rectify_by",
        "rectified_on",
        "follow_up",
        "recorded_by",
        "page",
    ]
    readonly_fields = fields

    @admin.display(description=_("village"), ordering="party_group__village__name")
    def village(self, obj):
        return obj.party_group.village

    @admin.display(description=_("page"))
    def page(self, obj):
        url = reverse("appraisal:spot-check", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("open the check (follow-up)"))


@admin.register(BranchAppraisal)
class BranchAppraisalAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["village", "year", "township_points", "group_points", "total", "entered_by"]
    list_filter = [YearFilter, "village"]
    list_select_related = ["village", "year__township", "entered_by"]
    search_fields = ["village__name"]
    fields = ["year", "village", "township_points", "group_points", "total", "notes", "entered_by", "page"]
    readonly_fields = fields

    @admin.display(description=_("page"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("appraisal:branches", args=[obj.year_id]), _("branch table"))


@admin.register(YearReopening)
class YearReopeningAdmin(ReadOnlyMixin, ScopeMixin, admin.ModelAdmin):
    """Who reopened a decided year, when and why: a record, never changed."""

    list_display = ["year", "reopened_at", "reopened_by", "reason"]
    list_filter = [("year__township", ScopedRelatedFieldListFilter)]
    list_select_related = ["year__township", "reopened_by"]
    fields = ["year", "reopened_at", "reopened_by", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        # YearReopening has no `visible_to` of its own: it is in reach through its year's township.
        qs = super().get_queryset(request)
        return qs.filter(year__township__in=townships_for(request.user).values("pk"))


@admin.register(Award)
class AwardAdmin(ReadOnlyMixin, ScopedAdmin):
    """Awards change only through the award pages (quotas, the lock and the streak rule live in appraisal.awards)."""

    list_display = ["year", "kind", "status", "village", "party_group", "member", "amount", "decided_at"]
    list_filter = [YearFilter, "kind", "status", "village"]
    list_select_related = ["year__township", "village", "party_group", "member"]
    search_fields = ["member__name", "party_group__name", "village__name"]


@admin.register(ReserveCandidate)
class ReserveCandidateAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["list", "member", "village", "year", "reason", "added_at"]
    list_filter = [YearFilter, "list", "village"]
    list_select_related = ["year__township", "village", "member"]
    search_fields = ["member__name", "village__name"]
