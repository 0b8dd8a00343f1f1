"""Remove what personal data a fault may have left behind: `manage.py cleanup_personal_data [--at-start]`.

- roster files waiting to be confirmed for more than a day (encrypted rows, groups/roster/pending.py);
- files in APP_TEMP_DIR older than a day (a worker killed mid-upload or mid-export); with `--at-start`, every file
  there, since no app server of this machine is running yet (`make serve` runs it first);
- roster files of older versions, which kept waiting uploads as plain files in MEDIA_ROOT/member-imports/;
- the one-time keys of form submissions older than SUBMISSION_KEY_DAYS (a resubmission comes within minutes);
- jobs finished more than a day ago with their files in Django storage, and any job file no job names (audit/jobs.py).

Run it from cron every hour (README, "Reliability"). It prints what it removed, as counts only.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from audit.jobs import jobs_purge
from audit.models import Submission
from core import clock
from core.tempfiles import app_temp_dir, remove_empty_folders, remove_old_files
from groups.roster.pending import PENDING_IMPORT_MAX_AGE, pending_purge

DAY = datetime.timedelta(days=1)
SUBMISSION_KEY_DAYS = 30


class Command(BaseCommand):
    help = "Remove roster files and temporary files left behind, old form-submission keys and old job files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--at-start",
            action="store_true",
            help="Before the app servers start: empty APP_TEMP_DIR whatever the files' age.",
        )

    def handle(self, *args, at_start: bool = False, **options):
        pending = pending_purge(older_than=PENDING_IMPORT_MAX_AGE)
        temp = remove_old_files(app_temp_dir(), older_than=datetime.timedelta(0) if at_start else DAY)
        remove_empty_folders(app_temp_dir())
        old_imports = Path(settings.MEDIA_ROOT) / "member-imports"
        legacy = remove_old_files(old_imports, older_than=datetime.timedelta(0))
        remove_empty_folders(old_imports)
        keys, _ = Submission.objects.filter(at__lt=clock.now() - datetime.timedelta(days=SUBMISSION_KEY_DAYS)).delete()
        jobs = jobs_purge()
        self.stdout.write(
            f"Removed {pending} waiting roster file(s), {len(temp)} temporary file(s), "
            f"{len(legacy)} roster file(s) of an older version, {keys} old submission key(s), "
            f"{jobs} finished job(s) with their files."
        )
