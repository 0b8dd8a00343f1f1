"""Admin for party members: masked ID and phone numbers and the birth year in lists, search by name, and by full ID
or phone number for those who may reveal (rate-limited, each search a REVEAL event)."""

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.events import Action, record
from audit.models import SecurityEvent
from audit.reveal import RevealMixin
from core import clock
from core.fields import lookup_hash
from members.forms import PartyMemberForm
from members.models import ENCRYPTED_FIELDS, AnnualReview, PartyMember, StandingRules
from township.admin_base import ReadOnlyAdmin, ScopedAdmin, ScopedChangeList
from township.scoping import townships_for


class TagFilter(admin.SimpleListFilter):
    title = _("profile")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [
            ("former_cadre", _("former village cadre")),
            ("old_member", _("respected old member")),
            ("shuangdai", _("双带 leader")),
        ]

    def queryset(self, request, queryset):
        if self.value() in {"former_cadre", "old_member", "shuangdai"}:
            return queryset.filter(**{f"is_{self.value()}": True})
        return queryset


# 全国党员管理信息系统's 党员基本信息 items (members/national.py), beside our own.
NATIONAL_RECORD_FIELDS = [
    "ethnicity",
    "education",
    "category",
    "joined_on_precision",
    "full_member_on",
    "full_member_on_precision",
    "work_post",
    "home_address",
]


class MembersWithoutNumbers(ScopedChangeList):
    """The member list reads no encrypted number: it shows the masked copies kept beside them (core.fields
    MaskedCopyField), so fifty rows are not fifty ID numbers and phones decrypted only to be masked."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*ENCRYPTED_FIELDS)


@admin.register(PartyMember)
class PartyMemberAdmin(RevealMixin, ScopedAdmin):
    """A member's own record. `groups.admin` registers it again with what only that room knows: the member's party
    group in the list and its filter, and the history of their posts."""

    form = PartyMemberForm
    # ID and phone numbers masked on the change page too; holders of the permission reveal them (a REVEAL event).
    reveal_fields = {
        "id_number": "id_masked",
        "phone": "phone_masked_col",
        "birth_date": "born",
        "home_address": "address_masked",
    }
    reveal_permission = "members.reveal"  # the capability: the permission "may see full numbers", in reach
    list_display = [
        "name",
        "village",
        "sex",
        "born",
        "id_masked",
        "phone_masked_col",
        "status",
        "tag_list",
    ]
    list_filter = ["village__township", "village", "status", "sex", TagFilter]
    list_select_related = ["village"]
    search_fields = ["name"]
    search_help_text = _(
        "Search by name; those who may see full numbers may also search by a full ID or phone number (recorded)."
    )
    list_per_page = 50
    # "N results (M total)": the total is a second COUNT over every member in reach (a township's or a province's)
    # on each search; the filtered count alone is shown
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["village", "name", "sex", "birth_date", "id_number", "phone"]}),
        (_("Party membership"), {"fields": ["joined_on", "status", "left_on"]}),
        (_("Profile"), {"fields": ["is_former_cadre", "is_old_member", "is_shuangdai", "notes"]}),
        (_("National record"), {"fields": NATIONAL_RECORD_FIELDS}),
    ]

    def get_changelist(self, request, **kwargs):
        return MembersWithoutNumbers

    def get_search_results(self, request, queryset, search_term):
        """Names by substring. A full ID or phone number (encrypted) by its exact keyed hash, only for those who may
        reveal: its answer confirms whose number it is, so each is a REVEAL event and there are at most
        EXACT_SEARCHES_PER_HOUR of them per person."""
        term = search_term.strip()
        digest = lookup_hash(term)
        if digest and len(term) >= 11:
            return self._exact_search(request, queryset, term, digest), False
        return super().get_search_results(request, queryset, search_term)

    def _exact_search(self, request, queryset, term: str, digest: str):
        if not request.user.has_perm("members.reveal"):
            messages.warning(
                request, gettext("Searching by a full ID or phone number is for those who may see full numbers.")
            )
            return queryset.none()
        since = clock.now() - datetime.timedelta(hours=1)
        done = SecurityEvent.objects.filter(
            user=request.user, action=Action.REVEAL, at__gte=since, detail__search="exact"
        ).count()
        if done >= settings.EXACT_SEARCHES_PER_HOUR:
            messages.warning(
                request,
                gettext("You have searched by full number %(n)d times in the last hour; try again later.")
                % {"n": done},
            )
            return queryset.none()
        found = queryset.filter(id_number_hash=digest) | queryset.filter(phone_hash=lookup_hash(term))
        record(Action.REVEAL, request=request, rows=found.count(), search="exact", model="members.partymember")
        return found

    def get_readonly_fields(self, request, obj=None):
        """Once a member is on record, their status and leaving date follow the standing history (the standing
        pages record each change with its decision); a new member's status is chosen here."""
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "status", "left_on"] if obj is not None else [*fields, "left_on"]

    @admin.display(description=_("birth year"), ordering="birth_date")
    def born(self, obj):
        return obj.birth_year

    @admin.display(description=_("ID number"))
    def id_masked(self, obj):
        return obj.masked_id_number  # the masked copy kept with the row (the list reads no encrypted number)

    @admin.display(description=_("phone"))
    def phone_masked_col(self, obj):
        return obj.masked_phone

    @admin.display(description=_("home address"))
    def address_masked(self, obj):
        return obj.home_address_masked

    @admin.display(description=_("profile"))
    def tag_list(self, obj):
        return "、".join(obj.tags)


@admin.register(AnnualReview)
class AnnualReviewAdmin(ReadOnlyAdmin):
    """民主评议 grades are entered on the branch pages (which check the year's 优秀 share); here they are read."""

    list_display = ["member", "year", "grade", "village"]
    list_filter = ["year", "grade", "member__village"]
    list_select_related = ["member__village"]
    search_fields = ["member__name"]

    @admin.display(description=_("village"), ordering="member__village__name")
    def village(self, obj):
        return obj.member.village


@admin.register(StandingRules)
class StandingRulesAdmin(admin.ModelAdmin):
    """A township's own choices about standing (whether a probationary member may be 优秀党员)."""

    list_display = ["township", "probationary_may_be_excellent"]

    def has_module_permission(self, request):
        return request.user.has_perm("admin.change")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("admin.change") and (
            obj is None or request.user.has_perm("admin.change", obj.township)
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(township__in=townships_for(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "township":
            kwargs["queryset"] = townships_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
