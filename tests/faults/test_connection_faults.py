"""The database connection ended (pg_terminate_backend, what a restart or a network cut does) at chosen points of a
write — before the commit, after it, while the next page is drawn — and a database that hangs: never a duplicate,
never a half-write, never a message that contradicts what was stored, the 503 page within 5 s, and an audit event
for every stored change. PostgreSQL only (SQLite has no server to lose)."""

from __future__ import annotations

import threading
import time
from unittest import mock

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from appraisal.awards.services import award_decide
from appraisal.models import AppraisalYear
from audit.models import SecurityEvent, Submission
from groups.models import FundEntry, GroupPost
from members.models import PartyMember
from tests.appraisal.test_award_views import year  # noqa: F401 - the fixture
from tests.faults.helpers import (
    REPEATED,
    assert_unavailable,
    new_key,
    postgresql_only,
    terminated_after_commit,
    terminated_on,
)
from tests.groups.test_ledger_views import entry_data
from tests.members.test_import import roster, row, upload

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
Action = SecurityEvent.Action


@pytest.fixture
def browser(client):
    """The test client answering like the server: an exception in a request becomes the error page, and the
    connection is checked and replaced between requests as the server does at each request's start and end."""
    client.raise_request_exception = False
    return client


def send(browser, url, data, **kw):
    close_old_connections()
    response = browser.post(url, data, **kw)
    close_old_connections()
    return response


def entries(vg) -> int:
    return FundEntry.objects.filter(villager_group=vg).count()


# --- fund postings --------------------------------------------------------------------------------------------------


def test_cut_before_the_commit_saves_nothing_says_so_and_the_resubmit_saves_once(org, secretary_a1, browser):
    vg = org.a1_vgs[0]
    url = reverse("funds:entry-new", args=[vg.pk])
    browser.force_login(secretary_a1)
    data = entry_data(amount="800", submission_key=new_key())
    with terminated_on('UPDATE "audit_submission"') as fired:
        body = assert_unavailable(send(browser, url, data))
    assert fired
    assert "没有保存" in body and "已经保存" not in body
    assert entries(vg) == 0 and not Submission.objects.exists()
    assert send(browser, url, data).status_code == 302
    assert entries(vg) == 1


def test_cut_right_after_the_commit_still_answers_saved_and_a_resubmit_does_not_double(org, secretary_a1, browser):
    """The old fault: the balance was read after the commit, the connection was gone, the page said "not saved"."""
    vg = org.a1_vgs[0]
    url = reverse("funds:entry-new", args=[vg.pk])
    browser.force_login(secretary_a1)
    data = entry_data(amount="800", submission_key=new_key())
    with terminated_after_commit() as fired:
        response = send(browser, url, data)
    assert fired and response.status_code == 302
    assert entries(vg) == 1
    again = send(browser, url, data, follow=True)
    assert REPEATED in again.content.decode()
    assert entries(vg) == 1
    vg.refresh_from_db()
    assert vg.fund_balance == 800


def test_a_database_error_after_the_commit_says_the_form_was_saved(org, secretary_a1, browser):
    """Anything that still needed the database after the commit (a session write, say) gets the 503 page, and that
    page says the entry was saved and links to it: it never asks for a second submission."""
    from django.contrib.auth import get_user_model

    vg = org.a1_vgs[0]
    url = reverse("funds:entry-new", args=[vg.pk])
    browser.force_login(secretary_a1)

    def reads_after_commit(*args, **kwargs):
        get_user_model().objects.count()

    data = entry_data(amount="800", submission_key=new_key())
    with terminated_after_commit(), mock.patch("audit.submissions.messages.add_message", reads_after_commit):
        body = assert_unavailable(send(browser, url, data))
    assert "已经保存" in body and "没有保存" not in body
    entry = FundEntry.objects.get(villager_group=vg)
    assert reverse("funds:entry", args=[entry.pk]) in body


def test_cut_while_the_next_page_is_drawn_keeps_the_one_entry(org, secretary_a1, browser):
    vg = org.a1_vgs[0]
    browser.force_login(secretary_a1)
    response = send(browser, reverse("funds:entry-new", args=[vg.pk]), entry_data(submission_key=new_key()))
    with terminated_on("groups_fundentry") as fired:
        assert_unavailable(browser.get(response["Location"], follow=True))
    assert fired
    close_old_connections()
    assert entries(vg) == 1


def test_twenty_simultaneous_submissions_of_one_form_write_once(org, secretary_a1):
    vg = org.a1_vgs[0]
    url = reverse("funds:entry-new", args=[vg.pk])
    data = entry_data(amount="100", submission_key=new_key())
    answers: list[int] = []
    start = threading.Barrier(20)

    def worker():
        try:
            c = Client()
            c.force_login(secretary_a1)
            start.wait()
            answers.append(c.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [302] * 20
    assert entries(vg) == 1 and Submission.objects.count() == 1


# --- year decisions, monthly reports, roster imports -------------------------------------------------------------


def test_deciding_a_year_cut_before_or_after_the_commit(org, year, township_staff, browser):  # noqa: F811
    award_decide(year=year, awards=[year.a1_award], acting_user=township_staff)
    url = reverse("awards:lock", args=[year.pk])
    browser.force_login(township_staff)
    data = {"submission_key": new_key()}
    with terminated_on('UPDATE "audit_submission"'):
        assert "没有保存" in assert_unavailable(send(browser, url, data))
    year.refresh_from_db()
    assert year.state != AppraisalYear.State.DECIDED
    assert not SecurityEvent.objects.filter(action=Action.YEAR_DECIDED).exists()
    with terminated_after_commit():
        assert send(browser, url, data).status_code == 302
    assert REPEATED in send(browser, url, data, follow=True).content.decode()
    year.refresh_from_db()
    assert year.state == AppraisalYear.State.DECIDED
    assert SecurityEvent.objects.filter(action=Action.YEAR_DECIDED).count() == 1


def test_a_monthly_report_activity_cut_before_the_commit_leaves_no_report_behind(org, secretary_a1, browser):
    import datetime

    from activity.models import Activity, MonthlyReport
    from tests.activity.test_report_views import activity_data

    group, month = org.a1_g1, datetime.date(2027, 6, 1)
    url = reverse("activity:activity-new", kwargs={"group_pk": group.pk, "month": month})
    browser.force_login(secretary_a1)
    data = activity_data(0, datetime.date(2027, 6, 10)) | {"submission_key": new_key()}
    with terminated_on('INSERT INTO "activity_activity"'):
        assert_unavailable(send(browser, url, data))
    assert not MonthlyReport.objects.filter(party_group=group, month=month).exists()
    with terminated_after_commit():
        assert send(browser, url, data).status_code == 302
    send(browser, url, data)
    assert Activity.objects.filter(report__party_group=group).count() == 1


@pytest.fixture
def uploaded(org, secretary_a1, browser, media):
    browser.force_login(secretary_a1)
    upload(browser, roster([row()]))
    from groups.roster.views import SESSION_KEY

    return {"token": browser.session[SESSION_KEY]["token"], "confirm": "", "submission_key": new_key()}


def test_a_roster_confirm_cut_during_its_constraint_check_gets_the_503_page_not_a_validation_message(
    org, browser, uploaded
):
    with terminated_on('"_check"') as fired:
        response = send(browser, reverse("roster:import-confirm"), uploaded)
    assert fired
    body = assert_unavailable(response)
    assert "该党员已编入一个党小组" not in body
    assert not PartyMember.objects.filter(name="王新").exists()
    assert not SecurityEvent.objects.filter(action=Action.IMPORT).exists()


def test_a_roster_import_is_never_saved_without_its_audit_event(org, browser, uploaded):
    with terminated_on('INSERT INTO "audit_securityevent"'):
        assert_unavailable(send(browser, reverse("roster:import-confirm"), uploaded))
    assert not PartyMember.objects.filter(name="王新").exists()
    assert not GroupPost.objects.filter(member__name="王新").exists()
    with terminated_after_commit():
        assert send(browser, reverse("roster:import-confirm"), uploaded).status_code == 302
    assert PartyMember.objects.filter(name="王新").count() == 1
    event = SecurityEvent.objects.get(action=Action.IMPORT)
    assert event.rows == 1


# --- a database that hangs ------------------------------------------------------------------------------------------


def test_a_hung_database_gives_the_503_page_within_5_seconds(org, secretary_a1, browser, blackhole):
    browser.force_login(secretary_a1)
    page = reverse("village", args=[org.a1.pk])
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = blackhole
    attempts = []
    real_connect = psycopg.connect

    def counted_connect(*args, **kwargs):
        attempts.append(kwargs.get("port"))
        return real_connect(*args, **kwargs)

    try:
        with mock.patch.object(psycopg, "connect", counted_connect):
            started = time.monotonic()
            response = browser.get(page)
            elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert_unavailable(response)
    assert len(attempts) == 1, "one wait for the connection timeout per request, not one per middleware"
    assert elapsed < 5
    assert browser.get(page).status_code == 200


def test_a_write_stuck_behind_a_lock_gives_up_within_5_seconds_and_writes_nothing(org, secretary_a1, browser):
    """A transaction somewhere holds the ledger's lock and does not finish: the posting waits the lock timeout, not
    the gunicorn timeout, and says it was not saved."""
    vg = org.a1_vgs[0]
    s = connection.settings_dict
    params = {"host": s["HOST"], "port": s["PORT"] or 5432, "user": s["USER"], "password": s["PASSWORD"]}
    browser.force_login(secretary_a1)
    with psycopg.connect(**params, dbname=s["NAME"]) as holder:
        holder.execute("SELECT 1 FROM groups_villagergroup WHERE id = %s FOR UPDATE", [vg.pk])
        started = time.monotonic()
        response = send(browser, reverse("funds:entry-new", args=[vg.pk]), entry_data(submission_key=new_key()))
        elapsed = time.monotonic() - started
        holder.rollback()
    assert "没有保存" in assert_unavailable(response)
    assert elapsed < 5
    assert entries(vg) == 0


def test_an_export_cut_while_its_event_is_written_delivers_no_file(org, township_staff, browser):
    browser.force_login(township_staff)
    with terminated_on('INSERT INTO "audit_securityevent"'):
        response = browser.get(reverse("roster:roster"))
    assert_unavailable(response)
    close_old_connections()
    assert not SecurityEvent.objects.filter(action=Action.EXPORT).exists()
    response = browser.get(reverse("roster:roster"))
    assert response.status_code == 200
    assert SecurityEvent.objects.filter(action=Action.EXPORT).count() == 1
