"""Lockouts and two-factor devices in the admin.

An administrator may remove a lost phone app (its owner sets up a new one at the next login, which also replaces
the recovery codes) but never reads a secret: TOTP keys are hidden (OTP_ADMIN_HIDE_SENSITIVE_DATA) and recovery
codes, stored as typed, are not in the admin at all.

The account administrator (三员) is whom a locked-out secretary or a clerk with a lost phone calls: they may see and
lift lockouts and remove a phone app, but add or edit neither (the attempts are evidence; keys are never shown).
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

admin.site.unregister(StaticDevice)
admin.site.unregister(AccessAttempt)
admin.site.unregister(TOTPDevice)


class AccountAdministratorMayClear:
    """View and delete for the account administrator (and whoever the model's permissions allow); no add, no edit."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or request.user.has_perm("accounts.manage")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm("accounts.manage")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or request.user.has_perm("accounts.manage")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class LockoutAdmin(AccountAdministratorMayClear, AccessAttemptAdmin):
    """Deleting an attempt row lifts that lock; each is kept as an UNLOCKED event naming the administrator."""

    def delete_model(self, request, obj):
        self.delete_queryset(request, AccessAttempt.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        from accounts.lockout import unlock

        unlock(request, "", how="account administrator", attempts=queryset)


FIELDSET_NAMES = {"Identity": "账号与名称", "Timestamps": "时间", "Configuration": "设置", "State": "状态",
                  "Throttling": "失败次数限制"}


@admin.register(TOTPDevice)
class PhoneAppAdmin(AccountAdministratorMayClear, TOTPDeviceAdmin):
    search_help_text = "按账号的用户名查找"

    def has_delete_permission(self, request, obj=None):
        """Removing a phone app resets a second factor: not the auditor's or another administrator's (三员)."""
        from accounts.otp import may_reset_credentials

        if obj is not None and not may_reset_credentials(request.user, obj.user):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        from accounts.otp import may_reset_credentials

        devices = queryset.select_related("user")
        allowed = [device.pk for device in devices if may_reset_credentials(request.user, device.user)]
        super().delete_queryset(request, queryset.filter(pk__in=allowed))

    def get_fieldsets(self, request, obj=None):
        """django-otp's section titles are plain English: the same sections under Chinese titles."""
        return [(FIELDSET_NAMES.get(name, name), options) for name, options in super().get_fieldsets(request, obj)]

    @admin.display(description="二维码")
    def qrcode_link(self, device):
        return super().qrcode_link(device)
