"""Forced password change (set by an administrator) and password expiry (PASSWORD_EXPIRY_DAYS)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountSecurity
from audit.models import SecurityEvent
from tests.accounts.conftest import NEW_PASSWORD, PASSWORD, log_in, with_password

User = get_user_model()


def change_password(client, old=PASSWORD, new=NEW_PASSWORD):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def test_an_account_the_administrator_made_must_choose_its_own_password(org, superuser, client, django_user_model):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "newclerk", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk = User.objects.get(username="newclerk")
    assert AccountSecurity.objects.get(user=clerk).must_change_password

    client.post(reverse("logout"))
    response = log_in(client, "newclerk")
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "您的密码是管理员设置的" in response.content.decode()

    assert change_password(client)["Location"] == reverse("password_change_done")
    assert not AccountSecurity.objects.get(user=clerk).must_change_password
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 404  # past the gate: no village of its own


def test_every_page_but_the_password_page_and_logout_waits_for_the_forced_change(org, secretary_a1, client):
    AccountSecurity.objects.create(user=secretary_a1, must_change_password=True, password_changed_at=timezone.now())
    client.force_login(secretary_a1)
    for url in (reverse("home"), reverse("village", args=[org.a1.pk]), reverse("concerns:list"), "/admin/"):
        assert client.get(url)["Location"] == reverse("password_change"), url
    assert client.get(reverse("password_change")).status_code == 200
    assert client.get("/static/css/app.css").status_code != 302  # static files pass (404 here: not collected)
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_a_password_reset_in_the_admin_forces_a_change_and_logs_the_account_out(org, superuser, secretary_a1, client):
    with_password(secretary_a1)
    own = Client()
    log_in(own, "luozi")
    assert own.get(reverse("village", args=[org.a1.pk])).status_code == 200
    own_key = own.session.session_key

    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[secretary_a1.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert AccountSecurity.objects.get(user=secretary_a1).must_change_password
    assert not Session.objects.filter(session_key=own_key).exists()
    assert own.get(reverse("village", args=[org.a1.pk]))["Location"].startswith(reverse("login"))
    event = SecurityEvent.objects.filter(action=SecurityEvent.Action.PASSWORD_CHANGED).latest("pk")
    assert (event.username, event.object_id, event.detail["set_by"]) == ("admin", str(secretary_a1.pk), "administrator")

    log_in(own, "luozi", NEW_PASSWORD)
    assert own.get(reverse("home"))["Location"] == reverse("password_change")


def test_an_expired_password_must_be_changed_before_anything_else(org, secretary_a1, client):
    with_password(secretary_a1)
    AccountSecurity.objects.filter(user=secretary_a1).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    client.force_login(secretary_a1)
    response = client.get(reverse("village", args=[org.a1.pk]), follow=True)
    assert response.redirect_chain == [(reverse("password_change"), 302)]
    assert "您的密码已使用超过 90 天" in response.content.decode()

    assert change_password(client).status_code == 302
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 200
    event = SecurityEvent.objects.filter(action=SecurityEvent.Action.PASSWORD_CHANGED).latest("pk")
    assert (event.username, event.detail["set_by"]) == ("luozi", "owner")


def test_an_account_without_a_record_counts_from_when_it_was_made(org, secretary_a1, secretary_a2, client):
    User.objects.filter(pk=secretary_a1.pk).update(date_joined=timezone.now() - datetime.timedelta(days=100))
    User.objects.filter(pk=secretary_a2.pk).update(date_joined=timezone.now() - datetime.timedelta(days=80))
    client.force_login(User.objects.get(pk=secretary_a1.pk))
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    client.force_login(User.objects.get(pk=secretary_a2.pk))
    assert client.get(reverse("village", args=[org.a2.pk])).status_code == 200


def test_expiry_can_be_turned_off(org, secretary_a1, client, settings):
    settings.PASSWORD_EXPIRY_DAYS = 0
    User.objects.filter(pk=secretary_a1.pk).update(date_joined=timezone.now() - datetime.timedelta(days=1000))
    client.force_login(User.objects.get(pk=secretary_a1.pk))
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 200


def test_the_forced_change_cannot_hand_back_the_same_password(org, secretary_a1, client):
    with_password(secretary_a1)
    AccountSecurity.objects.filter(user=secretary_a1).update(must_change_password=True)
    client.force_login(secretary_a1)
    response = change_password(client, new=PASSWORD)
    assert response.status_code == 200
    assert "新密码不能与当前密码相同" in str(response.context["form"].errors["new_password2"])
    assert AccountSecurity.objects.get(user=secretary_a1).must_change_password
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


def test_a_password_set_outside_a_request_is_not_forced(org, secretary_a1, client):
    """seed_demo, createsuperuser and the factories' accounts log straight in."""
    with_password(secretary_a1)
    state = AccountSecurity.objects.get(user=secretary_a1)
    assert not state.must_change_password
    assert timezone.now() - state.password_changed_at < datetime.timedelta(minutes=1)
    log_in(client, "luozi")
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 200


def test_the_password_page_says_how_often_to_change(org, secretary_a1, client):
    client.force_login(secretary_a1)
    assert "每 90 天更换一次" in client.get(reverse("password_change")).content.decode()
