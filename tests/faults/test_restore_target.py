"""`restore` never mixes two states: a database that holds any table is refused unless told to replace it, and then
its schema is emptied first, in the restore's own transaction (a table the backup does not have is gone after)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from core import backups
from tests.safety.test_backup import fresh_database, ledgers, table_counts  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_database_that_is_not_empty_is_refused_without_replace(ledgers, tmp_path, settings):  # noqa: F811
    settings.BACKUP_DIR = tmp_path / "backups"
    dump = backups.backup(directory=tmp_path / "dumps")
    with fresh_database(tmp_path) as alias:
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE leftover (id integer)")
        with pytest.raises(CommandError, match="not empty"):
            call_command("restore", str(dump), "--no-input", "--database", alias, stdout=io.StringIO())
        assert backups.tables_in(alias) == ["leftover"]


def test_replace_empties_the_database_first_so_no_table_of_the_old_state_is_left(
    ledgers,  # noqa: F811
    tmp_path,
    settings,
):
    settings.BACKUP_DIR = tmp_path / "backups"
    dump = backups.backup(directory=tmp_path / "dumps")
    with fresh_database(tmp_path) as alias:
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE leftover (id integer)")
            cursor.execute("INSERT INTO leftover VALUES (1)")
        call_command("restore", str(dump), "--no-input", "--replace", "--database", alias, stdout=io.StringIO())
        assert "leftover" not in backups.tables_in(alias)
        assert table_counts(alias) == table_counts("default")
        call_command("restore", str(dump), "--no-input", "--replace", "--database", alias, stdout=io.StringIO())
        assert table_counts(alias) == table_counts("default")  # a second replace over a full database
