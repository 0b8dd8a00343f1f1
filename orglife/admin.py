"""Admin of organisational life (组织生活): read-only lists of the meetings with their attendance and votes, the
township's settings and monthly themes, the committee's contact points and visits, and the posts of members without
office — each within the user's reach.

Every one of them is written on the organisational-life pages only, through `orglife.*.services`, which keep what the
admin's plain forms would not: 应到/实到 counted from the attendance, no meeting in a closed month, votes counted from
the entitled members, one theme a month. 谈心谈话 are not listed at all: their contents are for the branch secretary
only, and the admin (and its change history) would show them to the township.
"""

from django.contrib import admin
from django.db.models import Count, Q

from orglife.committee.models import CommitteeSeat
from orglife.meetings.models import Attendance, Kind, Meeting, MonthlyTheme, OrgLifeSettings, Presence, Vote
from orglife.posts.models import DutyAssignment, DutyCredit, DutyPost
from orglife.visits.models import ContactPoint, Visit, VisitProblem
from township.admin_base import ReadOnlyAdmin, ReadOnlyMixin, ScopedTabularInline
from township.scoping import townships_for


class ReadOnlyInline(ReadOnlyMixin, ScopedTabularInline):
    can_delete = False


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["member", "presence", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")


class VoteInline(ReadOnlyInline):
    model = Vote
    fields = ["subject", "entitled", "attending", "votes_for", "votes_against", "abstaining", "is_valid"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "kind", "village", "party_group", "topic", "expected", "attended"]
    list_filter = ["kind", "village__township", "village"]
    list_select_related = ["village", "party_group"]
    search_fields = ["topic", "village__name", "party_group__name"]
    date_hierarchy = "held_on"
    inlines = [AttendanceInline, VoteInline]
    fields = ["village", "party_group", "kind", "held_on", "place", "host", "recorder", "topic", "content",
              "decisions", "study_hours", "theme", "report", "recorded_by", "recorded_at"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(kind=Kind.TALK)
            .annotate(
                n_expected=Count("attendance"),
                n_attended=Count("attendance", filter=~Q(attendance__presence=Presence.ABSENT)),
            )
        )

    @admin.display(description="应到", ordering="n_expected")
    def expected(self, obj):
        return obj.n_expected

    @admin.display(description="实到", ordering="n_attended")
    def attended(self, obj):
        return obj.n_attended


class TownshipScopedAdmin(ReadOnlyAdmin):
    """Rows that belong to a township, not a village: those of the townships in reach."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(township__in=townships_for(request.user))


@admin.register(OrgLifeSettings)
class OrgLifeSettingsAdmin(TownshipScopedAdmin):
    list_display = ["township", "assembly", "committee", "group", "lecture", "theme_day", "life", "talk",
                    "study_hours_target"]  # fmt: skip
    list_select_related = ["township"]
    readonly_fields = ["township", *list_display[1:]]
    fields = readonly_fields


@admin.register(MonthlyTheme)
class MonthlyThemeAdmin(TownshipScopedAdmin):
    list_display = ["month", "township", "title", "published_by"]
    list_filter = ["township"]
    list_select_related = ["township", "published_by"]
    search_fields = ["title"]
    date_hierarchy = "month"
    fields = ["township", "month", "title", "materials", "published_by"]
    readonly_fields = fields


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyAdmin):
    list_display = ["member", "village", "party_group", "started_on", "ended_on", "assigned_by"]
    list_filter = ["village__township", "village"]
    list_select_related = ["member", "village", "party_group", "assigned_by"]
    search_fields = ["village__name", "party_group__name"]
    readonly_fields = ["member", "village", "party_group", "started_on", "ended_on", "assigned_by"]
    fields = readonly_fields


class VisitProblemInline(ReadOnlyInline):
    model = VisitProblem
    exclude: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in ("id", "visit")]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["visited_on", "visitor", "village"]
    list_filter = ["village__township", "village"]
    list_select_related = ["visitor", "village"]
    search_fields = ["village__name"]
    date_hierarchy = "visited_on"
    inlines = [VisitProblemInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id"] + [
            f.name for f in self.model._meta.many_to_many
        ]


class DutyAssignmentInline(ReadOnlyInline):
    model = DutyAssignment
    fields = ["member", "started_on", "ended_on", "assigned_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "assigned_by")


@admin.register(DutyPost)
class DutyPostAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "village", "villager_group"]
    list_filter = ["kind", "village__township", "village"]
    list_select_related = ["village", "villager_group__village"]
    search_fields = ["title", "village__name"]
    inlines = [DutyAssignmentInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id"] + [
            f.name for f in self.model._meta.many_to_many
        ]


class DutyCreditInline(ReadOnlyInline):
    model = DutyCredit
    fields = ["activity", "note", "credited_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity", "credited_by")


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["member", "post", "village", "started_on", "ended_on"]
    list_filter = ["post__village__township", "post__village"]
    list_select_related = ["member", "post__village"]
    search_fields = ["member__name", "post__title"]
    fields = ["post", "member", "started_on", "ended_on", "assigned_by"]
    readonly_fields = fields
    inlines = [DutyCreditInline]

    @admin.display(description="村党支部", ordering="post__village__name")
    def village(self, obj):
        return obj.post.village


@admin.register(CommitteeSeat)
class CommitteeSeatAdmin(ReadOnlyAdmin):
    list_display = ["village", "post", "member", "started_on", "ended_on", "recorded_by"]
    list_filter = ["village__township", "village", "post"]
    list_select_related = ["member", "village", "recorded_by"]
    search_fields = ["village__name", "member__name"]
    readonly_fields = list_display
    fields = readonly_fields
