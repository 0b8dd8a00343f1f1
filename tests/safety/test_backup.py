"""Backups: `manage.py backup` makes a consistent copy of the database and `manage.py restore` brings it back into a
fresh database with every row, every villager group's ledger balance, the personal data still readable and the
ledger still append-only. Runs on the test database's own kind: PostgreSQL (pg_dump/pg_restore) or SQLite."""

from __future__ import annotations

import datetime
import io
import os
import stat
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections
from django.db.utils import load_backend

from core import backups
from groups.ledger.services import balances, fund_entry_reverse
from groups.models import FundEntry, VillagerGroup
from members.models import PartyMember
from tests.groups.test_ledger import EXPENSE, post

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed
RESTORED = "restored"


@pytest.fixture
def ledgers(org, superuser):
    """Entries in several villager groups of two townships, with a reversal (by the administrator, who reaches
    both)."""
    township_staff = superuser
    day = datetime.date(2025, 3, 1)
    for n, vg in enumerate([*org.a1_vgs, *org.b1_vgs], start=1):
        post(vg, f"{1000 * n}.50", day=day, user=township_staff)
        post(vg, f"{100 * n}.25", EXPENSE, day=day, user=township_staff)
    mistake = post(org.a2_vgs[0], "300.00", day=day, user=township_staff)
    fund_entry_reverse(entry=mistake, entry_date=day, reason="记错了", acting_user=township_staff)
    return org


def table_counts(alias: str) -> dict[str, int]:
    conn = connections[alias]
    with conn.cursor() as cursor:
        counts = {}
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608 (introspected names)
            counts[table] = cursor.fetchone()[0]
    return counts


@contextmanager
def fresh_database(tmp_path):
    """A new, empty database of the same kind as the test database, reachable as connections["restored"]."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings["NAME"] = str(tmp_path / "restored.sqlite3")
        created = None
    else:
        import psycopg

        created = f"{settings['NAME']}_restored"
        admin = psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings["PASSWORD"],
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{created}"')
        admin.execute(f'CREATE DATABASE "{created}"')
        settings["NAME"] = created
    # Registered as a connection only, not in the settings: Django's test isolation allows such connections.
    connections[RESTORED] = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, RESTORED)
    try:
        yield RESTORED
    finally:
        connections[RESTORED].close()
        del connections[RESTORED]
        if created:
            admin.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
            admin.close()


def test_a_backup_restored_into_a_fresh_database_holds_everything(ledgers, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    out = io.StringIO()
    call_command("backup", stdout=out)
    [path] = list(settings.BACKUP_DIR.iterdir())
    assert str(path) in out.getvalue()
    assert path.suffix == {"postgresql": ".dump", "sqlite": ".sqlite3"}[connection.vendor]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # it holds personal data (encrypted) and the ledgers

    with fresh_database(tmp_path) as alias:
        call_command("restore", str(path), "--no-input", "--database", alias, stdout=io.StringIO())
        assert table_counts(alias) == table_counts("default")
        before = balances(VillagerGroup.objects.all())
        assert balances(VillagerGroup.objects.using(alias).all()) == before
        assert any(b != Decimal("0.00") for b in before.values())
        member = PartyMember.objects.order_by("pk").first()
        assert PartyMember.objects.using(alias).get(pk=member.pk).id_number == member.id_number
        with pytest.raises(IntegrityError):  # the restored ledger is still append-only
            FundEntry.objects.using(alias).filter(pk=FundEntry.objects.first().pk).update(amount=Decimal("1.00"))


def test_restore_first_backs_up_the_database_it_replaces(ledgers, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    first = backups.backup(directory=tmp_path / "elsewhere")
    with fresh_database(tmp_path) as alias:
        call_command("restore", str(first), "--no-input", "--database", alias, stdout=io.StringIO())
        assert len(list(settings.BACKUP_DIR.iterdir())) == 1  # the fresh database as it was, before the restore


def test_a_file_that_is_not_a_backup_of_this_database_is_refused_and_nothing_is_replaced(ledgers, tmp_path):
    wrong = tmp_path / "notes.dump"
    wrong.write_bytes(b"SQLite format 3\x00" if connection.vendor == "postgresql" else b"PGDMP\x01")
    before = table_counts("default")
    with pytest.raises(CommandError, match="cannot be restored"):
        call_command("restore", str(wrong), "--no-input", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("restore", str(tmp_path / "missing.dump"), "--no-input", stdout=io.StringIO())
    assert table_counts("default") == before


def test_two_backups_in_the_same_second_do_not_overwrite_each_other(ledgers, tmp_path):
    a = backups.backup(directory=tmp_path)
    b = backups.backup(directory=tmp_path)
    assert a != b and a.exists() and b.exists()
