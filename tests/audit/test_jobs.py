"""Jobs (audit/jobs.py), through the county roster made off the request: the progress the page shows while it runs,
a failure said in Chinese with 重试, a worker killed mid-job (no half file to download, the job picked up again or
offered for retry), the file only for the person who asked and only while their scope is the same, one job per
double click, the worker on the database queue, and the files removed after a day."""

from __future__ import annotations

import datetime
import io
import os
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit import jobs
from audit.models import Job, SecurityEvent
from groups.roster import exporting
from groups.roster.jobs import ROSTER
from members.models import PartyMember
from tests.factories import CountyFactory, UserFactory, assign
from township.models import Assignment

State = Job.State
START = reverse("roster:roster-job")


def key() -> str:
    return str(uuid.uuid4())


def start(client, submission_key: str | None = None):
    return client.post(START, {"submission_key": submission_key or key()})


def the_job() -> Job:
    return Job.objects.get()


def names_in(data: bytes) -> set[str]:
    ws = load_workbook(io.BytesIO(data)).active
    return {row[3] for row in ws.iter_rows(min_row=4, values_only=True) if row[1] is not None}


def county_members(org) -> int:
    return PartyMember.objects.filter(village__township__county=org.county, left_on__isnull=True).count()


def test_a_county_viewer_starts_the_roster_and_downloads_it_from_the_jobs_page(org, county_viewer, login):
    client = login(county_viewer)
    response = start(client)
    job = the_job()
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    total = county_members(org)
    assert f'<progress value="{total}" max="{total}">' in page
    assert f"已生成，共 {total} 行" in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert "罗紫党员1" in names_in(b"".join(download.streaming_content))
    assert "%E9%9D%92%E5%B7%9D%E5%8E%BF" in download["Content-Disposition"]  # 青川县
    event = SecurityEvent.objects.get(action=SecurityEvent.Action.EXPORT)
    assert (event.username, event.rows) == ("county", total)


def test_the_file_in_storage_is_encrypted(org, county_viewer, login):
    start(login(county_viewer))
    job = the_job()
    with default_storage.open(job.file, "rb") as handle:
        stored = handle.read()
    assert not stored.startswith(b"PK")  # not a readable .xlsx (a zip) on the disk
    assert "罗紫党员1".encode() not in stored


def test_rows_done_and_total_are_saved_while_the_job_runs(org, county_viewer, login, monkeypatch):
    monkeypatch.setattr(exporting, "PROGRESS_ROWS", 2)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)
    seen = []
    write_row = exporting.sheet_row

    def watching(ws, row):
        seen.append(Job.objects.values_list("state", "rows_done", "rows_total").get())
        return write_row(ws, row)

    monkeypatch.setattr(exporting, "sheet_row", watching)
    start(login(county_viewer))
    total = county_members(org)
    assert total > 4
    assert seen[0] == (State.RUNNING, 0, total)
    assert (State.RUNNING, 2, total) in seen and (State.RUNNING, 4, total) in seen
    assert [done for _s, done, _t in seen] == sorted(done for _s, done, _t in seen)  # it only goes forward
    assert (the_job().state, the_job().rows_done) == (State.DONE, total)


def test_the_page_of_a_running_job_shows_its_progress_and_refreshes_itself(org, county_viewer, login):
    client = login(county_viewer)
    job = Job.objects.create(
        id=uuid.uuid4(), user=county_viewer, kind=ROSTER, scope=f"county_viewer:{org.county.pk}", title="青川县",
        state=State.RUNNING, rows_done=3000, rows_total=7000, heartbeat_at=timezone.now(), attempts=1,
    )  # fmt: skip
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert '<progress value="3000" max="7000">' in page
    assert "已处理 3000 / 7000 行" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404  # not done: nothing to download


def test_a_failed_job_says_why_in_chinese_and_retry_makes_the_file(org, county_viewer, login, monkeypatch):
    client = login(county_viewer)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("groups.roster.jobs.roster_write", broken)
    start(client)
    job = the_job()
    assert job.state == State.FAILED and job.file == ""
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "没有生成：生成文件时出错" in page and "重试" in page
    assert "disk full" not in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404

    monkeypatch.undo()
    retried = client.post(reverse("jobs:retry", args=[job.pk]), {"submission_key": key()})
    assert retried["Location"] == reverse("jobs:job", args=[job.pk])
    job.refresh_from_db()
    assert job.state == State.DONE and job.error == ""
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert "罗紫党员1" in names_in(b"".join(download.streaming_content))


def stale_job(user, scope: str, *, attempts: int = 1) -> Job:
    """A job whose worker was killed mid-way: still 'running', its heartbeat old, a half file left in storage."""
    job = Job.objects.create(
        id=uuid.uuid4(), user=user, kind=ROSTER, scope=scope, title="青川县", state=State.RUNNING,
        rows_done=500, rows_total=7000, attempts=attempts,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=10),
    )  # fmt: skip
    default_storage.save(f"jobs/{job.pk}/half.bin", ContentFile(b"PK\x03\x04half a file"))
    return job


def test_a_job_left_running_by_a_killed_worker_offers_retry_and_no_half_file(org, county_viewer, login):
    client = login(county_viewer)
    job = stale_job(county_viewer, f"county_viewer:{org.county.pk}")
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "生成过程被中断" in page and "重试" in page
    client.post(reverse("jobs:retry", args=[job.pk]), {"submission_key": key()})
    job.refresh_from_db()
    assert job.state == State.DONE
    data = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    assert "罗紫党员1" in names_in(data)


# The worker commits as it goes and closes connections between jobs, as it would in production: those tests run on
# committed data.
WORKER_DB = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_the_database_queue(settings):
    settings.JOBS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@WORKER_DB
def test_on_the_database_queue_the_worker_runs_the_job(org, county_viewer, login, on_the_database_queue):
    client = login(county_viewer)
    start(client)
    job = the_job()
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert job.state == State.QUEUED and "正在排队" in page and 'http-equiv="refresh"' in page
    call_command("run_jobs", "--batch", stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    job.refresh_from_db()
    assert job.state == State.DONE and job.rows_done == county_members(org)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200


@WORKER_DB
def test_the_worker_picks_up_a_job_a_killed_worker_left_running(org, county_viewer, login, on_the_database_queue):
    job = stale_job(county_viewer, f"county_viewer:{org.county.pk}")
    out = io.StringIO()
    call_command("run_jobs", "--batch", stdout=out, stderr=io.StringIO(), verbosity=0)
    assert "Re-queued or failed 1 job(s)" in out.getvalue()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.DONE, 2)
    data = b"".join(login(county_viewer).get(reverse("jobs:download", args=[job.pk])).streaming_content)
    assert "half a file" not in data.decode("latin-1") and "罗紫党员1" in names_in(data)


@WORKER_DB
def test_a_job_whose_person_lost_the_scope_before_it_ran_fails_with_the_reason(
    org, county_viewer, login, on_the_database_queue
):
    start(login(county_viewer))
    Assignment.objects.filter(user=county_viewer).update(county=CountyFactory(name="新县"))
    call_command("run_jobs", "--batch", stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    job = the_job()
    assert job.state == State.FAILED and job.error.startswith("您的可见范围已经变更") and job.file == ""
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.EXPORT).exists()


def test_a_job_killed_too_often_fails_with_retry_instead_of_running_again(org, county_viewer, on_the_database_queue):
    job = stale_job(county_viewer, f"county_viewer:{org.county.pk}", attempts=3)
    assert jobs.jobs_recover() == 1
    job.refresh_from_db()
    assert job.state == State.FAILED and job.error.startswith("生成过程被中断")


def test_a_run_that_lost_its_job_leaves_no_file(org, county_viewer, monkeypatch):
    """The worker was taken for dead (no heartbeat) while it was still writing: its late file is not kept."""
    job = Job.objects.create(
        id=uuid.uuid4(), user=county_viewer, kind=ROSTER, scope=f"county_viewer:{org.county.pk}", title="青川县"
    )
    real_claim = jobs._claim

    def claim_then_lose(job_id):
        claimed = real_claim(job_id)
        Job.objects.filter(pk=job_id).update(attempts=claimed.attempts + 1)  # another worker took it over
        return claimed

    monkeypatch.setattr(jobs, "_claim", claim_then_lose)
    jobs.job_run(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.RUNNING and job.file == ""
    folder = f"jobs/{job.pk}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder) == ([], [])


# --- whose file it is ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary_a2", "township_staff", "other_county", "superuser"])
def test_nobody_else_sees_the_job_or_its_file(org, county_viewer, login, client, request, who):
    start(login(county_viewer))
    job = the_job()
    client.logout()
    if who == "other_county":
        other = UserFactory(username="other-county")
        assign(other, Assignment.Role.COUNTY_VIEWER, county=CountyFactory(name="外县"))
    else:
        other = request.getfixturevalue(who)
    client = login(other)
    for name in ("jobs:job", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:retry", args=[job.pk]), {"submission_key": key()}).status_code == 404


def test_the_file_is_gone_for_its_person_once_their_scope_changed(org, county_viewer, login):
    client = login(county_viewer)
    start(client)
    job = the_job()
    Assignment.objects.filter(user=county_viewer).update(county=CountyFactory(name="新县"))
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:job", args=[job.pk])).status_code == 404


def test_a_double_click_starts_one_job(org, county_viewer, login):
    client = login(county_viewer)
    same = key()
    first, second = start(client, same), start(client, same)
    assert Job.objects.count() == 1
    assert first["Location"] == second["Location"] == reverse("jobs:job", args=[the_job().pk])


def test_the_start_page_lists_the_persons_recent_rosters(org, county_viewer, login):
    client = login(county_viewer)
    start(client)
    page = client.get(START).content.decode()
    assert "生成党员名册（Excel）" in page and reverse("jobs:job", args=[the_job().pk]) in page
    assert "已完成" in page


def test_people_without_a_roster_cannot_start_one(org, group_leader, login):
    client = login(group_leader)
    assert client.get(START).status_code == 404
    assert start(client).status_code == 404
    assert not Job.objects.exists()


# --- removed after a day -------------------------------------------------------------------------------------------


def test_cleanup_removes_jobs_and_files_after_a_day_and_files_no_job_names(org, county_viewer, login):
    start(login(county_viewer))
    old = the_job()
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=1, minutes=1))
    stray = default_storage.save(f"jobs/{uuid.uuid4()}/killed.bin", ContentFile(b"half"))
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(stray), (two_days_ago, two_days_ago))
    start(login(county_viewer))
    fresh = Job.objects.exclude(pk=old.pk).get()

    call_command("cleanup_personal_data", stdout=io.StringIO())

    assert list(Job.objects.all()) == [fresh]
    assert not default_storage.exists(old.file) and not default_storage.exists(stray)
    assert default_storage.exists(fresh.file)


def test_a_village_or_township_roster_is_still_downloaded_at_once(org, township_staff, login):
    response = login(township_staff).get(reverse("roster:roster"))
    assert response.status_code == 200 and not Job.objects.exists()


def test_no_worker_is_needed_inline():
    with pytest.raises(Exception, match="JOBS_BACKEND"):
        call_command("run_jobs", "--batch", stdout=io.StringIO())


# --- the worker's hourly sweep ---------------------------------------------------------------------------------------


def test_the_sweep_runs_at_the_start_and_then_once_an_hour(org, county_viewer, frozen_at):
    start_at = timezone.now()
    sweeper = jobs.Sweeper()
    old = stale_job(county_viewer, f"county_viewer:{org.county.pk}")
    Job.objects.filter(pk=old.pk).update(
        state=State.DONE, heartbeat_at=None, created_at=start_at - datetime.timedelta(days=1, minutes=1)
    )
    assert sweeper.tick() == (0, 1)  # at the start: the day-old job is gone
    assert not Job.objects.exists()

    job = stale_job(county_viewer, f"county_viewer:{org.county.pk}")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=start_at)  # alive now; silent from here on
    frozen_at(start_at + datetime.timedelta(minutes=59))
    assert sweeper.tick() is None  # not an hour yet: the silent job is left alone
    assert Job.objects.get(pk=job.pk).state == State.RUNNING
    frozen_at(start_at + datetime.timedelta(minutes=61))
    assert sweeper.tick() == (1, 0)
    job.refresh_from_db()
    assert job.state == State.FAILED and job.error.startswith("生成过程被中断")  # inline: 重试 runs it again
    assert sweeper.tick() is None


def test_the_running_worker_sweeps_between_passes_every_hour(org, county_viewer, frozen_at, monkeypatch, settings):
    """`run_jobs` without --batch: the clock moves 20 minutes per idle wait; the sweep runs at 0, 60 and 120 minutes."""
    from audit.management.commands import run_jobs

    settings.JOBS_BACKEND = "database"
    start_at = timezone.now()
    sweeps, waits = [], []
    monkeypatch.setattr(run_jobs.Worker, "run", lambda self: None)  # an empty queue
    monkeypatch.setattr(run_jobs.Worker, "configure_signals", lambda self: None)
    real_tick = jobs.Sweeper.tick

    def counting(self):
        swept = real_tick(self)
        if swept is not None:
            sweeps.append(round((timezone.now() - start_at).total_seconds() / 60))
        return swept

    def idle(seconds):
        waits.append(seconds)
        if len(waits) == 7:
            raise KeyboardInterrupt
        frozen_at(start_at + datetime.timedelta(minutes=20 * len(waits)), tick=False)

    monkeypatch.setattr(jobs.Sweeper, "tick", counting)
    monkeypatch.setattr(run_jobs.time, "sleep", idle)
    frozen_at(start_at, tick=False)
    out = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command("run_jobs", stdout=out, stderr=io.StringIO(), verbosity=0)
    assert sweeps == [0, 60, 120]
    assert out.getvalue().count("Re-queued or failed") == 3
