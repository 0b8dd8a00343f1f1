"""Shared rules of the appraisal year used by scoring, awards and exports: the lock, and a group's year score.

`year_score` is the rule itself, a pure function (plain values in, plain values out); `group_year_scores` reads the
figures it needs from the database. The bulk seeder (seeding.scale) calls `year_score` too, so the two cannot drift.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Sum
from django.utils.translation import gettext as _

from appraisal.models import AppraisalYear, GroupScore, RubricItem, SpotCheck

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


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def year_maximum(quarter_maximum: Decimal) -> Decimal:
    """The rubric's maximum over the year: its items' maxima (one quarter's) times the four quarters."""
    return Decimal(quarter_maximum) * QUARTERS


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

    The rubric part is the group's points over all four quarters as a share of the rubric's maximum; spot checks
    (their average points) weigh `year.spot_check_weight` percent where the group had any, and nothing otherwise.
    """
    maximum = year_maximum(RubricItem.objects.filter(year=year).aggregate(m=Sum("max_points"))["m"] or Decimal("0"))
    scores = GroupScore.objects.filter(year=year)
    checks = SpotCheck.objects.filter(year=year)
    if party_group_ids is not None:
        scores = scores.filter(party_group_id__in=party_group_ids)
        checks = checks.filter(party_group_id__in=party_group_ids)
    rubric = dict(scores.values_list("party_group").annotate(total=Sum("points")))
    spot = dict(checks.values_list("party_group").annotate(avg=Avg("points")))
    return {
        group_id: year_score(
            points=Decimal(rubric.get(group_id) or 0),
            maximum=maximum,
            spot_average=Decimal(spot[group_id]) if group_id in spot else None,
            spot_check_weight=year.spot_check_weight,
        )
        for group_id in set(rubric) | set(spot)
    }
