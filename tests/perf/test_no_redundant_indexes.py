"""No index that a wider one on the same table already serves.

Django gives every foreign key its own index; where a unique constraint or a declared index begins with the same
column (the attendance's (meeting, member), the dues line's (member, month)…), that single-column index serves no
lookup the wider one does not, and still costs every insert, the disk, and `seed_scale` the time to build it (at the
province preset the 35 such indexes came to ~400 MB). The foreign keys behind them say
`db_index=False`; their lookups use the wider index's leading column.

Checked on the migrated schema of every model of the project's own apps; Django's automatic many-to-many tables
(one index per side beside the unique pair) are Django's to shape and left out.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection


def _own_models():
    """The models of the project's own apps that have tables of their own (not Django's automatic many-to-many ones)."""
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if root not in path.parents or ".venv" in path.parts:
            continue
        for model in config.get_models():
            if model._meta.managed and not model._meta.proxy:
                yield model


def _postgresql_indexes(tables: set[str]) -> list[tuple[str, str, tuple, bool, bool]]:
    """(table, index, keys with their operator class, collation and order, unique, partial)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indexrelid::regclass::text, i.indkey::text, i.indclass::text, "
            "i.indcollation::text, i.indoption::text, i.indnkeyatts, i.indisunique, i.indpred IS NOT NULL, "
            "i.indexprs IS NOT NULL "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)",
            [sorted(tables)],
        )
        rows = cursor.fetchall()
    found = []
    for table, name, keys, classes, collations, options, n_keys, unique, partial, expressions in rows:
        if expressions:
            continue
        parts = [s.split()[:n_keys] for s in (keys, classes, collations, options)]
        found.append((table, name, tuple(zip(*parts, strict=True)), unique, partial))
    return found


def _sqlite_indexes(tables: set[str]) -> list[tuple[str, str, tuple, bool, bool]]:
    found = []
    with connection.cursor() as cursor:
        for table in sorted(tables):
            for name, info in connection.introspection.get_constraints(cursor, table).items():
                if not info["index"] and not info["unique"] and not info["primary_key"]:
                    continue  # a check or foreign-key constraint, no index
                if not info["columns"]:
                    continue
                cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name])
                row = cursor.fetchone()
                partial = bool(row and row[0] and " WHERE " in row[0].upper())
                orders = info.get("orders") or ["ASC"] * len(info["columns"])
                found.append((table, name, tuple(zip(info["columns"], orders, strict=True)), info["unique"], partial))
    return found


def test_no_index_is_served_by_a_wider_one_on_the_same_table(db):
    tables = {model._meta.db_table for model in _own_models()}
    reader = _postgresql_indexes if connection.vendor == "postgresql" else _sqlite_indexes
    indexes = reader(tables)
    assert len(indexes) > 100, "the project's indexes were not read"
    redundant = []
    for table, name, keys, unique, partial in indexes:
        if unique or partial:
            continue  # a unique index enforces something; a partial one serves only its rows
        for other_table, other, other_keys, _unique, other_partial in indexes:
            wider = other_table == table and other != name and not other_partial and other_keys[: len(keys)] == keys
            if wider and (len(other_keys) > len(keys) or other < name):  # of two identical indexes, one is reported
                redundant.append(f"{table}.{name} (served by {other})")
                break
    assert not redundant, "indexes a wider one serves:\n" + "\n".join(redundant)


def test_the_lookups_by_a_dropped_index_column_still_use_an_index(db):
    """The foreign keys whose own index went: a look-up by each still has an index beginning with its column."""
    from activity.models import Activity
    from dues.models import Line
    from orglife.meetings.models import Attendance

    for model, column in ((Attendance, "meeting_id"), (Attendance, "member_id"), (Line, "member_id"),
                          (Line, "village_id"), (Activity, "report_id")):  # fmt: skip
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
        leading = {name for name, info in constraints.items() if info["columns"] and info["columns"][0] == column}
        assert leading, f"{model._meta.db_table}.{column} has no index beginning with it"


def test_every_declared_index_and_constraint_is_in_the_migrated_database(db):
    """What the models declare (Meta.indexes, Meta.constraints) stands in the database the migrations made: dropping
    a foreign key's own index must not take a partial unique index on the same column with it (one active leader per
    party group is such an index)."""
    missing = []
    with connection.cursor() as cursor:
        for model in _own_models():
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            for declared in [*model._meta.indexes, *model._meta.constraints]:
                if declared.name not in found:
                    missing.append(f"{model._meta.db_table}.{declared.name}")
    assert not missing, "declared but not in the database:\n" + "\n".join(missing)


def test_a_lookup_hash_has_its_one_index_and_no_pattern_matching_one(db):
    """A hash is looked up whole (`…_hash=lookup_hash(value)`), never by its beginning: its column (the members' and
    their history's) has the unique or plain index asked for, and on PostgreSQL not the second `varchar_pattern_ops`
    index Django adds to an indexed varchar for LIKE (members/migrations/0010)."""
    from core.fields import LookupHashField

    hashed = [
        (model._meta.db_table, field.column, field.unique)
        for model in _own_models()
        for field in model._meta.concrete_fields
        if isinstance(field, LookupHashField)
    ]
    assert ("members_partymember", "id_number_hash", True) in hashed
    assert ("members_partymember", "phone_hash", False) in hashed
    with connection.cursor() as cursor:
        for table, column, unique in hashed:
            indexes = [
                (name, info)
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["columns"] == [column] and (info["index"] or info["unique"])
            ]
            assert any(info["unique"] == unique for _name, info in indexes), (table, column, indexes)
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_opclass o ON o.oid = i.indclass[0] "
                    "WHERE i.indrelid = %s::regclass AND o.opcname LIKE %s",
                    [table, "%pattern_ops"],
                )
                assert cursor.fetchall() == [], table
