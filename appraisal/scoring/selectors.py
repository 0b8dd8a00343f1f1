"""What the appraisal pages and downloads read: the ranked score table, a quarter's items with their evidence, the
spot checks, the 民主评议 sheet and progress, and the branch table — each in a fixed number of queries however many
party groups, villages or members there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from appraisal.models import AppraisalYear, BranchAppraisal, GroupScore, RubricItem, SpotCheck
from appraisal.rules import QUARTERS, group_year_scores
from appraisal.scoring.evidence import ZERO
from appraisal.scoring.services import Grade, excellent_allowed, members_in_year, round_tenth, village_group_points
from core import clock, periods
from core.periods import year_range
from dues.selectors import dues_up_to_date_many
from groups.models import PartyGroup
from members.models import AnnualReview, PartyMember
from orglife.meetings.models import Kind as MeetingKind
from orglife.meetings.selectors import compliance
from township.models import Village


def groups_of_year(year: AppraisalYear, visible: QuerySet[PartyGroup]) -> QuerySet[PartyGroup]:
    """The party groups in `visible` that belong to the year's township and existed in the year or have scores."""
    groups = visible.filter(village__township_id=year.township_id)
    scored = groups.filter(pk__in=GroupScore.objects.filter(year=year).values("party_group_id"))
    return groups.overlapping(*year_range(year.year)) | scored


@dataclass
class ScoreRow:
    group: PartyGroup
    quarters: list[Decimal | None]
    spot_average: Decimal | None
    spot_count: int
    year_score: Decimal | None
    rank: int | None = None


def quarter_maximum(year: AppraisalYear) -> Decimal:
    return year.rubric.aggregate(m=Sum("max_points"))["m"] or ZERO


def score_table(year: AppraisalYear, groups: QuerySet[PartyGroup]) -> list[ScoreRow]:
    """Every group with its quarter totals, spot-check average and year score, best first (ties share a rank).

    Five queries, however many groups."""
    group_list = list(groups.select_related("village").order_by("village__name", "name"))
    ids = [g.pk for g in group_list]
    totals: dict[tuple[int, int], Decimal] = {
        (g, q): t
        for g, q, t in GroupScore.objects.filter(year=year, party_group_id__in=ids)
        .order_by()
        .values_list("party_group_id", "quarter")
        .annotate(total=Sum("points"))
    }
    spots = {
        g: (a, n)
        for g, a, n in SpotCheck.objects.filter(year=year, party_group_id__in=ids)
        .order_by()
        .values_list("party_group_id")
        .annotate(avg=Avg("points"), n=Count("pk"))
    }
    year_scores = group_year_scores(year, ids)
    rows = [
        ScoreRow(
            group=g,
            quarters=[totals.get((g.pk, q)) for q in range(1, QUARTERS + 1)],
            spot_average=round_tenth(spots[g.pk][0]) if g.pk in spots else None,
            spot_count=spots[g.pk][1] if g.pk in spots else 0,
            year_score=year_scores.get(g.pk),
        )
        for g in group_list
    ]
    rows.sort(key=lambda r: (r.year_score is None, -(r.year_score or ZERO)))
    rank, previous = 0, None
    for n, row in enumerate(rows, start=1):
        if row.year_score is None:
            break
        if row.year_score != previous:
            rank, previous = n, row.year_score
        row.rank = rank
    return rows


@dataclass
class ItemScore:
    item: RubricItem
    score: GroupScore | None


def quarter_detail(year: AppraisalYear, group: PartyGroup, quarter: int) -> list[ItemScore]:
    """Every rubric item of the year with the group's points and evidence for the quarter (two queries)."""
    scores = {
        s.item_id: s
        for s in GroupScore.objects.filter(year=year, party_group=group, quarter=quarter).select_related("entered_by")
    }
    return [ItemScore(item, scores.get(item.pk)) for item in year.rubric.all()]


def group_year_grid(year: AppraisalYear, group: PartyGroup) -> tuple[list[RubricItem], dict]:
    """The year's items and the group's points: {(item id, quarter): points} (two queries)."""
    items = list(year.rubric.all())
    grid = {
        (i, q): p
        for i, q, p in GroupScore.objects.filter(year=year, party_group=group).values_list(
            "item_id", "quarter", "points"
        )
    }
    return items, grid


def spot_checks_for(year: AppraisalYear, visible: QuerySet[SpotCheck]) -> QuerySet[SpotCheck]:
    return (
        visible.filter(year=year).select_related("party_group__village", "recorded_by").order_by("-checked_on", "-pk")
    )


@dataclass
class ReviewSummary:
    village: Village
    graded: int
    excellent: int
    allowed: int
    entitled: int = 0


def review_summaries(rules: AppraisalYear, villages: QuerySet[Village]) -> list[ReviewSummary]:
    """Each branch's members entitled to be reviewed, graded and 优秀 counts for the year against the limit, which
    is counted on the entitled members (one query)."""
    start, end = year_range(rules.year)
    in_year = Q(members__reviews__year=rules.year)
    entitled = (
        PartyMember.objects.filter(village=OuterRef("pk"))
        .in_party_during(start, end)
        .order_by()
        .values("village")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = villages.annotate(
        entitled=Coalesce(Subquery(entitled), Value(0)),
        graded=Count("members__reviews", filter=in_year, distinct=True),
        excellent=Count("members__reviews", filter=in_year & Q(members__reviews__grade=Grade.EXCELLENT), distinct=True),
    ).order_by("name")
    return [
        ReviewSummary(v, v.graded, v.excellent, excellent_allowed(v.entitled, rules.excellent_share), v.entitled)
        for v in rows
    ]


def review_sheet(village: Village, year: int) -> list[PartyMember]:
    """The branch's members in the year, each with `grade` (their current grade or None) and `grade_label`; one
    query."""
    grade = AnnualReview.objects.filter(member=OuterRef("pk"), year=year).values("grade")[:1]
    members = list(
        members_in_year(village, year)
        .only("pk", "name", "status", "village_id", "joined_on", "left_on")
        .annotate(grade=Subquery(grade))
        .order_by("name", "pk")
    )
    for m in members:
        m.grade_label = Grade(m.grade).label if m.grade else ""
    return members


@dataclass
class DuesLine:
    """The dues evidence of a branch's year (党费): how many members owed nothing from January to `through`."""

    clear: int
    members: int
    through: datetime.date  # the last month counted: the year's last, or the month before today

    @property
    def all_clear(self) -> bool:
        return self.clear == self.members


def dues_lines(year: AppraisalYear, villages: list[Village], today: datetime.date | None = None) -> dict[int, DuesLine]:
    """village id → the dues evidence of the appraisal's year (a fixed number of queries); empty before the year's
    first month is over. Evidence only: it carries no points of its own, the rubric's weights stay the township's."""
    as_of = min(today or clock.today(), datetime.date(year.year + 1, 1, 1))
    through = periods.previous_month(periods.month_of(as_of))
    if through.year != year.year:
        return {}
    return {vid: DuesLine(c, n, through) for vid, (c, n) in dues_up_to_date_many(villages, as_of).items()}


@dataclass
class OrgLifeLine:
    """The organisational-life evidence of a branch's year (三会一课 and the rest): meetings due so far, held and
    missing, and the 谈心谈话 held and missing — the compliance table's figures, summed over the kinds."""

    year: int
    due: int
    done: int
    missing: int
    talks_done: int
    talks_missing: int


def orglife_lines(
    year: AppraisalYear, villages: list[Village], today: datetime.date | None = None
) -> dict[int, OrgLifeLine]:
    """village id → the organisational-life evidence of the appraisal's year, from the compliance table (a fixed
    number of queries, however many villages); empty for a year not yet begun. Evidence only, like the dues line:
    it carries no points of its own."""
    today = today or clock.today()
    if not villages or year.year > today.year:
        return {}
    table = compliance(
        Village.objects.filter(pk__in=[v.pk for v in villages]), period="year", year=year.year, n=1, today=today
    )
    lines = {}
    for row in table.rows:
        meetings = [c for kind, c in row.cells.items() if kind != MeetingKind.TALK]
        talk = row.cells.get(MeetingKind.TALK)
        lines[row.village.pk] = OrgLifeLine(
            year=year.year,
            due=sum(c.due for c in meetings),
            done=sum(c.done for c in meetings),
            missing=sum(c.missing for c in meetings),
            talks_done=talk.done if talk else 0,
            talks_missing=talk.missing if talk else 0,
        )
    return lines


@dataclass
class BranchRow:
    village: Village
    appraisal: BranchAppraisal | None
    live_group_points: Decimal | None
    groups_scored: int
    rank: int | None = None
    dues: DuesLine | None = None
    orglife: OrgLifeLine | None = None

    @property
    def stale(self) -> bool:
        """The groups' scores changed since the row was entered."""
        return self.appraisal is not None and (self.live_group_points or ZERO) != self.appraisal.group_points


def branch_table(year: AppraisalYear, villages: QuerySet[Village]) -> list[BranchRow]:
    """Every village of the township in reach, with its entered appraisal and its groups' part now, ranked by total.

    Five queries, however many villages and groups, the dues evidence's six and the organisational life's six."""
    village_list = list(villages.filter(township_id=year.township_id).order_by("name"))
    ids = [v.pk for v in village_list]
    entered = {
        a.village_id: a
        for a in BranchAppraisal.objects.filter(year=year, village_id__in=ids).select_related("entered_by")
    }
    live = village_group_points(year, ids)
    dues = dues_lines(year, village_list)
    orglife = orglife_lines(year, village_list)
    rows = [
        BranchRow(
            village=v,
            appraisal=entered.get(v.pk),
            live_group_points=live.get(v.pk, (None, 0))[0],
            groups_scored=live.get(v.pk, (None, 0))[1],
            dues=dues.get(v.pk),
            orglife=orglife.get(v.pk),
        )
        for v in village_list
    ]
    rows.sort(key=lambda r: (r.appraisal is None, -(r.appraisal.total if r.appraisal else ZERO)))
    rank, previous = 0, None
    for n, row in enumerate(rows, start=1):
        if row.appraisal is None:
            break
        if row.appraisal.total != previous:
            rank, previous = n, row.appraisal.total
        row.rank = rank
    return rows
