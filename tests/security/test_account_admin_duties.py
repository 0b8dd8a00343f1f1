"""Issue 14 item 4: an account administrator cannot make himself (or an account he controls) powerful. Roles over more
than one village and reveal permissions wait for a second approver; he cannot approve his own request, change his own
role, or reset the auditor's or another administrator's credentials; every step is shown to the auditor."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import SecurityEvent
from tests.audit.test_duties import _change_data
from tests.factories import UserFactory, assign
from township.models import Assignment, RoleRequest

Action = SecurityEvent.Action
Role = Assignment.Role
User = get_user_model()
ASSIGNMENT_ADD = reverse("admin:township_assignment_add")
REQUESTS = reverse("admin:township_rolerequest_changelist")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _second_admin():
    other = UserFactory(username="fuzhanghu", is_staff=True)
    assign(other, Role.ACCOUNT_ADMIN)
    return other


def _approve(client, pending):
    return client.post(REQUESTS, {"action": "approve_selected", "_selected_action": [pending.pk]})


def test_a_township_wide_role_waits_for_a_second_approver(org, account_admin):
    accomplice = UserFactory(username="tongmou")
    client = _as(account_admin)
    response = client.post(ASSIGNMENT_ADD, {"user": accomplice.pk, "role": Role.TOWNSHIP_STAFF, "township": org.ta.pk})
    assert response.status_code == 302 and response["Location"] == REQUESTS
    assert not Assignment.objects.filter(user=accomplice).exists()
    pending = RoleRequest.objects.get(account=accomplice)
    assert pending.status == RoleRequest.Status.PENDING and pending.township == org.ta
    assert SecurityEvent.objects.filter(action=Action.ROLE_REQUESTED, username="zhanghu").exists()

    _approve(client, pending)  # not by the one who asked
    assert not Assignment.objects.filter(user=accomplice).exists()

    _approve(_as(_second_admin()), pending)
    assert Assignment.objects.get(user=accomplice).role == Role.TOWNSHIP_STAFF
    pending.refresh_from_db()
    assert pending.status == RoleRequest.Status.APPROVED and pending.decided_by.username == "fuzhanghu"
    approved = SecurityEvent.objects.get(action=Action.ROLE_APPROVED)
    assert approved.username == "fuzhanghu" and approved.detail["requested_by"] == "zhanghu"
    assert SecurityEvent.objects.filter(action=Action.ROLE_CHANGED, object_id=str(accomplice.pk)).exists()


def test_a_secretary_role_is_still_given_directly(org, account_admin):
    newcomer = UserFactory(username="xinshuji")
    _as(account_admin).post(ASSIGNMENT_ADD, {"user": newcomer.pk, "role": Role.BRANCH_SECRETARY, "village": org.b1.pk})
    assert Assignment.objects.get(user=newcomer).role == Role.BRANCH_SECRETARY


def test_raising_a_secretary_to_township_staff_waits_too(org, account_admin, secretary_a1):
    url = reverse("admin:township_assignment_change", args=[secretary_a1.assignment.pk])
    _as(account_admin).post(url, {"user": secretary_a1.pk, "role": Role.TOWNSHIP_STAFF, "township": org.ta.pk})
    secretary_a1.assignment.refresh_from_db()
    assert secretary_a1.assignment.role == Role.BRANCH_SECRETARY
    assert RoleRequest.objects.filter(account=secretary_a1, status=RoleRequest.Status.PENDING).exists()


def test_the_reveal_permission_waits_for_a_second_approver(org, account_admin, secretary_a1):
    reveal = Permission.objects.get(codename="reveal_personal_data")
    url = reverse("admin:auth_user_change", args=[secretary_a1.pk])
    response = _as(account_admin).post(url, _change_data(secretary_a1, user_permissions=[reveal.pk]))
    assert response.status_code == 302
    secretary_a1 = User.objects.get(pk=secretary_a1.pk)
    assert not secretary_a1.has_perm("members.reveal_personal_data")
    pending = RoleRequest.objects.get(account=secretary_a1, kind=RoleRequest.Kind.REVEAL)

    _approve(_as(_second_admin()), pending)
    assert User.objects.get(pk=secretary_a1.pk).has_perm("members.reveal_personal_data")


def test_the_system_administrator_grants_directly(org, superuser):
    newcomer = UserFactory(username="xinren")
    _as(superuser).post(ASSIGNMENT_ADD, {"user": newcomer.pk, "role": Role.COUNTY_VIEWER, "county": org.county.pk})
    assert Assignment.objects.get(user=newcomer).role == Role.COUNTY_VIEWER
    assert not RoleRequest.objects.exists()


def test_nobody_approves_a_grant_to_themselves(org, account_admin):
    other = _second_admin()
    pending = RoleRequest.objects.create(
        account=account_admin, kind=RoleRequest.Kind.ROLE, role=Role.TOWNSHIP_STAFF, township=org.ta,
        requested_by=other,
    )
    _approve(_as(account_admin), pending)
    account_admin.assignment.refresh_from_db()
    assert account_admin.assignment.role == Role.ACCOUNT_ADMIN


def test_the_account_admin_cannot_reset_the_auditors_or_another_admins_credentials(
    org, account_admin, auditor, secretary_a1
):
    other = _second_admin()
    client = _as(account_admin)
    for account in (auditor, other):
        url = reverse("admin:auth_user_password_change", args=[account.pk])
        response = client.post(url, {"password1": "Qingchuan-2025!x", "password2": "Qingchuan-2025!x"})
        assert response.status_code == 403, account
        device = TOTPDevice.objects.create(user=account, name="phone app", confirmed=True)
        client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
        assert TOTPDevice.objects.filter(pk=device.pk).exists(), account
    denied = SecurityEvent.objects.filter(action=Action.ACCESS_DENIED, detail__reason="credentials_of_protected_role")
    assert denied.count() == 2
    assert client.get(reverse("admin:auth_user_password_change", args=[secretary_a1.pk])).status_code == 200


def test_the_auditor_sees_every_role_step(org, account_admin, auditor):
    accomplice = UserFactory(username="tongmou")
    data = {"user": accomplice.pk, "role": Role.COUNTY_VIEWER, "county": org.county.pk}
    _as(account_admin).post(ASSIGNMENT_ADD, data)
    _approve(_as(_second_admin()), RoleRequest.objects.get(account=accomplice))
    page = _as(auditor).get(reverse("audit:events")).content.decode()
    for words in ("申请授予角色或权限（待批准）", "批准授予角色或权限", "县级查看员", "申请人"):
        assert words in page, words
