"""One rounding rule for every figure people read — scores, averages, percentages, money — on pages, in Excel and
on the 公示: 四舍五入 (half up) on Decimal.

Python's `round()` and `Decimal.quantize()` without a rounding mode round half to even (89.25 → 89.2), and a float
taken straight into Decimal carries its binary error (89.35 → 89.3499…): either made the same figure read 89.3 on
one page and 89.2 on another. Every figure is rounded here, once, and shown as it was rounded.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")


def to_decimal(value) -> Decimal:
    """A Decimal of `value`: an int, str or Decimal as it is; a float (an SQLite average) by its shortest repr, so
    89.35 stays 89.35 rather than 89.349999…"""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def half_up(value, places: int = 1) -> Decimal:
    """`value` rounded half up (四舍五入) to `places` decimals: 89.25 → 89.3, 2.345 → 2.35 (places=2)."""
    return to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def score(value) -> Decimal:
    """A score or an average of points, to one decimal (half up)."""
    return half_up(value, 1)


def percent(part, whole, places: int = 1) -> Decimal | None:
    """`part` as a percentage of `whole`, half up to `places` decimals; None when `whole` is nothing."""
    if not whole:
        return None
    return half_up(to_decimal(part) * HUNDRED / to_decimal(whole), places)


def money(value) -> Decimal:
    """Yuan to the fen (two decimals, half up)."""
    return half_up(value, 2)
