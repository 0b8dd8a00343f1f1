"""The instants the suite runs at (see the clock section of `tests/conftest.py`), and helpers for tests about dates.

No test reads the real date: the suite runs at TEST_NOW (by default an ordinary June morning in Beijing), and tests
about dates run at the edge instants too, by parametrising the `now` fixture:

    @pytest.mark.parametrize("now", EDGE_INSTANTS)
    def test_it_…(now, org): …
"""

from __future__ import annotations

import datetime
import os
from zoneinfo import ZoneInfo

import pytest

from core import clock, periods

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An instant given in Beijing time (the project's TIME_ZONE)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


DEFAULT_NOW = beijing(2027, 6, 15, 10, 0)  # after the demo was written (its fixed dates end in November 2026)

# Where dates go wrong: New Year's Eve late in the evening (15:30 UTC, still the 31st everywhere), New Year's Day just
# after midnight (16:10 UTC on 31 December: a UTC "today" is last year's), and the leap day.
EDGE_INSTANTS = [
    pytest.param(beijing(2026, 12, 31, 23, 30), id="new-years-eve-23h30"),
    pytest.param(beijing(2027, 1, 1, 0, 10), id="new-years-day-00h10"),
    pytest.param(beijing(2028, 2, 29, 12, 0), id="leap-day-noon"),
]


def suite_now() -> datetime.datetime:
    """TEST_NOW from the environment (an ISO 8601 instant with its offset), or DEFAULT_NOW."""
    value = os.environ.get("TEST_NOW", "").strip()
    if not value:
        return DEFAULT_NOW
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise pytest.UsageError(f"TEST_NOW={value!r}: give an ISO 8601 instant with its offset: 2026-12-31T23:30+08:00")
    return moment


def months_ago(n: int) -> datetime.date:
    """The first day of the month `n` months before this one (Beijing time)."""
    return periods.add_months(clock.this_month(), -n)
