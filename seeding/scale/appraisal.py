"""A township's appraisal years: every reported year before this one decided, this year open.

A decided year has what the real steps leave (appraisal.scoring, appraisal.awards): the year's rules (the model's
defaults) and the default rubric, each party group's points per item and quarter, six spot checks (one poor, with
its rectification notice followed up), the 民主评议 grades (优秀 within one third), each branch's year-end appraisal,
and the awards within the quotas: the five best groups (a sixth nominated, not chosen), the ten best-scoring
leaders whose groups scored 80 or more, twenty 优秀 members; then the streak rule (excellent leader three years
running: the one-time bonus and the village reserve list) and one recommendation to the county. A group's quality
carries over from year to year, so the same leaders come back and streaks happen. The open year has the quarters
that have ended scored.

The year scores used to choose are worked out here with the same formula as `appraisal.rules.group_year_scores`.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from appraisal.awards.services import GOOD_GROUP_SCORE, streak_reason
from appraisal.models import AppraisalYear, Award, BranchAppraisal, GroupScore, ReserveCandidate, RubricItem, SpotCheck
from appraisal.rules import QUARTERS
from appraisal.scoring.services import DEFAULT_RUBRIC, branch_total, excellent_allowed, round_tenth
from core import periods
from members.models import AnnualReview
from seeding.scale.plan import Group, Member, Run, Town, at

State = AppraisalYear.State
Kind = Award.Kind
Grade = AnnualReview.Grade
Rating = SpotCheck.Rating
HALF, HUNDRED, ZERO = Decimal("0.5"), Decimal("100"), Decimal("0")
# The model's defaults, which the generated years keep.
QUOTAS = {Kind.ADVANCED_GROUP: 5, Kind.EXCELLENT_LEADER: 10, Kind.EXCELLENT_MEMBER: 20}
AMOUNTS = {
    Kind.ADVANCED_GROUP: Decimal("200.00"),
    Kind.EXCELLENT_LEADER: Decimal("100.00"),
    Kind.EXCELLENT_MEMBER: Decimal("50.00"),
    Kind.STREAK_BONUS: Decimal("500.00"),
}
STREAK_YEARS, EXCELLENT_SHARE = 3, Fraction(1, 3)
SPOT_WEIGHT, GROUP_WORK_WEIGHT = Decimal("20"), Decimal("30")
CHECKED_BY = "乡党委组织委员、乡纪委副书记"
FINDINGS = {
    Rating.GOOD: "党小组会记录完整，每月按时召开；走访台账清楚，群众反映的问题件件有回音。",
    Rating.FAIR: "党小组会按时召开，但会议记录过于简单；走访户数偏少。",
    Rating.POOR: "连续两个月未召开党小组会，会议记录缺失；群众反映的问题未及时向支部报告。",
}
RECTIFY = "一、补开党小组会，补记会议记录；二、逐户回访反映问题的群众并向支部书面报告。"
FOLLOW_UP = "复查：已补开党小组会2次，会议记录齐全，群众反映的问题已协调解决。"


def write_appraisals(run: Run, town: Town) -> None:
    rng = run.rng_for(town.number, "appraisal")
    history = _History()
    for year in run.calendar.decided_years:
        _Year(run, rng, town, year, history).decide()
    _Year(run, rng, town, run.calendar.today.year, history).score()


class _History:
    """Across a township's decided years: who was excellent leader when, bonuses given, reserve-list years."""

    def __init__(self):
        self.named: dict[int, set[int]] = defaultdict(set)
        self.bonus: set[int] = set()
        self.reserved: dict[int, set[int]] = defaultdict(set)


class _Year:
    def __init__(self, run: Run, rng: random.Random, town: Town, year: int, history: _History):
        self.run, self.rng, self.town, self.year, self.history = run, rng, town, year, history
        self.w = run.writer
        self.id = self.w.new_id(AppraisalYear)
        self.points: dict[int, Decimal] = defaultdict(Decimal)  # rubric points per group over the quarters
        self.spot: dict[int, list[Decimal]] = defaultdict(list)
        self.scores: dict[int, Decimal] = {}
        self.quality: dict[int, float] = {}
        self.decided_at = min(at(datetime.date(year + 1, 1, 15), 10), run.calendar.now)

    # --- the open year -------------------------------------------------------------------------------------------

    def score(self) -> None:
        """The current year: opened, the quarters that have ended scored, a spot check or two."""
        self._write_year(decided=False)
        self._rubric_and_scores()
        self._spot_checks(2, poor=False)

    # --- a decided year ------------------------------------------------------------------------------------------

    def decide(self) -> None:
        self._write_year(decided=True)
        self._rubric_and_scores()
        self._spot_checks(6, poor=True)
        self._year_scores()
        excellent = self._reviews()
        self._branch_appraisals()
        self._awards(excellent)

    def _write_year(self, *, decided: bool) -> None:
        y, staff = self.year, self.town.staff_id
        row = (
            (self.id, self.town.id, y, State.DECIDED, datetime.date(y + 1, 1, 5), datetime.date(y + 1, 1, 11),
             f"中共{self.town.name}委员会", datetime.date(y + 1, 1, 15), self.decided_at, staff)
            if decided
            else (self.id, self.town.id, y, State.OPEN, None, None, f"中共{self.town.name}委员会", None, None, None)
        )  # fmt: skip
        self.w.add(AppraisalYear, row)

    def _rubric_and_scores(self) -> None:
        items = []
        for n, d in enumerate(DEFAULT_RUBRIC, start=1):
            item_id = self.w.new_id(RubricItem)
            max_points = Decimal(d.max_points)
            self.w.add(RubricItem, (item_id, self.id, d.name, max_points, d.source, d.target, d.evidence, n))
            items.append((item_id, max_points, d.evidence or d.name))
        today, rng = self.run.calendar.today, self.rng
        for quarter in range(1, QUARTERS + 1):
            if not periods.quarter_ended(self.year, quarter, today):
                break
            ends = periods.quarter_months(self.year, quarter)[-1]
            entered = min(at(ends.replace(day=28) + datetime.timedelta(days=10), 16), self.run.calendar.now)
            for group in self.town.groups:
                quality = self._quality(group)
                for item_id, max_points, evidence in items:
                    share = Decimal(str(round(min(1.0, max(0.0, quality + rng.uniform(-0.06, 0.06))), 3)))
                    points = min(max_points, (max_points * share / HALF).quantize(Decimal(1), ROUND_HALF_UP) * HALF)
                    self.points[group.id] += points
                    text = f"{self.year}年第{quarter}季度考核：{evidence}，考核组核定"
                    row = (
                        self.w.new_id(GroupScore),
                        self.id,
                        group.id,
                        quarter,
                        item_id,
                        points,
                        text,
                        self.town.staff_id,
                    )
                    self.w.add(GroupScore, row + (entered,))

    def _quality(self, group: Group) -> float:
        """The group's usual quality, a little better or worse this year (the same for every item of the year)."""
        if group.id not in self.quality:
            self.quality[group.id] = group.quality + self.rng.gauss(0, 0.04)
        return self.quality[group.id]

    def _spot_checks(self, count: int, *, poor: bool) -> None:
        rng, today = self.rng, self.run.calendar.today
        for n, group in enumerate(rng.sample(self.town.groups, min(count, len(self.town.groups)))):
            day = datetime.date(self.year, 4 + n, rng.randint(5, 25))
            if day > today:
                break
            is_poor = poor and n == 0
            rating = Rating.POOR if is_poor else (Rating.GOOD if rng.random() < 0.65 else Rating.FAIR)
            points = Decimal(rng.randint(50, 60) if is_poor else rng.randint(90, 98) if rating == Rating.GOOD else 78)
            rectify_by = day + datetime.timedelta(days=30) if is_poor else None
            rectified = day + datetime.timedelta(days=24) if is_poor and day + datetime.timedelta(24) <= today else None
            self.w.add(
                SpotCheck,
                (
                    self.w.new_id(SpotCheck), self.id, group.id, day, CHECKED_BY, True, rng.random() < 0.7,
                    rng.random() < 0.8, FINDINGS[rating], rating, points, RECTIFY if is_poor else "", rectify_by,
                    rectified, FOLLOW_UP if rectified else "", self.town.staff_id,
                ),
            )  # fmt: skip
            self.spot[group.id].append(points)

    def _year_scores(self) -> None:
        """As appraisal.rules.group_year_scores: rubric share of the maximum, spot checks weighing 20% where held."""
        maximum = sum(Decimal(d.max_points) for d in DEFAULT_RUBRIC) * QUARTERS
        weight = SPOT_WEIGHT / HUNDRED
        for group_id, total in self.points.items():
            base = total / maximum * HUNDRED
            if self.spot.get(group_id):
                base = base * (1 - weight) + sum(self.spot[group_id]) / len(self.spot[group_id]) * weight
            self.scores[group_id] = base.quantize(Decimal("0.1"), ROUND_HALF_UP)

    def _reviews(self) -> set[int]:
        """Each branch's 民主评议; returns the members graded 优秀."""
        rng, excellent = self.rng, set()
        for village in self.town.villages:
            members = village.members
            leaders = {g.leader_on(periods.year_range(self.year)[1]) for g in village.groups}
            allowed = excellent_allowed(len(members), EXCELLENT_SHARE)
            n_excellent = min(allowed, max(1, allowed - rng.randint(0, 3)))
            favoured = [m for m in members if m.id in leaders or any(m.tags)]
            others = [m for m in members if m.id not in leaders and not any(m.tags)]
            rng.shuffle(favoured)
            rng.shuffle(others)
            chosen = {m.id for m in (favoured + others)[:n_excellent]}
            excellent |= chosen
            basic = rng.choice(others).id if others and rng.random() < 0.5 else None
            for m in members:
                grade = Grade.EXCELLENT if m.id in chosen else Grade.BASIC if m.id == basic else Grade.QUALIFIED
                self.w.add(
                    AnnualReview, (self.w.new_id(AnnualReview), m.id, self.year, grade, "", village.secretary_id)
                )
        return excellent

    def _branch_appraisals(self) -> None:
        for village in self.town.villages:
            scores = [self.scores[g.id] for g in village.groups if g.id in self.scores]
            group_points = round_tenth(sum(scores, ZERO) / len(scores)) if scores else ZERO
            township_points = Decimal(self.rng.randint(780, 960)) / 10
            total = branch_total(township_points, group_points, GROUP_WORK_WEIGHT)
            row = (self.w.new_id(BranchAppraisal), self.id, village.id, township_points, group_points, total)
            self.w.add(BranchAppraisal, row + ("乡党委年终考核", self.town.staff_id))

    # --- awards --------------------------------------------------------------------------------------------------

    def _awards(self, excellent: set[int]) -> None:
        y, groups = self.year, self.town.groups
        village_name = {v.id: v.name for v in self.town.villages}
        ranked = sorted(groups, key=lambda g: (-self.scores.get(g.id, ZERO), village_name[g.village_id], g.name))
        for rank, g in enumerate(ranked[: QUOTAS[Kind.ADVANCED_GROUP] + 1], start=1):
            reason = f"{y}年度考核得分{self.scores.get(g.id)}分，全乡第{rank}名；党小组会按月召开，走访群众成效明显。"
            self._award(Kind.ADVANCED_GROUP, g.village_id, reason, group=g, decided=rank <= QUOTAS[Kind.ADVANCED_GROUP])
        leaders = self._leaders()
        chosen = leaders[: QUOTAS[Kind.EXCELLENT_LEADER]]
        for member, group in chosen:
            reason = f"认真履行党小组长职责，所在党小组{y}年度考核得分{self.scores[group.id]}分。"
            self._award(Kind.EXCELLENT_LEADER, member.village_id, reason, member=member)
            self.history.named[member.id].add(y)
        named = {m.id for m, _ in chosen}
        group_of = {m.id: g for g in groups for m in g.members}
        members = [m for v in self.town.villages for m in v.members if m.id in excellent and m.id not in named]
        members.sort(
            key=lambda m: (m.id not in group_of, -self.scores.get(group_of[m.id].id, ZERO) if m.id in group_of else 0,
                           village_name[m.village_id], m.name)
        )  # fmt: skip
        for m in members[: QUOTAS[Kind.EXCELLENT_MEMBER]]:
            self._award(
                Kind.EXCELLENT_MEMBER,
                m.village_id,
                f"{y}年度民主评议优秀；积极参加党小组活动，带头走访群众。",
                member=m,
            )
        self._streaks(chosen)
        if chosen:
            best = chosen[0][0]
            when = min(at(datetime.date(y + 1, 1, 12), 9), self.run.calendar.now)
            reason = f"{y}年度优秀党小组长，群众公认，建议列为乡镇领导后备干部。"
            self._reserve(ReserveCandidate.List.COUNTY_RECOMMENDED, best, reason, when)

    def _leaders(self) -> list[tuple[Member, Group]]:
        """As appraisal.awards' excellent_leader_candidates: who led a group at the year's end or for most of the
        year, whose group scored 80 or more, best score first."""
        start, end = periods.year_range(self.year)
        days_in_year = (end - start).days + 1
        best: dict[int, tuple[tuple[bool, int], Member, Group]] = {}
        for g in self.town.groups:
            by_id = {m.id: m for m in g.members}
            for member_id, began, until in g.terms:
                days = periods.days_in(began, until, start, end)
                at_end = until is None or until > end
                if days <= 0 or not (at_end or days * 2 > days_in_year):
                    continue
                key = (at_end, days)
                if member_id not in best or key > best[member_id][0]:
                    best[member_id] = (key, by_id[member_id], g)
        village_name = {v.id: v.name for v in self.town.villages}
        out = [(m, g) for _, m, g in best.values() if self.scores.get(g.id, ZERO) >= GOOD_GROUP_SCORE]
        out.sort(key=lambda mg: (-self.scores[mg[1].id], village_name[mg[0].village_id], mg[0].name))
        return out

    def _award(self, kind, village_id, reason, *, group=None, member=None, decided=True) -> None:
        y = self.year
        nominated = min(at(datetime.date(y, 12, 20), 9), self.run.calendar.now)
        decided_at = min(at(datetime.date(y + 1, 1, 4), 15), self.run.calendar.now) if decided else None
        secretary = next(v.secretary_id for v in self.town.villages if v.id == village_id)
        self.w.add(
            Award,
            (
                self.w.new_id(Award), self.id, kind, Award.Status.DECIDED if decided else Award.Status.NOMINATED,
                village_id, group.id if group else None, member.id if member else None,
                AMOUNTS[kind] if decided else ZERO, reason, secretary, nominated,
                self.town.staff_id if decided else None, decided_at,
            ),
        )  # fmt: skip

    def _streaks(self, chosen) -> None:
        """The streak rule of appraisal.awards' year_decide: excellent leader in three consecutive decided years."""
        for member, _group in chosen:
            run, y = [], self.year
            while y in self.history.named[member.id]:
                run.append(y)
                y -= 1
            if len(run) < STREAK_YEARS:
                continue
            reason = streak_reason(run)
            if member.id not in self.history.bonus:
                self.history.bonus.add(member.id)
                self.w.add(
                    Award,
                    (
                        self.w.new_id(Award), self.id, Kind.STREAK_BONUS, Award.Status.DECIDED, member.village_id,
                        None, member.id, AMOUNTS[Kind.STREAK_BONUS], reason, None, None, self.town.staff_id,
                        self.decided_at,
                    ),
                )  # fmt: skip
            if not self.history.reserved[member.id] & set(run):
                self.history.reserved[member.id].add(self.year)
                self._reserve(ReserveCandidate.List.VILLAGE_THREE_POSTS, member, reason, self.decided_at)

    def _reserve(self, list_, member: Member, reason: str, when) -> None:
        row = (
            self.w.new_id(ReserveCandidate),
            self.id,
            list_,
            member.id,
            member.village_id,
            reason,
            self.town.staff_id,
        )
        self.w.add(ReserveCandidate, row + (when,))


COLUMNS = {
    AppraisalYear: "id township year state publicity_starts_on publicity_ends_on issuing_unit issued_on decided_at "
    "decided_by",
    RubricItem: "id year name max_points source target evidence position",
    GroupScore: "id year party_group quarter item points evidence entered_by updated_at",
    SpotCheck: "id year party_group checked_on checked_by by_visit by_asking_villagers by_reading_records findings "
    "rating points rectification rectify_by rectified_on follow_up recorded_by",
    AnnualReview: "id member year grade notes entered_by",
    BranchAppraisal: "id year village township_points group_points total notes entered_by",
    Award: "id year kind status village party_group member amount reason nominated_by nominated_at decided_by "
    "decided_at",
    ReserveCandidate: "id year list member village reason added_by added_at",
}
