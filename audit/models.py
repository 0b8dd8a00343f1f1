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


class Job(models.Model):
    """Long work run off the request by the worker (`audit.jobs`): who asked for what, how far it got, and its file.

    The file is kept encrypted in Django storage (never in a temporary folder) under `file`, which is set only in the
    same update that marks the job done, so a worker killed while writing leaves no file anyone can download. Only the
    person who asked may download it, and only while their reach (`scope`) is still the one the file was made for.
    `manage.py cleanup_personal_data` removes jobs and their files after a day.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="申请人", db_index=False
    )
    kind = models.CharField("类别", max_length=40)
    params = models.JSONField("参数", default=dict, blank=True, help_text="生成什么，如哪一年度")
    scope = models.CharField("范围", max_length=60, help_text="申请时的可见范围，如 county:3；变了就不能再下载")
    title = models.CharField("名称", max_length=200)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", null=True, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)
    file = models.CharField("文件", max_length=300, blank=True)
    filename = models.CharField("下载文件名", max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    created_at = models.DateTimeField("申请时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [
            models.Index(fields=["user", "kind", "-created_at"], name="audit_job_user_kind_idx"),
            models.Index(fields=["state", "heartbeat_at"], name="audit_job_state_beat_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="done") | models.Q(file=""), name="audit_job_file_only_when_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_state_display()}）"
