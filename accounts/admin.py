"""Two-factor devices in the admin: an administrator may remove a lost phone app (its owner sets up a new one at the
next login, which also replaces the recovery codes) but never reads a secret. TOTP keys are hidden
(OTP_ADMIN_HIDE_SENSITIVE_DATA) and recovery codes, stored as typed, are not in the admin at all.
"""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice

admin.site.unregister(StaticDevice)
