"""Lockout after LOGIN_FAILURE_LIMIT failed logins (django-axes), by user name and by address, with a Chinese page
saying until when; every login, failure, lockout and logout is a security event."""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import SecurityEvent
from core import clock
from tests.accounts.conftest import log_in, with_password

Action = SecurityEvent.Action
OFFICE = {"REMOTE_ADDR": "10.20.30.40"}
ELSEWHERE = {"REMOTE_ADDR": "10.20.30.99"}


def _fail(client, username: str, times: int, **extra):
    return [log_in(client, username, "wrong-password", **extra) for _ in range(times)]


def test_the_fifth_wrong_password_locks_the_account_and_says_until_when(org, secretary_a1, client):
    with_password(secretary_a1)
    responses = _fail(client, "luozi", 5, **OFFICE)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    page = responses[-1].content.decode()
    assert "登录失败次数过多" in page
    last = AccessAttempt.objects.filter(username="luozi").latest("attempt_time").attempt_time
    until = clock.local(last + datetime.timedelta(minutes=30))
    assert f"请于 {until:%Y-%m-%d} {until:%H:%M} 之后再试" in page

    refused = log_in(client, "luozi", **OFFICE)  # the right password, too late
    assert refused.status_code == 429
    assert SESSION_KEY not in client.session


def test_failures_and_the_lockout_are_security_events_with_the_address(org, secretary_a1, client):
    with_password(secretary_a1)
    _fail(client, "luozi", 5, **OFFICE)
    failed = SecurityEvent.objects.filter(action=Action.LOGIN_FAILED, username="luozi")
    assert failed.count() == 5
    assert set(failed.values_list("ip", flat=True)) == {OFFICE["REMOTE_ADDR"]}
    lockout = SecurityEvent.objects.get(action=Action.LOCKOUT, username="luozi")
    assert lockout.ip == OFFICE["REMOTE_ADDR"]


def test_a_login_and_a_logout_are_security_events(org, secretary_a1, client):
    with_password(secretary_a1)
    log_in(client, "luozi", **OFFICE)
    client.post(reverse("logout"), **OFFICE)
    events = SecurityEvent.objects.filter(username="luozi", action__in=[Action.LOGIN, Action.LOGOUT])
    assert [(e.action, e.ip, e.user_id) for e in events.order_by("pk")] == [
        (Action.LOGIN, OFFICE["REMOTE_ADDR"], secretary_a1.pk),
        (Action.LOGOUT, OFFICE["REMOTE_ADDR"], secretary_a1.pk),
    ]


def test_the_lock_lifts_after_the_cool_off(org, secretary_a1, client, frozen_at):
    with_password(secretary_a1)
    _fail(client, "luozi", 5, **OFFICE)
    frozen_at(timezone.now() + datetime.timedelta(minutes=31))
    assert log_in(client, "luozi", **OFFICE)["Location"] == reverse("home")


def test_the_failure_limit_and_the_wait_are_settings(org, secretary_a1, client, settings, frozen_at):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 10
    with_password(secretary_a1)
    assert _fail(client, "luozi", 3, **OFFICE)[-1].status_code == 429
    frozen_at(timezone.now() + datetime.timedelta(minutes=11))
    assert log_in(client, "luozi", **OFFICE).status_code == 302


def test_colleagues_behind_one_office_address_are_not_locked_out(org, secretary_a1, client):
    """Counted per (account, address): one address guessing many names locks none of the others' logins."""
    with_password(secretary_a1)
    for name in ("zhang", "wang", "li", "zhao", "qian"):
        _fail(client, name, 1, **OFFICE)
    assert log_in(client, "luozi", **OFFICE).status_code == 302


def test_a_name_guessed_from_elsewhere_does_not_lock_its_owner_out(org, secretary_a1, client):
    with_password(secretary_a1)
    for n in range(5):
        _fail(Client(), "luozi", 5, REMOTE_ADDR=f"10.0.0.{n + 1}")  # each guessing address is locked out …
    assert log_in(Client(), "luozi", "Luozi-Secret-2025", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert log_in(client, "luozi", **ELSEWHERE).status_code == 302  # … the owner at their own desk is not


def test_a_successful_login_forgets_earlier_failures(org, secretary_a1, client):
    with_password(secretary_a1)
    _fail(client, "luozi", 4, **OFFICE)
    assert log_in(client, "luozi", **OFFICE).status_code == 302
    client.post(reverse("logout"), **OFFICE)
    assert [r.status_code for r in _fail(client, "luozi", 4, **OFFICE)] == [200] * 4


def test_the_admin_login_is_locked_too(org, superuser, client):
    with_password(superuser)
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong-password"}, **OFFICE)
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "Luozi-Secret-2025"}, **OFFICE)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
