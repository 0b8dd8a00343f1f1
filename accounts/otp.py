"""Two-factor login (TOTP on a phone app, plus one-time recovery codes) for every staff account.

Required when OTP_REQUIRED is on (the default whenever DEBUG is off) for is_staff and superuser accounts: township
staff, county viewers, the auditor, the account administrator and the system administrator. After the password, such
an account with no confirmed phone app enrols one (a QR code drawn by the app itself, no internet needed, and the
secret written out for typing in); one with an app types its code, or one of its recovery codes.
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
PHONE_APP = "phone app"
RECOVERY = "recovery codes"


def otp_required(user) -> bool:
    return bool(settings.OTP_REQUIRED and user.is_authenticated and (user.is_staff or user.is_superuser))


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
