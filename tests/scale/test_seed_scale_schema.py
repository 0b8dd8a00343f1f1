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
