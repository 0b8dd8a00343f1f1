"""Figures of a village kept between requests, and the database triggers that say when they must be counted afresh.

A branch secretary's dashboard lists what is due (dashboards/todo.py): the meetings not yet held this quarter, the
members three months without organisational life, those three months behind with their dues; a township's, the
branches that missed a meeting last quarter, and the warnings about its party groups (too small, no leader, villager
groups nobody looks after, members in no group). Counting them reads half a year of attendance and the dues book (14
queries, ~20 ms at province scale for a branch), on every visit, although they change only when someone records a
meeting, a payment, a member's standing, a party group's posts… So they are kept
(`kept_for_villages`), under the village's change count (`VillageChanges.n`), which the database itself raises in
the same transaction as any insert, update or delete of the rows they are counted from — a form, the admin, an
import, a management command, a bulk update alike (`install`, from the migration and after every `migrate`, on
PostgreSQL and SQLite). A change committed while figures are being counted raises the count after they were read,
so they are counted again by the next visit; nothing is kept across days (the key has the day: what is due moves
with the date).

The tables (`VILLAGE`, `MEMBER`, `GROUP`, `TOWNSHIP`, `EVERY`) are every table the kept figures read. A table added
to what they read must be added here, or a change in it would not show until the next day:
tests/test_village_changes.py reads what the counting reads and fails on a table not listed, and checks that each
kind of change raises the count and that the dashboards show a change at once.

`seed_scale` disables these triggers while it copies millions of rows in, then raises every village's count once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db.models import F

from core.figures import kept

T = TypeVar("T")

COUNTS = "township_villagechanges"
FORMAT = 1  # raised when what is kept changes shape: a new release never reads the last one's figures

# table → the column naming its village
VILLAGE = {
    "township_village": "id",  # its name, shown beside the warnings
    "members_partymember": "village_id",
    "orglife_meeting": "village_id",
    "groups_partygroup": "village_id",
    "dues_payment": "village_id",
    "dues_line": "village_id",
    "groups_villagergroup": "village_id",
}
# columns whose change changes no kept figure: a villager group's balance, raised by every posting to its ledger
UNWATCHED = {"groups_villagergroup": {"fund_balance"}}
# tables of one party group's rows: the group's village
GROUP = ("groups_grouppost", "groups_coverage")
# tables of one member's rows: the member's village
MEMBER = ("members_standingchange", "orglife_attendance", "dues_assessment", "dues_excuse")
# a township's rules: each of its villages
TOWNSHIP = {
    "township_township": "id",  # its rules: a party group's size, villager groups per party group, the due day
    "orglife_orglifesettings": "township_id",
    "dues_townshipduesrule": "township_id",
}
# the Party's rate tables: every village
EVERY = ("dues_ratetable", "dues_rateband")

DAY = 24 * 3600


def _bump(table: str, row: str) -> str:
    """The statement raising the count of the village(s) `row` (NEW or OLD) of `table` belongs to."""
    if table in VILLAGE:
        return f"UPDATE {COUNTS} SET n = n + 1 WHERE village_id = {row}.{VILLAGE[table]}"  # noqa: S608
    if table in MEMBER:
        return (
            f"UPDATE {COUNTS} SET n = n + 1 WHERE village_id = "  # noqa: S608
            f"(SELECT village_id FROM members_partymember WHERE id = {row}.member_id)"
        )
    if table in GROUP:
        return (
            f"UPDATE {COUNTS} SET n = n + 1 WHERE village_id = "  # noqa: S608
            f"(SELECT village_id FROM groups_partygroup WHERE id = {row}.party_group_id)"
        )
    if table in TOWNSHIP:
        return (
            f"UPDATE {COUNTS} SET n = n + 1 WHERE village_id IN "  # noqa: S608
            f"(SELECT id FROM township_village WHERE township_id = {row}.{TOWNSHIP[table]})"
        )
    return f"UPDATE {COUNTS} SET n = n + 1"  # noqa: S608


def tables() -> tuple[str, ...]:
    return (*VILLAGE, *MEMBER, *GROUP, *TOWNSHIP, *EVERY)


def trigger_names(table: str) -> list[str]:
    return [f"{table}_changes_{op}" for op in ("insert", "update", "delete")]


def install(connection) -> None:
    """The triggers on every listed table that exists (idempotent). PostgreSQL: one row trigger per table, after
    insert, update and delete; SQLite: one per operation."""
    existing = set(connection.introspection.table_names())
    if COUNTS not in existing:
        return
    qn = connection.ops.quote_name
    statements: list[str] = []
    for table in tables():
        if table not in existing:
            continue
        of = ""
        if table in UNWATCHED:
            with connection.cursor() as cursor:
                columns = connection.introspection.get_table_description(cursor, table)
            of = " OF " + ", ".join(qn(c.name) for c in columns if c.name not in UNWATCHED[table])
        if connection.vendor == "postgresql":
            function = f"{table}_changes"
            each = table in EVERY
            body = (
                f"{_bump(table, 'NEW')};"
                if each
                else f"IF TG_OP <> 'INSERT' THEN {_bump(table, 'OLD')}; END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_bump(table, 'NEW')}; END IF;"
            )
            statements += [
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {function} ON {qn(table)}",
                f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE{of} OR DELETE ON {qn(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            ]
        elif connection.vendor == "sqlite":
            insert, update, delete = trigger_names(table)
            statements += [
                f"DROP TRIGGER IF EXISTS {insert}",
                f"DROP TRIGGER IF EXISTS {update}",
                f"DROP TRIGGER IF EXISTS {delete}",
                f"CREATE TRIGGER {insert} AFTER INSERT ON {qn(table)} BEGIN {_bump(table, 'NEW')}; END",
                f"CREATE TRIGGER {update} AFTER UPDATE{of} ON {qn(table)} "
                f"BEGIN {_bump(table, 'OLD')}; {_bump(table, 'NEW')}; END",
                f"CREATE TRIGGER {delete} AFTER DELETE ON {qn(table)} BEGIN {_bump(table, 'OLD')}; END",
            ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection) -> None:
    existing = set(connection.introspection.table_names())
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables():
            if connection.vendor == "postgresql":
                if table in existing:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_changes ON {qn(table)}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {table}_changes()")
            elif connection.vendor == "sqlite":
                for name in trigger_names(table):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def postgres_triggers(connection) -> list[tuple[str, str]]:
    """(table, trigger) of the PostgreSQL triggers (`uncounted`)."""
    existing = set(connection.introspection.table_names())
    return [(t, f"{t}_changes") for t in tables() if t in existing]


@contextmanager
def uncounted():
    """Inside a transaction on PostgreSQL (as the tables' owner): the triggers off for the block, back on after it,
    and every village's count raised once (`seed_scale`, which copies millions of rows in). Elsewhere nothing."""
    from django.db import connection

    from township.models import VillageChanges

    if connection.vendor != "postgresql":
        yield
        return
    triggers = postgres_triggers(connection)
    with connection.cursor() as cursor:
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    yield
    with connection.cursor() as cursor:
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    VillageChanges.objects.update(n=F("n") + 1)


def reinstall_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    install(connections[using])


# --- figures kept under the count ------------------------------------------------------------------------------------


def version(village_ids) -> str:
    """The villages' change counts with their rows' tokens, as one string (one query; a village visited for the
    first time gets its row, and until then no figures of it are kept, so a change before that has nothing to make
    stale)."""
    from township.models import VillageChanges

    ids = sorted(set(village_ids))
    read = VillageChanges.objects.values_list("village_id", "token", "n")
    found = {v: (t, n) for v, t, n in read.filter(village_id__in=ids)}
    missing = [v for v in ids if v not in found]
    if missing:
        VillageChanges.objects.bulk_create(
            [VillageChanges(village_id=v, token=uuid.uuid4().hex) for v in missing], ignore_conflicts=True
        )
        found.update((v, (t, n)) for v, t, n in read.filter(village_id__in=missing))
    text = ",".join(f"{v}:{found[v][0]}.{found[v][1]}" for v in ids)
    return text if len(ids) == 1 else hashlib.sha256(text.encode()).hexdigest()


def kept_for_villages(village_ids, name: str, compute: Callable[[], T]) -> T:
    """`compute()`'s result, kept (in the shared `figures` cache, `core.figures.kept`) until the data of one of these
    villages changes or the day ends. `name` says what is kept and everything else it depends on: the day, the
    township, whose rights it was counted for. VILLAGE_FIGURES_KEPT=False counts every time."""
    if not settings.VILLAGE_FIGURES_KEPT:
        return compute()
    return kept(f"village:{FORMAT}:{name}:{version(village_ids)}", DAY, compute)
