"""The party-member roster made as a job (audit/jobs.py): a county's or the whole system's roster is tens of
thousands of rows, written by the worker with a progress bar instead of inside a request; so is the same roster in
the national system's 党员基本信息 format, masked or (for a person who may reveal personal data) in full."""

from __future__ import annotations

from typing import BinaryIO

from django.urls import reverse

from audit.events import Action, record
from audit.jobs import JobError, Kind, Progress, Scope, register
from audit.models import Job
from groups.roster.exporting import roster_count, roster_filename, roster_scope_key, roster_scope_name, roster_write
from groups.roster.national_export import national_filename, national_write
from township.scoping import villages_for

ROSTER = "member_roster"
NATIONAL = "member_roster_national"
NATIONAL_FULL = "member_roster_national_full"
REVEAL_PERMISSION = "members.reveal_personal_data"
SCOPE_CHANGED = "您的可见范围已经变更，不能再生成这份名册。请回到首页重新下载。"


def roster_scope(user) -> Scope | None:
    key = roster_scope_key(user)
    return None if key is None else Scope(key=key, title=roster_scope_name(user) or "")


def roster_run(job: Job, stream: BinaryIO, progress: Progress) -> str:
    """Write the job's roster (the rows its person may see now, the same scope as when they asked) to `stream`."""
    user = job.user
    if roster_scope_key(user) != job.scope:
        raise JobError(SCOPE_CHANGED)
    villages = villages_for(user)
    total = roster_count(villages)
    progress(0, total)
    # Not one transaction (the progress must be seen by the page while the rows are read); the file reaches the
    # person only after the EXPORT event is saved, so no file is ever without its event.
    rows = roster_write(villages, stream, title=job.title, progress=lambda done: progress(done, total))
    record(Action.EXPORT, user=user, rows=rows, export="member_roster", scope=job.title, job=str(job.pk))
    progress(rows, rows)
    return roster_filename(job.title)


def national_scope(user, *, full: bool) -> Scope | None:
    """The roster's scope; the full record only for a person who may reveal personal data (checked again at the
    download: a person who lost the permission no longer gets the file)."""
    if full and not user.has_perm(REVEAL_PERMISSION):
        return None
    return roster_scope(user)


def national_run(job: Job, stream: BinaryIO, progress: Progress) -> str:
    """Write the job's roster in the national format (masked, or in full for NATIONAL_FULL) to `stream`."""
    user = job.user
    full = job.kind == NATIONAL_FULL
    scope = national_scope(user, full=full)
    if scope is None or scope.key != job.scope:
        raise JobError(SCOPE_CHANGED)
    villages = villages_for(user)
    total = roster_count(villages)
    progress(0, total)
    rows = national_write(villages, stream, title=job.title, full=full, progress=lambda done: progress(done, total))
    export = "member_roster_national"
    record(Action.EXPORT, user=user, rows=rows, export=export, scope=job.title, full=full, job=str(job.pk))
    if full:
        record(Action.REVEAL, user=user, rows=rows, export=export, scope=job.title, job=str(job.pk))
    progress(rows, rows)
    return national_filename(job.title)


def national_back(params: dict) -> str:
    return reverse("roster:national-job")


def register_kinds() -> None:
    from groups.roster.import_job import register_kind as register_import  # it reads roster_scope from here

    register_import()  # the reconciliation of an uploaded roster
    register(
        Kind(
            name=ROSTER,
            label="党员名册",
            scope_of=lambda user, params: roster_scope(user),
            run=roster_run,
            back_url=lambda params: reverse("roster:roster-job"),
        )
    )
    register(
        Kind(
            name=NATIONAL,
            label="党员基本信息（全国系统格式）",
            scope_of=lambda user, params: national_scope(user, full=False),
            run=national_run,
            back_url=national_back,
        )
    )
    register(
        Kind(
            name=NATIONAL_FULL,
            label="党员基本信息（全国系统格式，完整号码）",
            scope_of=lambda user, params: national_scope(user, full=True),
            run=national_run,
            back_url=lambda params: reverse("roster:national-job") + "?full=1",
        )
    )
