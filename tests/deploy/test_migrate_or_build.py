"""`make run` builds a fresh SQLite database from the models (manage.py migrate_or_build) instead of applying the
migrations one by one: the schema it makes is the one the migrations make, table by table, column by column, index,
foreign key, CHECK constraint and trigger; the dues rates and the append-only triggers are there; and the migrations
are recorded, so `migrate` afterwards has nothing to do."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def schema(raw: sqlite3.Connection) -> dict:
    def rows(sql):
        return raw.execute(sql).fetchall()

    tables = [t for (t,) in rows("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    found = {}
    for table in tables:
        sql = raw.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", [table]).fetchone()[0]
        indexes = set()
        for _seq, name, unique, origin, _partial in rows(f'PRAGMA index_list("{table}")'):
            columns = tuple(c[2] for c in rows(f'PRAGMA index_info("{name}")'))
            # SQLite names the indexes behind UNIQUE/PRIMARY KEY itself (sqlite_autoindex_<table>_<n>, n by position)
            indexes.add((None if name.startswith("sqlite_autoindex") else name, unique, origin, columns))
        found[table] = {
            "columns": {(c[1], c[2], c[3], c[4], c[5]) for c in rows(f'PRAGMA table_info("{table}")')},
            "indexes": indexes,
            "foreign keys": {(f[2], f[3], f[4], f[5], f[6]) for f in rows(f'PRAGMA foreign_key_list("{table}")')},
            "checks": set(re.findall(r'CONSTRAINT "([^"]+)" CHECK', sql)),
        }
    found["triggers"] = {name for (name,) in rows("SELECT name FROM sqlite_master WHERE type='trigger'")}
    return found


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the fast path is SQLite's (make run); PostgreSQL migrates")
def test_a_fresh_sqlite_database_built_from_the_models_has_the_migrated_schema(tmp_path):
    built = tmp_path / "built.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{built}"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]

    first = subprocess.run([*manage, "migrate_or_build"], env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert first.returncode == 0, first.stderr
    assert "building the tables from the models" in first.stdout

    connection.ensure_connection()
    migrated = schema(connection.connection)  # the test database, made by the migrations
    with sqlite3.connect(built) as raw:
        made = schema(raw)
        rates = raw.execute("SELECT count(*) FROM dues_ratetable").fetchone()[0]
        recorded = raw.execute("SELECT count(*) FROM django_migrations").fetchone()[0]

    assert sorted(made) == sorted(migrated)
    assert "core_kept_figures" in made  # the county figures' shared cache (core.figures), made after every migrate
    for table in migrated:
        assert made[table] == migrated[table], table
    assert migrated["triggers"], "the append-only triggers are part of what is compared"
    assert rates == 1  # the 2008 dues rates, as the dues migration loads them
    assert recorded >= 80

    again = subprocess.run([*manage, "migrate_or_build"], env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert again.returncode == 0, again.stderr
    assert "No migrations to apply." in again.stdout
