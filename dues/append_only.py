"""The dues book is append-only in the database, as the fund ledger is (`groups/ledger/append_only.py`, whose
approach this follows): triggers refuse every UPDATE and DELETE of receipts, their lines, remittances and the
township's receipts of them, and of their history rows (except `history_user_id`, SET_NULL when an account goes).

`install()` is idempotent; it runs from the migration and after every `migrate`. `lifted()` drops the SQLite triggers
for `manage.py flush` only, which the project's flush command (groups) calls for every guard registered with it.
"""

from __future__ import annotations

from contextlib import contextmanager

MESSAGE = "the dues book is append-only: correct a mistake with a reversing receipt"
FUNCTION = "dues_book_refuse_change"
TABLES = ("dues_payment", "dues_line", "dues_remittance", "dues_remittancereceipt")
HISTORY = tuple(t.replace("dues_", "dues_historical", 1) for t in TABLES)
HISTORY_MUTABLE = {"history_user_id"}


def _guarded(connection) -> dict[str, list[str] | None]:
    existing = set(connection.introspection.table_names())
    guarded: dict[str, list[str] | None] = {t: None for t in TABLES if t in existing}
    for table in HISTORY:
        if table in existing:
            with connection.cursor() as cursor:
                columns = connection.introspection.get_table_description(cursor, table)
            guarded[table] = sorted(c.name for c in columns if c.name not in HISTORY_MUTABLE)
    return guarded


def install(connection) -> None:
    qn = connection.ops.quote_name
    statements: list[str] = []
    guarded = _guarded(connection)
    if connection.vendor == "sqlite":
        for table, columns in guarded.items():
            of = f" OF {', '.join(qn(c) for c in columns)}" if columns else ""
            raise_ = f"SELECT RAISE(ABORT, '{MESSAGE} ({table})');"
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_no_update",
                f"DROP TRIGGER IF EXISTS {table}_no_delete",
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE{of} ON {qn(table)} BEGIN {raise_} END",
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {qn(table)} BEGIN {raise_} END",
            ]
    elif connection.vendor == "postgresql" and guarded:
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION USING
                    ERRCODE = 'integrity_constraint_violation',
                    MESSAGE = format('%s of %s refused: {MESSAGE}', TG_OP, TG_TABLE_NAME);
            END
            $$"""
        )
        for table, columns in guarded.items():
            of = f" OF {', '.join(qn(c) for c in columns)}" if columns else ""
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {qn(table)}",
                f"CREATE TRIGGER {table}_append_only BEFORE DELETE OR UPDATE{of} ON {qn(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
            ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection) -> None:
    qn = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in TABLES + HISTORY:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            elif connection.vendor == "postgresql" and table in existing:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {qn(table)}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


@contextmanager
def lifted(connection):
    """Without the SQLite triggers inside the block (for `flush`); restored after."""
    if connection.vendor != "sqlite":
        yield
        return
    uninstall(connection)
    try:
        yield
    finally:
        install(connection)


def reinstall_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    install(connections[using])


def register_with_flush() -> None:
    """Let `manage.py flush` (groups' command, which knows nothing of this room) lift these triggers too."""
    from groups.ledger import append_only as ledger_guard

    if lifted not in ledger_guard.OTHER_GUARDS:
        ledger_guard.OTHER_GUARDS.append(lifted)
