"""`manage.py run_jobs [--batch]` (`make worker`): run the queued jobs (audit/jobs.py) until stopped.

First every running job whose worker went silent (killed, the machine restarted) is queued again or, after
JOB_MAX_ATTEMPTS runs, marked failed with 重试, and jobs and files older than a day are removed; the worker repeats
that sweep every hour (audit.jobs.Sweeper) between draining the queue with django-tasks-db's worker. Several workers
may run at once, on one machine or several: each claims a job with SELECT … FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from audit.jobs import Sweeper

IDLE_SECONDS = 1.0  # how long the worker waits, when the queue is empty, before looking again


class Command(BaseCommand):
    help = "Run the queued jobs (exports made off the request); re-queue jobs whose worker was killed, every hour."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is queued now, then stop.")

    def handle(self, *args, batch: bool = False, **options):
        if settings.JOBS_BACKEND != "database":
            raise CommandError("JOBS_BACKEND is not 'database': jobs run in the request that starts them, no worker.")
        verbosity = options.get("verbosity", 1)
        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=IDLE_SECONDS,
            batch=True,  # each pass drains the queue and returns, so that the sweep can run between passes
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if not batch:
            worker.configure_signals()  # SIGTERM lets the job under way finish, then the loop below ends
        sweeper = Sweeper()
        while True:
            swept = sweeper.tick()
            if swept is not None:
                recovered, removed = swept
                self.stdout.write(
                    f"Re-queued or failed {recovered} job(s) left running by a stopped worker; "
                    f"removed {removed} job(s) older than a day with their files."
                )
            worker.run()
            if batch or not worker.running:
                return
            time.sleep(IDLE_SECONDS)
