"""What "now", "today" and "this month" are: the one place the code asks, in the project's time zone (Asia/Shanghai).

A township works on Beijing time: at 07:30 on 1 January in Beijing it is still 31 December in UTC, so "today" is never
`datetime.date.today()` (the server's zone) nor the UTC date. Everything reads Django's `timezone.now()` here and turns
it into local time; tests move that moment with time-machine (`time_machine.travel`), which this module simply follows.
Timestamps to store (`created_at`, `submitted_at`) stay `timezone.now()`: an instant, not a day.

`ruff` bans `date.today()` and `datetime.now()` outside this module (TID251), and `tests/test_clock.py` fails on a
`timezone.localdate(` or `localtime(` anywhere else.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core import periods


def now() -> datetime.datetime:
    """The current moment, aware, in local time."""
    return timezone.localtime(timezone.now())


def today() -> datetime.date:
    """The local (Beijing) date."""
    return now().date()


def this_month() -> datetime.date:
    """The first day of the current local month."""
    return periods.month_of(today())


def this_year() -> int:
    return today().year


def local(moment: datetime.datetime) -> datetime.datetime:
    """A stored, aware moment in local time (to show it, or to write it as a naive cell)."""
    return timezone.localtime(moment)


def local_date(moment: datetime.datetime) -> datetime.date:
    """The local day of a stored, aware moment: a report submitted at 16:30 UTC came in on the next day in Beijing."""
    return local(moment).date()
