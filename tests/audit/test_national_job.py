"""The roster in the national system's 党员基本信息 format, for a county (or everyone), is made as a job like the roster
(tests/audit/test_jobs.py holds the queue itself): the page that starts it, the progress saved while it runs, a
failure said in Chinese with 重试, the full record only for a person who may reveal it, the file only for its person,
and the page's queries flat."""

from __future__ import annotations

import io
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from audit import jobs
from audit.models import Job, SecurityEvent
from groups.roster import national_export
from groups.roster.jobs import NATIONAL, NATIONAL_FULL
from groups.roster.national_export import NATIONAL_SHEET
from members.models import PartyMember
from tests.factories import CountyFactory, UserFactory, assign
from township.models import Assignment

State = Job.State
START = reverse("roster:national-job")


def key() -> str:
    return str(uuid.uuid4())


def start(client, url: str = START, submission_key: str | None = None):
    return client.post(url, {"submission_key": submission_key or key()})


def the_job() -> Job:
    return Job.objects.get()


def rows_of(data: bytes) -> dict[str, dict]:
    ws = load_workbook(io.BytesIO(data))[NATIONAL_SHEET]
    header = [c.value for c in ws[3]]
    return {r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=4, values_only=True) if r[1]}


def county_members(org) -> int:
    return PartyMember.objects.filter(village__township__county=org.county, left_on__isnull=True).count()


def download(client, job) -> bytes:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def test_a_county_viewer_is_sent_from_the_download_to_the_page_that_starts_the_job(org, county_viewer, login):
    client = login(county_viewer)
    assert client.get(reverse("roster:national"))["Location"] == START
    page = client.get(START).content.decode()
    assert "青川县党员基本信息（全国系统格式）" in page and "生成（Excel）" in page and "已遮盖" in page
    assert not Job.objects.exists()  # looking at the page starts nothing


def test_the_county_viewer_starts_it_and_downloads_the_masked_file(org, county_viewer, login):
    client = login(county_viewer)
    response = start(client)
    job = the_job()
    assert (job.kind, response["Location"]) == (NATIONAL, reverse("jobs:job", args=[job.pk]))
    total = county_members(org)
    page = client.get(response["Location"]).content.decode()
    assert f'<progress value="{total}" max="{total}">' in page and f"已生成，共 {total} 行" in page
    member = org.a1_g1_members[0]
    rows = rows_of(download(client, job))
    assert len(rows) == total and member.name in rows
    assert rows[member.name]["公民身份号码"] != member.id_number  # masked
    with default_storage.open(job.file, "rb") as handle:
        assert not handle.read().startswith(b"PK")  # encrypted in storage
    event = SecurityEvent.objects.get(action=SecurityEvent.Action.EXPORT)
    assert (event.username, event.rows, event.detail["export"]) == ("county", total, "member_roster_national")
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.REVEAL).exists()


def test_the_full_record_is_for_those_who_may_reveal_it_and_kept_as_a_reveal(org, county_viewer, login):
    client = login(county_viewer)
    full = START + "?full=1"
    assert client.get(reverse("roster:national") + "?full=1").status_code == 403
    assert client.get(full).status_code == 403 and start(client, full).status_code == 403
    county_viewer.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    client = login(county_viewer)
    assert client.get(reverse("roster:national") + "?full=1")["Location"] == full
    start(client, full)
    job = the_job()
    assert job.kind == NATIONAL_FULL
    member = org.a1_g1_members[0]
    assert rows_of(download(client, job))[member.name]["公民身份号码"] == member.id_number
    assert SecurityEvent.objects.filter(action=SecurityEvent.Action.REVEAL, detail__job=str(job.pk)).exists()
    # the permission taken away: the file is no longer theirs
    county_viewer.user_permissions.clear()
    client = login(county_viewer)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_rows_done_and_total_are_saved_while_it_runs(org, county_viewer, login, monkeypatch):
    monkeypatch.setattr(national_export, "PROGRESS_ROWS", 2)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)
    seen = []
    real_row = national_export.national_row

    def watching(ws, row, *, full):
        seen.append(Job.objects.values_list("state", "rows_done", "rows_total").get())
        return real_row(ws, row, full=full)

    monkeypatch.setattr(national_export, "national_row", watching)
    start(login(county_viewer))
    total = county_members(org)
    assert total > 4
    assert seen[0] == (State.RUNNING, 0, total)
    assert (State.RUNNING, 2, total) in seen and (State.RUNNING, 4, total) in seen
    assert (the_job().state, the_job().rows_done) == (State.DONE, total)


def test_a_failure_says_why_in_chinese_and_retry_makes_the_file(org, county_viewer, login, monkeypatch):
    client = login(county_viewer)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("groups.roster.jobs.national_write", broken)
    start(client)
    job = the_job()
    assert job.state == State.FAILED and job.file == ""
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "没有生成：生成文件时出错" in page and "重试" in page and "disk full" not in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.EXPORT).exists()
    monkeypatch.undo()
    client.post(reverse("jobs:retry", args=[job.pk]), {"submission_key": key()})
    job.refresh_from_db()
    assert job.state == State.DONE
    assert org.a1_g1_members[0].name in rows_of(download(client, job))


@pytest.mark.parametrize("who", ["secretary_a2", "township_staff", "other_county"])
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
    assert reverse("jobs:job", args=[job.pk]) not in client.get(START).content.decode()


def test_a_village_or_township_still_downloads_at_once(org, secretary_a1, township_staff, login):
    for person in (secretary_a1, township_staff):
        response = login(person).get(reverse("roster:national"))
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not Job.objects.exists()


def test_people_without_a_roster_cannot_start_one(org, group_leader, login):
    client = login(group_leader)
    assert client.get(START).status_code == 404 and start(client).status_code == 404
    assert not Job.objects.exists()


def test_the_start_page_lists_recent_files_in_a_fixed_number_of_queries(
    org, county_viewer, login, django_assert_num_queries
):
    client = login(county_viewer)
    counts = []
    for _ in range(2):
        start(client)
        start(client)
        with django_assert_num_queries(QUERIES_START_PAGE) as captured:
            page = client.get(START).content.decode()
        counts.append(len(captured))
        assert page.count(reverse("jobs:job", args=[Job.objects.latest("created_at").pk])) == 1
    assert counts[0] == counts[1]


QUERIES_START_PAGE = 4  # the session, the person with their assignment, its county, their recent files: none per file
