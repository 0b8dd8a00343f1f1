"""Issue 14 item 5: the lockout cannot be turned against users. Counted per (account, address), a fixed window that
tries during the lock do not extend, longer locks for a pair that keeps guessing, and an unlock by the person with
their phone app or by the account administrator, each kept as a security event."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import SecurityEvent
from tests.accounts.conftest import code_for, log_in, with_password

Action = SecurityEvent.Action
GUESSER = {"REMOTE_ADDR": "203.0.113.7"}
DESK = {"REMOTE_ADDR": "10.20.30.40"}
UNLOCK = reverse("accounts:unlock")


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _lock(client, username="luozi", **where):
    responses = [log_in(client, username, "wrong-password", **where) for _ in range(5)]
    assert responses[-1].status_code == 429
    return timezone.now()


def test_a_guesser_elsewhere_does_not_lock_the_owner_out(org, secretary_a1, client):
    with_password(secretary_a1)
    _lock(Client(), **GUESSER)
    assert log_in(client, "luozi", **DESK).status_code == 302


def test_tries_during_the_lock_do_not_extend_it(org, secretary_a1, client, frozen_at):
    with_password(secretary_a1)
    start = _lock(client, **DESK)
    for minutes in (10, 20, 29):
        frozen_at(start + datetime.timedelta(minutes=minutes))
        assert log_in(client, "luozi", "wrong-password", **DESK).status_code == 429
    frozen_at(start + datetime.timedelta(minutes=31))
    assert log_in(client, "luozi", **DESK).status_code == 302


def test_each_further_lock_of_the_same_pair_lasts_longer(org, secretary_a1, client, frozen_at):
    with_password(secretary_a1)
    first = _lock(client, **GUESSER)
    frozen_at(first + datetime.timedelta(minutes=31))
    second = _lock(client, **GUESSER)
    page = log_in(client, "luozi", **GUESSER)
    assert page.status_code == 429
    frozen_at(second + datetime.timedelta(minutes=45))
    assert log_in(client, "luozi", **GUESSER).status_code == 429  # 60 minutes this time
    frozen_at(second + datetime.timedelta(minutes=61))
    assert log_in(client, "luozi", **GUESSER).status_code == 302


def test_the_owner_lifts_their_own_lock_with_the_phone_app(org, secretary_a1, client, frozen_at):
    with_password(secretary_a1)
    device = TOTPDevice.objects.create(user=secretary_a1, name="phone app", confirmed=True)
    _lock(client, **DESK)
    assert UNLOCK in log_in(client, "luozi", **DESK).content.decode()  # offered on the lockout page

    wrong = client.post(UNLOCK, {"username": "luozi", "code": "000000"}, **DESK)
    assert wrong.status_code == 200 and "验证码不对" in str(wrong.context["form"].errors["code"])
    assert log_in(client, "luozi", **DESK).status_code == 429

    frozen_at(timezone.now() + datetime.timedelta(seconds=5))  # past django-otp's throttle after a wrong code
    right = client.post(UNLOCK, {"username": "luozi", "code": code_for(device)}, **DESK)
    assert right.status_code == 302 and right["Location"] == reverse("login")
    assert log_in(client, "luozi", **DESK).status_code == 302
    (event,) = SecurityEvent.objects.filter(action=Action.UNLOCKED)
    assert event.username == "luozi" and event.detail["how"] == "second factor" and event.ip == DESK["REMOTE_ADDR"]


def test_wrong_unlock_codes_are_limited(org, secretary_a1, client):
    device = TOTPDevice.objects.create(user=secretary_a1, name="phone app", confirmed=True)
    for _ in range(5):
        client.post(UNLOCK, {"username": "luozi", "code": "000000"}, **DESK)
    refused = client.post(UNLOCK, {"username": "luozi", "code": code_for(device)}, **DESK)
    assert refused.status_code == 200 and "上限" in str(refused.context["form"].errors["code"])


def test_the_account_administrator_unlocking_is_kept(org, secretary_a1, account_admin, client):
    with_password(secretary_a1)
    _lock(client, **DESK)
    admin_client = Client()
    admin_client.force_login(account_admin)
    attempt = AccessAttempt.objects.get(username="luozi")
    admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    (event,) = SecurityEvent.objects.filter(action=Action.UNLOCKED)
    assert event.username == "zhanghu"
    assert event.detail == {"how": "account administrator", "username_locked": "luozi", "address": DESK["REMOTE_ADDR"]}
    assert log_in(client, "luozi", **DESK).status_code == 302
