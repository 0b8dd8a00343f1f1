"""The fund ledger is append-only in the database itself, not only in the code.

`groups.ledger.services` never edits or deletes a `FundEntry` (a mistake is corrected by a reversing entry), but a bug,
an admin action added later or a hand-typed `UPDATE` in a database console would. Triggers make the database refuse
every UPDATE and DELETE of a posted entry (SQLite: `RAISE(ABORT, …)`; PostgreSQL: a plpgsql function raising SQLSTATE
23000), so all of them fail with an `IntegrityError` whoever sends them. The entries' history rows
(django-simple-history) are guarded the same way, except that `history_user` may still be set to NULL (its foreign key
is SET_NULL).

`install()` is idempotent and runs from the migration and again after every `migrate` (post_migrate), because
Django's SQLite schema editor rebuilds a table to alter it, and a rebuilt table has lost its triggers.
`lifted()` drops the SQLite triggers (on PostgreSQL: disables the TRUNCATE guard) for `manage.py flush` only: it
empties every table with row-by-row DELETEs.
"""

from __future__ import annotations

from contextlib import contextmanager

MESSAGE = "fund ledger entries are append-only: correct a mistake with a reversing entry"
FUNCTION = "groups_ledger_refuse_change"
ENTRIES = "groups_fundentry"
HISTORY = "groups_historicalfundentry"
# Columns of the history table that may change: the user FK is SET_NULL when an account is deleted.
HISTORY_MUTABLE = {"history_user_id"}
# Other rooms' append-only tables (the dues book) register their own `lifted` here, so `flush` lifts them too
# without this room importing them.
OTHER_GUARDS: list = []


def _guarded(connection) -> dict[str, list[str] | None]:
    """Table → the columns whose UPDATE is refused (None: every column). Only tables that exist."""
    existing = set(connection.introspection.table_names())
    guarded: dict[str, list[str] | None] = {}
    if ENTRIES in existing:
        guarded[ENTRIES] = None
    if HISTORY in existing:
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, HISTORY)
        guarded[HISTORY] = sorted(c.name for c in columns if c.name not in HISTORY_MUTABLE)
    return guarded


def _sqlite(table: str, columns: list[str] | None, qn) -> list[str]:
    of = f" OF {', '.join(qn(c) for c in columns)}" if columns else ""
    raise_ = f"SELECT RAISE(ABORT, '{MESSAGE} ({table})');"
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE{of} ON {qn(table)} BEGIN {raise_} END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {qn(table)} BEGIN {raise_} END",
    ]


BALANCES = "groups_villagergroup"
BALANCE_MESSAGE = "the stored fund balance must equal the sum of the villager group entries"


def _sqlite_balance(qn) -> list[str]:
    """SQLite's form of `guards.carry_to_balance` and `guards.balance_is_sum_of_entries` (row triggers; amounts are
    compared to the fen, since SQLite keeps decimals as floating point)."""
    from groups.ledger.guards import SIGNED, SUM_OF_ENTRIES

    signed_new = SIGNED.replace("direction", "NEW.direction").replace("amount", "NEW.amount")
    differs = f"round(NEW.fund_balance, 2) <> round({SUM_OF_ENTRIES}, 2)"
    raise_ = f"SELECT RAISE(ABORT, '{BALANCE_MESSAGE}');"
    carry = f"UPDATE {qn(BALANCES)} SET fund_balance = fund_balance + ({signed_new}) WHERE id = NEW.villager_group_id;"  # noqa: S608
    return [
        f"DROP TRIGGER IF EXISTS {ENTRIES}_carry_to_balance",
        f"DROP TRIGGER IF EXISTS {BALANCES}_balance_update",
        f"DROP TRIGGER IF EXISTS {BALANCES}_balance_insert",
        f"CREATE TRIGGER {BALANCES}_balance_update BEFORE UPDATE OF fund_balance ON {qn(BALANCES)} "
        f"WHEN {differs} BEGIN {raise_} END",
        f"CREATE TRIGGER {BALANCES}_balance_insert BEFORE INSERT ON {qn(BALANCES)} WHEN {differs} BEGIN {raise_} END",
        f"CREATE TRIGGER {ENTRIES}_carry_to_balance AFTER INSERT ON {qn(ENTRIES)} BEGIN {carry} END",
    ]


def _postgresql_function() -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING
                ERRCODE = 'integrity_constraint_violation',
                MESSAGE = format('%s of %s refused: {MESSAGE}', TG_OP, TG_TABLE_NAME);
        END
        $$"""


def _postgresql(table: str, columns: list[str] | None, qn) -> list[str]:
    of = f" OF {', '.join(qn(c) for c in columns)}" if columns else ""
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {qn(table)}",
        f"CREATE TRIGGER {table}_append_only BEFORE DELETE OR UPDATE{of} ON {qn(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
    ]


def install(connection, *, balances: bool = False) -> None:
    """Create (or re-create, with the tables' current columns) the triggers on SQLite and PostgreSQL.

    `balances`: also SQLite's balance triggers, which name two tables; they are dropped before migrations run
    (`drop_balance_triggers`, pre_migrate) and put back after (post_migrate), because SQLite refuses to rebuild a table
    that a trigger on another table names."""
    qn = connection.ops.quote_name
    statements: list[str] = []
    guarded = _guarded(connection)
    if connection.vendor == "sqlite":
        for table, columns in guarded.items():
            statements += _sqlite(table, columns, qn)
        if balances and ENTRIES in guarded and BALANCES in connection.introspection.table_names():
            statements += _sqlite_balance(qn)
    elif connection.vendor == "postgresql" and guarded:
        statements.append(_postgresql_function())
        for table, columns in guarded.items():
            statements += _postgresql(table, columns, qn)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection) -> None:
    """Remove the triggers (the migration's reverse)."""
    qn = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in (ENTRIES, HISTORY):
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_carry_to_balance")
            elif connection.vendor == "postgresql" and table in existing:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {qn(table)}")
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {BALANCES}_balance_update")
            cursor.execute(f"DROP TRIGGER IF EXISTS {BALANCES}_balance_insert")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


@contextmanager
def lifted(connection):
    """Without the SQLite triggers inside the block (for `flush`, which empties every table); restored after. On
    PostgreSQL flush TRUNCATEs: the owner (only an owner may) disables `guards.refuse_truncate` for it (the app's role
    has no TRUNCATE right at all)."""
    if connection.vendor == "postgresql":
        from groups.ledger.guards import refuse_truncate
        from groups.models import FundEntry

        alter = f"ALTER TABLE {connection.ops.quote_name(ENTRIES)} %s TRIGGER {refuse_truncate.get_pgid(FundEntry)}"
        with connection.cursor() as cursor:
            cursor.execute(alter % "DISABLE")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(alter % "ENABLE")
        return
    if connection.vendor != "sqlite":
        yield
        return
    uninstall(connection)
    try:
        yield
    finally:
        install(connection, balances=True)


def reinstall_after_migrate(sender, using, **kwargs) -> None:
    """post_migrate: put the triggers back if a migration rebuilt the tables (SQLite) or changed their columns."""
    from django.db import connections

    install(connections[using], balances=True)


def drop_balance_triggers(sender, using, **kwargs) -> None:
    """pre_migrate: SQLite's balance triggers go while migrations run (see `install`)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in _sqlite_balance(connection.ops.quote_name)[:3]:  # the DROPs
                cursor.execute(sql)
