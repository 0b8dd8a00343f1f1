"""Sessions: a new key at login, ended at logout, by a password change and by disabling the account, and timed out
when idle (SESSION_IDLE_MINUTES) or too old (SESSION_MAX_HOURS)."""

from __future__ import annotations

import datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from accounts.sessions import LOGIN_AT, SEEN_AT
from audit.models import SecurityEvent
from tests.accounts.conftest import NEW_PASSWORD, PASSWORD, log_in, with_password


def _set_clock(client, **stamps):
    session = client.session
    for name, value in stamps.items():
        session[name] = value.timestamp()
    session.save()


def _logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_the_session_key_changes_at_login(org, secretary_a1, client):
    with_password(secretary_a1)
    session = client.session
    session["planted"] = "by someone who knows this key"
    session.save()
    planted = session.session_key
    log_in(client, "luozi")
    assert client.session.session_key != planted
    assert not Session.objects.filter(session_key=planted).exists()


def test_logout_ends_the_session_on_the_server(org, secretary_a1, client):
    with_password(secretary_a1)
    log_in(client, "luozi")
    key = client.session.session_key
    assert UserSession.objects.filter(user=secretary_a1, session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert SecurityEvent.objects.filter(action=SecurityEvent.Action.LOGOUT, username="luozi").exists()


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(org, secretary_a1, client):
    with_password(secretary_a1)
    other = Client()
    log_in(other, "luozi")
    other_key = other.session.session_key
    log_in(client, "luozi")

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 200
    assert not Session.objects.filter(session_key=other_key).exists()
    assert other.get(reverse("village", args=[org.a1.pk]))["Location"].startswith(reverse("login"))
    # the kept session is listed under its new key, so a later change can still end it
    assert list(UserSession.objects.filter(user=secretary_a1).values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


def test_disabling_an_account_ends_its_sessions_for_good(org, secretary_a1, client):
    client.force_login(secretary_a1)
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 200
    key = client.session.session_key

    secretary_a1.is_active = False
    secretary_a1.save()
    assert not Session.objects.filter(session_key=key).exists()
    secretary_a1.is_active = True  # enabled again: the old session does not come back
    secretary_a1.save()
    assert client.get(reverse("village", args=[org.a1.pk]))["Location"].startswith(reverse("login"))


def test_an_idle_session_is_logged_out_with_a_message(org, secretary_a1, client):
    client.force_login(secretary_a1)
    _set_clock(client, **{SEEN_AT: timezone.now() - datetime.timedelta(minutes=31)})
    key = client.session.session_key
    village = reverse("village", args=[org.a1.pk])

    response = client.get(village, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "您已超过 30 分钟没有操作" in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()
    event = SecurityEvent.objects.filter(action=SecurityEvent.Action.LOGOUT).latest("pk")
    assert (event.username, event.detail["reason"]) == ("luozi", "idle")


def test_a_session_in_use_stays_and_its_clock_moves_on(org, secretary_a1, client):
    client.force_login(secretary_a1)
    seen = timezone.now() - datetime.timedelta(minutes=29)
    _set_clock(client, **{SEEN_AT: seen})
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 200
    assert client.session[SEEN_AT] > seen.timestamp() + 28 * 60


def test_the_idle_timeout_is_a_setting(org, secretary_a1, client, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client.force_login(secretary_a1)
    _set_clock(client, **{SEEN_AT: timezone.now() - datetime.timedelta(minutes=6)})
    assert client.get(reverse("village", args=[org.a1.pk]))["Location"].startswith(reverse("login"))


def test_a_session_older_than_the_absolute_lifetime_is_logged_out(org, secretary_a1, client):
    client.force_login(secretary_a1)
    now = timezone.now()
    _set_clock(client, **{LOGIN_AT: now - datetime.timedelta(hours=10, minutes=1), SEEN_AT: now})

    response = client.get(reverse("village", args=[org.a1.pk]), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "您已连续登录超过 10 小时" in response.content.decode()
    assert not _logged_in(client)


def test_the_session_cookie_ends_with_the_browser_and_never_outlives_the_lifetime(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_MAX_HOURS * 3600


# --- the store (accounts/session_store.py): Django's database sessions, read with a statement written once --------


def test_the_store_reads_the_row_kept_on_the_server(org, secretary_a1, client):
    from accounts.session_store import SessionStore

    client.force_login(secretary_a1)
    key = client.session.session_key
    assert SessionStore(session_key=key).load()[SESSION_KEY] == str(secretary_a1.pk)
    missing = SessionStore(session_key="x" * 32)
    assert missing.load() == {} and missing.session_key is None  # a new key is made when it is saved


def test_a_session_whose_row_has_expired_is_not_signed_in(org, secretary_a1, client):
    client.force_login(secretary_a1)
    village = reverse("village", args=[org.a1.pk])
    assert client.get(village).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(village)["Location"].startswith(reverse("login"))


def test_a_session_ended_on_the_server_is_ended_at_the_next_request(org, secretary_a1, client):
    client.force_login(secretary_a1)
    village = reverse("village", args=[org.a1.pk])
    assert client.get(village).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).delete()
    assert client.get(village)["Location"].startswith(reverse("login"))
