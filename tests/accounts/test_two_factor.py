"""Two-factor login for staff (OTP_REQUIRED): enrol a phone app with a QR code, then a code at every login; codes
from the real TOTP algorithm with the device's key. Wrong codes count toward the lockout."""

from __future__ import annotations

import re
from base64 import b32decode, b32encode

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import recovery_codes_issue
from audit.models import SecurityEvent
from tests.accounts.conftest import code_for, log_in, with_password

Action = SecurityEvent.Action
SETUP = reverse("accounts:otp-setup")
VERIFY = reverse("accounts:otp-verify")
pytestmark = pytest.mark.usefixtures("two_factor_on")


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="phone app", confirmed=True)
    recovery_codes_issue(user)
    return device


def test_staff_without_a_phone_app_are_sent_to_set_one_up(org, township_staff, client):
    client.force_login(township_staff)
    for url in (reverse("home"), reverse("township", args=[org.ta.pk]), "/admin/", reverse("password_change")):
        assert client.get(url)["Location"].startswith(SETUP), url
    page = client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=township_staff, confirmed=False)
    inline_script = re.search(r"<script(?![^>]*\bsrc=)", page)  # site scripts by src only (CSP)
    assert '<svg class="qr"' in page and not inline_script and "style=" not in page
    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    assert client.get(SETUP).content.decode().count(secret[:4]) >= 1
    assert TOTPDevice.objects.filter(user=township_staff).count() == 1  # a reload keeps the same secret


def test_setting_up_shows_ten_recovery_codes_once_and_lets_the_user_in(org, township_staff, client):
    client.force_login(township_staff)
    target = reverse("township", args=[org.ta.pk])
    client.get(f"{SETUP}?next={target}")
    device = TOTPDevice.objects.get(user=township_staff)

    response = client.post(f"{SETUP}?next={target}", {"code": code_for(device), "next": target}, follow=True)
    codes = list(StaticToken.objects.filter(device__user=township_staff).values_list("token", flat=True))
    assert len(codes) == 10
    page = response.content.decode()
    assert "恢复码只在本页显示这一次" in page and all(code in page for code in codes)
    assert f'href="{target}"' in page
    device.refresh_from_db()
    assert device.confirmed
    assert SecurityEvent.objects.filter(action=Action.OTP_ENROLLED, username="xiang").exists()

    again = client.get(reverse("accounts:recovery-codes"))
    assert again.status_code == 302 and codes[0] not in again.content.decode()
    assert client.get(target).status_code == 200


def test_a_wrong_setup_code_is_answered_next_to_the_field(org, township_staff, client):
    client.force_login(township_staff)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in str(response.context["form"].errors["code"])
    assert not TOTPDevice.objects.get(user=township_staff).confirmed
    assert SecurityEvent.objects.filter(action=Action.OTP_FAILED, username="xiang").exists()


def test_staff_with_a_phone_app_give_its_code_after_the_password(org, township_staff, client):
    device = enrolled(township_staff)
    with_password(township_staff)
    log_in(client, "xiang")
    target = reverse("township", args=[org.ta.pk])
    response = client.get(target)
    assert response["Location"].startswith(VERIFY)
    key_before = client.session.session_key

    response = client.post(response["Location"], {"code": code_for(device), "next": target})
    assert response["Location"] == target
    assert client.get(target).status_code == 200
    assert client.session.session_key != key_before
    login = SecurityEvent.objects.filter(action=Action.LOGIN, username="xiang").latest("pk")
    assert login.detail == {"second_factor": "phone app"}


def test_a_wrong_code_is_refused_in_chinese_and_recorded(org, township_staff, client):
    enrolled(township_staff)
    client.force_login(township_staff)
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in str(response.context["form"].errors["code"])
    assert 'value="123456"' in response.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    assert SecurityEvent.objects.filter(action=Action.OTP_FAILED, username="xiang").count() == 1


def test_a_recovery_code_works_once(org, township_staff, client):
    enrolled(township_staff)
    code = StaticToken.objects.filter(device__user=township_staff).first().token
    client.force_login(township_staff)
    assert client.post(VERIFY, {"code": code.upper()})["Location"] == reverse("home")
    assert SecurityEvent.objects.filter(action=Action.LOGIN).latest("pk").detail == {"second_factor": "recovery code"}

    client.post(reverse("logout"))
    client.force_login(township_staff)
    assert client.post(VERIFY, {"code": code}).status_code == 200
    assert StaticToken.objects.filter(device__user=township_staff).count() == 9


def test_five_wrong_codes_lock_the_account_out(org, township_staff, client):
    enrolled(township_staff)
    with_password(township_staff)
    log_in(client, "xiang")
    statuses = [client.post(VERIFY, {"code": f"{n:06d}"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert SESSION_KEY not in client.session
    assert log_in(client, "xiang").status_code == 429
    assert SecurityEvent.objects.filter(action=Action.LOCKOUT, username="xiang").exists()
    assert SecurityEvent.objects.filter(action=Action.LOGOUT).latest("pk").detail == {"reason": "locked out"}


def test_the_right_password_does_not_buy_fresh_guesses_at_the_code(org, township_staff, client):
    enrolled(township_staff)
    with_password(township_staff)
    log_in(client, "xiang")
    for n in range(4):
        client.post(VERIFY, {"code": f"{n:06d}"})
    client.post(reverse("logout"))
    log_in(client, "xiang")
    assert client.post(VERIFY, {"code": "999999"}).status_code == 429


def test_the_code_clears_earlier_failures(org, township_staff, client):
    device = enrolled(township_staff)
    client.force_login(township_staff)
    for n in range(4):
        client.post(VERIFY, {"code": f"{n:06d}"})
    device.refresh_from_db()
    device.throttle_reset()  # django-otp also slows down guessing; this test is about the lockout count
    assert client.post(VERIFY, {"code": code_for(device)})["Location"] == reverse("home")
    client.post(reverse("logout"))
    client.force_login(township_staff)
    assert [client.post(VERIFY, {"code": f"{n:06d}"}).status_code for n in range(4)] == [200] * 4


def test_superusers_need_the_code_for_the_admin(org, superuser, client):
    enrolled(superuser)
    client.force_login(superuser)
    assert client.get("/admin/auth/user/")["Location"].startswith(VERIFY)


def test_branch_secretaries_are_not_asked(org, secretary_a1, client):
    client.force_login(secretary_a1)
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("home")


def test_without_the_setting_staff_are_not_asked(org, township_staff, client, settings):
    settings.OTP_REQUIRED = False
    client.force_login(township_staff)
    assert client.get(reverse("township", args=[org.ta.pk])).status_code == 200


def test_an_outside_next_address_is_not_followed(org, township_staff, client):
    device = enrolled(township_staff)
    client.force_login(township_staff)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": code_for(device)})
    assert response["Location"] == reverse("home")


def test_the_admin_can_remove_a_lost_phone_app_but_never_read_a_secret(org, superuser, township_staff, client):
    device = enrolled(township_staff)
    client.force_login(superuser)
    client.post(VERIFY, {"code": code_for(enrolled(superuser))})
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in page and b32encode(device.bin_key).decode() not in page
    assert client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code == 403
    tokens = list(StaticToken.objects.filter(device__user=township_staff).values_list("token", flat=True))
    assert all(token not in client.get("/admin/").content.decode() for token in tokens)
    assert "/admin/otp_static/" not in client.get("/admin/").content.decode()

    assert (
        client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}).status_code == 302
    )
    client.force_login(township_staff)
    assert client.get(reverse("home"))["Location"].startswith(SETUP)


def test_the_secret_and_the_codes_are_marked_as_codes_not_words(org, township_staff, client):
    """A random secret or recovery code can hold "Q2" or an English-looking word: the pages mark them translate="no",
    so a browser does not translate them and the Chinese-everywhere crawl does not read them as English."""
    from tests.test_chinese_everywhere import problems_on

    client.force_login(township_staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=township_staff)
    device.key = b32decode("Q2AA" * 8).hex()  # a secret that reads "Q2AA Q2AA …": "Q2" over and over
    device.save()
    page = client.get(SETUP).content.decode()
    assert "Q2AA" in page and problems_on(page, allowed=set()) == []
