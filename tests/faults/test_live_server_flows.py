"""Issue 19's faults against a live server for each of its writes — a fund posting, a monthly report (an activity
added, the report submitted), a year decided and a roster import — driven over HTTP like a browser (pytest-django's
live server: a real threaded WSGI server with its own database connection, in the suite's frozen clock). The server's
connection is ended with pg_terminate_backend before the commit, right after it, and while the answer is made; then
all its connections are ended after a save, and two clients send one form at once. Each time: never a duplicate,
never a half-write, never a page that contradicts what was stored, and an audit record for every stored change.
(tests/faults/test_live_server.py starts gunicorn itself for the fund posting and the blackholed port.)"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from unittest import mock

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from tests.appraisal.test_award_views import year  # noqa: F401 - the fixture, asked for by name by year_decided
from tests.deploy.test_two_servers import csrf_token
from tests.faults.helpers import REPEATED, new_key, postgresql_only, terminate_backend
from tests.faults.test_fault_matrix import FLOWS, NOT_SAVED, SAVED
from tests.faults.test_live_server import admin_connection

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
PASSWORD = "Live-flows-2026"  # noqa: S105 — a test account's


def _server_thread() -> bool:
    return threading.current_thread() is not threading.main_thread()


@contextmanager
def server_cut_on(sql_fragment: str):
    """End the server's connection just before its first statement containing `sql_fragment` (which then fails)."""
    original, fired = CursorWrapper._execute, []

    def _execute(self, sql, params, *args):
        if not fired and _server_thread() and sql_fragment in sql:
            fired.append(sql)
            terminate_backend(self.db.connection.info.backend_pid)
        return original(self, sql, params, *args)

    with mock.patch.object(CursorWrapper, "_execute", _execute):
        yield fired


@contextmanager
def server_cut_after_commit():
    """End the server's connection as soon as its request's transaction commits."""
    original, fired = transaction.on_commit, []

    def on_commit(func, using=None, robust=False):
        def then():
            func()
            if not fired and _server_thread():
                fired.append(True)
                terminate_backend(connection.connection.info.backend_pid)

        return original(then, using=using, robust=robust)

    with mock.patch.object(transaction, "on_commit", on_commit):
        yield fired


class Browser:
    """A person's browser on the live server: logged in, sending the flow's form with the CSRF token it was given."""

    def __init__(self, base: str, user):
        self.base, self.session = base, requests.Session()
        user.set_password(PASSWORD)
        user.save()
        page = self.session.get(f"{base}/accounts/login/", timeout=30)
        answer = self.session.post(
            f"{base}/accounts/login/",
            data={"csrfmiddlewaretoken": csrf_token(page), "username": user.username, "password": PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302 and "/accounts/login/" not in answer.headers["Location"]
        self.csrf = self.session.cookies["csrftoken"]

    def post(self, url: str, data: dict, **kw) -> requests.Response:
        return self.session.post(
            self.base + url, data={**data, "csrfmiddlewaretoken": self.csrf}, allow_redirects=False, timeout=30,
            headers={"Referer": self.base + url}, **kw,
        )

    def follow(self, response: requests.Response) -> str:
        assert response.status_code == 302, response.status_code
        return self.session.get(self.base + response.headers["Location"], timeout=30).text


@pytest.fixture
def browser(client):
    """The test client the roster flow's factory uploads with (its preview is then made again over HTTP)."""
    client.raise_request_exception = False
    return client


@pytest.fixture(params=list(FLOWS))
def flow(request, live_server, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP on the loopback, as a browser
    f = FLOWS[request.param](request)
    who = Browser(live_server.url, get_user_model().objects.get(pk=f.user.pk))
    if request.param == "roster import":  # the upload goes through this browser, whose session holds the preview
        from tests.members.test_import import roster, row

        uploaded = who.session.post(
            live_server.url + reverse("roster:import"),
            data={"csrfmiddlewaretoken": who.csrf},
            files={"file": ("名册.xlsx", roster([row()]))},
            headers={"Referer": live_server.url + reverse("roster:import")},
            timeout=60,
        )
        assert uploaded.status_code in (200, 302), uploaded.status_code
        preview = who.session.get(live_server.url + reverse("roster:import-preview"), timeout=30).text
        f.data = {"token": preview.split('name="token" value="')[1].split('"')[0], "confirm": ""}
    f.data = {**f.data, "submission_key": new_key()}
    f.browser = who
    return f


def assert_once(flow) -> None:
    assert flow.stored() == 1, "not saved once"
    assert flow.audited() == 1, "a stored change without its audit record, or a record twice"


def resubmit_is_answered_as_saved_once(flow) -> None:
    assert REPEATED in flow.browser.follow(flow.browser.post(flow.url, flow.data))
    assert_once(flow)


def test_the_servers_connection_ended_before_the_commit(flow):
    with server_cut_on('UPDATE "audit_submission"') as fired:  # the write is done, the commit not yet
        cut = flow.browser.post(flow.url, flow.data)
    assert fired
    assert cut.status_code == 503 and NOT_SAVED in cut.text and SAVED not in cut.text
    assert (flow.stored(), flow.audited()) == (0, 0), "a half-write"
    assert flow.browser.post(flow.url, flow.data).status_code == 302  # the resubmit the page asks for
    assert_once(flow)
    resubmit_is_answered_as_saved_once(flow)


def test_the_servers_connection_ended_right_after_the_commit(flow):
    with server_cut_after_commit() as fired:
        saved = flow.browser.post(flow.url, flow.data)
    assert fired and saved.status_code == 302, "nothing after the commit may need the database"
    assert_once(flow)
    resubmit_is_answered_as_saved_once(flow)


def test_the_servers_connection_ended_while_the_answer_is_made(flow):
    def queries(*args, **kwargs):
        get_user_model().objects.count()

    with server_cut_after_commit(), mock.patch("audit.submissions.messages.add_message", queries):
        cut = flow.browser.post(flow.url, flow.data)
    assert cut.status_code == 503 and SAVED in cut.text and NOT_SAVED not in cut.text
    assert "您刚才提交的内容已经保存" in cut.text
    assert_once(flow)
    resubmit_is_answered_as_saved_once(flow)


def test_all_the_servers_connections_ended_after_a_save_then_two_clients_send_it_at_once(flow):
    assert flow.browser.post(flow.url, flow.data).status_code == 302
    mine = connection.connection.info.backend_pid if connection.connection else None
    with admin_connection() as admin:
        pids = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> ALL(%s)",
            [[admin.info.backend_pid, *([mine] if mine else [])]],
        ).fetchall()
        for (pid,) in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    start, answers = threading.Barrier(2), []

    def send():
        start.wait()
        answers.append(flow.browser.post(flow.url, flow.data).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert answers == [302, 302], answers  # both answered as saved: the second finds the first's key
    assert_once(flow)
