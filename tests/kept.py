"""What the tests of kept figures and pages share (township/changes.py): the tables some statements read, what a page
keeps, and what each kept part reads when it is counted."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from township import changes

TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')


def tables_read(queries) -> set[str]:
    """The tables named in these captured statements."""
    found = set()
    for q in queries:
        found |= set(TABLE.findall(q["sql"]))
    return found


def kept_values(monkeypatch) -> list:
    """Every value kept from now on, as it is kept (a page's several parts one by one)."""
    values = []
    real = changes.kept

    def keep(key, seconds, compute):
        value = real(key, seconds, compute)
        values.extend(value if isinstance(value, tuple) else [value])
        return value

    monkeypatch.setattr(changes, "kept", keep)
    return values


def reads_when_counted(monkeypatch) -> list[tuple[str, list]]:
    """From now on nothing is kept: each value is counted every time, and (its key, the statements counting it ran)
    noted."""
    read = []

    def counted(key, seconds, compute):
        with CaptureQueriesContext(connection) as q:
            value = compute()
        read.append((key, q.captured_queries))
        return value

    monkeypatch.setattr(changes, "kept", counted)
    return read
