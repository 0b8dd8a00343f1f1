"""/jobs/<id>/: a job's progress page (rows done / total, refreshed every two seconds), its download, and 重试.
A job whose result is a page rather than a file (the roster import's reconciliation) sends its person on to that page
once it is done, and has nothing to download.

Only the person who asked sees their job, and only while their reach is still the one the file was made for:
anyone else, or the same person after their assignment changed, gets 404, the same as a job that does not exist.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.jobs import KINDS, job_file, job_is_stale, job_retry, job_start, jobs_recover
from audit.models import Job
from audit.submissions import Result, repeat_safe, submit_once
from core.xlsx import XLSX_CONTENT_TYPE


def job_for(user, job_id) -> Job:
    """The person's own job, while they may still see what it covers; otherwise 404."""
    job = Job.objects.filter(pk=job_id, user=user).first()
    kind = KINDS.get(job.kind) if job is not None else None
    if job is None or kind is None:
        raise Http404
    scope = kind.scope_of(user, job.params)
    if scope is None or scope.key != job.scope:
        raise Http404
    return job


@login_required
def job_page(request, job_id):
    job = job_for(request.user, job_id)
    if job_is_stale(job):
        jobs_recover(job_ids=[job.pk])
        job.refresh_from_db()
    kind = KINDS[job.kind]
    if job.state == Job.State.DONE and kind.result_url is not None:  # a result shown on its own page, not a download
        return redirect(kind.result_url(job))
    return render(
        request,
        "audit/job.html",
        {
            "job": job,
            "kind": kind,
            "back_url": kind.back_url(job.params),
            "waiting": job.state in (Job.State.QUEUED, Job.State.RUNNING),
            "shows_result": kind.result_url is not None,
        },
    )


@login_required
def job_download(request, job_id):
    job = job_for(request.user, job_id)
    data = job_file(job)
    if data is None:
        raise Http404
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=job.filename, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@repeat_safe
def job_retry_view(request, job_id):
    job = job_for(request.user, job_id)

    def retry() -> Result:
        job_retry(job=job)
        return Result(reverse("jobs:job", args=[job.pk]), "已重新开始生成。")

    return submit_once(request, retry, check_url=reverse("jobs:job", args=[job.pk]))


def job_started(request, kind: str, params: dict | None = None):
    """For the pages that start a job: queue it under the form's one-time key and go to its progress page."""

    def start() -> Result:
        job = job_start(user=request.user, kind=kind, params=params)
        return Result(reverse("jobs:job", args=[job.pk]), "")

    return submit_once(request, start, check_url=KINDS[kind].back_url(params or {}))
