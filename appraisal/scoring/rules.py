"""The scoring rules of the year as pure functions (plain values in, plain values out, no database): the 民主评议
优秀 share and the branch's year-end appraisal.

`appraisal.scoring.services` applies them to the records; the bulk seeder (`seeding.scale.appraisal`) applies them to
the rows it generates, so the two cannot drift apart. How a quarter's computed items score is in
`appraisal.scoring.evidence` (its scorers read plain facts too); a group's year score is `appraisal.rules.year_score`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from core import rounding

HUNDRED = Decimal("100")
TENTH = Decimal("0.1")
ZERO = Decimal("0")


def excellent_allowed(entitled: int, share: Fraction) -> int:
    """How many members may be 优秀: at most `share` (rounded down) of the branch's members entitled to be reviewed
    (`members_in_year`), not of those graded so far — a branch that grades only its best is not held to a third of
    them, and a branch that has graded few is not let through on a third of a larger number."""
    return entitled * share.numerator // share.denominator


def share_text(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"


def round_tenth(value: Decimal) -> Decimal:
    """One decimal, half up: the house's one rounding rule (`core.rounding`)."""
    return rounding.score(value)


def branch_group_points(year_scores: Iterable[Decimal]) -> Decimal:
    """A branch's party-group part: the average year score of its groups that have one, to one decimal place; 0 when
    none has."""
    scores = list(year_scores)
    return round_tenth(sum(scores, ZERO) / len(scores)) if scores else ZERO


def branch_total(township_points: Decimal, group_points: Decimal, group_work_weight: Decimal) -> Decimal:
    """township × (100 − w)% + groups × w%, to one decimal place."""
    w = Decimal(group_work_weight)
    return round_tenth(Decimal(township_points) * (HUNDRED - w) / HUNDRED + Decimal(group_points) * w / HUNDRED)
