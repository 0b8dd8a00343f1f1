"""What the fault suite shares: the browser-like client, the key a form is issued with, and PostgreSQL's hand on a
connection (pg_terminate_backend from another connection, the way a database restart or a network cut ends it)."""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

REPEATED = "已保存，未重复登记"
PAGE_TEXT = "服务暂时不可用，请稍后再试"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a PostgreSQL server to end the connection"
)


def issued_key(page_html: str) -> str:
    """The one-time key of the (first) form on a page, as the browser would send it back."""
    match = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page_html)
    assert match, "the form carries no one-time key"
    return match.group(1)


def new_key() -> str:
    return str(uuid.uuid4())


def terminate_backend(pid: int | None = None) -> None:
    """End the app's connection on the server, from a second connection (what a database restart does)."""
    import psycopg

    pid = pid or connection.connection.info.backend_pid
    s = connection.settings_dict
    params = {"host": s["HOST"], "port": s["PORT"] or 5432, "user": s["USER"], "password": s["PASSWORD"]}
    with psycopg.connect(**params, dbname=s["NAME"], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@contextmanager
def terminated_on(sql_fragment: str):
    """End the connection just before the first statement containing `sql_fragment` runs (it then fails)."""
    fired = []

    def wrapper(execute, sql, params, many, context):
        if not fired and sql_fragment in sql:
            fired.append(sql)
            terminate_backend()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield fired


@contextmanager
def terminated_after_commit():
    """End the connection as soon as the request's transaction commits: nothing after it may need the database."""
    original = transaction.on_commit
    fired = []

    def on_commit(func, using=None, robust=False):
        def then():
            func()
            if not fired:
                fired.append(True)
                terminate_backend()

        return original(then, using=using, robust=robust)

    transaction.on_commit = on_commit
    try:
        yield fired
    finally:
        transaction.on_commit = original


def assert_unavailable(response) -> str:
    assert response.status_code == 503
    body = response.content.decode()
    assert PAGE_TEXT in body
    return body
