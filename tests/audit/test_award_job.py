"""The award report (表彰奖励名单) a county viewer asks for is made as a job (tests/audit/test_jobs.py holds the queue
itself): the download link leads to the page that starts it, the progress saved while it runs, a failure said in
Chinese with 重试, the file only for its person and while they still see the township, the page's queries flat; a
township's own staff still download at once."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from appraisal.exports import award_report
from appraisal.exports.jobs import AWARD_REPORT
from appraisal.models import AppraisalYear
from audit import jobs
from audit.models import Job, SecurityEvent
from tests.appraisal.test_award_report import year  # noqa: F401 — the decided year with its awards
from tests.factories import CountyFactory, UserFactory, assign
from township.models import Assignment

State = Job.State


def key() -> str:
    return str(uuid.uuid4())


def page_url(y) -> str:
    return reverse("reports:award-report-job", args=[y.pk])


def start(client, y, submission_key: str | None = None):
    return client.post(page_url(y), {"submission_key": submission_key or key()})


def the_job() -> Job:
    return Job.objects.get()


def download(client, job) -> bytes:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def test_the_download_link_leads_the_county_to_the_page_that_starts_the_job(year, county_viewer, login):  # noqa: F811
    client = login(county_viewer)
    assert client.get(reverse("reports:award-report", args=[year.pk]))["Location"] == page_url(year)
    page = client.get(page_url(year)).content.decode()
    assert "东河乡2025年度表彰奖励名单" in page and "生成表彰奖励名单（Excel）" in page
    assert not Job.objects.exists()


def test_the_county_starts_it_and_downloads_the_report(year, county_viewer, login):  # noqa: F811
    client = login(county_viewer)
    response = start(client, year)
    job = the_job()
    assert (job.kind, job.params) == (AWARD_REPORT, {"year": year.pk})
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    event = SecurityEvent.objects.get(action=SecurityEvent.Action.EXPORT)
    assert (event.username, event.detail["export"]) == ("county", "award_report")
    assert f"已生成，共 {event.rows} 行" in page and event.rows > 0
    wb = load_workbook(io.BytesIO(download(client, job)))
    assert len(wb.sheetnames) == 6
    assert "罗紫一二社党小组" in str([c for r in wb.worksheets[1].iter_rows(values_only=True) for c in r])
    with default_storage.open(job.file, "rb") as handle:
        assert not handle.read().startswith(b"PK")  # encrypted in storage
    assert "%E4%B8%9C%E6%B2%B3%E4%B9%A1" in client.get(reverse("jobs:download", args=[job.pk]))["Content-Disposition"]


def test_rows_done_and_total_are_saved_while_it_runs(year, county_viewer, login, monkeypatch):  # noqa: F811
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)
    seen = []
    real_summary = award_report._summary_sheet

    def watching(ws, report):
        seen.append(Job.objects.values_list("state", "rows_done", "rows_total").get())
        return real_summary(ws, report)

    monkeypatch.setattr(award_report, "_summary_sheet", watching)
    start(login(county_viewer), year)
    job = the_job()
    assert job.rows_total > 0
    assert seen == [(State.RUNNING, 0, job.rows_total)]  # counted before the workbook is written
    assert (job.state, job.rows_done) == (State.DONE, job.rows_total)


def test_a_failure_says_why_in_chinese_and_retry_makes_the_file(year, county_viewer, login, monkeypatch):  # noqa: F811
    client = login(county_viewer)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("appraisal.exports.jobs.award_report_workbook", broken)
    start(client, year)
    job = the_job()
    assert job.state == State.FAILED and job.file == ""
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "没有生成：生成文件时出错" in page and "重试" in page and "disk full" not in page
    assert reverse("reports:award-report-job", args=[year.pk]) in page  # 返回 leads back to the year's page
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.EXPORT).exists()
    monkeypatch.undo()
    client.post(reverse("jobs:retry", args=[job.pk]), {"submission_key": key()})
    job.refresh_from_db()
    assert job.state == State.DONE and load_workbook(io.BytesIO(download(client, job)))


@pytest.mark.parametrize("who", ["secretary_a1", "township_staff", "township_b_staff", "other_county"])
def test_nobody_else_sees_the_job_or_its_file(year, county_viewer, login, client, request, who):  # noqa: F811
    start(login(county_viewer), year)
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
    assert client.get(page_url(year)).status_code == 404  # the start page is the county's
    assert start(client, year).status_code == 404 and Job.objects.count() == 1


def test_the_file_is_gone_once_the_county_no_longer_sees_the_township(year, county_viewer, login):  # noqa: F811
    client = login(county_viewer)
    start(client, year)
    job = the_job()
    Assignment.objects.filter(user=county_viewer).update(county=CountyFactory(name="新县"))
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:job", args=[job.pk])).status_code == 404


def test_the_township_still_downloads_its_report_at_once(year, township_staff, login):  # noqa: F811
    response = login(township_staff).get(reverse("reports:award-report", args=[year.pk]))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert not Job.objects.exists()
    assert login(township_staff).get(page_url(year)).status_code == 404


def test_the_start_page_lists_recent_reports_in_a_fixed_number_of_queries(
    year,  # noqa: F811
    county_viewer,
    login,
    django_assert_num_queries,
):
    client = login(county_viewer)
    other_year = AppraisalYear.objects.create(township=year.township, year=2024 + 2)
    start(client, other_year)  # another year's report is not listed on this year's page
    counts = []
    for _ in range(2):
        start(client, year)
        start(client, year)
        with django_assert_num_queries(QUERIES_START_PAGE) as captured:
            page = client.get(page_url(year)).content.decode()
        counts.append(len(captured))
        assert page.count("申请</a>") == Job.objects.filter(params__year=year.pk).count()
    assert counts[0] == counts[1]


QUERIES_START_PAGE = 4  # the session, the person with their assignment, the year, their recent reports: none per report
