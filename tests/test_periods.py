"""`core.periods`: month, quarter and year arithmetic across the turn of the year and the leap day, and the one rule
for records in force from a day until another."""

from __future__ import annotations

import datetime

import pytest

from core import periods

D = datetime.date


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (D(2028, 2, 29), D(2028, 2, 1), D(2028, 2, 29)),
        (D(2027, 2, 14), D(2027, 2, 1), D(2027, 2, 28)),
        (D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
        (D(2026, 4, 1), D(2026, 4, 1), D(2026, 4, 30)),
    ],
)
def test_it_gives_the_first_and_last_day_of_a_month(day, first, last):
    assert periods.month_of(day) == first
    assert periods.month_end(day) == last
    assert periods.month_range(day) == (first, last)


def test_it_steps_months_over_the_turn_of_the_year():
    assert periods.next_month(D(2026, 12, 1)) == D(2027, 1, 1)
    assert periods.next_month(D(2026, 12, 31)) == D(2027, 1, 1)
    assert periods.previous_month(D(2027, 1, 1)) == D(2026, 12, 1)
    assert periods.previous_month(D(2028, 3, 31)) == D(2028, 2, 1)
    assert periods.add_months(D(2026, 6, 15), -18) == D(2024, 12, 1)
    assert periods.add_months(D(2026, 6, 15), 30) == D(2028, 12, 1)


def test_it_lists_the_last_months_oldest_first():
    assert periods.last_months(D(2027, 1, 1), 3) == [D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)]
    months = periods.last_months(D(2028, 2, 29), 12)
    assert (len(months), months[0], months[-1]) == (12, D(2027, 3, 1), D(2028, 2, 1))
    assert periods.last_months(D(2026, 6, 15), 1) == [D(2026, 6, 1)]


@pytest.mark.parametrize(
    ("month", "due_day", "due"),
    [(D(2026, 12, 1), 5, D(2027, 1, 5)), (D(2028, 1, 1), 28, D(2028, 2, 28)), (D(2026, 3, 1), 1, D(2026, 4, 1))],
)
def test_it_puts_a_months_due_day_in_the_following_month(month, due_day, due):
    assert periods.month_due(month, due_day) == due


def test_it_knows_the_quarters():
    assert [periods.quarter_of(D(2026, m, 1)) for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert periods.quarter_months(2028, 1) == [D(2028, 1, 1), D(2028, 2, 1), D(2028, 3, 1)]
    assert periods.quarter_range(2028, 1) == (D(2028, 1, 1), D(2028, 3, 31))
    assert periods.quarter_range(2026, 4) == (D(2026, 10, 1), D(2026, 12, 31))
    assert periods.quarter_begun(2027, 1, D(2027, 1, 1)) and not periods.quarter_begun(2027, 1, D(2026, 12, 31))
    assert periods.quarter_ended(2026, 4, D(2027, 1, 1)) and not periods.quarter_ended(2026, 4, D(2026, 12, 31))
    assert periods.year_range(2028) == (D(2028, 1, 1), D(2028, 12, 31))


def test_it_moves_a_leap_day_to_the_28th_in_a_year_without_one():
    assert periods.add_years(D(2008, 2, 29), 18) == D(2026, 2, 28)
    assert periods.add_years(D(2008, 2, 29), 20) == D(2028, 2, 29)


@pytest.mark.parametrize(
    ("start", "until", "first", "last", "overlaps", "days"),
    [
        (D(2026, 3, 1), None, D(2026, 1, 1), D(2026, 3, 31), True, 31),  # began in the range, still in force
        (D(2026, 3, 1), D(2026, 4, 1), D(2026, 4, 1), D(2026, 4, 30), False, 0),  # ended on the range's first day
        (D(2026, 3, 1), D(2026, 4, 2), D(2026, 4, 1), D(2026, 4, 30), True, 1),  # held on its first day
        (D(2026, 4, 30), None, D(2026, 4, 1), D(2026, 4, 30), True, 1),  # began on the range's last day
        (D(2026, 5, 1), None, D(2026, 4, 1), D(2026, 4, 30), False, 0),  # began after it
        (D(2025, 7, 1), D(2027, 1, 1), D(2026, 1, 1), D(2026, 12, 31), True, 365),  # the whole year
    ],
)
def test_it_says_whether_a_record_held_in_a_range_its_end_date_being_the_first_day_off(
    start, until, first, last, overlaps, days
):
    assert periods.overlaps(start, until, first, last) is overlaps
    assert periods.days_in(start, until, first, last) == days


def test_a_record_is_in_force_from_its_first_day_until_the_day_before_its_end():
    assert periods.in_force_on(D(2026, 3, 1), D(2026, 4, 1), D(2026, 3, 1))
    assert periods.in_force_on(D(2026, 3, 1), D(2026, 4, 1), D(2026, 3, 31))
    assert not periods.in_force_on(D(2026, 3, 1), D(2026, 4, 1), D(2026, 4, 1))
    assert not periods.in_force_on(D(2026, 3, 1), None, D(2026, 2, 28))
