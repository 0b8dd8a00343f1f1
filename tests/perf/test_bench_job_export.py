"""The bench measures the county's and everyone's roster as the jobs they are: the job page's button starts the job
(run in that request, as the bench's server runs jobs), and the file is downloaded from the job's page; a roster
download link that only redirects to the job page would not be a roster."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bench.client import Session
from bench.scenario import made_as_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bench_makes_the_countys_roster_as_a_job_and_downloads_it(org, county_viewer, live_server, settings):
    settings.JOBS_BACKEND = "inline"
    county_viewer.set_password("Bench-only-pass-1")
    county_viewer.save()
    url = urlsplit(live_server.url)
    session = Session(url.hostname, url.port)
    session.login("county", "Bench-only-pass-1")
    started, download = made_as_job(session, reverse("roster:roster-job"))
    assert started.status == 302 and download.status == 200
    sheet = load_workbook(io.BytesIO(download.body)).active
    names = {row[3] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert {"罗紫党员1", "井阳党员1", "白石党员1"} <= names
