from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Logins and passwords")

    def ready(self) -> None:
        from django.apps import apps

        from accounts import signals  # noqa: F401  (login, logout, failure and lockout events; sessions of disabled accounts)

        # The two libraries' admin sections under names a clerk reads (their own catalogues have no Chinese).
        apps.get_app_config("axes").verbose_name = _("Login lockouts")
        apps.get_app_config("otp_totp").verbose_name = _("Two-factor phone apps")
        # django-otp writes its model's names in plain English (no catalogue can reach them): name them here.
        totp = apps.get_model("otp_totp", "TOTPDevice")._meta
        totp.verbose_name = totp.verbose_name_plural = "手机动态口令"
        for field in totp.get_fields():
            if field.name in TOTP_FIELD_NAMES:
                field.verbose_name = TOTP_FIELD_NAMES[field.name]


TOTP_FIELD_NAMES = {
    "user": "账号",
    "name": "名称",
    "confirmed": "已启用",
    "created_at": "添加时间",
    "last_used_at": "最近使用时间",
    "key": "密钥",
    "step": "时间步长（秒）",
    "t0": "起始时间",
    "digits": "位数",
    "tolerance": "容差",
    "drift": "时钟偏差",
    "last_t": "最近时间片",
    "throttling_failure_timestamp": "最近失败时间",
    "throttling_failure_count": "连续失败次数",
}
