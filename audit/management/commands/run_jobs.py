"""`manage.py run_jobs [--batch]` (`make worker`): run the queued jobs (audit/jobs.py) until stopped.

First every running job whose worker went silent (killed, the machine restarted) is queued again or, after
JOB_MAX_ATTEMPTS runs, marked failed with 重试; then django-tasks-db's worker claims and runs the queue. Several
workers may run at once, on one machine or several: each claims a job with SELECT … FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from audit.jobs import jobs_recover


class Command(BaseCommand):
    help = "Run the queued jobs (exports made off the request); first re-queue jobs whose worker was killed."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is queued now, then stop.")

    def handle(self, *args, batch: bool = False, **options):
        if settings.JOBS_BACKEND != "database":
            raise CommandError("JOBS_BACKEND is not 'database': jobs run in the request that starts them, no worker.")
        recovered = jobs_recover()
        self.stdout.write(f"Re-queued or failed {recovered} job(s) left running by a stopped worker.")
        worker_args = ["--no-startup-delay", "--batch"] if batch else ["--interval", "1"]
        call_command("db_worker", *worker_args, verbosity=options.get("verbosity", 1))
