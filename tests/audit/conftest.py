"""Helpers for the audit tests: the security events kept so far (the 三员 personas are in tests/conftest.py)."""

from __future__ import annotations

from audit.models import SecurityEvent
from township.models import Assignment

Action = SecurityEvent.Action
Role = Assignment.Role


def events(action: str | None = None, *, after: int = 0, **filters):
    """The security events kept so far (of one action; after the mark `after`), oldest first."""
    qs = SecurityEvent.objects.order_by("pk").filter(pk__gt=after, **filters)
    return list(qs.filter(action=action) if action else qs)


def mark() -> int:
    """A mark to pass as `events(after=…)`: only what is kept from now on (not the set-up's own accounts)."""
    last = SecurityEvent.objects.order_by("-pk").first()
    return last.pk if last else 0
