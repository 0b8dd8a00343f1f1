"""The faults against a live server, as issue 19's "done when" asks: gunicorn started as `make serve` starts it, on
the tests' PostgreSQL database, driven over HTTP. The server's own connection is ended with pg_terminate_backend
while its fund posting waits inside the transaction (before the commit), all its connections are ended after a
posting was saved, two clients send the same form at once, and a server whose database port is blackholed answers
with the 503 page within 5 s."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse

from groups.models import FundEntry
from tests.deploy.test_two_servers import csrf_token, database_url, free_port, hidden, log_in, with_password
from tests.faults.helpers import PAGE_TEXT, REPEATED, postgresql_only
from tests.groups.test_ledger_views import entry_data

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]  # the server reads what is committed


def start_server(tmp_path, **env_changes) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "APP_TEMP_DIR": str(tmp_path / "tmp"),
        "DEBUG": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "SECURE_SSL_REDIRECT": "False",
        **env_changes,
    }
    env.pop("MIGRATE_DATABASE_URL", None)
    proc = subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{url}/accounts/login/", timeout=10)
            return proc, url
        except requests.RequestException:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the app server did not answer within 60 s:\n{(tmp_path / 'server.log').read_text()}")
            time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def server(tmp_path):
    proc, url = start_server(tmp_path)
    yield url
    stop(proc)


def admin_connection():
    s = connection.settings_dict
    params = {"host": s["HOST"], "port": s["PORT"] or 5432, "user": s["USER"], "password": s["PASSWORD"]}
    return psycopg.connect(**params, dbname=s["NAME"], autocommit=True)


def the_servers_backends(admin) -> list[int]:
    """The server's connections to the tests' database (every one but this test's own two)."""
    mine = [admin.info.backend_pid, connection.connection.info.backend_pid]
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> ALL(%s)", [mine]
    ).fetchall()
    return [pid for (pid,) in rows]


def post_entry(session, url, page, data):
    form = {**data, "csrfmiddlewaretoken": csrf_token(page)}
    return session.post(url, data=form, allow_redirects=False, timeout=30)


def test_a_live_servers_connection_ended_before_the_commit_then_after_it_then_two_clients_at_once(
    org, secretary_a1, server
):
    vg = org.a1_vgs[0]
    with_password(secretary_a1)
    session = requests.Session()
    log_in(session, server, "luozi")
    url = server + reverse("funds:entry-new", args=[vg.pk])
    page = session.get(url, timeout=10)
    data = entry_data(amount="800", submission_key=hidden(page, "submission_key"))
    connection.ensure_connection()

    # before the commit: the posting waits on the ledger's lock inside its transaction; its connection is ended
    answers = []
    with admin_connection() as admin, admin_connection() as holder:
        holder.autocommit = False
        holder.execute("SELECT 1 FROM groups_villagergroup WHERE id = %s FOR UPDATE", [vg.pk])
        posting = threading.Thread(target=lambda: answers.append(post_entry(session, url, page, data)))
        posting.start()
        waiting = []
        for _ in range(40):
            waiting = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchall()
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "the posting never waited on the lock"
        admin.execute("SELECT pg_terminate_backend(%s)", [waiting[0][0]])
        posting.join(timeout=30)
        holder.rollback()
    (cut,) = answers
    assert cut.status_code == 503 and PAGE_TEXT in cut.text and "您刚才提交的内容没有保存" in cut.text
    assert FundEntry.objects.filter(villager_group=vg).count() == 0

    saved = post_entry(session, url, page, data)  # the resubmit the page asks for
    assert saved.status_code == 302
    assert FundEntry.objects.filter(villager_group=vg).count() == 1

    # after the commit: every connection of the server ended; the next request works, and the resubmit is one
    with admin_connection() as admin:
        for pid in the_servers_backends(admin):
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    again = post_entry(session, url, page, data)
    assert again.status_code == 302
    assert REPEATED in session.get(server + again.headers["Location"], timeout=10).text

    # two clients (two workers) sending one new form at the same moment
    page = session.get(url, timeout=10)
    twin = {**entry_data(amount="5"), "submission_key": hidden(page, "submission_key")}
    start, results = threading.Barrier(2), []

    def send():
        start.wait()
        results.append(post_entry(session, url, page, twin).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results == [302, 302]
    assert FundEntry.objects.filter(villager_group=vg).count() == 2  # the 800 once, the 5 once
    assert FundEntry.history.filter(villager_group=vg).count() == 2  # and an audit row for each


def test_a_live_server_whose_database_hangs_answers_503_within_5_seconds_and_keeps_answering(tmp_path, blackhole):
    s = connection.settings_dict
    hung = f"postgres://{s['USER']}@127.0.0.1:{blackhole}/{s['NAME']}"
    proc, url = start_server(tmp_path, DATABASE_URL=hung)
    try:
        session = requests.Session()
        page = session.get(f"{url}/accounts/login/", timeout=10)
        times = []
        for _ in range(4):  # more requests than workers: none is held for the gunicorn timeout
            started = time.monotonic()
            response = session.post(
                f"{url}/accounts/login/",
                data={"csrfmiddlewaretoken": csrf_token(page), "username": "luozi", "password": str(uuid.uuid4())},
                timeout=30,
            )
            times.append(time.monotonic() - started)
            assert response.status_code == 503 and PAGE_TEXT in response.text
        assert max(times) < 5, times
    finally:
        stop(proc)
