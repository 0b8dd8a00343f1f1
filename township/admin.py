"""Admin for the org tree and accounts."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.events import Action, record
from township.admin_base import ScopedAdmin
from township.approvals import (
    approve,
    hold_back_reveal,
    may_approve,
    request_role,
    reveal_permissions,
    role_needs_approval,
)
from township.capabilities import may_change_account, may_reset_credentials
from township.models import Assignment, County, RoleRequest, Township, Village


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
                    "leader_term_years",
                ]
            },
        ),
        (
            _("Villager group funds and meetings"),
            {"fields": [("meeting_quorum_numerator", "meeting_quorum_denominator"), "fund_decision_threshold"]},
        ),
        (_("Monthly reports"), {"fields": ["report_due_day"]}),
        (_("Awards"), {"fields": ["leader_and_member_award_same_year"]}),
        ("登录安全", {"fields": ["secretaries_need_second_factor"]}),
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

    # 三员: a role over more than one village (or one of the 三员) given by an account administrator waits for a
    # second approver (township.approvals): the form's choice becomes a pending request and the role is unchanged.
    def save_model(self, request, obj, form, change):
        if (form.changed_data or not change) and role_needs_approval(request.user, obj):
            obj._pending_request = request_role(request.user, obj)
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not hasattr(form.instance, "_pending_request"):
            super().save_related(request, form, formsets, change)

    def log_addition(self, request, obj, message):
        if not hasattr(obj, "_pending_request"):
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if not hasattr(obj, "_pending_request"):
            return super().log_change(request, obj, message)
        return None

    def _pending_response(self, request, obj):
        self.message_user(
            request,
            f"已提交“{obj._pending_request}”，须由另一位账号管理员或系统管理员批准后才生效；在批准之前，该账号的角色不变。",
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:township_rolerequest_changelist"))

    def response_add(self, request, obj, post_url_continue=None):
        if hasattr(obj, "_pending_request"):
            return self._pending_response(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if hasattr(obj, "_pending_request"):
            return self._pending_response(request, obj)
        return super().response_change(request, obj)


@admin.register(RoleRequest)
class RoleRequestAdmin(admin.ModelAdmin):
    """Pending grants, approved by a second person (the account administrator cannot approve their own)."""

    list_display = [
        "account",
        "kind",
        "role",
        "county",
        "township",
        "permission",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["account", "county", "township", "permission", "requested_by", "decided_by"]
    actions = ["approve_selected"]

    def _keeper(self, request) -> bool:
        return request.user.is_superuser or request.user.has_perm("accounts.manage")

    def has_module_permission(self, request):
        return self._keeper(request)

    def has_view_permission(self, request, obj=None):
        return self._keeper(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return super().get_actions(request) if self._keeper(request) else {}

    @admin.action(description="批准所选的授权（不能批准自己提出的）")
    def approve_selected(self, request, queryset):
        done, refused = 0, 0
        for pending in queryset:
            if may_approve(request.user, pending):
                approve(request.user, pending)
                done += 1
            else:
                refused += 1
        if done:
            self.message_user(request, f"已批准 {done} 项授权。", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{refused} 项未批准：自己提出的、授予自己的或已处理的授权，须由另一位账号管理员或系统管理员批准。",
                messages.ERROR,
            )


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
    actions = ["reissue_recovery_codes"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        password = form.base_fields.get("password")
        if password is not None:  # the hash's summary (algorithm, a masked salt) is machine text, not to be translated
            password.widget.attrs["translate"] = "no"
        return form

    def save_related(self, request, form, formsets, change):
        """A reveal permission given here by an account administrator waits for a second approver."""
        account = form.instance
        before = set(reveal_permissions(account).values_list("pk", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        for pending in hold_back_reveal(request.user, account, before):
            self.message_user(
                request,
                f"已提交“{pending}”，须由另一位账号管理员或系统管理员批准后才生效。",
                messages.WARNING,
            )

    def user_change_password(self, request, id, form_url=""):
        """三员: the account administrator does not reset the auditor's or another administrator's password."""
        account = self.get_object(request, unquote(id))
        if account is not None and not may_reset_credentials(request.user, account):
            record(Action.ACCESS_DENIED, request=request, obj=account, reason="credentials_of_protected_role")
            raise PermissionDenied
        with transaction.atomic():  # the new password and what goes with it, written together or not at all
            return super().user_change_password(request, id, form_url)

    @admin.action(description="为所选账号重新生成恢复码（旧恢复码作废）")
    def reissue_recovery_codes(self, request, queryset):
        """For a person who lost phone and codes: new recovery codes, shown once here to hand over in person."""
        from accounts.otp import has_phone_app, recovery_codes_issue

        issued, refused = [], []
        for account in queryset.order_by("username"):
            if not may_reset_credentials(request.user, account) or not has_phone_app(account):
                refused.append(account)
                continue
            issued.append((account, recovery_codes_issue(account)))
            record(Action.RECOVERY_CODES_ISSUED, request=request, obj=account, by="account administrator")
        context = {
            **self.admin_site.each_context(request),
            "title": "重新生成的恢复码",
            "issued": issued,
            "refused": refused,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/auth/user/recovery_codes_issued.html", context)

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
