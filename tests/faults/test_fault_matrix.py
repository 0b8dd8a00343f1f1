"""Each fault of issue 19's "done when", for each of its writes: a fund posting, a monthly report (an activity added
and the report submitted), a year decided and a roster import. The connection is ended (pg_terminate_backend) before
the commit, right after it, by a query after it while the answer is made, and while the next page is drawn; and the
database port is blackholed. Each time: never a duplicate, never a half-write, never a page that contradicts what was
stored, a resubmit that is safe, the 503 page within 5 s, and an audit record for every stored change.
PostgreSQL only (SQLite has no server to lose)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection
from django.urls import reverse

from activity.models import Activity, MonthlyReport
from appraisal.awards.services import award_decide
from appraisal.models import AppraisalYear
from audit.models import SecurityEvent
from groups.models import FundEntry
from members.models import PartyMember
from tests.appraisal.test_award_views import year  # noqa: F401 - the fixture, asked for by name by year_decided
from tests.faults.helpers import (
    REPEATED,
    assert_unavailable,
    new_key,
    postgresql_only,
    terminated_after_commit,
    terminated_on,
)

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
Action = SecurityEvent.Action
# what the 503 page says about a posted form (templates/503.html)
NOT_SAVED, SAVED, UNKNOWN = 'class="outcome not-saved"', 'class="outcome saved"', 'class="outcome unknown"'


@dataclass
class Flow:
    user: object
    url: str
    data: dict
    stored: Callable[[], int]  # how many of the flow's writes are stored (0 or 1: never 2)
    audited: Callable[[], int]  # how many audit records of them (history rows or security events)


def fund_posting(request) -> Flow:
    from tests.groups.test_ledger_views import entry_data

    org = request.getfixturevalue("org")
    vg = org.a1_vgs[0]
    return Flow(
        request.getfixturevalue("secretary_a1"),
        reverse("funds:entry-new", args=[vg.pk]),
        entry_data(amount="800"),
        lambda: FundEntry.objects.filter(villager_group=vg).count(),
        lambda: FundEntry.history.filter(villager_group=vg, history_type="+").count(),
    )


def report_activity(request) -> Flow:
    from tests.activity.test_report_views import activity_data

    org = request.getfixturevalue("org")
    group, month = org.a1_g1, datetime.date(2027, 6, 1)
    return Flow(
        request.getfixturevalue("secretary_a1"),
        reverse("activity:activity-new", kwargs={"group_pk": group.pk, "month": month}),
        activity_data(0, datetime.date(2027, 6, 10)),
        lambda: Activity.objects.filter(report__party_group=group, report__month=month).count(),
        lambda: Activity.history.filter(report__party_group=group, history_type="+").count(),
    )


def report_submitted(request) -> Flow:
    from tests.activity.test_report_withdraw import LAST, _report_with_activity

    org, user = request.getfixturevalue("org"), request.getfixturevalue("secretary_a1")
    report, _ = _report_with_activity(org.a1_g1, user)
    submitted = MonthlyReport.Status.SUBMITTED
    return Flow(
        user,
        reverse("activity:report-action", kwargs={"group_pk": org.a1_g1.pk, "month": LAST, "action": "submit"}),
        {"version": str(report.version), "summary": "本月开展学习"},
        lambda: MonthlyReport.objects.filter(pk=report.pk, status=submitted).count(),
        lambda: MonthlyReport.history.filter(id=report.pk, status=submitted).count(),
    )


def year_decided(request) -> Flow:
    request.getfixturevalue("org")
    y = request.getfixturevalue("year")
    staff = request.getfixturevalue("township_staff")
    award_decide(year=y, awards=[y.a1_award], acting_user=staff)
    return Flow(
        staff,
        reverse("awards:lock", args=[y.pk]),
        {},
        lambda: AppraisalYear.objects.filter(pk=y.pk, state=AppraisalYear.State.DECIDED).count(),
        lambda: SecurityEvent.objects.filter(action=Action.YEAR_DECIDED).count(),
    )


def roster_import(request) -> Flow:
    from groups.roster.views import SESSION_KEY
    from tests.members.test_import import roster, row, upload

    request.getfixturevalue("org")
    request.getfixturevalue("media")
    user = request.getfixturevalue("secretary_a1")
    browser = request.getfixturevalue("browser")
    browser.force_login(user)
    upload(browser, roster([row()]))
    token = browser.session[SESSION_KEY]["token"]
    return Flow(
        user,
        reverse("roster:import-confirm"),
        {"token": token, "confirm": ""},
        lambda: PartyMember.objects.filter(name="王新").count(),
        lambda: SecurityEvent.objects.filter(action=Action.IMPORT, rows=1).count(),
    )


FLOWS = {
    "fund posting": fund_posting,
    "report activity": report_activity,
    "report submitted": report_submitted,
    "year decided": year_decided,
    "roster import": roster_import,
}


@pytest.fixture
def browser(client):
    client.raise_request_exception = False
    return client


@pytest.fixture(params=list(FLOWS))
def flow(request, browser) -> Flow:
    f = FLOWS[request.param](request)
    browser.force_login(f.user)
    f.data = {**f.data, "submission_key": new_key()}
    return f


def send(browser, url, data, **kw):
    close_old_connections()  # what the server does at each request's start and end
    response = browser.post(url, data, **kw)
    close_old_connections()
    return response


def assert_once(flow: Flow) -> None:
    assert flow.stored() == 1, "not saved once"
    assert flow.audited() == 1, "a stored change without its audit record, or a record twice"


def resubmit_is_answered_as_saved_once(browser, flow: Flow) -> None:
    again = send(browser, flow.url, flow.data, follow=True)
    assert again.status_code == 200 and REPEATED in again.content.decode()
    assert_once(flow)


def test_cut_before_the_commit(browser, flow):
    with terminated_on('UPDATE "audit_submission"') as fired:  # the write is done, the commit not yet
        body = assert_unavailable(send(browser, flow.url, flow.data))
    assert fired
    assert NOT_SAVED in body and SAVED not in body and "您刚才提交的内容没有保存" in body
    assert (flow.stored(), flow.audited()) == (0, 0), "a half-write"
    assert send(browser, flow.url, flow.data).status_code == 302  # the resubmit the page asks for
    assert_once(flow)
    resubmit_is_answered_as_saved_once(browser, flow)


def test_cut_right_after_the_commit(browser, flow):
    with terminated_after_commit() as fired:
        response = send(browser, flow.url, flow.data)
    assert fired and response.status_code == 302, "nothing after the commit may need the database"
    assert_once(flow)
    resubmit_is_answered_as_saved_once(browser, flow)


def test_cut_while_the_answer_is_made_after_the_commit(browser, flow):
    """Anything still asking the database after the commit (here the success message, made to query) gets the 503
    page, and that page says the form was saved — never "not saved, send it again"."""

    def queries(*args, **kwargs):
        get_user_model().objects.count()

    with terminated_after_commit(), mock.patch("audit.submissions.messages.add_message", queries):
        body = assert_unavailable(send(browser, flow.url, flow.data))
    assert SAVED in body and NOT_SAVED not in body and "您刚才提交的内容已经保存" in body
    assert_once(flow)
    resubmit_is_answered_as_saved_once(browser, flow)


def test_cut_while_the_next_page_is_drawn(browser, flow):
    response = send(browser, flow.url, flow.data)
    assert response.status_code == 302
    with terminated_on("SELECT") as fired:
        body = assert_unavailable(browser.get(response["Location"]))
    close_old_connections()  # the request's end: the lost connection is dropped
    assert fired and NOT_SAVED not in body and "以前保存的内容不会丢失" in body
    assert_once(flow)
    resubmit_is_answered_as_saved_once(browser, flow)


def test_a_hung_database_answers_the_post_with_the_503_page_within_5_seconds(browser, flow, blackhole):
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = blackhole
    try:
        started = time.monotonic()
        response = browser.post(flow.url, flow.data)
        elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    body = assert_unavailable(response)
    assert elapsed < 5
    assert UNKNOWN in body and SAVED not in body  # it cannot know, and says so; it never claims a save
    assert (flow.stored(), flow.audited()) == (0, 0)
    assert send(browser, flow.url, flow.data).status_code == 302  # back: the same form saves once
    assert_once(flow)
    resubmit_is_answered_as_saved_once(browser, flow)
