"""Figures of a village kept between requests, and the database triggers that say when they must be counted afresh.

A branch secretary's dashboard lists what is due (dashboards/todo.py): the meetings not yet held this quarter, the
members three months without organisational life, those three months behind with their dues; a township's, the
branches that missed a meeting last quarter, and the warnings about its party groups (too small, no leader, villager
groups nobody looks after, members in no group). Counting them reads half a year of attendance and the dues book (14
queries, ~20 ms at province scale for a branch), on every visit, although they change only when someone records a
meeting, a payment, a member's standing, a party group's posts… So they are kept
(`kept_for_villages`), under the village's change count (`VillageChanges.n`), which the database itself raises in
the same transaction as any insert, update or delete of the rows they are counted from — a form, the admin, an
import, a management command, a bulk update alike (`install`, after every `migrate`, on PostgreSQL and SQLite). A
change committed while figures are being counted raises the count after they were read, so they are counted again
by the next visit; nothing is kept across days (the key has the day: what is due moves with the date).

Long tables are kept the same way, rendered (`kept_html`): a branch's year of meetings, its dues book (member ×
month), its standing page (members, 不合格 cases, members away) and a township's standing lists under `n`; a
villager group's ledger page under both counts. Their rendering costs more than their queries. (The branch
dashboard's party groups' table is kept with its count beside it, through `kept_for_villages` directly, and so is an
appraisal year's award ranking under both counts: appraisal.awards.services.ranked_candidates.)

The tables (`VILLAGE`, `MEMBER`, `MEMBER_ROW`, `GROUP`, `TOWNSHIP`, `EVERY`) are every table the kept figures read. A
table added to what they read must be added here, or a change in it would not show until the next day:
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
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core.figures import kept

T = TypeVar("T")

COUNTS = "township_villagechanges"

# table → the column naming its village
VILLAGE = {
    "township_village": "id",  # its name, shown beside the warnings
    "members_partymember": "village_id",
    "orglife_meeting": "village_id",
    "groups_partygroup": "village_id",
    "dues_payment": "village_id",
    "dues_line": "village_id",
    "dues_duesbook": "village_id",  # its balance, shown on the book
    "groups_villagergroup": "village_id",
}
# columns whose change changes no kept figure: a villager group's balance, raised by every posting to its ledger
UNWATCHED = {"groups_villagergroup": {"fund_balance"}}
# tables of one party group's rows: the group's village
GROUP = ("groups_grouppost", "groups_coverage")
# tables of one member's rows: the member's village
MEMBER = (
    "members_standingchange",
    "orglife_attendance",
    "dues_assessment",
    "dues_excuse",
    "members_awayspell",  # a member away (流动党员): the standing page's list
    "members_annualreview",  # a 不合格 grade waiting to be handled
)
# tables of rows of one member's row (table → that table and the column naming its row): the member's village
MEMBER_ROW = {
    "members_awaycontact": ("members_awayspell", "spell_id"),  # a spell's last contact
    "members_reviewhandling": ("members_annualreview", "review_id"),  # a 限期改正 case and its result
}
# a township's rules: each of its villages
TOWNSHIP = {
    "township_township": "id",  # its rules: a party group's size, villager groups per party group, the due day
    "orglife_orglifesettings": "township_id",
    "dues_townshipduesrule": "township_id",
    "members_standingrules": "township_id",  # whether a probationary member may be 优秀 (the award ranking)
}
# the Party's rate tables: every village
EVERY = ("dues_ratetable", "dues_rateband")

# The day's work, counted apart in `VillageChanges.work`: reports, concerns, the ledgers' balances, the appraisal
# (spot checks, scores, rubrics, years, awards), leader elections. Only the dashboards' own figures (the villages'
# rows, the pictures, the appraisal's to-do items) are kept under it too, so entering an activity or posting to a
# ledger does not make a branch's organisational-life items counted afresh.
WORK_VILLAGE = {"activity_concern": "village_id", "appraisal_award": "village_id"}
WORK_GROUP = ("activity_monthlyreport", "appraisal_spotcheck", "appraisal_groupscore", "groups_leaderelection")
WORK_TOWNSHIP = {"appraisal_appraisalyear": "township_id"}  # a year's number and state, beside its awards
WORK_VILLAGER_GROUP = ("groups_fundentry", "groups_meetingdecision")  # the ledgers and the decisions they cite
WORK_YEAR = ("appraisal_rubricitem",)  # an appraisal year's rubric: its township's villages
WORK_ALSO = ("groups_villagergroup",)  # its balance, raised by every posting (its other columns counted in `n` too)

DAY = 24 * 3600


def _villages(table: str, row: str) -> str:
    """The WHERE clause naming the village(s) `row` (NEW or OLD) of `table` belongs to ('' for every village)."""
    if table in VILLAGE or table in WORK_VILLAGE:
        return f"village_id = {row}.{VILLAGE.get(table) or WORK_VILLAGE[table]}"
    if table in MEMBER:
        return f"village_id = (SELECT village_id FROM members_partymember WHERE id = {row}.member_id)"  # noqa: S608
    if table in MEMBER_ROW:
        parent, column = MEMBER_ROW[table]
        return (
            "village_id = (SELECT m.village_id FROM members_partymember m "  # noqa: S608
            f"JOIN {parent} p ON p.member_id = m.id WHERE p.id = {row}.{column})"
        )
    if table in GROUP or table in WORK_GROUP:
        return f"village_id = (SELECT village_id FROM groups_partygroup WHERE id = {row}.party_group_id)"  # noqa: S608
    if table in WORK_VILLAGER_GROUP:
        return f"village_id = (SELECT village_id FROM groups_villagergroup WHERE id = {row}.villager_group_id)"  # noqa: S608
    if table in WORK_YEAR:
        return (
            "village_id IN (SELECT v.id FROM township_village v JOIN appraisal_appraisalyear y "  # noqa: S608
            f"ON y.township_id = v.township_id WHERE y.id = {row}.year_id)"
        )
    if table in TOWNSHIP or table in WORK_TOWNSHIP:
        column = TOWNSHIP.get(table) or WORK_TOWNSHIP[table]
        return f"village_id IN (SELECT id FROM township_village WHERE township_id = {row}.{column})"  # noqa: S608
    return ""


def _bump(table: str, row: str, counter: str = "n") -> str:
    """The statement raising `counter` of the village(s) `row` (NEW or OLD) of `table` belongs to."""
    where = _villages(table, row)
    return f"UPDATE {COUNTS} SET {counter} = {counter} + 1" + (f" WHERE {where}" if where else "")  # noqa: S608


def tables() -> tuple[str, ...]:
    """The tables whose changes raise `n`."""
    return (*VILLAGE, *MEMBER, *MEMBER_ROW, *GROUP, *TOWNSHIP, *EVERY)


def work_tables() -> tuple[str, ...]:
    """The tables whose changes raise `work`."""
    return (*WORK_VILLAGE, *WORK_GROUP, *WORK_VILLAGER_GROUP, *WORK_YEAR, *WORK_TOWNSHIP, *WORK_ALSO)


def _trigger(table: str, counter: str) -> str:
    return f"{table}_changes" if counter == "n" else f"{table}_work"


def watches() -> list[tuple[str, str, str]]:
    """(table, counter, trigger name) of every trigger."""
    return [(t, "n", _trigger(t, "n")) for t in tables()] + [(t, "work", _trigger(t, "work")) for t in work_tables()]


def trigger_names(table: str, counter: str = "n") -> list[str]:
    """SQLite's three triggers of `table` for `counter`."""
    return [f"{_trigger(table, counter)}_{op}" for op in ("insert", "update", "delete")]


def install(connection) -> None:
    """The triggers on every listed table that exists (idempotent), for the counters the counts' table has (0007 made
    `n`, 0008 added `work`). PostgreSQL: one row trigger per table and counter, after insert, update and delete;
    SQLite: one per operation."""
    existing = set(connection.introspection.table_names())
    if COUNTS not in existing:
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        counters = {c.name for c in connection.introspection.get_table_description(cursor, COUNTS)}
    statements: list[str] = []
    for table, counter, function in watches():
        if table not in existing or counter not in counters:
            continue
        of = ""
        if counter == "n" and table in UNWATCHED:
            with connection.cursor() as cursor:
                columns = connection.introspection.get_table_description(cursor, table)
            of = " OF " + ", ".join(qn(c.name) for c in columns if c.name not in UNWATCHED[table])
        if connection.vendor == "postgresql":
            body = (
                f"{_bump(table, 'NEW', counter)};"
                if table in EVERY
                else f"IF TG_OP <> 'INSERT' THEN {_bump(table, 'OLD', counter)}; END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_bump(table, 'NEW', counter)}; END IF;"
            )
            statements += [
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {function} ON {qn(table)}",
                f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE{of} OR DELETE ON {qn(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            ]
        elif connection.vendor == "sqlite":
            insert, update, delete = trigger_names(table, counter)
            statements += [
                f"DROP TRIGGER IF EXISTS {insert}",
                f"DROP TRIGGER IF EXISTS {update}",
                f"DROP TRIGGER IF EXISTS {delete}",
                f"CREATE TRIGGER {insert} AFTER INSERT ON {qn(table)} BEGIN {_bump(table, 'NEW', counter)}; END",
                f"CREATE TRIGGER {update} AFTER UPDATE{of} ON {qn(table)} "
                f"BEGIN {_bump(table, 'OLD', counter)}; {_bump(table, 'NEW', counter)}; END",
                f"CREATE TRIGGER {delete} AFTER DELETE ON {qn(table)} BEGIN {_bump(table, 'OLD', counter)}; END",
            ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection) -> None:
    existing = set(connection.introspection.table_names())
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, counter, function in watches():
            if connection.vendor == "postgresql":
                if table in existing:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {function} ON {qn(table)}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
            elif connection.vendor == "sqlite":
                for name in trigger_names(table, counter):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def postgres_triggers(connection) -> list[tuple[str, str]]:
    """(table, trigger) of the PostgreSQL triggers (`uncounted`)."""
    existing = set(connection.introspection.table_names())
    return [(t, name) for t, _counter, name in watches() if t in existing]


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
        # a table with key checks still pending (rows made and then updated in this transaction) cannot be altered:
        # they are run now rather than at the commit, then deferred again as Django declares them
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    VillageChanges.objects.update(n=F("n") + 1, work=F("work") + 1)


def reinstall_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    install(connections[using])


def uninstall_before_migrate(sender, using, **kwargs) -> None:
    """SQLite: every trigger off while the migrations run (`reinstall_after_migrate` makes them again). SQLite alters
    a table by copying it to a new one and renaming that, and a trigger naming the table stops the rename: with the
    triggers on, any migration altering a counted table there would fail."""
    from django.db import connections

    if connections[using].vendor == "sqlite":
        uninstall(connections[using])


# --- figures kept under the count ------------------------------------------------------------------------------------


def counts(village_ids) -> dict[int, tuple[str, int, int]]:
    """Each village's (token, n, work), in one query; a village visited for the first time gets its row, and until
    then no figures of it are kept, so a change before that has nothing to make stale. A page keeping several sets of
    figures of the same villages reads this once and passes it to each `kept_for_villages`."""
    from township.models import VillageChanges

    ids = sorted(set(village_ids))
    read = VillageChanges.objects.values_list("village_id", "token", "n", "work")
    found = {v: (t, n, w) for v, t, n, w in read.filter(village_id__in=ids)}
    missing = [v for v in ids if v not in found]
    if missing:
        VillageChanges.objects.bulk_create(
            [VillageChanges(village_id=v, token=uuid.uuid4().hex) for v in missing], ignore_conflicts=True
        )
        found.update((v, (t, n, w)) for v, t, n, w in read.filter(village_id__in=missing))
    return found


def page_counts(village_ids) -> dict | None:
    """The villages' `counts` a page reads once and passes to each of its `kept_for_villages`; None when nothing is
    kept (VILLAGE_FIGURES_KEPT=False), so no count rows are made either."""
    return counts(village_ids) if settings.VILLAGE_FIGURES_KEPT else None


def version(village_ids, *, work: bool = False, read: dict | None = None) -> str:
    """The villages' change counts (and with `work`, their work counts) with their rows' tokens, as one string.
    `read`: the villages' `counts`, when the page has read them."""
    ids = sorted(set(village_ids))
    found = read if read is not None else counts(ids)
    text = ",".join(f"{v}:{found[v][0]}.{found[v][1]}" + (f".{found[v][2]}" if work else "") for v in ids)
    return text if len(ids) == 1 else hashlib.sha256(text.encode()).hexdigest()


def kept_for_villages(
    village_ids, name: str, compute: Callable[[], T], *, work: bool = False, read: dict | None = None
) -> T:
    """`compute()`'s result, kept (in the shared `figures` cache, `core.figures.kept`) until the data of one of these
    villages changes or the day ends; with `work`, also until their reports, concerns, ledgers or awards change.
    `name` says what is kept and everything else it depends on: the day, the township, whose rights it was counted
    for. `read`: the villages' `counts`, when the page has read them. VILLAGE_FIGURES_KEPT=False counts every time."""
    if not settings.VILLAGE_FIGURES_KEPT:
        return compute()
    return kept(f"village:{name}:{version(village_ids, work=work, read=read)}", DAY, compute)


def kept_html(
    village_ids,
    name: str,
    template: str | tuple[str, ...],
    context: Callable[[], dict],
    *,
    work: bool = False,
    read: dict | None = None,
):
    """A page's part rendered from `template` with `context()` and kept like `kept_for_villages` (under `n`): for a
    long table whose rendering costs more than its queries. Several templates (a tuple): the parts of one page,
    rendered with one context and kept as one (a tuple of them). It is rendered without the request, so it can hold
    nothing of the person's (no form token, no rights): `name` must say whatever else it depends on (the year, the
    day, whether links to forms are shown); the language is added here. With `work`, also until the villages' day's
    work changes (a ledger's page). What it returns is the template's safe string (escaped as it rendered), kept with
    its type."""

    def render() -> SafeString | tuple[SafeString, ...]:
        values = context()
        if isinstance(template, str):
            return render_to_string(template, values)
        return tuple(render_to_string(t, values) for t in template)

    return kept_for_villages(village_ids, f"{name}:{get_language()}", render, work=work, read=read)
