"""The audit trail's own tables: security events, and the address column every history table carries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AddressedHistoricalModel(models.Model):
    """Base of every django-simple-history table: from which address the change was made (None outside a request)."""

    history_ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        abstract = True


class SecurityEvent(models.Model):
    """One security-relevant event. Written only through `audit.events.record`; never edited or deleted in the app.

    Kept at least AUDIT_RETENTION_DAYS (≥ 180); `manage.py purge_security_events` removes only older rows.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("login failed")
        LOCKOUT = "lockout", _("account locked")
        LOGOUT = "logout", _("logout")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        OTP_FAILED = "otp_failed", _("two-factor code wrong")
        OTP_ENROLLED = "otp_enrolled", _("two-factor set up")
        ACCESS_DENIED = "access_denied", _("access denied")
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")
        REVEAL = "reveal", _("personal data revealed")
        ROLE_CHANGED = "role_changed", _("role changed")
        ACCOUNT_CHANGED = "account_changed", _("account changed")
        ACCOUNT_DISABLED = "account_disabled", _("account disabled")
        YEAR_DECIDED = "year_decided", _("appraisal year decided")
        YEAR_REOPENED = "year_reopened", _("appraisal year reopened")
        MONTH_REOPENED = "month_reopened", _("monthly report reopened")
        MONTH_CLOSED = "month_closed", "整村或全乡关闭月份"
        REPORT_WITHDRAWN = "report_withdrawn", "撤回已提交的报告"
        UNLOCKED = "unlocked", "解除登录锁定"
        RECOVERY_CODES_ISSUED = "recovery_codes_issued", "重新生成恢复码"
        ROLE_REQUESTED = "role_requested", "申请授予角色或权限（待批准）"
        ROLE_APPROVED = "role_approved", "批准授予角色或权限"

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["username", "-at"], name="secevent_user_at"),
            models.Index(fields=["object_type", "object_id"], name="secevent_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"


class Submission(models.Model):
    """A form submission that wrote something, under the one-time key the form was issued with (`audit.submissions`).

    The row is written in the same transaction as what the submission wrote, so it exists exactly when that does: a
    second submission of the same form (a double click, a browser retry, a resubmit after a dropped connection) finds
    it and is answered with the first result instead of writing again, whichever worker it reaches.
    """

    key = models.UUIDField(_("key"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    result_url = models.CharField(_("result"), max_length=500, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.path}"
