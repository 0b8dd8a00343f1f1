"""Admin for villager groups, party groups (with posts and coverage inline), posts and elections."""

from django.contrib import admin
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from groups.forms import CoverageForm, PostForm, PostFormSet
from groups.models import (
    Coverage,
    ElectionCandidate,
    GroupPost,
    LeaderElection,
    PartyGroup,
    VillagerGroup,
)
from groups.selectors import party_groups_with_people
from members.admin import PartyMemberAdmin
from members.models import PartyMember
from township.admin import VillageAdmin
from township.admin_base import ReadOnlyAdmin, ScopedAdmin, ScopedTabularInline
from township.models import Village


@admin.register(VillagerGroup)
class VillagerGroupAdmin(ScopedAdmin):
    list_display = ["name", "village", "households", "population", "covered_by", "abolished_on"]
    list_filter = ["village__township", "village"]
    list_select_related = ["village"]
    search_fields = ["name", "village__name"]
    fields = ["village", "number", "name", "households", "population", "abolished_on"]

    def get_queryset(self, request):
        current = Coverage.objects.current().filter(villager_group=OuterRef("pk"))
        return super().get_queryset(request).annotate(covering_group=Subquery(current.values("party_group__name")[:1]))

    @admin.display(description=_("looked after by"), ordering="covering_group")
    def covered_by(self, obj):
        return obj.covering_group or format_html('<span class="warn">{}</span>', _("nobody"))


class PostInline(ScopedTabularInline):
    model = GroupPost
    form = PostForm
    formset = PostFormSet
    fields = ["member", "role", "started_on", "ended_on"]
    autocomplete_fields = ["member"]
    verbose_name = _("current post")
    verbose_name_plural = _("current leader, deputies and members")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ended_on__isnull=True).select_related("member")


class PastPostInline(ScopedTabularInline):
    model = GroupPost
    fields = ["member", "role", "started_on", "ended_on", "election"]
    readonly_fields = fields
    verbose_name = _("past post")
    verbose_name_plural = _("past posts")
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ended_on__isnull=False).select_related("member", "election")

    def has_add_permission(self, request, obj=None):
        return False


class CoverageInline(ScopedTabularInline):
    model = Coverage
    form = CoverageForm
    fields = ["villager_group", "started_on", "ended_on"]
    verbose_name_plural = _("villager groups looked after (with history)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("villager_group__village")


@admin.register(PartyGroup)
class PartyGroupAdmin(ScopedAdmin):
    list_display = ["name", "village", "leader", "member_count", "villager_groups", "warnings"]
    list_filter = ["village__township", "village"]
    list_select_related = ["village__township"]
    search_fields = ["name", "village__name"]
    fields = ["village", "name", "established_on", "dissolved_on", "election_link"]
    readonly_fields = ["election_link"]
    inlines = [PostInline, CoverageInline, PastPostInline]

    def get_queryset(self, request):
        return party_groups_with_people(super().get_queryset(request))

    @admin.display(description=_("leader and deputies"))
    def leader(self, obj):
        return "、".join(f"{p.member.name}（{p.get_role_display()}）" for p in obj.officers) or "—"

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    @admin.display(description=_("villager groups"))
    def villager_groups(self, obj):
        return "、".join(c.villager_group.name for c in obj.covered) or "—"

    @admin.display(description=_("warnings"))
    def warnings(self, obj):
        t = obj.village.township
        notes = []
        if not t.group_size_min <= obj.member_count <= t.group_size_max:
            notes.append(_("size outside %(lo)d–%(hi)d") % {"lo": t.group_size_min, "hi": t.group_size_max})
        if obj.leader_count == 0:
            notes.append(_("no leader"))
        if obj.villager_group_count > t.villager_groups_per_party_group:
            notes.append(_("covers %(n)d villager groups") % {"n": obj.villager_group_count})
        return format_html('<span class="warn">{}</span>', "；".join(str(n) for n in notes)) if notes else ""

    @admin.display(description=_("leader election"))
    def election_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("groups:election-new", args=[obj.pk]), _("Record an election")
        )


@admin.register(GroupPost)
class GroupPostAdmin(ScopedAdmin):
    form = PostForm
    list_display = ["member", "party_group", "village", "role", "started_on", "ended_on"]
    list_filter = ["role", "party_group__village__township", "party_group__village"]
    list_select_related = ["member", "party_group__village"]
    search_fields = ["member__name", "party_group__name"]
    autocomplete_fields = ["member", "party_group"]
    date_hierarchy = "started_on"

    @admin.display(description=_("village"), ordering="party_group__village__name")
    def village(self, obj):
        return obj.party_group.village


class CandidateInline(ScopedTabularInline):
    model = ElectionCandidate
    fields = ["member", "office", "votes", "elected"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LeaderElection)
class LeaderElectionAdmin(ReadOnlyAdmin):
    """Elections are recorded through the election page (which applies the rules); here they are read."""

    list_display = ["party_group", "village", "held_on", "members_present", "members_entitled", "outcome", "elected"]
    list_filter = ["outcome", "party_group__village__township", "party_group__village"]
    list_select_related = ["party_group__village"]
    search_fields = ["party_group__name", "party_group__village__name"]
    date_hierarchy = "held_on"
    inlines = [CandidateInline]
    readonly_fields = [
        "party_group",
        "held_on",
        "members_entitled",
        "members_present",
        "outcome",
        "failure_reason",
        "rules",
        "notes",
        "recorded_by",
        "recorded_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        winners = ElectionCandidate.objects.filter(elected=True).select_related("member")
        return (
            super().get_queryset(request).prefetch_related(Prefetch("candidates", queryset=winners, to_attr="winners"))
        )

    @admin.display(description=_("village"), ordering="party_group__village__name")
    def village(self, obj):
        return obj.party_group.village

    @admin.display(description=_("elected"))
    def elected(self, obj):
        return "、".join(f"{c.member.name}（{c.get_office_display()}）" for c in obj.winners) or "—"


@admin.register(Coverage)
class CoverageAdmin(ScopedAdmin):
    form = CoverageForm
    list_display = ["villager_group", "party_group", "started_on", "ended_on"]
    list_filter = ["party_group__village__township", "party_group__village"]
    list_select_related = ["villager_group__village", "party_group"]
    search_fields = ["villager_group__name", "party_group__name", "party_group__village__name"]
    date_hierarchy = "started_on"


# The member and village pages show what only this room knows: a member's posts in party groups, a village's
# villager groups and party groups. `members` and `township` sit below `groups` and cannot import it, so their admin
# pages are extended here.
class PostHistoryInline(ScopedTabularInline):
    model = GroupPost
    fk_name = "member"
    fields = ["party_group", "role", "started_on", "ended_on", "election"]
    readonly_fields = fields
    verbose_name = _("party group post")
    verbose_name_plural = _("party group history")
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party_group", "election").order_by("-started_on")

    def has_add_permission(self, request, obj=None):
        return False


class VillagerGroupInline(ScopedTabularInline):
    model = VillagerGroup
    fields = ["number", "name", "households", "population", "abolished_on"]


class PartyGroupInline(ScopedTabularInline):
    model = PartyGroup
    fields = ["name", "established_on", "dissolved_on"]
    show_change_link = True



class GroupFilter(admin.SimpleListFilter):
    title = _("party group")
    parameter_name = "in_group"

    def lookups(self, request, model_admin):
        return [("yes", _("in a party group")), ("no", _("in no party group"))]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(current_group__isnull=self.value() == "no")
        return queryset



admin.site.unregister(PartyMember)


@admin.register(PartyMember)
class PartyMemberWithPostsAdmin(PartyMemberAdmin):
    list_display = [*PartyMemberAdmin.list_display[:-1], "group_name", PartyMemberAdmin.list_display[-1]]
    list_filter = [*PartyMemberAdmin.list_filter, GroupFilter]
    inlines = [*PartyMemberAdmin.inlines, PostHistoryInline]

    def get_queryset(self, request):
        current = GroupPost.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)
        return super().get_queryset(request).annotate(current_group=Subquery(current.values("party_group__name")[:1]))

    @admin.display(description=_("party group"), ordering="current_group")
    def group_name(self, obj):
        return obj.current_group or "—"


admin.site.unregister(Village)


@admin.register(Village)
class VillageWithGroupsAdmin(VillageAdmin):
    inlines = [*VillageAdmin.inlines, VillagerGroupInline, PartyGroupInline]


from groups.ledger import admin as ledger_admin  # noqa: E402,F401
