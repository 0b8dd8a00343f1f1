"""manage.py purge_pending_imports [--hours N]: remove uploaded rosters left unconfirmed (run daily from cron)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from groups.roster.pending import pending_imports_purge


class Command(BaseCommand):
    help = "Remove uploaded roster files that were neither confirmed nor discarded within ROSTER_IMPORT_PENDING_HOURS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=None, help="Age in hours (default ROSTER_IMPORT_PENDING_HOURS)."
        )

    def handle(self, *args, hours: int | None, **options):
        hours = hours if hours is not None else settings.ROSTER_IMPORT_PENDING_HOURS
        removed = pending_imports_purge(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"removed {removed} unconfirmed roster file(s) older than {hours} h")
