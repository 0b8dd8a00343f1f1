"""Finding 11: SQLite under `make run` answers a few people at once without "database is locked" (ASVS V1 availability).

The settings give SQLite write-ahead logging, a busy timeout and IMMEDIATE transactions (settings.SQLITE_OPTIONS).
Writers here use Django's own SQLite backend with exactly those options on a database file, as `make run` does, and
each does what a view does: read, then write, in one transaction.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

WRITERS, ROUNDS = 8, 15


def wrapper(path, options) -> DatabaseWrapper:
    settings_dict = {
        **settings.DATABASES["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": dict(options),
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings_dict, alias=f"concurrency-{threading.get_ident()}")


def run_writers(path, options) -> tuple[list[str], int]:
    setup = wrapper(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        cursor.execute("INSERT OR REPLACE INTO counter (id, n) VALUES (1, 0)")
    setup.close()
    errors: list[str] = []
    start = threading.Barrier(WRITERS)

    def writer() -> None:
        db = wrapper(path, options)
        start.wait()
        for _ in range(ROUNDS):
            try:
                # what transaction.atomic() does on SQLite: BEGIN, in the configured mode
                db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
                with db.cursor() as cursor:
                    cursor.execute("SELECT n FROM counter WHERE id = 1")
                    n = cursor.fetchone()[0]
                    threading.Event().wait(0.002)  # another request runs meanwhile
                    cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
                db.commit()
            except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
                errors.append(str(exc))
                db.rollback()
            finally:
                db.set_autocommit(True)
        db.close()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check = wrapper(path, options)
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter WHERE id = 1")
        total = cursor.fetchone()[0]
    check.close()
    return errors, total


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    with django_db_blocker.unblock():  # the test's own database files, not the test database
        yield


def test_concurrent_writers_all_succeed_and_none_is_lost(tmp_path):
    errors, total = run_writers(tmp_path / "run.sqlite3", settings.SQLITE_OPTIONS)
    assert errors == []
    assert total == WRITERS * ROUNDS  # IMMEDIATE: no two read the same n and both write n + 1


def test_the_database_file_uses_write_ahead_logging(tmp_path):
    db = wrapper(tmp_path / "wal.sqlite3", settings.SQLITE_OPTIONS)
    with db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    db.close()


def test_without_these_options_the_same_writers_fail(tmp_path):
    """The control: SQLite's defaults (a deferred BEGIN, rollback journal) lose this race, as `make run` did."""
    errors, total = run_writers(tmp_path / "plain.sqlite3", {})
    assert errors or total < WRITERS * ROUNDS
