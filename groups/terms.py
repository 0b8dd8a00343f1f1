"""A party-group leader's term: the township's `leader_term_years` from the last valid election."""

from __future__ import annotations

import datetime

TERM_NOTICE_DAYS = 90  # the to-do lists warn this many days before a term ends


def elected_before(today: datetime.date, term_years: int) -> datetime.date:
    """A leader elected on or before this day has a term that ends within TERM_NOTICE_DAYS of `today` (or has ended)."""
    horizon = today + datetime.timedelta(days=TERM_NOTICE_DAYS)
    return datetime.date(horizon.year - term_years, horizon.month, min(horizon.day, 28))
