"""The 三员 personas beside the business ones of tests/conftest.py: the security auditor and the account
administrator, neither with a scope."""

from __future__ import annotations

import pytest

from audit.models import SecurityEvent
from tests.factories import UserFactory, assign
from township.models import Assignment

Role = Assignment.Role
Action = SecurityEvent.Action


@pytest.fixture
def auditor(org):
    user = UserFactory(username="shenji")
    assign(user, Role.AUDITOR)
    return user


@pytest.fixture
def account_admin(org):
    user = UserFactory(username="zhanghu", is_staff=True)
    assign(user, Role.ACCOUNT_ADMIN)
    return user


def events(action: str | None = None, *, after: int = 0, **filters):
    """The security events kept so far (of one action; after the mark `after`), oldest first."""
    qs = SecurityEvent.objects.order_by("pk").filter(pk__gt=after, **filters)
    return list(qs.filter(action=action) if action else qs)


def mark() -> int:
    """A mark to pass as `events(after=…)`: only what is kept from now on (not the set-up's own accounts)."""
    last = SecurityEvent.objects.order_by("-pk").first()
    return last.pk if last else 0
