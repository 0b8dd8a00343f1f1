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

    years: list[int]  # the consecutive decided years of the streak, oldest first
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

    The streak is the run of consecutive calendar years around `year` (`year` counts as decided) that the township
    decided (`decided_years`) and in which the leader was named (`named_years`). A year that is missing, not decided
    yet, or in which the leader was not named ends the run: 2022, 2023 and 2025 are no streak, and with 2024 still
    open the streak waits (it is paid when 2024 is decided, then looking forward to the decided 2025). With
    `streak_years` or more years it gives the one-time bonus — once per person ever (`bonus_years`: the years of
    their earlier bonuses), or, when `repeatable`, once per streak (so only after a break and a new full streak) —
    and an entry on the village's three-post reserve list, once per streak (`reserve_years`: the years of their
    earlier entries). None when it gives nothing.
    """
    decided = set(decided_years) | {year}
    if year not in named_years:
        return None

    def counts(y: int) -> bool:
        return y in decided and y in named_years

    first, last = year, year
    while counts(first - 1):
        first -= 1
    while counts(last + 1):
        last += 1
    run = list(range(first, last + 1))
    if len(run) < streak_years:
        return None
    in_run = set(run)
    bonus = not (set(bonus_years) & in_run) and (repeatable or not bonus_years)
    reserve = not (set(reserve_years) & in_run)
    if not (bonus or reserve):
        return None
    return Streak(run, bonus, reserve)


def streak_waiting(
    *, year: int, open_years: Collection[int], named_years: Collection[int], streak_years: int
) -> list[int]:
    """The years not decided yet (`open_years`) that stand in a leader's streak through `year`: if they were decided
    with the leader named, the run of consecutive years would reach `streak_years`. Empty when nothing waits."""
    named = set(named_years) | set(open_years) | {year}
    first, last = year, year
    while first - 1 in named:
        first -= 1
    while last + 1 in named:
        last += 1
    if last - first + 1 < streak_years:
        return []
    return sorted(y for y in open_years if first <= y <= last)


def streak_reason(years: list[int]) -> str:
    """Why a leader is on the reserve list, written into the record (a Chinese document, like the award lists):
    2023—2025年连续3年被评为优秀党小组长 (a streak is consecutive calendar years)."""
    ys = sorted(years)
    return f"{ys[0]}—{ys[-1]}年连续{len(ys)}年被评为优秀党小组长"


# --- the decision: ties at the quota and choices out of rank order ----------------------------------------------------

TIE = "tie"
OVERRIDE = "override"


@dataclass(frozen=True)
class Standing(Generic[T]):
    """One nomination in the decision: its key (the award), its candidate's score (None: unranked) and whether the
    township chose it."""

    key: T
    score: Decimal | None
    chosen: bool


def ranks_above(a: Decimal | None, b: Decimal | None) -> bool:
    """A score `a` ranks above `b` (no score ranks below every score)."""
    return a is not None and (b is None or a > b)


def tied_at_quota(standings: Sequence[Standing], quota: int) -> set:
    """The nominations tied on the score at the quota's boundary (the last place inside it and the first outside
    share a score): the township must say how the tie is broken. Empty when there is no such tie."""
    ranked = sorted((s for s in standings if s.score is not None), key=lambda s: -s.score)
    if quota <= 0 or len(ranked) <= quota or ranked[quota - 1].score != ranked[quota].score:
        return set()
    boundary = ranked[quota].score
    return {s.key for s in ranked if s.score == boundary}


def reasons_needed(standings: Sequence[Standing]) -> dict:
    """The chosen nominations that need the township's reason: `TIE` when one left out has the same score, or
    `OVERRIDE` when one left out ranks above it."""
    left_out = [s for s in standings if not s.chosen]
    out = {}
    for s in standings:
        if not s.chosen:
            continue
        if any(o.score is not None and o.score == s.score for o in left_out):
            out[s.key] = TIE
        elif any(ranks_above(o.score, s.score) for o in left_out):
            out[s.key] = OVERRIDE
    return out
