"""Regular appraisal (定期考核), spot checks (不定期抽查), 民主评议 grades and the branch's year-end appraisal.

Services (writes) are keyword-only, run in one transaction, take the acting user (recorded in the history rows),
refuse every change to a decided year (`rules.ensure_not_locked`, code "locked") and raise ValidationError with a
code, keyed by the form field a person would change. What the computed items read and how they score is in
`appraisal.scoring.evidence`; the pages' reads are in `appraisal.scoring.selectors`.

The rubric's items and maxima are kept with the year, so a past year is shown and recomputed as it was decided.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction  # noqa: F401 — read from here (the 优秀 share is a Fraction)

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from appraisal.models import AppraisalYear, BranchAppraisal, GroupScore, RubricItem, SpotCheck
from appraisal.rules import QUARTERS, ensure_not_locked, group_year_scores
from appraisal.scoring.evidence import CENT, SCORERS, ZERO, QuarterFacts
from appraisal.scoring.rules import (  # noqa: F401 — the pages and the demo read round_tenth from here
    branch_group_points,
    branch_total,
    excellent_allowed,
    round_tenth,
    share_text,
)
from core import clock
from core.periods import quarter_range, year_range
from core.stamp import stamp, user_or_none
from core.words import day_cn
from groups.models import PartyGroup
from members.models import AnnualReview, PartyMember
from township.capabilities import require
from township.models import Township, Village

Source = RubricItem.Source
Grade = AnnualReview.Grade
Rating = SpotCheck.Rating
HUNDRED = Decimal("100")
TENTH = Decimal("0.1")

# The rules a year carries; a new year starts from the township's latest year (or the model's defaults).
RULE_FIELDS = (
    "advanced_group_quota",
    "excellent_leader_quota",
    "excellent_member_quota",
    "advanced_group_amount",
    "excellent_leader_amount",
    "excellent_member_amount",
    "streak_bonus_amount",
    "streak_years",
    "streak_bonus_repeatable",
    "excellent_share_numerator",
    "excellent_share_denominator",
    "spot_check_weight",
    "group_work_weight",
    "issuing_unit",
)


@dataclass(frozen=True)
class DefaultItem:
    name: str
    max_points: str
    source: str
    target: int = 0
    evidence: str = ""


# The township's first rubric (its data, so in Chinese like the demo data); later years copy the previous year's.
DEFAULT_RUBRIC = (
    DefaultItem("月报按时报送", "20", Source.REPORTS_ON_TIME, evidence="每月月度报告及其报送时间"),
    DefaultItem("每月召开党小组会", "20", Source.MEETINGS_HELD, evidence="已报送月报中的党小组会记录"),
    DefaultItem("入户走访户数", "20", Source.HOUSEHOLDS_REACHED, 30, "已报送月报中各项活动的入户户数"),
    DefaultItem("党情民意按时答复", "20", Source.CONCERNS_ANSWERED, evidence="本季度到期的党情民意及答复日期"),
    DefaultItem("集体经费有决议、有公示", "10", Source.LEDGER_WITH_DECISIONS, evidence="须经村民小组会议决议的收支"),
    DefaultItem("群众评价", "10", Source.MANUAL, evidence="考核组走访群众的评价"),
)


def _locked_year(year: AppraisalYear) -> AppraisalYear:
    """The year's row, locked for the transaction, refused if it is decided: a concurrent decision waits or wins."""
    fresh = AppraisalYear.objects.select_for_update(of=("self",)).select_related("township").get(pk=year.pk)
    ensure_not_locked(fresh)
    return fresh


def _error(field_name: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field_name: error}) if field_name else error


def _raise(errors: dict[str, ValidationError]) -> None:
    if errors:
        raise ValidationError(errors)


# --- the appraisal year -----------------------------------------------------------------------------------------


@transaction.atomic
def appraisal_year_open(*, township: Township, year: int, acting_user, **rules) -> AppraisalYear:
    """Open a township's appraisal year, with the rules and rubric of its latest earlier year (or the defaults:
    quotas 5/10/20, amounts 200/100/50, streak bonus 500 after 3 years, 优秀 at most 1/3) changed by `rules`."""
    require(acting_user, "scores.write", township)
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rules: {', '.join(sorted(unknown))}")
    township = Township.objects.select_for_update().get(pk=township.pk)  # two clerks opening at once: one wins
    if AppraisalYear.objects.filter(township=township, year=year).exists():
        raise _error("year", _("%(t)s already has its %(y)d appraisal.") % {"t": township.name, "y": year}, "duplicate")
    years = AppraisalYear.objects.filter(township=township)
    previous = years.filter(year__lt=year).order_by("-year").first() or years.order_by("-year").first()
    values = {name: getattr(previous, name) for name in RULE_FIELDS} if previous else {}
    values.setdefault("issuing_unit", township.committee_name)
    values["issuing_unit"] = values["issuing_unit"] or township.committee_name
    values.update(rules)
    new = AppraisalYear(township=township, year=year, **values)
    new.full_clean()
    stamp(new, acting_user).save()
    if previous is not None and previous.rubric.exists():
        items = [
            RubricItem(
                year=new,
                name=i.name,
                max_points=i.max_points,
                source=i.source,
                target=i.target,
                evidence=i.evidence,
                position=i.position,
            )
            for i in previous.rubric.all()
        ]
    else:
        items = [
            RubricItem(
                year=new,
                name=d.name,
                max_points=Decimal(d.max_points),
                source=d.source,
                target=d.target,
                evidence=d.evidence,
                position=n,
            )
            for n, d in enumerate(DEFAULT_RUBRIC, start=1)
        ]
    bulk_create_with_history(items, RubricItem, default_user=user_or_none(acting_user))
    return new


@dataclass(frozen=True)
class ComputeResult:
    groups: int
    rows: int
    in_progress: bool  # the quarter has not ended: the figures cover the months so far


def _check_quarter(quarter) -> int:
    if not isinstance(quarter, int) or not 1 <= quarter <= QUARTERS:
        raise _error("quarter", _("Choose a quarter from 1 to 4."), "quarter")
    return quarter


@transaction.atomic
def scores_compute(*, year: AppraisalYear, quarter: int, acting_user) -> ComputeResult:
    """Compute every computed rubric item of the quarter for every party group of the township that existed in it,
    from the monthly reports, concerns and fund ledgers, writing (or rewriting) its GroupScore rows with the evidence.

    A fixed number of queries however many groups: the records are aggregated per group and month in one query each.
    """
    require(acting_user, "scores.write", year)
    year = _locked_year(year)
    quarter = _check_quarter(quarter)
    today = clock.today()
    start, end = quarter_range(year.year, quarter)
    if start > today:
        raise _error("quarter", _("This quarter has not begun; there is nothing to compute yet."), "future")
    items = [i for i in year.rubric.all() if i.source in SCORERS]
    groups = list(PartyGroup.objects.overlapping(start, end).filter(village__township=year.township).order_by("pk"))
    if not items or not groups:
        return ComputeResult(groups=len(groups), rows=0, in_progress=end >= today)
    facts = QuarterFacts.load(year, quarter, [g.pk for g in groups], {i.source for i in items}, today)
    existing = {
        (s.party_group_id, s.item_id): s
        for s in GroupScore.objects.filter(year=year, quarter=quarter, item__in=items, party_group__in=groups)
    }
    user = user_or_none(acting_user)
    now = timezone.now()
    new, changed = [], []
    for group in groups:
        for item in items:
            points, evidence = SCORERS[item.source](item, group, facts)
            score = existing.get((group.pk, item.pk))
            if score is None:
                new.append(
                    GroupScore(
                        year=year,
                        party_group=group,
                        quarter=quarter,
                        item=item,
                        points=points,
                        evidence=evidence,
                        entered_by=user,
                    )
                )
            elif score.points != points or score.evidence != evidence:
                score.points, score.evidence, score.entered_by, score.updated_at = points, evidence, user, now
                changed.append(score)
    if new:
        bulk_create_with_history(new, GroupScore, default_user=user)
    if changed:
        bulk_update_with_history(
            changed, GroupScore, ["points", "evidence", "entered_by", "updated_at"], default_user=user
        )
    return ComputeResult(groups=len(groups), rows=len(new) + len(changed), in_progress=end >= today)


def _check_group_in_year(year: AppraisalYear, party_group: PartyGroup, errors: dict, field_name="party_group"):
    village = Village.objects.only("township_id").get(pk=party_group.village_id)
    if village.township_id != year.township_id:
        errors[field_name] = ValidationError(_("This party group belongs to another township."), code="wrong_township")


@transaction.atomic
def score_enter(
    *,
    year: AppraisalYear,
    party_group: PartyGroup,
    quarter: int,
    item: RubricItem,
    points: Decimal,
    evidence: str,
    acting_user,
) -> GroupScore:
    """Enter (or change) the assessor's points on a manual item: from 0 to the item's maximum, with the evidence."""
    require(acting_user, "scores.write", year)
    year = _locked_year(year)
    quarter = _check_quarter(quarter)
    evidence = (evidence or "").strip()
    errors: dict[str, ValidationError] = {}
    _check_group_in_year(year, party_group, errors)
    if item.year_id != year.pk:
        errors["item"] = ValidationError(_("This item belongs to another year's rubric."), code="wrong_year")
    elif item.source != Source.MANUAL:
        errors["item"] = ValidationError(
            _("“%(i)s” is computed from the records; compute the quarter instead of entering it.") % {"i": item.name},
            code="computed",
        )
    if points is None or isinstance(points, float) or not isinstance(points, Decimal | int):
        errors["points"] = ValidationError(_("Enter the points as a number."), code="invalid")
    else:
        points = Decimal(points)
        if points < 0:
            errors["points"] = ValidationError(_("Points cannot be negative."), code="negative")
        elif "item" not in errors and points > item.max_points:
            errors["points"] = ValidationError(
                _("“%(i)s” is worth at most %(m)s points.") % {"i": item.name, "m": item.max_points},
                code="max_points",
            )
        elif points != points.quantize(CENT):
            errors["points"] = ValidationError(_("Points have at most two decimal places."), code="precision")
    if not evidence:
        errors["evidence"] = ValidationError(
            _("Say what the points rest on (whom you asked, what you saw)."), code="evidence_required"
        )
    _raise(errors)
    score = GroupScore.objects.filter(year=year, party_group=party_group, quarter=quarter, item=item).first()
    if score is None:
        score = GroupScore(year=year, party_group=party_group, quarter=quarter, item=item)
    score.points = points
    score.evidence = evidence
    score.entered_by = user_or_none(acting_user)
    score.full_clean()
    stamp(score, acting_user).save()
    return score


# --- spot checks (不定期抽查) ---------------------------------------------------------------------------------------


@transaction.atomic
def spot_check_record(
    *,
    year: AppraisalYear,
    party_group: PartyGroup,
    checked_on: datetime.date,
    checked_by: str,
    findings: str,
    rating: str,
    points: Decimal,
    by_visit: bool = False,
    by_asking_villagers: bool = False,
    by_reading_records: bool = False,
    rectification: str = "",
    rectify_by: datetime.date | None = None,
    acting_user,
) -> SpotCheck:
    """Record a spot check. A poor rating issues a rectification notice (整改通知书): what to put right, and by when."""
    require(acting_user, "scores.write", year)
    year = _locked_year(year)
    today = clock.today()
    checked_by = (checked_by or "").strip()
    findings = (findings or "").strip()
    rectification = (rectification or "").strip()
    errors: dict[str, ValidationError] = {}
    _check_group_in_year(year, party_group, errors)
    if checked_on is None:
        errors["checked_on"] = ValidationError(_("Enter the day of the check."), code="required")
    elif checked_on.year != year.year:
        errors["checked_on"] = ValidationError(
            _("A check of the %(y)d appraisal is made in %(y)d.") % {"y": year.year}, code="wrong_year"
        )
    elif checked_on > today:
        errors["checked_on"] = ValidationError(_("The date cannot be in the future."), code="future")
    if not checked_by:
        errors["checked_by"] = ValidationError(_("Say who made the check."), code="required")
    if not (by_visit or by_asking_villagers or by_reading_records):
        errors["by_visit"] = ValidationError(_("Tick at least one way the group was checked."), code="no_method")
    if not findings:
        errors["findings"] = ValidationError(_("Write down what the check found."), code="required")
    if rating not in Rating.values:
        errors["rating"] = ValidationError(_("Choose a rating."), code="invalid")
    if points is None or isinstance(points, float) or not isinstance(points, Decimal | int):
        errors["points"] = ValidationError(_("Enter the points as a number."), code="invalid")
    elif not 0 <= Decimal(points) <= HUNDRED:
        errors["points"] = ValidationError(_("Points are from 0 to 100."), code="range")
    if rating == Rating.POOR and not rectification:
        errors["rectification"] = ValidationError(
            _("A poor rating issues a rectification notice: say what must be put right."), code="rectification_required"
        )
    if rectification and rectify_by is None:
        errors["rectify_by"] = ValidationError(_("A rectification notice needs a deadline."), code="deadline_required")
    elif rectify_by is not None and checked_on is not None and rectify_by < checked_on:
        errors["rectify_by"] = ValidationError(
            _("The deadline cannot be before the check."), code="deadline_before_check"
        )
    _raise(errors)
    check = SpotCheck(
        year=year,
        party_group=party_group,
        checked_on=checked_on,
        checked_by=checked_by,
        by_visit=by_visit,
        by_asking_villagers=by_asking_villagers,
        by_reading_records=by_reading_records,
        findings=findings,
        rating=rating,
        points=Decimal(points),
        rectification=rectification,
        rectify_by=rectify_by if rectification else None,
        recorded_by=user_or_none(acting_user),
    )
    check.full_clean()
    stamp(check, acting_user).save()
    return check


@transaction.atomic
def spot_check_follow_up(
    *, check: SpotCheck, rectified_on: datetime.date | None, follow_up: str, acting_user
) -> SpotCheck:
    """Record the follow-up of a rectification notice: what was found on return, and the day it was put right (empty
    while it is not yet put right)."""
    require(acting_user, "scores.write", check.year)
    check = SpotCheck.objects.select_for_update().get(pk=check.pk)
    _locked_year(check.year)
    follow_up = (follow_up or "").strip()
    errors: dict[str, ValidationError] = {}
    if not check.rectification:
        raise _error(None, _("This check issued no rectification notice; there is nothing to follow up."), "no_notice")
    if rectified_on is not None:
        if rectified_on < check.checked_on:
            errors["rectified_on"] = ValidationError(
                _("It cannot be put right before the check (%(d)s).") % {"d": day_cn(check.checked_on)},
                code="before_check",
            )
        elif rectified_on > clock.today():
            errors["rectified_on"] = ValidationError(_("The date cannot be in the future."), code="future")
    if not follow_up:
        errors["follow_up"] = ValidationError(_("Write down what the follow-up found."), code="required")
    _raise(errors)
    check.rectified_on = rectified_on
    check.follow_up = follow_up
    check.full_clean()
    stamp(check, acting_user).save()
    return check


def rectification_state(check: SpotCheck, today: datetime.date | None = None) -> str:
    """ "none" (no notice), "done", "done_late", "overdue" or "pending"."""
    today = today or clock.today()
    if not check.rectification:
        return "none"
    if check.rectified_on is not None:
        return "done" if check.rectify_by is None or check.rectified_on <= check.rectify_by else "done_late"
    return "overdue" if check.rectify_by is not None and check.rectify_by < today else "pending"


def spot_check_draw(*, year: AppraisalYear, count: int, seed: int | None = None) -> list[PartyGroup]:
    """Draw `count` party groups of the township at random for a round of checks: groups not yet checked this year
    first, then the others. The same seed draws the same groups (print it with the round)."""
    if not isinstance(count, int) or count < 1:
        raise _error("count", _("Draw at least one party group."), "count")
    start, end = year_range(year.year)
    in_year = PartyGroup.objects.overlapping(start, end).filter(village__township_id=year.township_id)
    in_year = in_year.select_related("village").order_by("pk")
    # Groups that still exist; for a year whose groups have all been dissolved since, the year's groups.
    groups = list(in_year.not_ended_by(clock.today())) or list(in_year)
    checked = set(SpotCheck.objects.filter(year=year).values_list("party_group_id", flat=True))
    rng = random.Random(seed)  # noqa: S311 — a fair draw, not a secret
    fresh = [g for g in groups if g.pk not in checked]
    again = [g for g in groups if g.pk in checked]
    rng.shuffle(fresh)
    rng.shuffle(again)
    return (fresh + again)[:count]


# --- 民主评议 grades ---------------------------------------------------------------------------------------------


def _year_of(township_id: int, year: AppraisalYear | int) -> AppraisalYear:
    """The township's AppraisalYear (locked for the transaction), or the default rules if it is not open yet."""
    if isinstance(year, AppraisalYear):
        if year.township_id != township_id:
            raise _error(None, _("This appraisal year belongs to another township."), "wrong_township")
        return _locked_year(year)
    found = AppraisalYear.objects.select_for_update().filter(township_id=township_id, year=year).first()
    if found is None:
        return AppraisalYear(township_id=township_id, year=year)  # unsaved: the default rules, never locked
    ensure_not_locked(found)
    return found


def _check_share(rules: AppraisalYear, grades: Mapping[int, str], entitled: int) -> None:
    """The 优秀 share is counted on the `entitled` members of the branch (`excellent_allowed`)."""
    excellent = sum(1 for g in grades.values() if g == Grade.EXCELLENT)
    allowed = excellent_allowed(entitled, rules.excellent_share)
    if excellent > allowed:
        raise _error(
            None,
            _(
                "At most %(share)s of the branch's %(entitled)d members entitled to be reviewed may be graded 优秀: "
                "at most %(allowed)d, and %(excellent)d are. Grade %(over)d fewer 优秀."
            )
            % {
                "share": share_text(rules.excellent_share),
                "entitled": entitled,
                "allowed": allowed,
                "excellent": excellent,
                "over": excellent - allowed,
            },
            "excellent_share",
        )


def members_in_year(village: Village, year: int) -> QuerySet[PartyMember]:
    """The branch's members at some time in the year, by the standing history: those the 民主评议 grades (a year
    wholly under 停止党籍 is not graded)."""
    start, end = year_range(year)
    return PartyMember.objects.filter(village=village).in_party_during(start, end)


@transaction.atomic
def reviews_save(
    *, village: Village, year: AppraisalYear | int, grades: Mapping[int, str | None], acting_user
) -> dict[str, int]:
    """Save a branch's 民主评议 grades at once: {member id: grade, or "" to clear it}. Refused as a whole (nothing
    written) when the 优秀 grades would exceed the year's share of the branch's members entitled to be reviewed."""
    require(acting_user, "reviews.write", village)
    village = Village.objects.select_for_update().get(pk=village.pk)  # one save of a branch's grades at a time
    rules = _year_of(village.township_id, year)
    y = rules.year
    errors: dict[str, ValidationError] = {}
    entitled = set(members_in_year(village, y).values_list("pk", flat=True))
    members = entitled & set(grades)
    for member_id, grade in grades.items():
        if member_id not in members:
            errors[f"grade_{member_id}"] = ValidationError(
                _("Not a member of this branch in %(y)d.") % {"y": y}, code="not_member"
            )
        elif grade and grade not in Grade.values:
            errors[f"grade_{member_id}"] = ValidationError(_("Choose one of the four grades."), code="invalid")
    _raise(errors)
    current = {r.member_id: r for r in AnnualReview.objects.filter(member__village=village, year=y)}
    after = {m: r.grade for m, r in current.items()}
    for member_id, grade in grades.items():
        if grade:
            after[member_id] = grade
        else:
            after.pop(member_id, None)
    _check_share(rules, after, len(entitled))
    user = user_or_none(acting_user)
    new, changed, cleared = [], [], []
    for member_id, grade in grades.items():
        review = current.get(member_id)
        if grade and review is None:
            new.append(AnnualReview(member_id=member_id, year=y, grade=grade, entered_by=user))
        elif grade and review.grade != grade:
            review.grade, review.entered_by = grade, user
            changed.append(review)
        elif not grade and review is not None:
            cleared.append(review)
    if new:
        bulk_create_with_history(new, AnnualReview, default_user=user)
    if changed:
        bulk_update_with_history(changed, AnnualReview, ["grade", "entered_by"], default_user=user)
    for review in cleared:
        stamp(review, acting_user).delete()
    return {"created": len(new), "changed": len(changed), "cleared": len(cleared)}


def review_grade(*, member: PartyMember, year: AppraisalYear | int, grade: str, acting_user) -> AnnualReview:
    """Grade one member in the year's 民主评议 (the 优秀 share is checked as for the whole branch)."""
    if grade not in Grade.values:
        raise _error("grade", _("Choose one of the four grades."), "invalid")
    try:
        reviews_save(village=member.village, year=year, grades={member.pk: grade}, acting_user=acting_user)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and f"grade_{member.pk}" in exc.error_dict:
            raise ValidationError({"member": exc.error_dict[f"grade_{member.pk}"]}) from None
        raise
    y = year.year if isinstance(year, AppraisalYear) else year
    return AnnualReview.objects.get(member=member, year=y)


# --- the branch's year-end appraisal ------------------------------------------------------------------------------


def village_group_points(year: AppraisalYear, village_ids: Iterable[int]) -> dict[int, tuple[Decimal, int]]:
    """Each village's party-group part: (average year score of its groups that have one, how many groups), 0–100."""
    groups = dict(PartyGroup.objects.filter(village_id__in=list(village_ids)).values_list("pk", "village_id"))
    scores = group_year_scores(year, list(groups))
    by_village: dict[int, list[Decimal]] = defaultdict(list)
    for group_id, score in scores.items():
        by_village[groups[group_id]].append(score)
    return {v: (branch_group_points(s), len(s)) for v, s in by_village.items()}


@transaction.atomic
def branch_appraisal_enter(
    *, year: AppraisalYear, village: Village, township_points: Decimal, notes: str = "", acting_user
) -> BranchAppraisal:
    """Enter the township's points for a branch; its party groups' part (their average year score) and the weighted
    total are worked out here, so the figures always agree."""
    require(acting_user, "scores.write", year)
    year = _locked_year(year)
    errors: dict[str, ValidationError] = {}
    if village.township_id != year.township_id:
        errors["village"] = ValidationError(_("This village belongs to another township."), code="wrong_township")
    if township_points is None or isinstance(township_points, float) or not isinstance(township_points, Decimal | int):
        errors["township_points"] = ValidationError(_("Enter the points as a number."), code="invalid")
    else:
        township_points = Decimal(township_points)
        if not ZERO <= township_points <= HUNDRED:
            errors["township_points"] = ValidationError(_("Points are from 0 to 100."), code="range")
        elif township_points != township_points.quantize(TENTH):
            errors["township_points"] = ValidationError(_("Points have at most one decimal place."), code="precision")
    _raise(errors)
    group_points = village_group_points(year, [village.pk]).get(village.pk, (ZERO, 0))[0]
    row = BranchAppraisal.objects.filter(year=year, village=village).first() or BranchAppraisal(
        year=year, village=village
    )
    row.township_points = township_points
    row.group_points = group_points
    row.total = branch_total(township_points, group_points, year.group_work_weight)
    row.notes = (notes or "").strip()
    row.entered_by = user_or_none(acting_user)
    row.full_clean()
    stamp(row, acting_user).save()
    return row


@transaction.atomic
def branch_appraisals_refresh(*, year: AppraisalYear, acting_user) -> int:
    """Bring every entered branch row up to date with the groups' current scores; returns how many changed."""
    require(acting_user, "scores.write", year)
    year = _locked_year(year)
    rows = list(BranchAppraisal.objects.filter(year=year))
    points = village_group_points(year, [r.village_id for r in rows])
    changed = []
    for row in rows:
        group_points = points.get(row.village_id, (ZERO, 0))[0]
        total = branch_total(row.township_points, group_points, year.group_work_weight)
        if (group_points, total) != (row.group_points, row.total):
            row.group_points, row.total, row.entered_by = group_points, total, user_or_none(acting_user)
            changed.append(row)
    if changed:
        bulk_update_with_history(
            changed, BranchAppraisal, ["group_points", "total", "entered_by"], default_user=user_or_none(acting_user)
        )
    return len(changed)
