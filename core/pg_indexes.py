"""Covering indexes (PostgreSQL's `INCLUDE`) for the dashboards' aggregates, created by migrations.

A covering index holds extra columns beside its key, so a query that needs only those columns is answered from the
index alone (an index-only scan) without visiting the table's rows, which for years of reports or ledger entries lie
scattered across the table. Django can declare `include=` in a model's Meta only for databases that support it, and
warns on SQLite, so these are created here, on PostgreSQL only; on SQLite the plain indexes serve.
"""

from __future__ import annotations

from django.db import migrations


def covering_index(name: str, table: str, columns: list[str], include: list[str]) -> migrations.RunPython:
    """A migration operation creating (and, reversed, dropping) the named covering index on PostgreSQL."""

    def quoted(names: list[str]) -> str:
        return ", ".join(f'"{n}"' for n in names)

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted(columns)}) INCLUDE ({quoted(include)})'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
