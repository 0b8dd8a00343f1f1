"""Long work off the request: jobs on the database queue, with progress, a file kept for the person who asked, retry.

A page starts a job with `job_start` (inside its one-time-key transaction, so a double click starts one job); the
job is enqueued on django-tasks (Django 6's tasks API, `django_tasks` on Django 5.2) in the same transaction:

- JOBS_BACKEND=database (PostgreSQL's default): the task is a row in django-tasks-db's table, committed with the
  Job or not at all; `make worker` (`manage.py run_jobs`) claims it (SELECT … FOR UPDATE SKIP LOCKED) and runs it.
- JOBS_BACKEND=inline (SQLite's default, `make run`, the tests): the task runs at once in the request, so the page
  that started it shows the download straight away and a newcomer needs no worker.

`job_run` marks the job running, calls the kind's `run` with a `progress(done, total)` callback (rows done / total
and a heartbeat, saved outside any transaction so the progress page sees them), writes the finished file into
Django storage encrypted, and only then marks the job done with the file's name in one update. A failure is kept as
a Chinese message with 重试 (`job_retry`). A worker killed mid-job stops its heartbeat: `jobs_recover` (the worker
at its start and the progress page) queues such a job again, or after JOB_MAX_ATTEMPTS runs marks it failed; its
half-written file never reached storage, and a file saved by a run that lost its job is deleted.

Kinds register themselves from the rooms above (`register`): what they are called, the person's current scope
(key and title, or None for someone who may not start them), and the function that writes the file. A kind whose
result is not a download (the roster import's reconciliation, read back by its preview) gives `keep`: its result,
encrypted, is handed to it in the same transaction that marks the job done, instead of being saved in storage, and the
job's page sends the person on to `result_url` once it is done.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from audit.models import Job
from core.fields import fernet
from core.tempfiles import app_temp_dir

logger = logging.getLogger(__name__)

State = Job.State
FILE_FOLDER = "jobs"
KEEP_FOR = datetime.timedelta(days=1)
SWEEP_EVERY = datetime.timedelta(hours=1)  # how often a running worker re-queues stale jobs and removes day-old files
PROGRESS_EVERY_SECONDS = 0.5  # how often a running job saves its rows done (and its heartbeat) at most
FAILED_MESSAGE = "生成文件时出错，文件没有生成。请点“重试”；多次失败请联系系统管理员。"
INTERRUPTED_MESSAGE = "生成过程被中断（服务器重启或处理进程停止），文件没有生成。请点“重试”。"

Progress = Callable[[int, int | None], None]


class JobError(Exception):
    """A failure whose message (Chinese, saying what to do) is shown to the person as it is."""


@dataclass(frozen=True)
class Scope:
    key: str  # what the file covers, e.g. "county:3"; the download needs the person's scope to be this still
    title: str  # 青川县: in the page and the file's name


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # 党员名册
    # the person's scope now for these params (the job's `params`), None if they may not have this file
    scope_of: Callable[[object, dict], Scope | None]
    run: Callable[[Job, BinaryIO, Progress], str]  # writes the file for the job, returns its download name
    back_url: Callable[[dict], str]  # where the progress page offers to go back to, for these params
    # Where the result goes instead of a file in storage (called inside the transaction that marks the job done, with
    # the result encrypted), and the page that shows it: None for a file to download.
    keep: Callable[[Job, bytes], None] | None = None
    result_url: Callable[[Job], str] | None = None
    doing: str = "生成"  # 正在生成 / 正在核对, on the progress page
    failed_message: str = FAILED_MESSAGE
    interrupted_message: str = INTERRUPTED_MESSAGE


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.name] = kind


def job_start(*, user, kind: str, params: dict | None = None) -> Job:
    """Queue a job of this kind (with these params, e.g. which year) for `user` over their current scope (call
    inside the form's one-time-key transaction); with JOBS_BACKEND=inline it has already run when this returns."""
    params = params or {}
    scope = KINDS[kind].scope_of(user, params)
    if scope is None:
        raise PermissionError(kind)
    job = Job.objects.create(
        id=uuid.uuid4(), user=user, kind=kind, params=params, scope=scope.key, title=scope.title[:200]
    )
    _enqueue(job)
    job.refresh_from_db()
    return job


def job_retry(*, job: Job) -> Job:
    """Run a failed job again from the start (the person's scope is checked by the caller)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.state != State.FAILED:
            return job
        job.state, job.error, job.rows_done, job.rows_total, job.attempts = State.QUEUED, "", 0, None, 0
        job.save(update_fields=["state", "error", "rows_done", "rows_total", "attempts"])
        _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Job) -> None:
    run_job.enqueue(str(job.pk))


@task()
def run_job(job_id: str) -> None:
    job_run(job_id)


def _claim(job_id: str) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, state=State.QUEUED).first()
        if job is None:  # done, failed, or taken by another worker
            return None
        now = timezone.now()
        job.state, job.started_at, job.heartbeat_at = State.RUNNING, now, now
        job.rows_done, job.attempts = 0, job.attempts + 1
        job.save(update_fields=["state", "started_at", "heartbeat_at", "rows_done", "attempts"])
    return job


def job_run(job_id: str) -> None:
    """Run one queued job to its end: done with its file, or failed with a Chinese message."""
    job = _claim(job_id)
    if job is None:
        return
    kind = KINDS[job.kind]
    last = [0.0]

    def progress(done: int, total: int | None) -> None:
        moment = time.monotonic()
        if moment - last[0] < PROGRESS_EVERY_SECONDS and done != total:
            return
        last[0] = moment
        Job.objects.filter(pk=job.pk, state=State.RUNNING).update(
            rows_done=done, rows_total=total, heartbeat_at=timezone.now()
        )

    stored = ""
    try:
        with tempfile.TemporaryFile(dir=_temp_dir()) as handle:  # gone with the process if it is killed
            filename = kind.run(job, handle, progress)
            handle.seek(0)
            data = fernet().encrypt(handle.read())
        if kind.keep is None:
            stored = default_storage.save(f"{FILE_FOLDER}/{job.pk}/{uuid.uuid4().hex}.bin", ContentFile(data))
        with transaction.atomic():  # the result kept and the job done: both or neither
            finished = Job.objects.filter(pk=job.pk, state=State.RUNNING, attempts=job.attempts).update(
                state=State.DONE, file=stored, filename=filename[:200], finished_at=timezone.now()
            )
            if finished and kind.keep is not None:
                kind.keep(job, data)
    except JobError as exc:
        _fail(job, str(exc))
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        if stored:
            default_storage.delete(stored)
        _fail(job, kind.failed_message)
        return
    if not finished and stored:  # taken as dead and queued again meanwhile: this run's file belongs to nobody
        default_storage.delete(stored)


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk, state=State.RUNNING, attempts=job.attempts).update(
        state=State.FAILED, error=message[:500], finished_at=timezone.now()
    )


def _temp_dir() -> str:
    return str(app_temp_dir())


def job_is_stale(job: Job) -> bool:
    limit = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
    return job.state == State.RUNNING and (job.heartbeat_at is None or job.heartbeat_at < limit)


def jobs_recover(*, job_ids=None) -> int:
    """Running jobs whose worker went silent (killed, restarted): queue them again from the start, or after
    JOB_MAX_ATTEMPTS runs mark them failed with 重试. Returns how many were picked up."""
    limit = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
    count = 0
    with transaction.atomic():
        stale = Job.objects.select_for_update(skip_locked=True).filter(state=State.RUNNING, heartbeat_at__lt=limit)
        if job_ids is not None:
            stale = stale.filter(pk__in=job_ids)
        for job in stale:
            count += 1
            job.rows_done, job.heartbeat_at = 0, None
            # Inline (no worker): the person's 重试 runs it again, not whichever request happened to notice.
            if job.attempts >= settings.JOB_MAX_ATTEMPTS or settings.JOBS_BACKEND == "inline":
                kind = KINDS.get(job.kind)
                message = kind.interrupted_message if kind is not None else INTERRUPTED_MESSAGE
                job.state, job.error, job.finished_at = State.FAILED, message, timezone.now()
                job.save(update_fields=["state", "error", "finished_at", "rows_done", "heartbeat_at"])
            else:
                job.state = State.QUEUED
                job.save(update_fields=["state", "rows_done", "heartbeat_at"])
                _enqueue(job)
    return count


def job_file(job: Job) -> bytes | None:
    """The finished file, decrypted; None when there is none (not done, removed, or written under an old key)."""
    if job.state != State.DONE or not job.file:
        return None
    try:
        with default_storage.open(job.file, "rb") as handle:
            return fernet().decrypt(handle.read())
    except (OSError, ValueError):
        return None
    except Exception:  # cryptography's InvalidToken: a key no longer configured
        logger.warning("job %s: its file cannot be decrypted", job.pk)
        return None


def jobs_purge(*, older_than: datetime.timedelta = KEEP_FOR) -> int:
    """Remove jobs finished (or abandoned) more than `older_than` ago, with their files, and any file in the jobs
    folder that no job names (a run killed between saving its file and marking it done). Returns the jobs removed."""
    cutoff = timezone.now() - older_than
    old = Job.objects.filter(created_at__lt=cutoff).exclude(state__in=[State.QUEUED, State.RUNNING])
    old = old | Job.objects.filter(created_at__lt=cutoff - KEEP_FOR)  # never finished within two days: gone too
    count = 0
    for job in old:
        if job.file:
            default_storage.delete(job.file)
        job.delete()
        count += 1
    known = set(Job.objects.exclude(file="").values_list("file", flat=True))
    try:
        folders, _files = default_storage.listdir(FILE_FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return count
    for folder in folders:
        _sub, files = default_storage.listdir(f"{FILE_FOLDER}/{folder}")
        for name in files:
            path = f"{FILE_FOLDER}/{folder}/{name}"
            if path not in known and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
    return count


class Sweeper:
    """The worker's periodic sweep (`run_jobs`): at its start and then at most once every SWEEP_EVERY, jobs left
    running by a killed worker are queued again (or failed with 重试) and jobs and files older than a day removed, so
    neither waits for the next restart nor for cron. The moment is the clock's (the tests move it)."""

    def __init__(self, every: datetime.timedelta = SWEEP_EVERY):
        self.every = every
        self.last: datetime.datetime | None = None

    def due(self) -> bool:
        return self.last is None or timezone.now() - self.last >= self.every

    def tick(self) -> tuple[int, int] | None:
        """Sweep if it is time: (jobs recovered, jobs removed); None when it was not time yet."""
        if not self.due():
            return None
        self.last = timezone.now()
        return jobs_recover(), jobs_purge()
