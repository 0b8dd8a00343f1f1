"""`seed_scale` on PostgreSQL takes the foreign keys and the bulky tables' secondary indexes off while its rows go in
and puts them back at the end: afterwards the schema is the migrated one, every index and constraint there under
its own name with its own definition, none missing, none added, and the indexes valid (the pages' plans use them)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from seeding.scale import BULKY, _tables, seed_scale

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are dropped on PostgreSQL only")


def schema(tables: list[str]) -> dict:
    """Every table's constraints and indexes as Django's introspection sees them, and PostgreSQL's own definitions."""
    with connection.cursor() as cursor:
        out = {table: connection.introspection.get_constraints(cursor, table) for table in tables}
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisready FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ANY(%s::regclass[])",
            [tables],
        )
        out["pg_index"] = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [tables],
        )
        out["pg_constraint"] = sorted(cursor.fetchall())
    return out


def test_after_seeding_the_indexes_and_constraints_are_the_migrated_ones(db):
    tables = [model._meta.db_table for model, _columns in _tables()]
    assert set(tables) >= BULKY
    migrated = schema(tables)
    secondary = [
        name
        for table in BULKY
        for name, c in migrated[table].items()
        if c["index"] and not c["unique"] and not c["primary_key"]
    ]
    assert len(secondary) > 20  # the bulky tables do have secondary indexes to drop and build
    seed_scale(townships=1, years=1, password="Scale-Test-Pass-1", seed=3, today=datetime.date(2026, 3, 10))
    after = schema(tables)
    assert after["pg_index"] == migrated["pg_index"]
    assert after["pg_constraint"] == migrated["pg_constraint"]
    assert after == migrated
    assert all(valid and ready for _name, _definition, valid, ready in after["pg_index"])


def test_the_triggers_counting_a_villages_changes_are_off_while_rows_go_in_and_on_after(db):
    """Millions of rows would each raise their village's change count (township/changes.py): seed_scale turns the
    triggers off while it copies them in, turns them back on, and raises every village's count once instead."""
    from township import changes
    from township.models import Village, VillageChanges

    def enabled() -> dict:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE %s OR tgname LIKE %s",
                ["%\\_changes", "%\\_work"],
            )
            return dict(cursor.fetchall())

    before = enabled()
    assert set(before) == {name for _table, name in changes.postgres_triggers(connection)}
    assert set(before.values()) == {"O"}
    assert "activity_monthlyreport_work" in before
    seed_scale(townships=1, years=1, password="Scale-Test-Pass-1", seed=3, today=datetime.date(2026, 3, 10))
    assert enabled() == before
    village = Village.objects.order_by("pk").first()
    changes.version([village.pk])
    assert (VillageChanges.objects.get(village=village).n, VillageChanges.objects.get(village=village).work) == (0, 0)
    with connection.cursor() as cursor:  # the first run's deferred key checks, pending in the test's one transaction
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    seed_scale(
        townships=1, years=1, password="Scale-Test-Pass-1", seed=4, today=datetime.date(2026, 3, 10), append=True
    )
    counted = VillageChanges.objects.get(village=village)
    assert (counted.n, counted.work) == (1, 1)  # once for the whole run, not once per row
