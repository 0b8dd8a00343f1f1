"""manage.py purge_security_events [--dry-run]: remove security events older than AUDIT_RETENTION_DAYS.

等保 8.1.4.3 asks that audit records be kept at least six months: whatever the setting says, nothing younger than
MIN_RETENTION_DAYS (180) is removed. Run it from cron (daily or monthly); without it events are simply kept.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.models import SecurityEvent

MIN_RETENTION_DAYS = 180


def retention_days() -> int:
    return max(MIN_RETENTION_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)))


def purge_security_events(*, now: datetime.datetime | None = None, dry_run: bool = False) -> int:
    """Delete the events older than the retention period; returns how many (would be) deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    old = SecurityEvent.objects.filter(at__lt=cutoff)
    if dry_run:
        return old.count()
    deleted, _by_model = old.delete()
    return deleted


class Command(BaseCommand):
    help = "Delete security events older than AUDIT_RETENTION_DAYS (never fewer than 180 days)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args, dry_run=False, **options):
        n = purge_security_events(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {n} security events older than {retention_days()} days.")
