"""Two-factor login (TOTP on a phone app, plus one-time recovery codes), required by role.

Required when OTP_REQUIRED is on (the default whenever DEBUG is off) for every account that can see personal data of
more than one village, whatever its is_staff flag: township staff, county viewers, the auditor, the account
administrator and the system administrator (the role rule is registered by township, which knows the roles:
`register_role_rule`). A branch secretary or group leader may opt in (an account with a confirmed phone app always
gives its code), and a township can require it of its secretaries and leaders. After the password, an account that
must and has no confirmed phone app enrols one (a QR code drawn by the app itself, no internet needed, and the
secret written out for typing in); one with an app types its code, or one of its recovery codes. Recovery codes are
reissued by their owner (the old ones stop working) or by an account administrator, who hands them over.
"""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
PHONE_APP = "手机验证器"  # the device's name, shown in the admin
RECOVERY = "recovery codes"


_role_rule = None  # township's answer: does this account's role (or its township) require the second factor?


def register_role_rule(rule) -> None:
    """Called once by township (above accounts in the layers) with `rule(user) -> bool`."""
    global _role_rule
    _role_rule = rule


_credentials_rule = None  # township's answer: may this administrator reset this account's credentials?


def register_credentials_rule(rule) -> None:
    """Called once by township with `rule(actor, account) -> bool` (三员: not the auditor's, not another admin's)."""
    global _credentials_rule
    _credentials_rule = rule


def may_reset_credentials(actor, account) -> bool:
    return _credentials_rule is None or _credentials_rule(actor, account)


def otp_required(user) -> bool:
    if not (settings.OTP_REQUIRED and user.is_authenticated):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if _role_rule is not None and _role_rule(user):
        return True
    return has_phone_app(user)  # opted in: an account with a phone app always gives its code


def otp_pending(user) -> bool:
    """True while a staff account has given its password but not yet its code."""
    return otp_required(user) and not user.is_verified()


def has_phone_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_phone_app(user) -> TOTPDevice:
    """The phone app being enrolled: the same secret on every reload of the page until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=PHONE_APP, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as the phone app asks for it (base32), in groups of four for typing."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG (no image request, no inline style: fits a strict CSP)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    label = format_html(' class="qr" role="img" aria-label="{}"', _("QR code for the phone app"))
    return mark_safe(svg.replace("<svg ", f"<svg{label} ", 1))  # noqa: S308  (markup made here, label escaped)


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def verify_code(user, code: str):
    """The confirmed device that accepts `code` (six digits: the phone app; otherwise a recovery code), or None."""
    code = normalise(code)
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kind) and device.verify_token(code):
                return device
    return None


@transaction.atomic
def enrolment_confirm(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the phone app with its first code; returns fresh recovery codes, or None if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(normalise(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return recovery_codes_issue(device.user)


def recovery_codes_issue(user) -> list[str]:
    """Replace the account's recovery codes with RECOVERY_CODE_COUNT new ones (each works once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def mark_verified(request, device) -> None:
    """The second factor is given: remember it in the session, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()
