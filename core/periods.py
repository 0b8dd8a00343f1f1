"""Month, quarter and year arithmetic: the one home of it (what "today" is comes from `core.clock`).

A month is named by its first day (`MonthlyReport.month` is always the 1st). Ranges are inclusive, first and last day:
`(2026-04-01, 2026-06-30)`. A record in force over time (a party group, a post, a coverage) runs from its first day
*until* its end date, the first day it no longer holds, or on without an end (`None`); `overlaps` and `in_force_on`
answer for that shape, and the querysets in `groups.models` ask the database the same question.
"""

from __future__ import annotations

import calendar
import datetime

Range = tuple[datetime.date, datetime.date]


# --- months -------------------------------------------------------------------------------------------------------


def month_of(day: datetime.date) -> datetime.date:
    """The month a day falls in: its first day."""
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    """The last day of the month `month` falls in (29 February in a leap year)."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_range(month: datetime.date) -> Range:
    """The first and last day of the month `month` falls in."""
    return month_of(month), month_end(month)


def add_months(month: datetime.date, n: int) -> datetime.date:
    """The first day of the month `n` months after (or, negative, before) the month `month` falls in."""
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def next_month(month: datetime.date) -> datetime.date:
    """The first day of the following month (December → January of the next year)."""
    return add_months(month, 1)


def previous_month(month: datetime.date) -> datetime.date:
    """The first day of the month before (January → December of the year before)."""
    return add_months(month, -1)


def last_months(day: datetime.date, n: int) -> list[datetime.date]:
    """The `n` months ending with the month of `day`, oldest first."""
    return [add_months(day, k) for k in range(1 - n, 1)]


def month_due(month: datetime.date, due_day: int) -> datetime.date:
    """The last day a month's report is on time: the township's `due_day` (1–28) of the following month."""
    return next_month(month).replace(day=due_day)


# --- quarters and years -------------------------------------------------------------------------------------------


def quarter_of(day: datetime.date) -> int:
    """The quarter (1–4) a day falls in."""
    return (day.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> list[datetime.date]:
    """The three months of a quarter, by their first days."""
    return [datetime.date(year, 3 * (quarter - 1) + k, 1) for k in (1, 2, 3)]


def quarter_range(year: int, quarter: int) -> Range:
    """The first and last day of a quarter."""
    months = quarter_months(year, quarter)
    return months[0], month_end(months[-1])


def quarter_begun(year: int, quarter: int, today: datetime.date) -> bool:
    return quarter_range(year, quarter)[0] <= today


def quarter_ended(year: int, quarter: int, today: datetime.date) -> bool:
    """The quarter's last day is behind `today`."""
    return quarter_range(year, quarter)[1] < today


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (or earlier); 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def year_range(year: int) -> Range:
    """1 January and 31 December of the year."""
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# --- ranges -------------------------------------------------------------------------------------------------------


def overlaps(start: datetime.date, until: datetime.date | None, first: datetime.date, last: datetime.date) -> bool:
    """Whether a record in force from `start` until `until` (its first day off; None: still in force) held on some
    day of the range `first`–`last`."""
    return start <= last and (until is None or until > first)


def in_force_on(start: datetime.date, until: datetime.date | None, day: datetime.date) -> bool:
    """Whether a record in force from `start` until `until` held on `day`."""
    return overlaps(start, until, day, day)


def days_in(start: datetime.date, until: datetime.date | None, first: datetime.date, last: datetime.date) -> int:
    """How many days of `first`–`last` a record in force from `start` until `until` held."""
    stop = min(until, last + datetime.timedelta(days=1)) if until else last + datetime.timedelta(days=1)
    return max(0, (stop - max(start, first)).days)
