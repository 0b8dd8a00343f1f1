"""Issue 14 item 3: the second factor follows the role, not is_staff. Every role that sees personal data of more than
one village (and the 三员) gives a phone app code; branch secretaries may opt in and their township can require it;
recovery codes are reissued by their owner (the old ones stop working) or by an account administrator (kept)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import recovery_codes_issue
from audit.models import SecurityEvent
from tests.accounts.conftest import code_for
from tests.factories import UserFactory, assign
from township.models import Assignment

Action = SecurityEvent.Action
Role = Assignment.Role
User = get_user_model()
SETUP = reverse("accounts:otp-setup")
VERIFY = reverse("accounts:otp-verify")
pytestmark = pytest.mark.usefixtures("two_factor_on")


@pytest.fixture
def two_factor_on(settings):
    settings.OTP_REQUIRED = True


def _enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="phone app", confirmed=True)
    recovery_codes_issue(user)
    return device


def _scope(org, role):
    return {
        Role.TOWNSHIP_STAFF: {"township": org.ta},
        Role.COUNTY_VIEWER: {"county": org.county},
        Role.AUDITOR: {},
        Role.ACCOUNT_ADMIN: {},
    }[role]


@pytest.mark.parametrize("role", [Role.TOWNSHIP_STAFF, Role.COUNTY_VIEWER, Role.AUDITOR, Role.ACCOUNT_ADMIN])
def test_every_role_over_more_than_one_village_gives_the_code_without_is_staff(role, org, client):
    user = UserFactory(username="wuzhi", is_staff=False)
    assign(user, role, **_scope(org, role))
    client.force_login(user)
    assert client.get(reverse("home"))["Location"].startswith(SETUP)


def test_a_secretary_is_not_asked_unless_the_township_requires_it(org, secretary_a1, group_leader, client):
    client.force_login(secretary_a1)
    assert client.get(reverse("home"))["Location"] == reverse("village", args=[org.a1.pk])
    org.ta.secretaries_need_second_factor = True
    org.ta.save()
    for user in (secretary_a1, group_leader):
        client.force_login(user)
        assert client.get(reverse("home"))["Location"].startswith(SETUP), user


def test_the_township_setting_is_in_the_township_admin(org, township_staff, client, settings):
    settings.OTP_REQUIRED = False
    client.force_login(township_staff)
    page = client.get(reverse("admin:township_township_change", args=[org.ta.pk])).content.decode()
    assert "secretaries_need_second_factor" in page


def test_a_secretary_opts_in_and_then_always_gives_the_code(org, secretary_a1, client):
    client.force_login(secretary_a1)
    assert reverse("accounts:otp-setup") in client.get(reverse("password_change")).content.decode()
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=secretary_a1)
    response = client.post(SETUP, {"code": code_for(device)})
    assert response["Location"].startswith(reverse("accounts:recovery-codes"))
    assert client.get(reverse("home"))["Location"] == reverse("village", args=[org.a1.pk])  # verified now

    client.post(reverse("logout"))
    client.force_login(secretary_a1)
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)


def test_the_owner_reissues_recovery_codes_and_the_old_ones_stop_working(org, township_staff, client, frozen_at):
    device = _enrolled(township_staff)
    old = list(StaticToken.objects.filter(device__user=township_staff).values_list("token", flat=True))
    client.force_login(township_staff)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(reverse("accounts:recovery-codes-new"), follow=True)
    new = list(StaticToken.objects.filter(device__user=township_staff).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in response.content.decode() for code in new)
    (event,) = SecurityEvent.objects.filter(action=Action.RECOVERY_CODES_ISSUED)
    assert event.username == "xiang" and event.detail == {"by": "self"}

    client.post(reverse("logout"))
    client.force_login(township_staff)
    assert client.post(VERIFY, {"code": old[0]}).status_code == 200  # refused
    frozen_at(timezone.now() + datetime.timedelta(seconds=5))  # past django-otp's throttle after a wrong code
    assert client.post(VERIFY, {"code": new[0]})["Location"] == reverse("home")


def test_a_half_logged_in_person_cannot_reissue_codes(org, township_staff, client):
    _enrolled(township_staff)
    client.force_login(township_staff)  # password given, code not yet
    response = client.post(reverse("accounts:recovery-codes-new"))
    assert response["Location"].startswith(VERIFY)
    assert not SecurityEvent.objects.filter(action=Action.RECOVERY_CODES_ISSUED).exists()


def test_the_account_administrator_reissues_codes_and_it_is_kept(org, account_admin, township_staff, auditor, client):
    for user in (township_staff, auditor):
        _enrolled(user)
    old = set(StaticToken.objects.filter(device__user=township_staff).values_list("token", flat=True))
    client.force_login(account_admin)
    admin_device = _enrolled(account_admin)
    client.post(VERIFY, {"code": code_for(admin_device)})
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reissue_recovery_codes", "_selected_action": [township_staff.pk, auditor.pk]},
    )
    assert response.status_code == 200
    new = set(StaticToken.objects.filter(device__user=township_staff).values_list("token", flat=True))
    assert len(new) == 10 and not new & old
    assert all(code in response.content.decode() for code in new)
    (event,) = SecurityEvent.objects.filter(action=Action.RECOVERY_CODES_ISSUED)
    assert event.username == "zhanghu" and event.object_id == str(township_staff.pk)
    assert event.detail == {"by": "account administrator"}
    auditor_codes = StaticToken.objects.filter(device__user=auditor)
    assert auditor_codes.count() == 10  # untouched: only the system administrator resets the auditor's
