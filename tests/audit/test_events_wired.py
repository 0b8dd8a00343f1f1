"""The business pages keep their security events: every export with its row count, the roster import, a year decided
or reopened, a month reopened, and a look at a record outside one's reach."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from activity.reports import services as activity
from appraisal.awards.services import year_decide, year_reopen
from core import clock
from tests.audit.conftest import Action, events, mark
from tests.members.test_import import confirm, roster, row, upload
from tests.test_isolation_matrix import MONTH, a1  # noqa: F401  (the fixture: objects of every kind in village A1)
from township.models import Village

TODAY = clock.today()


@pytest.mark.parametrize(
    "name, export, rows",
    [
        ("funds:disclosure-xlsx", "fund_disclosure", 1),  # the one entry of the period
        ("appraisal:scores-xlsx", "appraisal_scores", 3),  # the township's three party groups
        ("appraisal:branches-xlsx", "branch_appraisal", 2),  # its two villages
        ("reports:award-report", "award_report", 2),  # one decided award, one recommendation to the county
    ],
)
def test_every_export_is_kept_with_its_row_count(name, export, rows, a1, township_staff, login):  # noqa: F811
    client = login(township_staff)
    since = mark()
    if name == "funds:disclosure-xlsx":
        start = (TODAY - datetime.timedelta(days=30)).isoformat()
        url = reverse(name, args=[a1.vg.pk]) + f"?start={start}&end={TODAY.isoformat()}"
    else:
        url = reverse(name, args=[a1.year.pk])
    response = client.get(url)
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    (event,) = events(Action.EXPORT, after=since)
    assert (event.username, event.detail["export"], event.rows) == ("xiang", export, rows)
    assert event.path == url


def test_a_refused_export_is_not_an_export(a1, township_b_staff, login):  # noqa: F811
    since = mark()
    assert login(township_b_staff).get(reverse("appraisal:scores-xlsx", args=[a1.year.pk])).status_code == 404
    assert not events(Action.EXPORT, after=since)


def test_the_award_report_command_is_kept_too(a1, tmp_path):  # noqa: F811
    from django.core.management import call_command

    since = mark()
    out = tmp_path / "report.xlsx"
    call_command("export_award_report", township="东河乡", year=a1.year.year, output=str(out))
    (event,) = events(Action.EXPORT, after=since)
    assert event.rows == 2 and event.detail["file"] == str(out)


def test_a_roster_import_is_kept_with_its_rows(org, secretary_a1, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(secretary_a1)
    upload(client, roster([row()]))
    since = mark()
    assert confirm(client).status_code == 302
    (event,) = events(Action.IMPORT, after=since)
    assert (event.username, event.rows, event.detail["new"], event.detail["filename"]) == ("luozi", 1, 1, "名册.xlsx")


def test_deciding_and_reopening_the_year_are_kept(a1, township_staff):  # noqa: F811
    since = mark()
    year_decide(year=a1.year, acting_user=township_staff)
    year_reopen(year=a1.year, reason="漏报一名优秀党员", acting_user=township_staff)
    decided, reopened = events(after=since)
    assert (decided.action, decided.username, decided.object_id) == (Action.YEAR_DECIDED, "xiang", str(a1.year.pk))
    assert (reopened.action, reopened.detail["reason"]) == (Action.YEAR_REOPENED, "漏报一名优秀党员")


def test_reopening_a_month_is_kept(org, secretary_a1, township_staff):
    report = activity.report_for(party_group=org.a1_g1, month=MONTH, acting_user=secretary_a1)
    activity.activity_save(
        report=report, version=report.version, acting_user=secretary_a1, kind="visit",
        held_on=MONTH, content="党小组会", participants=org.a1_g1_members[:2],
    )  # fmt: skip
    report.refresh_from_db()
    report = activity.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    report = activity.report_close(report=report, version=report.version, acting_user=township_staff)
    since = mark()
    activity.report_reopen(report=report, reason="漏记了一次入户走访", acting_user=township_staff)
    (event,) = events(Action.MONTH_REOPENED, after=since)
    assert (event.username, event.object_type, event.detail["reason"]) == (
        "xiang", "activity.monthlyreport", "漏记了一次入户走访"
    )  # fmt: skip


def test_asking_for_another_villages_record_is_kept(org, secretary_a2, login):
    client = login(secretary_a2)
    since = mark()
    assert client.get(reverse("village", args=[org.a1.pk])).status_code == 404
    (event,) = events(Action.ACCESS_DENIED, after=since)
    assert (event.username, event.object_type, event.object_repr) == ("jingyang", "township.village", "罗紫村")


def test_a_missing_record_is_not_an_event(org, secretary_a2, login):
    client = login(secretary_a2)
    since = mark()
    missing = Village.objects.order_by("-pk").first().pk + 100
    assert client.get(reverse("village", args=[missing])).status_code == 404
    assert not events(Action.ACCESS_DENIED, after=since)


def test_a_foreign_record_in_the_admin_is_kept(org, township_staff, login):
    client = login(township_staff)
    since = mark()
    client.get(reverse("admin:township_village_change", args=[org.b1.pk]))
    client.get(reverse("admin:township_village_change", args=["not-a-number"]))
    (event,) = events(Action.ACCESS_DENIED, after=since)
    assert (event.username, event.object_repr) == ("xiang", "白石村")
