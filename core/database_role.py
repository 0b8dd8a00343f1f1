"""Two PostgreSQL roles: the tables' owner runs the migrations, the app runs as a role with only the rights it needs.

The owner (`MIGRATE_DATABASE_URL`) creates and alters the tables; the app (`DATABASE_URL`) may read and write rows but
cannot TRUNCATE, ALTER, DROP or disable a trigger (only an owner may), cannot write the migration record, and gets no
UPDATE or DELETE on the append-only tables nor UPDATE on the columns the database keeps itself (a fund balance).
`grant()` runs as the owner after every `migrate` (the groups app's post_migrate), so new tables are covered at once.

`owner_command(argv)` tells settings which management commands run as the owner: the ones that change the schema or
empty or replace the database (`migrate`, `flush`, `restore`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

OWNER_COMMANDS = frozenset({"migrate", "flush", "restore"})


def owner_command(argv: Sequence[str]) -> bool:
    """True when this process is `manage.py <a command that needs the owner>`."""
    return len(argv) > 1 and Path(argv[0]).name in {"manage.py", "django-admin"} and argv[1] in OWNER_COMMANDS


def grant(
    connection,
    role: str,
    *,
    append_only: Iterable[str] = (),
    kept_columns: Mapping[str, Iterable[str]] = {},  # noqa: B006 (read only)
    definer_functions: Iterable[str] = (),
) -> list[str]:
    """Give `role` the app's rights on every table of the current schema; returns the statements run.

    `append_only`: tables the role may read and insert into only. `kept_columns`: {table: columns} the role may not
    UPDATE (the database keeps them). `definer_functions`: trigger functions that run with the owner's rights, because
    they write what the role may not (they are fixed SQL and take nothing from the caller but the rows written).
    """
    qn = connection.ops.quote_name
    who, schema = qn(role), _schema(connection)
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
        f"REVOKE INSERT, UPDATE, DELETE ON {qn('django_migrations')} FROM {who}",
    ]
    existing = set(connection.introspection.table_names())
    for table in append_only:
        if table in existing:
            statements.append(f"REVOKE UPDATE, DELETE ON {qn(table)} FROM {who}")
    for table, kept in kept_columns.items():
        if table not in existing:
            continue
        with connection.cursor() as cursor:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        writable = ", ".join(qn(c) for c in columns if c not in set(kept))
        statements += [f"REVOKE UPDATE ON {qn(table)} FROM {who}", f"GRANT UPDATE ({writable}) ON {qn(table)} TO {who}"]
    for function in definer_functions:
        statements.append(f"ALTER FUNCTION {qn(function)}() SECURITY DEFINER SET search_path = pg_catalog, public")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return statements


def _schema(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return connection.ops.quote_name(cursor.fetchone()[0])
