"""Generating the counties side by side in worker processes (PostgreSQL, more than one county, more than one CPU).

Python makes the rows one random draw at a time and holds one core; the server takes them on another. With the
generation in one process, a run at the province preset kept one core busy and the other half idle. Here each worker
process (forked from the command, so it has the run's settings, calendar, rates and models without being sent them)
generates whole counties, one at a time, with `seeding.scale.county.write_county`, the same code as the one-process
run, through a `CountyWriter`:

1. it hands out ids from 0 per table, local to the county, and keeps the rows;
2. it tells the command how many rows of each table the county has, and waits for the county's first ids, which the
   command knows once every earlier county has told its counts (first ids of county k + 1 = those of county k plus
   its counts; of the first county, the tables' next ids);
3. it moves every id (primary and foreign keys into the run's tables) by the county's first ids, formats each table's
   rows as one binary COPY (psycopg's own formatter, in C) and sends the bytes, parents before children;
4. it says it is done, with its stages' seconds and the award scores of its townships' decided years.

The command copies the bytes in, in the order they come, on its one connection in its one transaction, by the
writer's background thread (`RowWriter.copy_block`): the data, the ids and the foreign keys are those of a
one-process run (`tests/scale/test_seed_scale_in_processes.py` compares every column), whatever the number of
processes, and a failure anywhere (a worker's error, a worker killed) rolls the whole run back. A worker blocks while
the command is behind on copying (at most `AHEAD` bytes wait), so memory stays bounded.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection, wait

from django.db import models
from psycopg import postgres
from psycopg._copy_base import BinaryFormatter  # noqa: PLC2701 - psycopg's own row formatter, without a connection
from psycopg.adapt import Transformer
from psycopg.pq import Format

from seeding.scale.county import CountyPlan, progress, write_county
from seeding.scale.plan import Run, Stages
from seeding.scale.writer import RowWriter, Table

AHEAD = 512 * 1024 * 1024  # bytes received and not yet copied in, beyond which the workers wait


class WorkerFailed(RuntimeError):
    """A worker process raised an error or stopped; the run is rolled back."""


def possible(writer: RowWriter) -> bool:
    """Counties can be generated in worker processes: on PostgreSQL, every table copied in binary."""
    return writer.postgres and all(t.copy_types for t in writer.tables.values())


class CountyWriter:
    """A worker's writer: the `RowWriter` interface the stages use (`new_id`, `new_ids`, `add`, `add_many`), with
    ids from 0 per table and the rows kept until the county's first ids are known (`blocks`)."""

    blocked = 0.0  # never waits for the database (`Stages` subtracts it)

    def __init__(self, tables: dict[type[models.Model], Table], movers: dict[type[models.Model], Callable]):
        self.tables, self.movers = tables, movers
        self.next_id = dict.fromkeys(tables, 0)
        self.rows: dict[type[models.Model], list[tuple]] = {model: [] for model in tables}

    def new_id(self, model: type[models.Model]) -> int:
        n = self.next_id[model]
        self.next_id[model] = n + 1
        return n

    def new_ids(self, model: type[models.Model], n: int) -> range:
        first = self.next_id[model]
        self.next_id[model] = first + n
        return range(first, first + n)

    def add(self, model: type[models.Model], row: tuple) -> None:
        self.rows[model].append(row)

    def add_many(self, model: type[models.Model], rows: Iterable[tuple]) -> None:
        self.rows[model].extend(rows)

    def counts(self) -> list[int]:
        """Ids handed out per table, in the tables' order (every id given is a row written)."""
        return [self.next_id[model] for model in self.tables]

    def blocks(self, first_ids: list[int]):
        """(table position, rows, binary COPY data) per table with rows, parents first, each row's ids moved by the
        county's first ids; each table's rows are let go once formatted."""
        for position, (model, table) in enumerate(self.tables.items()):
            rows = self.rows.pop(model)
            if not rows:
                continue
            moved = self.movers[model](rows, first_ids, table.defaults)
            del rows
            yield position, len(moved), _binary_copy(moved, table.copy_types)


def _mover(table: Table, tables: dict[type[models.Model], Table]):
    """A function moving a county's rows of `table` to the run's ids: the primary key and every foreign key into a
    table of the run get that table's first id added (None stays None); other values are kept. Written as one list
    comprehension per table (made from the columns, as `collections.namedtuple` makes its classes): the rows are
    millions, and a loop over the columns of each would take several times as long."""
    positions = {model: k for k, model in enumerate(tables)}
    names, values, offsets = [], [], set()
    given = table.columns[: len(table.columns) - len(table.defaults)]  # the rest are defaults, appended
    for i, name in enumerate(given):
        field = table.model._meta.get_field(name)
        names.append(f"c{i}")
        if field.primary_key:
            target = table.model
        elif field.is_relation and field.related_model in positions:
            if not field.target_field.primary_key:
                raise ValueError(f"{table.db_table}.{name} refers to a column other than a primary key")
            target = field.related_model
        else:
            values.append(f"c{i}")
            continue
        k = positions[target]
        offsets.add(k)
        values.append(f"(None if c{i} is None else c{i} + o{k})" if field.null else f"c{i} + o{k}")
    source = (
        "def move(rows, first, defaults):\n"
        + "".join(f"    o{k} = first[{k}]\n" for k in sorted(offsets))
        + f"    return [({', '.join(values)},) + defaults for ({', '.join(names)},) in rows]\n"
    )
    namespace: dict = {}
    exec(compile(source, f"<seed_scale mover for {table.db_table}>", "exec"), namespace)  # noqa: S102 - from models
    return namespace["move"]


def _binary_copy(rows: list[tuple], types: tuple[str, ...]) -> bytes:
    """The rows as a whole binary COPY stream (signature, rows, trailer), as psycopg formats them for a table."""
    transformer = Transformer()
    transformer.set_dumper_types([postgres.types[name].oid for name in types], Format.BINARY)
    formatter = BinaryFormatter(transformer)
    parts = [formatter.write_row(row) for row in rows]
    parts.append(formatter.end())
    return b"".join(parts)


def _work(channel: Connection, run: Run, tables: dict[type[models.Model], Table]) -> None:
    """A worker process: counties in, counts out, first ids in, COPY data out, until told to stop (None)."""
    try:
        movers = {model: _mover(table, tables) for model, table in tables.items()}  # made once, used every county
        while (county := channel.recv()) is not None:
            writer = CountyWriter(tables, movers)
            stages = Stages(writer)
            county_run = Run(
                writer, run.calendar, run.password_hash, run.seed, stages, taken_hashes=run.taken_hashes,
                dues_rates=run.dues_rates,
            )  # fmt: skip
            write_county(county_run, county)
            channel.send(("counts", county.index, writer.counts()))
            first_ids = channel.recv()
            started = time.monotonic()
            for block in writer.blocks(first_ids):
                channel.send(("copy", county.index, *block))
            stages.seconds["moving the ids and formatting the COPY (workers)"] += time.monotonic() - started
            channel.send(("done", county.index, dict(stages.seconds), county_run.year_scores))
    except BaseException:  # noqa: BLE001 - every failure goes back to the command, which rolls the run back
        channel.send(("error", None, traceback.format_exc()))


def generate(run: Run, counties: list[CountyPlan], processes: int, log) -> None:
    """Generate `counties` in `processes` worker processes and copy their rows in through `run.writer`."""
    writer: RowWriter = run.writer
    tables = writer.tables
    writer.flush(wait=True)  # nothing of the writer's own is on its way while the workers are forked
    context = multiprocessing.get_context("fork")  # the workers inherit the run, the settings and the models
    workers: list[tuple[multiprocessing.Process, Connection]] = []
    for k in range(processes):
        ours, theirs = context.Pipe()
        process = context.Process(target=_work, args=(theirs, run, tables), name=f"seed-scale-{k + 1}", daemon=True)
        process.start()
        theirs.close()
        workers.append((process, ours))
    try:
        _coordinate(run, counties, workers, log)
    except BaseException:
        writer.abandon()  # nothing more on the connection: the run is about to be rolled back
        raise
    finally:
        for process, channel in workers:
            if process.is_alive():
                process.terminate()
            process.join()
            channel.close()


def _coordinate(run: Run, counties: list[CountyPlan], workers, log) -> None:
    writer: RowWriter = run.writer
    tables = list(writer.tables.values())
    first_ids: dict[int, list[int]] = {0: [t.next_id for t in tables]}
    counts: dict[int, list[int]] = {}
    waiting: dict[int, Connection] = {}  # county → the worker waiting for its first ids
    to_do = list(reversed(counties))
    by_channel = {channel: process for process, channel in workers}
    busy = 0
    for _process, channel in workers:
        if to_do:
            channel.send(to_do.pop())
            busy += 1
    townships = sum(len(c.townships) for c in counties)
    written, begun = 0, time.monotonic()
    while busy:
        for channel in wait(list(by_channel)):
            try:
                kind, county, *rest = channel.recv()
            except EOFError:
                process = by_channel[channel]
                process.join(5)
                raise WorkerFailed(
                    f"seed_scale: worker {process.name} stopped (exit code {process.exitcode}); nothing was kept"
                ) from None
            if kind == "error":
                raise WorkerFailed(f"seed_scale: a worker failed; nothing was kept.\n{rest[0]}")
            if kind == "counts":
                counts[county] = rest[0]
                waiting[county] = channel
                while len(first_ids) - 1 in counts:  # the next county's first ids are known
                    k = len(first_ids) - 1
                    first_ids[k + 1] = [a + b for a, b in zip(first_ids[k], counts[k], strict=True)]
                for k in [k for k in waiting if k in first_ids]:
                    waiting.pop(k).send(first_ids[k])
            elif kind == "copy":
                position, rows, data = rest
                writer.copy_block(tables[position], data, rows, ahead=AHEAD)
            elif kind == "done":
                seconds, year_scores = rest
                for stage, spent in seconds.items():
                    run.stages.seconds[stage] += spent
                _keep_scores(run, year_scores, first_ids[county], tables)
                written += len(counties[county].townships)
                log(progress(written, townships, time.monotonic() - begun))
                if to_do:
                    channel.send(to_do.pop())
                else:
                    channel.send(None)  # the worker ends: its channel is not listened to any more
                    del by_channel[channel]
                    busy -= 1
    for table, first in zip(tables, first_ids[len(counties)], strict=True):
        table.next_id = first


def _keep_scores(run: Run, year_scores, first_ids: list[int], tables: list[Table]) -> None:
    """The county's (township, year) → {party group: score}, in the run's ids."""
    position = {t.model._meta.label: k for k, t in enumerate(tables)}
    township = first_ids[position["township.Township"]]
    group = first_ids[position["groups.PartyGroup"]]
    for (town_id, year), scores in year_scores.items():
        run.year_scores[(town_id + township, year)] = {g + group: score for g, score in scores.items()}
