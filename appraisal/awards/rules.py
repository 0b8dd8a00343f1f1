"""The award rules as pure functions (plain values in, plain values out, no database): the year's quotas and amounts,
the ranking of candidates, who counts as a group's leader in a year and when a leader qualifies, and the streak rule.

`appraisal.awards.services` applies them to the records; the bulk seeder (`seeding.scale.appraisal`) applies them to
the rows it generates, so the two cannot drift apart: change a rule here and both follow.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from appraisal.models import Award
from core import periods

Kind = Award.Kind
T = TypeVar("T")

# A leader's group "did well" at this year score or above (良好 and better on the usual 100-point scale).
GOOD_GROUP_SCORE = Decimal("80")

QUOTA_FIELDS = {
    Kind.ADVANCED_GROUP: "advanced_group_quota",
    Kind.EXCELLENT_LEADER: "excellent_leader_quota",
    Kind.EXCELLENT_MEMBER: "excellent_member_quota",
}
AMOUNT_FIELDS = {
    Kind.ADVANCED_GROUP: "advanced_group_amount",
    Kind.EXCELLENT_LEADER: "excellent_leader_amount",
    Kind.EXCELLENT_MEMBER: "excellent_member_amount",
    Kind.STREAK_BONUS: "streak_bonus_amount",
}


def quota_of(year, kind: str) -> int:
    """How many of `kind` the year (an AppraisalYear, saved or not) allows."""
    return getattr(year, QUOTA_FIELDS[kind])


def amount_of(year, kind: str) -> Decimal:
    """The year's amount for one award of `kind`."""
    return getattr(year, AMOUNT_FIELDS[kind])


# --- ranking --------------------------------------------------------------------------------------------------------


def ranking_key(score: Decimal | None, *tie_breaks) -> tuple:
    """Sort key of a candidate: best score first, no score last, then `tie_breaks` (village name, then the group's or
    the member's name)."""
    return (score is None, -(score or 0), *tie_breaks)


def ranks(scores: Sequence[Decimal | None]) -> list[int | None]:
    """The rank of each of `scores`, taken in ranking order: equal scores share a rank (1, 2, 2, 4); no score, no
    rank."""
    out: list[int | None] = []
    previous, rank = object(), 0
    for i, score in enumerate(scores, start=1):
        if score is None:
            out.append(None)
            continue
        if score != previous:
            rank, previous = i, score
        out.append(rank)
    return out


# --- leaders --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leadership(Generic[T]):
    """One leader's term that counts for the year, with what the caller attached to it (a GroupPost, a plan row)."""

    term: T
    days: int  # days of the year led
    at_year_end: bool


Term = tuple[int, datetime.date, datetime.date | None, T]


def year_leaders(terms: Iterable[Term], year: int) -> dict[int, Leadership]:
    """Who led a party group in `year`, from leader terms (member id, first day, first day off or None, anything):
    serving at the year's end, or leading most of the year. A member who led two groups in the year counts once, for
    the term at the year's end or else the longest (the first of equals)."""
    start, end = periods.year_range(year)
    days_in_year = periods.days_in(start, None, start, end)
    best: dict[int, Leadership] = {}
    for member_id, started_on, ended_on, term in terms:
        days = periods.days_in(started_on, ended_on, start, end)
        at_end = ended_on is None or ended_on > end
        if days <= 0 or not (at_end or days * 2 > days_in_year):
            continue
        old = best.get(member_id)
        if old is None or (at_end, days) > (old.at_year_end, old.days):
            best[member_id] = Leadership(term, days, at_end)
    return best


def leader_qualifies(group_score: Decimal | None) -> bool:
    """A leader is a candidate for 优秀党小组长 when their group's year score is `GOOD_GROUP_SCORE` or more."""
    return group_score is not None and group_score >= GOOD_GROUP_SCORE


# --- the streak rule ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streak:
    """What the streak rule gives one leader when a year is decided."""

    years: list[int]  # the decided years of the streak, oldest first
    bonus: bool
    reserve: bool

    @property
    def reason(self) -> str:
        return streak_reason(self.years)


def streak_of(
    *,
    year: int,
    decided_years: Iterable[int],
    named_years: Collection[int],
    bonus_years: Collection[int],
    reserve_years: Collection[int],
    streak_years: int,
    repeatable: bool,
) -> Streak | None:
    """The streak rule for one leader named excellent leader (decided) in `year`, as `year` is decided.

    The streak is the run of the township's decided years (`decided_years`; `year` counts as decided) up to `year`
    in which the leader was named (`named_years`). With `streak_years` or more it gives the one-time bonus — once per
    person ever (`bonus_years`: the years of their earlier bonuses), or, when `repeatable`, once per streak (so only
    after a break and a new full streak) — and an entry on the village's three-post reserve list, once per streak
    (`reserve_years`: the years of their earlier entries). None when it gives nothing.

    A year not decided (or not held) is skipped: it breaks no streak but does not count in one.
    """
    run = []
    for y in sorted({y for y in decided_years if y < year} | {year}, reverse=True):
        if y not in named_years:
            break
        run.append(y)
    if len(run) < streak_years:
        return None
    in_run = set(run)
    bonus = not (set(bonus_years) & in_run) and (repeatable or not bonus_years)
    reserve = not (set(reserve_years) & in_run)
    if not (bonus or reserve):
        return None
    return Streak(sorted(run), bonus, reserve)


def streak_reason(years: list[int]) -> str:
    """Why a leader is on the reserve list, written into the record (a Chinese document, like the award lists):
    2023—2025年连续3年被评为优秀党小组长."""
    ys = sorted(years)
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}—{ys[-1]}年连续{len(ys)}年被评为优秀党小组长"
    return f"{'、'.join(map(str, ys))}年连续{len(ys)}个考核年度被评为优秀党小组长"
