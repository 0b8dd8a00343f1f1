"""Bulk row writer for the scale generator: ids handed out in Python, rows buffered per table and written in bulk.

On PostgreSQL the rows go in with `COPY … FROM STDIN` (psycopg 3's `cursor.copy()`), on other databases (SQLite in
the tests) with one `executemany` per table and flush. Either way no model is saved one by one, no signal fires and
no simple-history row is written: the generated rows have no history, as if they had been imported.

Ids are given by the writer (one past the table's largest id when it starts), so a row can be referred to before it
is written; `finish()` moves each table's id sequence past the rows written. Tables are flushed in the order they
were registered, parents before children. The foreign keys are checked when the transaction ends (Django's keys are
deferred), on PostgreSQL in one pass per key, after the bulky tables' secondary indexes are built in one go
(`foreign_keys_checked_in_bulk`). On PostgreSQL the COPY is binary where every column's type allows (all of the
generated tables today): less formatting in the writer's thread, which shares the interpreter with the generation.
"""

from __future__ import annotations

import datetime
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone


@dataclass
class Table:
    """One table: the columns a row gives (field names, in row order), the fields left to their defaults (appended
    to every row), its next id and the buffered rows."""

    model: type[models.Model]
    columns: tuple[str, ...]
    defaults: tuple = ()
    next_id: int = 1
    rows: list[tuple] = field(default_factory=list)
    bulky: bool = False  # millions of rows at scale: its secondary indexes are built after the rows go in
    copy_types: tuple[str, ...] | None = None  # PostgreSQL: the columns' types, for a binary COPY (None: text)
    written: int = 0
    seconds: float = 0.0

    @classmethod
    def of(cls, model: type[models.Model], columns: tuple[str, ...], next_id: int) -> Table:
        """The table with every other concrete field filled with its default, so a field another part of the project
        adds later (with a default) does not break the generator."""
        rest = [f for f in model._meta.concrete_fields if f.name not in columns]
        defaults = []
        for f in rest:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults.append(timezone.now())
            elif f.has_default() or f.null:
                defaults.append(f.get_default())
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                defaults.append("")
            else:
                raise ImproperlyConfigured(f"seed_scale: {model._meta.label}.{f.name} needs a value; add it to the row")
        return cls(model, columns + tuple(f.name for f in rest), tuple(defaults), next_id)

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    def db_columns(self) -> list[str]:
        return [self.model._meta.get_field(name).column for name in self.columns]


class RowWriter:
    """Buffers rows per table and writes them in bulk when `flush_every` rows are waiting.

    On PostgreSQL a batch is copied by one background thread while the caller goes on generating the next (the
    server inserts while Python builds rows: two cores busy instead of one). One batch at a time, in order, on the
    same connection and so in the same transaction; the caller never uses the connection while a batch is being
    written (every read or statement of the writer first waits for it), and an error in the thread is raised in the
    caller at its next flush.
    """

    def __init__(self, flush_every: int = 250_000, *, rebuild_indexes: bool = True):
        # drop the bulky tables' secondary indexes while writing and build them at the end (off: keep them up to date)
        self.rebuild_indexes = rebuild_indexes
        self.tables: dict[type[models.Model], Table] = {}
        self.flush_every = flush_every
        self.waiting = 0
        self.seconds = 0.0  # time the database spent taking rows (in the background on PostgreSQL)
        self.blocked = 0.0  # time the caller spent waiting for the writes
        self.key_seconds = 0.0  # time spent checking the foreign keys at the end
        self.index_seconds = 0.0  # time spent building the secondary indexes at the end
        self.postgres = connection.vendor == "postgresql"
        self._thread = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-scale-copy") if self.postgres else None
        )
        self._pending: Future | None = None
        self._blocks: deque[tuple[Future, int]] = deque()  # COPY data from worker processes, with its size
        self._block_bytes = 0

    def register(self, model: type[models.Model], columns: str, *, bulky: bool = False) -> None:
        """Declare a table and its columns ("id" first). Register parents before children. A `bulky` table's
        secondary indexes are dropped while the rows go in and built afterwards (`foreign_keys_checked_in_bulk`)."""
        names = tuple(columns.split())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608 - table names come from the models
            largest = cursor.fetchone()[0]
        table = self.tables[model] = Table.of(model, names, largest + 1)
        table.bulky = bulky
        if self.postgres:
            table.copy_types = _binary_types(table)

    def new_id(self, model: type[models.Model]) -> int:
        table = self.tables[model]
        table.next_id += 1
        return table.next_id - 1

    def new_ids(self, model: type[models.Model], n: int) -> range:
        table = self.tables[model]
        table.next_id += n
        return range(table.next_id - n, table.next_id)

    def add(self, model: type[models.Model], row: tuple) -> None:
        """Queue one row (values in the registered column order); flushes everything when enough are waiting."""
        table = self.tables[model]
        table.rows.append(row + table.defaults if table.defaults else row)
        self.waiting += 1
        if self.waiting >= self.flush_every:
            self.flush()

    def add_many(self, model: type[models.Model], rows: Iterable[tuple]) -> None:
        table = self.tables[model]
        before = len(table.rows)
        table.rows.extend((r + table.defaults for r in rows) if table.defaults else rows)
        self.waiting += len(table.rows) - before
        if self.waiting >= self.flush_every:
            self.flush()

    def flush(self, *, wait: bool = False) -> None:
        """Write every waiting row, table by table in registration order (in the background on PostgreSQL, unless
        `wait`)."""
        batch = [(table, self._statement(table), table.rows) for table in self.tables.values() if table.rows]
        for table in self.tables.values():
            table.rows = []
        self.waiting = 0
        self.wait()
        if self._thread is None:
            started = time.monotonic()
            with connection.cursor() as cursor:
                self._write(batch, lambda _table, sql, rows: cursor.executemany(sql, [_adapt_row(r) for r in rows]))
            self.blocked += time.monotonic() - started
            return
        if batch:
            # The psycopg connection itself: Django's `connection` is per thread, the open transaction is on this one.
            self._pending = self._thread.submit(self._write, batch, partial(_copy, connection.connection))
        if wait:
            self.wait()

    def copy_block(self, table: Table, data: bytes, rows: int, *, ahead: int) -> None:
        """Queue `rows` rows of `table` already formatted as one binary COPY (by a worker process,
        `seeding.scale.in_processes`), copied in by the background thread after everything queued before; blocks
        while more than `ahead` bytes are waiting."""
        raw, sql = connection.connection, self._statement(table)
        self._blocks.append((self._thread.submit(self._write_block, raw, table, sql, data, rows), len(data)))
        self._block_bytes += len(data)
        while self._blocks and self._block_bytes > ahead:
            self._wait_block()

    def _write_block(self, raw, table: Table, sql: str, data: bytes, rows: int) -> None:
        with self._writing(table, rows), raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(data)

    def _wait_block(self) -> None:
        future, size = self._blocks.popleft()
        started = time.monotonic()
        try:
            future.result()
        finally:
            self._block_bytes -= size
            self.blocked += time.monotonic() - started

    def abandon(self) -> None:
        """After a failure: drop the blocks not yet begun and wait for the one being copied, so that nothing is
        written on the connection after the transaction is rolled back."""
        for future, _size in self._blocks:
            future.cancel()
        for future, _size in self._blocks:
            with suppress(Exception):
                future.result()
        self._blocks.clear()
        self._block_bytes = 0

    def wait(self) -> None:
        """Block until every batch and block queued is in (raising the first error, if one failed)."""
        while self._blocks:
            self._wait_block()
        if self._pending is None:
            return
        started = time.monotonic()
        try:
            self._pending.result()
        finally:
            self._pending = None
            self.blocked += time.monotonic() - started

    def close(self) -> None:
        """Wait for the writing thread and stop it (on success or failure alike)."""
        if self._thread is not None:
            with suppress(Exception):
                self.wait()
            self._thread.shutdown()

    def _statement(self, table: Table) -> str:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in table.db_columns())
        if self.postgres:
            binary = " (FORMAT BINARY)" if table.copy_types else ""
            return f"COPY {quote(table.db_table)} ({columns}) FROM STDIN{binary}"
        marks = ", ".join(["%s"] * len(table.columns))
        return f"INSERT INTO {quote(table.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from models

    def _write(self, batch: list[tuple[Table, str, list[tuple]]], send: Callable[[Table, str, list[tuple]], None]):
        for table, sql, rows in batch:
            with self._writing(table, len(rows)):
                send(table, sql, rows)

    @contextmanager
    def _writing(self, table: Table, rows: int):
        """Count the seconds spent writing `rows` rows of `table`, and the rows once written."""
        started = time.monotonic()
        yield
        elapsed = time.monotonic() - started
        table.seconds += elapsed
        self.seconds += elapsed
        table.written += rows

    @contextmanager
    def foreign_keys_checked_in_bulk(self):
        """On PostgreSQL, take the foreign keys and the secondary indexes of the written tables off while the rows go
        in, and put them back at the end: each index built once from the sorted rows (far faster than keeping it up
        to date row by row), each foreign key checking every row against its parent in one pass (a join) instead of
        one look-up per row (Django's keys are deferred, so the per-row checks would all run at commit).

        The indexes dropped are those that enforce nothing: not the primary keys, not the unique ones (which go on
        refusing a duplicate as the rows go in, and which the foreign keys need), not those behind a constraint.
        They are recreated from their own definitions (`pg_get_indexdef`), under their own names, so the schema
        afterwards is the migrated one. Transactional: run inside the transaction that writes the rows; an orphan
        row makes the whole run fail and roll back, and so does any error, leaving the indexes as they were."""
        if not self.postgres:
            yield
            return
        tables = [t.db_table for t in self.tables.values()]
        bulky = [t.db_table for t in self.tables.values() if t.bulky and self.rebuild_indexes]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid::regclass::text, conname",
                [tables],
            )
            keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY i.indrelid::regclass::text, i.indexrelid::regclass::text",
                [bulky],
            )
            indexes = cursor.fetchall()
            for table, name, _definition in keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        self.flush(wait=True)
        started = time.monotonic()
        with connection.cursor() as cursor:
            # room to sort an index in memory, and for the keys' checks, which run with this setting as their
            # work_mem, to hash a parent table in one batch (PostgreSQL's RI_Initial_Check)
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            self.index_seconds = time.monotonic() - started
            started = time.monotonic()
            for table, name, definition in keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
            self.key_seconds = time.monotonic() - started
            cursor.execute("RESET maintenance_work_mem")

    def finish(self) -> None:
        """Write what is left and move the id sequences past the rows written (PostgreSQL)."""
        self.flush(wait=True)
        if self.postgres:
            sql = connection.ops.sequence_reset_sql(no_style(), [t.model for t in self.tables.values()])
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)

    def counts(self) -> dict[str, tuple[int, float]]:
        """{table: (rows written, seconds spent writing them)}."""
        return {t.db_table: (t.written, t.seconds) for t in self.tables.values()}


# Column types a binary COPY sends as they come from the generator (ints, str, bool, Decimal, date, aware datetime).
BINARY_SAFE = frozenset({"int2", "int4", "int8", "bool", "varchar", "text", "bpchar", "date", "timestamptz", "numeric"})


def _binary_types(table: Table) -> tuple[str, ...] | None:
    """The type of each column written, when every one is of a type sent in binary as generated (else None: text)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            [table.db_table],
        )
        types = dict(cursor.fetchall())
    wanted = tuple(types.get(c) for c in table.db_columns())
    return wanted if all(t in BINARY_SAFE for t in wanted) else None


def _copy(raw, table: Table, sql: str, rows: list[tuple]) -> None:
    """COPY rows in on a psycopg connection (from the writer's thread): in binary where the table's column types
    allow (less work for both sides than text), else as text."""
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        if table.copy_types:
            copy.set_types(table.copy_types)
        for row in rows:
            copy.write_row(row)


def _adapt(value):
    ops = connection.ops
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _adapt_row(row: Sequence) -> tuple:
    """Values as the non-PostgreSQL backend stores them (dates and times as text, decimals as text)."""
    return tuple(_adapt(v) for v in row)
