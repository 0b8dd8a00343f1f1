"""等保: security events are kept at least 180 days; `manage.py purge_security_events` removes only older ones."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import SecurityEvent

Action = SecurityEvent.Action


def event_aged(days: int) -> SecurityEvent:
    event = SecurityEvent.objects.create(action=Action.LOGIN, username=f"aged{days}")
    SecurityEvent.objects.filter(pk=event.pk).update(at=timezone.now() - datetime.timedelta(days=days))
    return event


def remaining() -> set[str]:
    return set(SecurityEvent.objects.values_list("username", flat=True))


@pytest.mark.django_db
def test_it_removes_only_events_older_than_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    for days in (1, 179, 364, 366, 800):
        event_aged(days)
    call_command("purge_security_events")
    assert remaining() == {"aged1", "aged179", "aged364"}


@pytest.mark.django_db
@pytest.mark.parametrize("configured", [0, 30, 179])
def test_a_shorter_setting_still_keeps_180_days(configured, settings):
    settings.AUDIT_RETENTION_DAYS = configured
    event_aged(179)
    event_aged(181)
    call_command("purge_security_events")
    assert remaining() == {"aged179"}


@pytest.mark.django_db
def test_a_dry_run_deletes_nothing(settings):
    settings.AUDIT_RETENTION_DAYS = 180
    event_aged(200)
    call_command("purge_security_events", "--dry-run")
    assert remaining() == {"aged200"}
