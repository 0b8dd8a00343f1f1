"""Backing up and restoring the database (`manage.py backup`, `manage.py restore FILE`; `make backup` / `make restore`).

PostgreSQL: `pg_dump -Fc` into `<BACKUP_DIR>/<db>-<timestamp>.dump`, restored by running pg_restore's SQL through
psql in one transaction that first empties the schema (all or nothing). A database that is not empty is refused
unless the restore is told to replace it (`--replace`; `make restore` asks, then passes it).
SQLite: SQLite's online backup API, page by page under SQLite's own locking, so the copy is consistent even while the
app writes (a plain `cp` of a live file can catch it half-written); restored the same way, in the other direction.

A backup holds the personal data encrypted, so it is useless without FIELD_ENCRYPTION_KEYS: keep the keys, separately.
Backup files are created readable by their owner only.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

from core import clock

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
SUFFIX = {"postgresql": ".dump", "sqlite": ".sqlite3"}


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in SUFFIX:
        raise BackupError(f"Backups are made for PostgreSQL and SQLite only, not {vendor}.")
    return vendor


def _db_label(alias: str) -> str:
    name = str(connections[alias].settings_dict["NAME"] or "db")
    label = Path(name).stem if connections[alias].vendor == "sqlite" else name
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label) or "db"


def _new_file(directory: Path, stem: str, suffix: str) -> Path:
    """A new, empty file readable by its owner only (the directory too), never overwriting an earlier backup."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = directory / f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return path
    raise BackupError(f"Too many backups named {stem} in {directory}.")


def _pg_env(settings: dict) -> dict[str, str]:
    """libpq's environment for the configured database (the password never appears on a command line)."""
    env = dict(os.environ)
    values = {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGSSLMODE": (settings.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def _run(args: list[str], settings: dict) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} is not installed (apt-get install postgresql-client).")
    done = subprocess.run(args, env=_pg_env(settings), capture_output=True, text=True, check=False)  # noqa: S603 (fixed arguments, no shell)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip() or done.returncode}")


def backup(*, directory: Path, alias: str = "default") -> Path:
    """Write a consistent copy of the database to a new file in `directory`; answer its path."""
    vendor = _vendor(alias)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")  # the township's time (Asia/Shanghai)
    path = _new_file(Path(directory), f"{_db_label(alias)}-{stamp}", SUFFIX[vendor])
    try:
        if vendor == "postgresql":
            settings = connections[alias].settings_dict
            _run(["pg_dump", "--format=custom", "--no-password", f"--file={path}", settings["NAME"]], settings)
        else:
            connection = connections[alias]
            connection.ensure_connection()  # the live connection: also right for an in-memory database
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def check_file(path: Path, *, alias: str = "default") -> None:
    """Refuse a file that is not a backup of this kind of database, before anything is replaced."""
    vendor = _vendor(alias)
    if not path.is_file():
        raise BackupError(f"No such file: {path}")
    with open(path, "rb") as f:
        head = f.read(16)
    magic = PG_MAGIC if vendor == "postgresql" else SQLITE_MAGIC
    if not head.startswith(magic):
        kind = "a pg_dump custom-format file (.dump)" if vendor == "postgresql" else "an SQLite database file"
        raise BackupError(f"{path} is not {kind}, so it cannot be restored into this {vendor} database.")


def tables_in(alias: str = "default") -> list[str]:
    """The tables the target database holds now (any table, not only the app's: a restore must not mix states)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        return [row[0] for row in cursor.fetchall()]


def restore(path: Path, *, alias: str = "default", replace: bool = False) -> None:
    """Put the backup in `path` into the database, all or nothing.

    A database that holds any table is refused unless `replace`: then its schema is emptied first, in the same
    transaction as the restore, so no table of the state being replaced (one the backup does not have) is left
    beside the restored ones.
    """
    path = Path(path)
    check_file(path, alias=alias)
    connection = connections[alias]
    present = tables_in(alias)
    if present and not replace:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(present)} tables). Restore into an "
            "empty database, or give --replace to empty it first (`make restore` does, after asking)."
        )
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        connection.close()  # our own session would hold locks the restore must take
        _pg_restore_replacing(path, settings)
    else:
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)  # page by page: the whole file, extra tables included, is replaced
        finally:
            source.close()


def _pg_restore_replacing(path: Path, settings: dict) -> None:
    """pg_restore's SQL run by psql in one transaction that first drops and re-creates the schema: all or nothing."""
    pg_restore, psql = shutil.which("pg_restore"), shutil.which("psql")
    if pg_restore is None or psql is None:
        raise BackupError("pg_restore and psql are needed (apt-get install postgresql-client).")
    env = _pg_env(settings)
    script = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
        [pg_restore, "--no-owner", "--no-acl", "--exit-on-error", "--file=-", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    empty_schema = "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; SET search_path = public;"
    done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [
            psql,
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--no-password",
            f"--dbname={settings['NAME']}",
            f"--command={empty_schema}",
            "--file=-",
        ],
        env=env,
        stdin=script.stdout,
        capture_output=True,
        text=True,
        check=False,
    )
    script.stdout.close()
    script_errors = script.stderr.read().decode(errors="replace")
    script.wait()
    if script.returncode != 0:
        raise BackupError(f"pg_restore failed: {script_errors.strip() or script.returncode}")
    if done.returncode != 0:
        raise BackupError(f"psql failed (nothing was changed): {done.stderr.strip() or done.returncode}")
