"""The party-member roster made as a job (audit/jobs.py): a county's or the whole system's roster is tens of
thousands of rows, written by the worker with a progress bar instead of inside a request."""

from __future__ import annotations

from typing import BinaryIO

from django.urls import reverse

from audit.events import Action, record
from audit.jobs import JobError, Kind, Progress, Scope, register
from audit.models import Job
from groups.roster.exporting import roster_count, roster_filename, roster_scope_key, roster_scope_name, roster_write
from township.scoping import villages_for

ROSTER = "member_roster"
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


def register_kinds() -> None:
    register(
        Kind(
            name=ROSTER,
            label="党员名册",
            scope_of=roster_scope,
            run=roster_run,
            back_url=lambda: reverse("roster:roster-job"),
        )
    )
