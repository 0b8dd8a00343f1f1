"""The dues arithmetic as pure functions (no database): which rate table and township rule a month falls under, the
band a base falls in, and the monthly amount to the fen, rounded half-up as the rules say (四舍五入).

The services, the pages, the exports and the demo builder all compute through these.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from core import rounding
from core.periods import previous_month

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

EMPLOYED, RETIRED, FARMER = "employed", "retired", "farmer"
SMALL = frozenset({"student", "low_income", "hardship"})  # 0.20 yuan a month (the table's small amount)
EXEMPT = "exempt"


def round_half_up(amount: Decimal) -> Decimal:
    """To the fen, halves away from zero: 6.165 → 6.17 (Python's default, half-even, would give 6.16)."""
    return rounding.money(amount)


@dataclass(frozen=True)
class Band:
    up_to: Decimal | None  # inclusive upper bound of the base; None: no upper bound
    percent: Decimal


@dataclass(frozen=True)
class Rates:
    """One rate table: the bands for income and for pensions, lowest first, and the small fixed amount."""

    valid_from: datetime.date
    income: tuple[Band, ...]
    pension: tuple[Band, ...]
    small_amount: Decimal = Decimal("0.20")


@dataclass(frozen=True)
class TownshipRule:
    valid_from: datetime.date
    farmer_amount: Decimal = Decimal("0.20")
    frequency: str = "monthly"
    remit_due_day: int = 10


DEFAULT_TOWNSHIP_RULE = TownshipRule(valid_from=datetime.date(1900, 1, 1))


# The 2008 rules (中组部《关于中国共产党党费收缴、使用和管理的规定》): the defaults the migration loads.
RULES_2008 = Rates(
    valid_from=datetime.date(2008, 4, 1),
    income=(
        Band(Decimal("3000.00"), Decimal("0.5")),
        Band(Decimal("5000.00"), Decimal("1")),
        Band(Decimal("10000.00"), Decimal("1.5")),
        Band(None, Decimal("2")),
    ),
    pension=(Band(Decimal("5000.00"), Decimal("0.5")), Band(None, Decimal("1"))),
    small_amount=Decimal("0.20"),
)


def in_force(dated: Sequence, month: datetime.date):
    """Of records sorted by `valid_from`, the one in force in `month` (the latest from on or before it), or None."""
    i = bisect_right([d.valid_from for d in dated], month)
    return dated[i - 1] if i else None


def band_for(base: Decimal, bands: Sequence[Band]) -> Band:
    """The band a base falls in: the first whose upper bound is at or above it (3,000.00 is in "≤ 3,000")."""
    for band in bands:
        if band.up_to is None or base <= band.up_to:
            return band
    raise ValueError("the bands have no open top")


def monthly_amount(
    category: str, base: Decimal | None, rates: Rates, township: TownshipRule = DEFAULT_TOWNSHIP_RULE
) -> Decimal:
    """What a member of this category and base owes for one month under these rates, exact to the fen."""
    if category == EXEMPT:
        return ZERO
    if category in SMALL:
        return round_half_up(rates.small_amount)
    if category == FARMER:
        return round_half_up(township.farmer_amount)
    if category in (EMPLOYED, RETIRED):
        if base is None:
            raise ValueError("an employed or retired member's dues need a base")
        bands = rates.income if category == EMPLOYED else rates.pension
        return round_half_up(Decimal(base) * band_for(Decimal(base), bands).percent / HUNDRED)
    raise ValueError(f"unknown category {category!r}")


def percent_for(category: str, base: Decimal | None, rates: Rates) -> Decimal | None:
    """The percentage applied, for the register (None for the fixed-amount categories)."""
    if category not in (EMPLOYED, RETIRED) or base is None:
        return None
    return band_for(Decimal(base), rates.income if category == EMPLOYED else rates.pension).percent


@dataclass
class Schedule:
    """Every rate table and the township's rules, oldest first: what `due` needs to price any month."""

    rates: list[Rates]
    township_rules: list[TownshipRule] = field(default_factory=list)

    def rates_for(self, month: datetime.date) -> Rates | None:
        return in_force(self.rates, month)

    def township_rule_for(self, month: datetime.date) -> TownshipRule:
        return in_force(self.township_rules, month) or DEFAULT_TOWNSHIP_RULE

    def due(self, category: str, base: Decimal | None, month: datetime.date) -> Decimal | None:
        """The month's amount, or None when no rate table was yet in force."""
        rates = self.rates_for(month)
        if rates is None:
            return None
        return monthly_amount(category, base, rates, self.township_rule_for(month))


def first_due_month(joined_on: datetime.date) -> datetime.date:
    """Dues are owed from the month a member joins (probationary members pay too)."""
    return joined_on.replace(day=1)


def last_due_month(left_on: datetime.date | None) -> datetime.date | None:
    """…to the month they leave the branch (transferred out, deceased), inclusive; None: still a member."""
    return left_on.replace(day=1) if left_on else None


def consecutive_unpaid(unpaid_by_month: dict[datetime.date, bool], last: datetime.date, first: datetime.date) -> int:
    """How many months in a row, ending with `last` and going back no further than `first`, are unpaid."""
    n, month = 0, last
    while month >= first and unpaid_by_month.get(month, False):
        n += 1
        month = previous_month(month)
    return n
