"""Synthetic data at scale (`manage.py seed_scale`): many townships shaped like the surveyed one, for measuring.

Each township has about 9 villages, 83 villager groups, 36 party groups and 250 members (ID and phone numbers
encrypted), posts and elections, a report a month per group with about four activities, concerns, fund ledgers, and
appraisal years with scores and awards, standing histories and members working away, party dues (assessments,
receipts, remittances), plus the accounts a benchmark logs in with:

| account     | role                                            |
|-------------|-------------------------------------------------|
| c001        | county viewer of the first county (20 townships a county) |
| t0001       | township staff of the first township            |
| t0001v01    | branch secretary of its first village           |

All share one password, hashed once. Rows are written in bulk (`seeding.scale.writer`: COPY on PostgreSQL), in one
transaction, without simple-history rows (generated data has no history of edits; the history tables stay empty for
it). On PostgreSQL the counties are generated side by side in worker processes, one per CPU
(`seeding.scale.in_processes`), and copied in by this one. The same seed, years and day give the same data, whatever
the number of processes. A run refuses a database that already holds an org tree
unless asked to append, and then continues the numbering (t0021 after t0020) with new counties.
"""

from __future__ import annotations

import datetime
import gc
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from core import clock
from dues.selectors import rate_tables
from groups.ledger.services import recount_fund_balances
from members.models import PartyMember
from seeding.scale import appraisal, dues, funds, in_processes, org, orglife, standing, work
from seeding.scale.county import CountyPlan, county_plans, progress, write_county
from seeding.scale.plan import TOWNSHIPS_PER_COUNTY, Calendar, Run, Stages
from seeding.scale.writer import RowWriter
from township import changes
from township.models import County, Township

PRESETS = {"county": (20, 5), "province": (400, 5)}


# The tables of hundreds of thousands to millions of rows at the province preset: their secondary indexes are built
# once after the rows are in rather than kept up to date row by row (`RowWriter.foreign_keys_checked_in_bulk`). Not
# the fund ledger: the villager groups' balance trigger sums a group's entries through its index as rows go in.
BULKY = frozenset(
    {
        "activity_activity_participants", "orglife_attendance", "activity_activity", "activity_monthlyreport",
        "orglife_meeting", "appraisal_groupscore", "members_annualreview", "activity_concern", "dues_line",
        "dues_payment", "dues_assessment", "members_awaycontact", "members_standingchange",
    }
)  # fmt: skip


class NotEmpty(Exception):
    """The database already holds an org tree and appending was not asked for."""


@dataclass
class Result:
    townships: int
    seconds: float
    stages: dict[str, float]
    rows: dict[str, tuple[int, float]] = field(default_factory=dict)  # table: (rows, seconds writing them)
    first_township: int = 1
    first_county: int = 1
    notes: list[str] = field(default_factory=list)
    # (township id, year) → {party group id: year score}: what each decided year's awards were chosen by
    year_scores: dict[tuple[int, int], dict[int, Decimal]] = field(default_factory=dict)
    processes: int = 1  # how many processes generated the counties


def seed_scale(
    *,
    townships: int,
    years: int,
    password: str,
    seed: int = 1,
    append: bool = False,
    keep_indexes: bool = False,
    today: datetime.date | None = None,
    processes: int | None = None,
    per_county: int = TOWNSHIPS_PER_COUNTY,
    log: Callable[[str], None] = lambda line: None,
) -> Result:
    """Generate `townships` townships with `years` years of records; returns the timings and the rows written.
    `keep_indexes`: keep every index up to date as the rows go in, instead of building the bulky tables' secondary
    indexes at the end (for comparing the two). `processes`: on PostgreSQL, how many processes generate the counties
    side by side (default: one per CPU; 1: all in this one); the data is the same whatever the number.
    `per_county`: townships to a county (20; fewer in tests, to have several counties quickly)."""
    if not append and (County.objects.exists() or Township.objects.exists()):
        raise NotEmpty("The database already has counties or townships.")
    started = time.monotonic()
    writer = RowWriter(rebuild_indexes=not keep_indexes)
    for model, columns in _tables():
        writer.register(model, columns, bulky=model._meta.db_table in BULKY)
    stages = Stages(writer)
    with stages("password hash"):
        password_hash = make_password(password)
    calendar = Calendar(today=today or clock.today(), years=years)
    run = Run(writer, calendar, password_hash, seed, stages)
    with stages("existing data"):  # read now: once the writes begin, the connection is the writer's
        taken_hashes = PartyMember.objects.values_list("id_number_hash", flat=True) if append else ()
        run.taken_hashes = frozenset(h for h in taken_hashes if h)
        run.dues_rates = rate_tables()
        first_township, first_county = _next_numbers()
        counties = county_plans(run, townships, first_township, first_county, per_county)
    processes = min(processes or os.cpu_count() or 1, len(counties)) if in_processes.possible(writer) else 1
    threshold = gc.get_threshold()
    # Millions of row tuples, each tracked by the cyclic garbage collector until a collection finds it holds no
    # container: with collections rare and the objects there before the run left out of them (freeze), the
    # generation takes a fifth less CPU. Its objects form no cycles: reference counting frees them as before.
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":  # one long transaction of COPYs: no per-statement limit here
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = 0")
                    cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            # the triggers counting each village's changes (township/changes.py) would run once per row of millions:
            # off while the rows go in and the balances are recounted, and every village's counts raised once at the
            # end instead
            with changes.uncounted():
                with writer.foreign_keys_checked_in_bulk():
                    if processes > 1:
                        in_processes.generate(run, counties, processes, log)
                    else:
                        _generate(run, counties, townships, log)
                with stages("finish"):
                    writer.finish()
                    notes = _account_security(writer)
                with stages("fund balances"):
                    recount_fund_balances()  # the ledgers went in by COPY, past the service that keeps the balances
    finally:
        writer.close()
        gc.set_threshold(*threshold)
        gc.unfreeze()
    if connection.vendor == "postgresql":
        _vacuum_analyze(stages)
    seconds = time.monotonic() - started
    if writer.postgres:  # the COPY ran beside the generation; only the waiting for it adds to the wall clock
        stages.seconds["database writes (COPY, background)"] = writer.seconds
        stages.seconds["waiting for the writes"] = writer.blocked
    else:
        stages.seconds["database writes"] = writer.blocked
    if writer.index_seconds:
        stages.seconds["secondary indexes built"] = writer.index_seconds
    if writer.key_seconds:
        stages.seconds["foreign keys checked"] = writer.key_seconds
    return Result(
        townships, seconds, dict(stages.seconds), writer.counts(), first_township, first_county, notes, run.year_scores,
        processes,
    )  # fmt: skip


def _vacuum_analyze(stages: Stages) -> None:
    """VACUUM ANALYZE the tables, as autovacuum keeps them in production: statistics for the planner, and the
    visibility map set so that index-only scans do not read the heap (rows written by COPY leave it unset). VACUUM
    cannot run inside a transaction; inside one (a test's) the statistics alone are gathered."""
    if connection.in_atomic_block:
        with stages("analyze"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    with stages("vacuum analyze"), connection.cursor() as cursor:
        # no per-statement limit for it (the app's connections have one): at 10 × the province preset it takes
        # minutes, and stopping it left the data seeded but unanalysed
        cursor.execute("SET statement_timeout = 0")
        try:
            cursor.execute("VACUUM ANALYZE")
        finally:
            cursor.execute("RESET statement_timeout")


def _generate(run: Run, counties: list[CountyPlan], townships: int, log) -> None:
    """Every county in this process, one after the other."""
    every = max(1, townships // 20)
    begun = time.monotonic()
    written = 0

    def done() -> None:
        nonlocal written
        written += 1
        if written % every == 0 or written == townships:
            log(progress(written, townships, time.monotonic() - begun))

    for county in counties:
        write_county(run, county, done)


def _tables():
    """Every table written, parents before children, with the columns the generator gives."""
    merged = {
        **org.COLUMNS, **work.COLUMNS, **orglife.COLUMNS, **funds.COLUMNS, **appraisal.COLUMNS, **standing.COLUMNS,
        **dues.COLUMNS,
    }  # fmt: skip
    yield get_user_model(), org.USER_COLUMNS
    yield from merged.items()


def _next_numbers() -> tuple[int, int]:
    """The first township and county numbers free for accounts (t0001, c001, or after those already there)."""
    usernames = get_user_model().objects.filter(username__regex=r"^[ct][0-9]+$").values_list("username", flat=True)
    townships = [int(u[1:]) for u in usernames if re.fullmatch(r"t\d{4}", u)]
    counties = [int(u[1:]) for u in usernames if re.fullmatch(r"c\d{3}", u)]
    return max(townships, default=0) + 1, max(counties, default=0) + 1


def _account_security(writer: RowWriter) -> list[str]:
    """Generated accounts need no first-login password change (accounts.AccountSecurity, where installed)."""
    try:
        model = apps.get_model("accounts", "AccountSecurity")
    except LookupError:
        return ["accounts.AccountSecurity is not installed: no password-change flags written."]
    User = get_user_model()
    table = writer.tables[User]
    first = table.next_id - table.written
    ids = User.objects.filter(pk__gte=first).values_list("pk", flat=True)
    fields = {f.name for f in model._meta.get_fields()}
    values = {"must_change_password": False, "password_changed_at": timezone.now()}  # set just now, not by an admin
    extra = {name: value for name, value in values.items() if name in fields}
    model.objects.bulk_create([model(user_id=pk, **extra) for pk in ids], batch_size=2000, ignore_conflicts=True)
    return [f"accounts.AccountSecurity: {len(ids)} rows ({', '.join(f'{k}={v}' for k, v in extra.items())})."]
