"""Admin for the org tree and accounts."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from township.admin_base import ScopedAdmin
from township.capabilities import may_change_account
from township.models import Assignment, County, Township, Village


@admin.register(County)
class CountyAdmin(ScopedAdmin):
    list_display = ["name"]
    search_fields = ["name"]

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Township)
class TownshipAdmin(ScopedAdmin):
    money_fields = ("fund_decision_threshold",)
    list_display = ["name", "county", "village_count", "group_size_min", "group_size_max", "report_due_day"]
    list_select_related = ["county"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["county", "name", "committee_name"]}),
        (_("Party groups"), {"fields": ["group_size_min", "group_size_max", "villager_groups_per_party_group"]}),
        (
            _("Leader elections"),
            {
                "fields": [
                    ("election_quorum_numerator", "election_quorum_denominator"),
                    ("election_majority_numerator", "election_majority_denominator"),
                ]
            },
        ),
        (
            _("Villager group funds and meetings"),
            {"fields": [("meeting_quorum_numerator", "meeting_quorum_denominator"), "fund_decision_threshold"]},
        ),
        (_("Monthly reports"), {"fields": ["report_due_day"]}),
        (_("Awards"), {"fields": ["leader_and_member_award_same_year"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_villages=Count("villages"))

    @admin.display(description=_("villages"), ordering="n_villages")
    def village_count(self, obj):
        return obj.n_villages

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["county", "name"]


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    list_display = [
        "name",
        "township",
        "branch_name",
        "secretary_name",
        "villager_group_count",
        "party_group_count",
        "member_count",
    ]
    list_filter = ["township"]
    list_select_related = ["township"]
    search_fields = ["name", "branch_name", "secretary_name"]
    fields = ["township", "name", "branch_name", "secretary_name", "leaders_may_report"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_vg=Count("villager_groups", filter=Q(villager_groups__abolished_on__isnull=True), distinct=True),
                n_pg=Count("party_groups", filter=Q(party_groups__dissolved_on__isnull=True), distinct=True),
                # in the party today: the status the standing history keeps (members.standing; township is below it)
                n_members=Count("members", filter=Q(members__status__in=["probationary", "full"]), distinct=True),
            )
        )

    @admin.display(description=_("villager groups"), ordering="n_vg")
    def villager_group_count(self, obj):
        return obj.n_vg

    @admin.display(description=_("party groups"), ordering="n_pg")
    def party_group_count(self, obj):
        return obj.n_pg

    @admin.display(description=_("party members"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "township":
            from township.scoping import townships_for

            kwargs["queryset"] = townships_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    """Roles: given by the account administrator (三员) or the system administrator, read by staff in their reach."""

    list_display = ["user", "role", "county", "township", "village", "party_group"]
    list_filter = ["role"]
    list_select_related = ["user", "county", "township", "village", "party_group"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        qs = super(ScopedAdmin, self).get_queryset(request)
        if request.user.has_perm("accounts.manage"):
            return qs
        from township.scoping import townships_for, villages_for

        visible_villages = villages_for(request.user).values("pk")
        return qs.filter(
            Q(village__in=visible_villages)
            | Q(party_group__village__in=visible_villages)
            | Q(township__in=townships_for(request.user).values("pk"))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """The account administrator reaches no village, yet assigns people to any of them."""
        if request.user.has_perm("accounts.manage"):
            kwargs.setdefault("queryset", db_field.related_model._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # 三员: roles are given by the account administrator (or the system administrator); township staff and county
    # viewers only read the roles in their reach, and nobody but the system administrator changes their own.
    def has_module_permission(self, request):
        return super().has_module_permission(request) or request.user.has_perm("accounts.manage")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm("accounts.manage")

    def has_add_permission(self, request, *args):
        return request.user.has_perm("accounts.manage")

    def has_change_permission(self, request, obj=None):
        return may_change_account(request.user, obj.user if obj is not None else None)

    def has_delete_permission(self, request, obj=None):
        return may_change_account(request.user, obj.user if obj is not None else None)


User = get_user_model()
admin.site.unregister(User)


class ChinesePasswordChangeForm(AdminPasswordChangeForm):
    """Django writes this form's warning in English outside its catalogue."""

    usable_password_help_text = (
        "用户能否用密码登录。"  # noqa: S105 — a help text, not a password
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">'
        "停用后，该用户当前的密码将作废。</li></ul>"
    )


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Accounts: the account administrator (三员) and the system administrator (township staff see roles only)."""

    # 三员: the account administrator keeps accounts but cannot make a system administrator, change one, change their
    # own account here, or delete any account (accounts are disabled, so the audit trail keeps its names).
    def has_module_permission(self, request):
        return request.user.has_perm("accounts.manage")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("accounts.manage")

    def has_add_permission(self, request):
        return request.user.has_perm("accounts.manage")

    def has_change_permission(self, request, obj=None):
        return may_change_account(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "is_superuser"]

    change_password_form = ChinesePasswordChangeForm

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "user_permissions":
            # The app's own records only: the libraries' bookkeeping (sessions, lockout rows, history tables, log
            # entries) is nobody's to grant, and its names are English.
            field.queryset = (
                field.queryset.select_related("content_type")
                .exclude(content_type__app_label__in=LIBRARY_APPS)
                .exclude(content_type__model__startswith="historical")
                .exclude(content_type__model__in=PLUMBING_MODELS)
            )
            field.label_from_instance = permission_label
        return field


LIBRARY_APPS = ("admin", "sessions", "contenttypes", "axes", "otp_static", "otp_totp")
# the app's own bookkeeping, kept by the code alone: a form's one-time key, a roster file waiting for confirmation
PLUMBING_MODELS = ("submission", "pendingimport")


PERMISSION_VERBS = {"add": "增加", "change": "修改", "delete": "删除", "view": "查看"}


def permission_label(permission) -> str:
    """A permission as a clerk reads it: 党小组 · 修改党小组 (Django stores "Can change party group" in English)."""
    model = permission.content_type.model_class()
    verb, _sep, rest = permission.codename.partition("_")
    if model is None:
        return permission.name
    meta = model._meta
    if verb in PERMISSION_VERBS and rest == meta.model_name:
        action = f"{PERMISSION_VERBS[verb]}{meta.verbose_name}"
    else:
        action = gettext(permission.name)
    return f"{meta.app_config.verbose_name} · {action}"
