"""The account administrator lifts a lockout and removes a lost phone app through the admin; nobody edits either."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import log_in, with_password

OFFICE = {"REMOTE_ADDR": "10.20.30.40"}


def test_the_account_administrator_lifts_a_lockout_and_the_secretary_logs_in_again(
    org, secretary_a1, account_admin, client  # noqa: F811
):
    with_password(secretary_a1)
    for _ in range(5):
        log_in(client, "luozi", "wrong-password", **OFFICE)
    assert log_in(client, "luozi", **OFFICE).status_code == 429

    admin_client = Client()
    admin_client.force_login(account_admin)
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert "luozi" in changelist.content.decode()
    attempt = AccessAttempt.objects.get(username="luozi")
    assert admin_client.get(reverse("admin:axes_accessattempt_change", args=[attempt.pk])).status_code == 200
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="luozi").exists()

    assert log_in(client, "luozi", **OFFICE).status_code == 302  # in again


def test_nobody_adds_or_edits_lockouts_or_phone_apps(org, account_admin, township_staff, client):  # noqa: F811
    device = TOTPDevice.objects.create(user=township_staff, name="手机", confirmed=True)
    client.force_login(account_admin)
    assert client.get(reverse("admin:axes_accessattempt_add")).status_code == 403
    response = client.post(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]), {"name": "换掉"})
    assert response.status_code == 403
    device.refresh_from_db()
    assert device.name == "手机"
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()  # a lost phone is removed; its owner enrols again


def test_a_secretary_cannot_reach_the_lockouts(org, secretary_a1, client):
    client.force_login(secretary_a1)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code in (302, 403, 404)
