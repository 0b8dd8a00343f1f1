"""Two app servers behind one proxy serve the same people (issue 18): the app keeps nothing in a process (sessions in
the database, uploads waiting to be confirmed encrypted in the database, job files in Django storage), so a login
made on one server is valid on the other, a roster upload started on one is confirmed on the other, and a job's file
made through one is downloaded from the other.

Two gunicorn processes, as `make serve` starts them, on two ports against the tests' PostgreSQL database."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from members.models import PartyMember
from tests.faults.helpers import postgresql_only
from tests.members.test_import import roster, row

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]  # the servers read what is committed
PASSWORD = "Two-servers-pass-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def servers(tmp_path):
    """Two gunicorn app servers sharing the tests' database and one storage folder; their base URLs."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "APP_TEMP_DIR": str(tmp_path / "tmp"),
        "DEBUG": "False",
        "SESSION_COOKIE_SECURE": "False",  # plain HTTP on loopback, as `make serve`
        "CSRF_COOKIE_SECURE": "False",
        "SECURE_SSL_REDIRECT": "False",
    }
    env.pop("MIGRATE_DATABASE_URL", None)
    procs, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            procs.append(
                subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
                    [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=(tmp_path / f"server-{port}.log").open("w"),
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{url}/accounts/login/", timeout=5).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or its worker still loading the app
                    pass
                if time.monotonic() > deadline:
                    logs = "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("server-*.log"))
                    pytest.fail(f"the app server at {url} did not answer within 60 s:\n{logs}")
                time.sleep(0.3)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def csrf_token(page: requests.Response) -> str:
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def hidden(page: requests.Response, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', page.text).group(1)


def log_in(session: requests.Session, url: str, username: str) -> None:
    page = session.get(f"{url}/accounts/login/", timeout=10)
    response = session.post(
        f"{url}/accounts/login/",
        data={"csrfmiddlewaretoken": csrf_token(page), "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302 and "/accounts/login/" not in response.headers["Location"]


def with_password(user):
    """The password hashed as the servers hash it: they run the project's settings, not the suite's fast hasher."""
    hasher = Argon2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save()
    return user


def test_a_login_on_one_server_is_valid_on_the_other(org, secretary_a1, servers):
    one, two = servers
    with_password(secretary_a1)
    session = requests.Session()
    anonymous = session.get(f"{two}/", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]
    log_in(session, one, "luozi")
    home = session.get(f"{two}/", timeout=10)  # the home page sends a secretary on to their village's page
    assert home.status_code == 200 and home.url.startswith(f"{two}/village/")
    assert "罗紫村" in home.text


def test_an_upload_started_on_one_server_is_confirmed_on_the_other(org, secretary_a1, servers):
    one, two = servers
    with_password(secretary_a1)
    session = requests.Session()
    log_in(session, one, "luozi")
    form = session.get(f"{one}/roster/import/", timeout=10)
    uploaded = session.post(
        f"{one}/roster/import/",
        data={"csrfmiddlewaretoken": csrf_token(form)},
        files={"file": ("名册.xlsx", roster([row()]))},
        allow_redirects=False,
        timeout=30,
    )
    assert uploaded.status_code == 302 and uploaded.headers["Location"].endswith("/roster/import/preview/")

    preview = session.get(f"{two}/roster/import/preview/", timeout=30)
    assert preview.status_code == 200 and "王新" in preview.text
    confirmed = session.post(
        f"{two}/roster/import/confirm/",
        data={
            "csrfmiddlewaretoken": csrf_token(preview),
            "token": hidden(preview, "token"),
            "submission_key": str(uuid.uuid4()),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert confirmed.status_code == 302
    assert PartyMember.objects.filter(village=org.a1, name="王新").count() == 1


def test_a_roster_job_started_on_one_server_is_downloaded_from_the_other(org, county_viewer, servers):
    one, two = servers
    with_password(county_viewer)
    session = requests.Session()
    log_in(session, one, "county")
    page = session.get(f"{one}/roster/roster/", timeout=10)
    started = session.post(
        f"{one}/roster/roster/",
        data={"csrfmiddlewaretoken": csrf_token(page), "submission_key": hidden(page, "submission_key")},
        allow_redirects=False,
        timeout=60,
    )
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    progress = session.get(two + started.headers["Location"], timeout=10)
    download = re.search(r'href="(/jobs/[^"]+/file)"', progress.text).group(1)
    response = session.get(two + download, timeout=30)
    assert response.status_code == 200 and response.content.startswith(b"PK")
