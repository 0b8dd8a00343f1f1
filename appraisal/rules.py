"""Shared rules of the appraisal year used by scoring, awards and exports: the lock, and a group's year score.

`year_score` is the rule itself, a pure function (plain values in, plain values out); `group_year_scores` reads the
figures it needs from the database. The bulk seeder (seeding.scale) calls `year_score` too, so the two cannot drift.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Sum
from django.utils.translation import gettext as _

from appraisal.models import AppraisalYear, GroupScore, RubricItem, SpotCheck
from core import clock, periods, rounding

QUARTERS = 4
HUNDRED = Decimal("100")


def ensure_not_locked(year: AppraisalYear) -> None:
    """A decided year changes only through its reopen path."""
    if year.is_locked:
        raise ValidationError(
            _("The %(y)d appraisal is decided and locked. Reopen the year, giving a reason, to change it.")
            % {"y": year.year},
            code="locked",
        )


def month_closed_by_decided_year(township_id: int, month) -> str | None:
    """A decided year closes its months: new or changed monthly reports wait until the township reopens the year
    (registered with `activity.closing` when the app starts)."""
    if not AppraisalYear.objects.filter(
        township_id=township_id, year=month.year, state=AppraisalYear.State.DECIDED
    ).exists():
        return None
    return _(
        "The %(y)d appraisal is decided, so %(m)s is closed to new or changed monthly reports. To change it, the "
        "township must first reopen the %(y)d appraisal year, giving a reason (who, when and why are kept on record)."
    ) % {"y": month.year, "m": f"{month.year}年{month.month}月"}


def _round(value: Decimal) -> Decimal:
    return rounding.score(value)


def year_maximum(quarter_maximum: Decimal, quarters: int = QUARTERS) -> Decimal:
    """The rubric's maximum over the year so far: its items' maxima (one quarter's) times the quarters counted (all
    four once the year is over or decided; the quarters begun while it is in progress, `quarters_counted`)."""
    return Decimal(quarter_maximum) * quarters


def quarters_counted(year: int, today: datetime.date, *, decided: bool = False) -> int:
    """How many quarters a year score is taken over: the quarters of `year` begun by `today` (in March, one), or
    all four once the year is over or decided."""
    if decided:
        return QUARTERS
    return sum(1 for q in range(1, QUARTERS + 1) if periods.quarter_begun(year, q, today))


def year_in_progress(year: int, today: datetime.date, *, decided: bool = False) -> bool:
    """The year's score is still moving (进行中): not decided, and its last day not yet behind `today`."""
    return not decided and today <= periods.year_range(year)[1]


def year_counted_quarters(year: AppraisalYear) -> int:
    """`quarters_counted` for an appraisal year, today."""
    return quarters_counted(year.year, clock.today(), decided=year.is_locked)


def year_is_in_progress(year: AppraisalYear) -> bool:
    """`year_in_progress` for an appraisal year, today."""
    return year_in_progress(year.year, clock.today(), decided=year.is_locked)


def year_progress(year: AppraisalYear) -> int | None:
    """While the year is in progress (进行中), the quarters its scores are taken over so far; None once it is over."""
    return year_counted_quarters(year) if year_is_in_progress(year) else None


def year_score(
    *, points: Decimal, maximum: Decimal, spot_average: Decimal | None, spot_check_weight: Decimal
) -> Decimal:
    """A party group's year score, 0–100, to one decimal place (half up).

    `points` are the group's rubric points over the year's quarters and `maximum` the rubric's maximum over the year
    (`year_maximum`); the rubric part is their share, times 100 (nothing when the rubric has no maximum). Where the
    group had spot checks, their average points weigh `spot_check_weight` percent and the rubric part the rest.
    """
    base = (Decimal(points) / maximum * HUNDRED) if maximum else Decimal("0")
    if spot_average is not None:
        weight = Decimal(spot_check_weight) / HUNDRED
        base = base * (1 - weight) + Decimal(spot_average) * weight
    return _round(base)


def group_year_scores(year: AppraisalYear, party_group_ids=None) -> dict[int, Decimal]:
    """Each party group's year score, 0–100 (two queries, however many groups).

    The rubric part is the group's points as a share of the rubric's maximum over the quarters counted (all four,
    or while the year is in progress those begun so far: `quarters_counted`); spot checks
    (their average points) weigh `year.spot_check_weight` percent where the group had any, and nothing otherwise.
    """
    checks = SpotCheck.objects.filter(year=year)
    if party_group_ids is not None:
        checks = checks.filter(party_group_id__in=party_group_ids)
    spot = dict(checks.values_list("party_group").annotate(avg=Avg("points")))
    return scores_from(year, maximum=rubric_maximum(year), rubric=rubric_points(year, party_group_ids), spot=spot)


def rubric_maximum(year: AppraisalYear) -> Decimal:
    """The rubric's maximum over the year's counted quarters (`year_maximum`; one query)."""
    return year_maximum(
        RubricItem.objects.filter(year=year).aggregate(m=Sum("max_points"))["m"] or Decimal("0"),
        year_counted_quarters(year),
    )


def rubric_points(year: AppraisalYear, party_group_ids=None) -> dict[int, Decimal]:
    """Each party group's rubric points over the year, by id (one query; groups without points are absent)."""
    scores = GroupScore.objects.filter(year=year)
    if party_group_ids is not None:
        scores = scores.filter(party_group_id__in=party_group_ids)
    return dict(scores.values_list("party_group").annotate(total=Sum("points")))


def scores_from(year: AppraisalYear, *, maximum: Decimal, rubric: dict, spot: dict) -> dict[int, Decimal]:
    """`group_year_scores` from what it reads: the rubric's maximum over the year (`year_maximum`), each group's
    rubric points and its spot checks' average points (by party group id; a group with neither has no score)."""
    return {
        group_id: year_score(
            points=Decimal(rubric.get(group_id) or 0),
            maximum=maximum,
            spot_average=rounding.to_decimal(spot[group_id]) if group_id in spot else None,
            spot_check_weight=year.spot_check_weight,
        )
        for group_id in set(rubric) | set(spot)
    }
