"""manage.py disable_unused_accounts: accounts not logged in for N days are disabled, logged out and recorded."""

from __future__ import annotations

import datetime
import io

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import SecurityEvent

User = get_user_model()
LONG_AGO = timezone.now() - datetime.timedelta(days=120)
LATELY = timezone.now() - datetime.timedelta(days=10)


def run(*args) -> str:
    out = io.StringIO()
    call_command("disable_unused_accounts", *args, stdout=out)
    return out.getvalue()


def active(user) -> bool:
    return User.objects.get(pk=user.pk).is_active


def _age(user, *, last_login=None, date_joined=None):
    User.objects.filter(pk=user.pk).update(last_login=last_login, date_joined=date_joined or user.date_joined)


def test_it_disables_accounts_unused_for_90_days_and_ends_their_sessions(
    org, secretary_a1, secretary_a2, township_staff, client
):
    client.force_login(secretary_a1)
    key = client.session.session_key
    _age(secretary_a1, last_login=LONG_AGO)
    _age(secretary_a2, last_login=LATELY)
    _age(township_staff, last_login=None, date_joined=LONG_AGO)  # never logged in: counted from when it was made

    out = run()
    assert not active(secretary_a1) and not active(township_staff) and active(secretary_a2)
    assert "已停用：luozi" in out and "已停用：xiang（最后登录：从未登录" in out
    assert "已停用 2 个超过 90 天未使用的账号" in out
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("village", args=[org.a1.pk]))["Location"].startswith(reverse("login"))
    events = SecurityEvent.objects.filter(action=SecurityEvent.Action.ACCOUNT_DISABLED)
    assert sorted(e.object_id for e in events) == sorted([str(secretary_a1.pk), str(township_staff.pk)])
    assert {e.detail["reason"] for e in events} == {"unused"}


def test_a_dry_run_changes_nothing(org, secretary_a1):
    _age(secretary_a1, last_login=LONG_AGO)
    out = run("--dry-run")
    assert "将停用：luozi" in out and "试运行" in out
    assert active(secretary_a1)
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.ACCOUNT_DISABLED).exists()


def test_the_number_of_days_is_an_option(org, secretary_a2):
    _age(secretary_a2, last_login=LATELY)
    run("--days", "7")
    assert not active(secretary_a2)


def test_superusers_are_listed_but_kept_unless_asked(org, superuser):
    _age(superuser, last_login=LONG_AGO)
    out = run()
    assert active(superuser) and "保留（超级管理员" in out and "admin" in out
    run("--include-superusers")
    assert not active(superuser)
