"""The demo has the two 三员 accounts: `shenji` (security auditor) and `zhanghu` (account administrator); `xiang` may
reveal full numbers, so the audited reveal can be tried."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from seeding.demo import build as demo
from township.models import Assignment

Role = Assignment.Role
PASSWORD = "Demo-Qingchuan-2025"


@pytest.fixture
def accounts(db):
    demo.build()
    return {username: (name, role) for username, name, role in demo.ensure_accounts(PASSWORD)}


def test_the_auditor_and_the_account_admin_are_demo_accounts(accounts, client):
    users = get_user_model().objects.in_bulk(["shenji", "zhanghu", "xiang"], field_name="username")
    assert users["shenji"].assignment.role == Role.AUDITOR and not users["shenji"].is_staff
    assert users["zhanghu"].assignment.role == Role.ACCOUNT_ADMIN and users["zhanghu"].is_staff
    assert not users["shenji"].is_superuser and not users["zhanghu"].is_superuser
    assert users["xiang"].has_perm("members.reveal_personal_data")
    assert not users["zhanghu"].has_perm("members.reveal_personal_data")
    assert str(Role.AUDITOR.label) in accounts["shenji"][1]
    assert users["shenji"].check_password(PASSWORD) and users["zhanghu"].check_password(PASSWORD)
    client.force_login(users["shenji"])
    assert client.get(reverse("home"))["Location"] == reverse("audit:events")
