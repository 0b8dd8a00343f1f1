"""A township's appraisal years: every reported year before this one decided, this year open.

A decided year has what the real steps leave (appraisal.scoring, appraisal.awards): the year's rules (those of an
unsaved AppraisalYear, the model's defaults, written into the year's row and read from it here), the default rubric,
each party group's points per item and quarter, six spot checks (one poor, with its rectification notice followed
up), the 民主评议 grades (优秀 within the year's share), each branch's year-end appraisal, and the awards within the
year's quotas, chosen as a township would from the services' rankings: the best groups (one more nominated, not
chosen), the best leaders who qualify, the best 优秀 members not already named leader; then the streak rule (the
one-time bonus and the village reserve list) and one recommendation to the county. The open year has the quarters
that have ended scored, and a spot check or two.

No rule of the appraisal is worked out here. The computed items are scored from the township's generated records
(`plan.Records`, noted by the other stages) by the scoring service's own scorers (`appraisal.scoring.evidence`: the
points alone, with a one-line evidence naming what they rest on). The year scores, the 优秀 share, the branch
totals, the rankings, who led a group and who qualifies, the quotas, the amounts and the streak rule come from
`appraisal.rules`, `appraisal.scoring.rules` and `appraisal.awards.rules`, which the services call too. The
assessor's item (群众评价) follows the group's quality, which carries over from year to year (and makes its meetings
and reports more regular), so the same leaders come back and streaks happen. `tests/scale/test_seeder_equivalence.py`
replays generated years through the services and compares.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from appraisal.awards.rules import (
    Standing,
    amount_of,
    leader_qualifies,
    quota_of,
    ranking_key,
    ranks,
    reasons_needed,
    streak_of,
    year_leaders,
)
from appraisal.models import AppraisalYear, Award, BranchAppraisal, GroupScore, ReserveCandidate, RubricItem, SpotCheck
from appraisal.rules import QUARTERS, quarters_counted, year_maximum, year_score
from appraisal.scoring.evidence import SCORERS, QuarterFacts
from appraisal.scoring.rules import branch_group_points, branch_total, excellent_allowed
from appraisal.scoring.services import DEFAULT_RUBRIC, RULE_FIELDS
from core import periods
from members.models import AnnualReview
from seeding.scale.plan import Group, Member, Run, Town, at
from seeding.scale.work import DUE_DAY

TIE_REASON = "得分相同，乡党委会议研究：按党小组会召开和走访群众的实绩取舍。"

State = AppraisalYear.State
Kind = Award.Kind
Grade = AnnualReview.Grade
Rating = SpotCheck.Rating
HALF, ZERO = Decimal("0.5"), Decimal("0")
RULES = tuple(name for name in RULE_FIELDS if name != "issuing_unit")  # written into the year's row
CHECKED_BY = "乡党委组织委员、乡纪委副书记"
FINDINGS = {
    Rating.GOOD: "党小组会记录完整，每月按时召开；走访台账清楚，群众反映的问题件件有回音。",
    Rating.FAIR: "党小组会按时召开，但会议记录过于简单；走访户数偏少。",
    Rating.POOR: "连续两个月未召开党小组会，会议记录缺失；群众反映的问题未及时向支部报告。",
}
RECTIFY = "一、补开党小组会，补记会议记录；二、逐户回访反映问题的群众并向支部书面报告。"
FOLLOW_UP = "复查：已补开党小组会2次，会议记录齐全，群众反映的问题已协调解决。"


class _Scored(NamedTuple):
    """A party group as the scorers see it (a PartyGroup's `pk`, `established_on` and `dissolved_on`)."""

    pk: int
    established_on: datetime.date
    dissolved_on: datetime.date | None


def write_appraisals(run: Run, town: Town) -> None:
    rng = run.rng_for(town.number, "appraisal")
    history = _History()
    for year in run.calendar.decided_years:
        _Year(run, rng, town, year, history).decide()
    _Year(run, rng, town, run.calendar.today.year, history).score()


def _ledger_order(entry):
    entry_id, (day, *_rest) = entry
    return day, entry_id


class _History:
    """Across a township's decided years: the years decided, who was excellent leader when, the years of each
    leader's streak bonuses and village reserve entries."""

    def __init__(self):
        self.decided: list[int] = []
        self.named: dict[int, set[int]] = defaultdict(set)
        self.bonus: dict[int, set[int]] = defaultdict(set)
        self.reserved: dict[int, set[int]] = defaultdict(set)


class _Year:
    def __init__(self, run: Run, rng: random.Random, town: Town, year: int, history: _History):
        self.run, self.rng, self.town, self.year, self.history = run, rng, town, year, history
        self.w = run.writer
        self.id = self.w.new_id(AppraisalYear)
        # The year's rules: the model's defaults, as appraisal_year_open gives a township's first year.
        self.rules = AppraisalYear(township_id=town.id, year=year, issuing_unit=f"中共{town.name}委员会")
        self.quarter_maximum = ZERO
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
        self.history.decided.append(self.year)

    def _write_year(self, *, decided: bool) -> None:
        y, staff, unit = self.year, self.town.staff_id, self.rules.issuing_unit
        row = (
            (self.id, self.town.id, y, State.DECIDED, datetime.date(y + 1, 1, 5), datetime.date(y + 1, 1, 11), unit,
             datetime.date(y + 1, 1, 15), self.decided_at, staff)
            if decided
            else (self.id, self.town.id, y, State.OPEN, None, None, unit, None, None, None)
        )  # fmt: skip
        self.w.add(AppraisalYear, row + tuple(getattr(self.rules, name) for name in RULES))

    def _rubric_and_scores(self) -> None:
        """The default rubric; each quarter that has ended scored for every group: the computed items from its
        records by the scoring service's scorers, the assessor's item by the group's quality."""
        items = []
        for n, d in enumerate(DEFAULT_RUBRIC, start=1):
            item = RubricItem(
                id=self.w.new_id(RubricItem),
                name=d.name,
                max_points=Decimal(d.max_points),
                source=d.source,
                target=d.target,
                evidence=d.evidence,
                position=n,
            )
            self.w.add(RubricItem, (item.id, self.id, d.name, item.max_points, d.source, d.target, d.evidence, n))
            items.append(item)
        self.quarter_maximum = sum((i.max_points for i in items), ZERO)
        cal = self.run.calendar
        for quarter in range(1, QUARTERS + 1):
            if not periods.quarter_ended(self.year, quarter, cal.today):
                break  # the quarter has not ended
            start, end = periods.quarter_range(self.year, quarter)
            entered = min(at(end + datetime.timedelta(days=10), 16), cal.now)
            facts = self._facts(quarter, start, end)
            for group in self.town.groups:
                scored = _Scored(group.id, cal.established, None)
                quality = self._quality(group)
                for item in items:
                    scorer = SCORERS.get(item.source)
                    if scorer is not None:  # the points alone: writing the evidence out would cost minutes at scale
                        points = scorer(item, scored, facts, explain=False)[0]
                        evidence = f"{self.year}年第{quarter}季度：{item.evidence}，按记录计算"
                    else:
                        points, evidence = self._assessed(item, quality, quarter)
                    self.points[group.id] += points
                    row = (self.w.new_id(GroupScore), self.id, group.id, quarter, item.id, points, evidence)
                    self.w.add(GroupScore, row + (self.town.staff_id, entered))

    def _facts(self, quarter: int, start: datetime.date, end: datetime.date) -> QuarterFacts:
        """The quarter's facts, as `QuarterFacts.load` reads them from the database, from the township's records."""
        records = self.town.records
        concerns = {
            group_id: [(due, resolved) for due, _id, resolved in sorted(rows) if start <= due <= end]
            for group_id, rows in records.concerns.items()
        }
        entries = {
            group_id: [row for _id, row in sorted(rows.items(), key=_ledger_order) if start <= row[0] <= end]
            for group_id, rows in records.entries.items()
        }
        return QuarterFacts(
            quarter=quarter,
            today=self.run.calendar.today,
            months=periods.quarter_months(self.year, quarter),
            due_day=DUE_DAY,
            reports=records.reports,
            activity=records.activity,
            concerns=concerns,
            entries=entries,
        )

    def _assessed(self, item: RubricItem, quality: float, quarter: int) -> tuple[Decimal, str]:
        """The assessor's points on a manual item: the group's quality this year, give or take, in half points."""
        share = Decimal(str(round(min(1.0, max(0.0, quality + self.rng.uniform(-0.06, 0.06))), 3)))
        points = min(item.max_points, (item.max_points * share / HALF).quantize(Decimal(1), ROUND_HALF_UP) * HALF)
        return points, f"{self.year}年第{quarter}季度考核：{item.evidence or item.name}，考核组核定"

    def _quality(self, group: Group) -> float:
        """The group's usual quality, a little better or worse this year (the same for every quarter of the year)."""
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
        """Each group's year score (`appraisal.rules.year_score`), kept on the run for whoever checks the choices."""
        maximum = year_maximum(self.quarter_maximum, quarters_counted(self.year, self.run.calendar.today))
        for group_id in set(self.points) | set(self.spot):
            checks = self.spot.get(group_id)
            self.scores[group_id] = year_score(
                points=self.points.get(group_id, ZERO),
                maximum=maximum,
                spot_average=sum(checks, ZERO) / len(checks) if checks else None,
                spot_check_weight=self.rules.spot_check_weight,
            )
        self.run.year_scores[(self.town.id, self.year)] = dict(self.scores)

    def _reviews(self) -> set[int]:
        """Each branch's 民主评议, 优秀 within the year's share; returns the members graded 优秀."""
        rng, excellent = self.rng, set()
        for village in self.town.villages:
            members = village.members
            leaders = {g.leader_on(periods.year_range(self.year)[1]) for g in village.groups}
            allowed = excellent_allowed(len(members), self.rules.excellent_share)
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
            group_points = branch_group_points(self.scores[g.id] for g in village.groups if g.id in self.scores)
            township_points = Decimal(self.rng.randint(780, 960)) / 10
            total = branch_total(township_points, group_points, self.rules.group_work_weight)
            row = (self.w.new_id(BranchAppraisal), self.id, village.id, township_points, group_points, total)
            self.w.add(BranchAppraisal, row + ("乡党委年终考核", self.town.staff_id))

    # --- awards --------------------------------------------------------------------------------------------------

    def _awards(self, excellent: set[int]) -> None:
        """The township takes the top of each ranking, within the year's quotas (a member named excellent leader is
        not named excellent member too); the streak rule; the best leader recommended to the county."""
        y, rules, groups = self.year, self.rules, self.town.groups
        village_name = {v.id: v.name for v in self.town.villages}
        ranked = sorted(groups, key=lambda g: ranking_key(self.scores.get(g.id), village_name[g.village_id], g.name))
        quota = quota_of(rules, Kind.ADVANCED_GROUP)
        nominated = ranked[: quota + 1]
        # A group chosen with the same score as the one left out needs the township's reason (award_decide asks it).
        tied = reasons_needed([Standing(g.id, self.scores.get(g.id), n < quota) for n, g in enumerate(nominated)])
        for n, (g, rank) in enumerate(zip(nominated, ranks([self.scores.get(g.id) for g in ranked]), strict=False)):
            reason = f"{y}年度考核得分{self.scores.get(g.id)}分，全乡第{rank}名；党小组会按月召开，走访群众成效明显。"
            why = TIE_REASON if g.id in tied else ""
            self._award(Kind.ADVANCED_GROUP, g.village_id, reason, group=g, decided=n < quota, decision_reason=why)
        chosen = self._leaders(village_name)[: quota_of(rules, Kind.EXCELLENT_LEADER)]
        for member, group in chosen:
            reason = f"认真履行党小组长职责，所在党小组{y}年度考核得分{self.scores[group.id]}分。"
            self._award(Kind.EXCELLENT_LEADER, member.village_id, reason, member=member)
            self.history.named[member.id].add(y)
        named = {m.id for m, _ in chosen}
        for m in self._members(excellent, village_name, named)[: quota_of(rules, Kind.EXCELLENT_MEMBER)]:
            reason = f"{y}年度民主评议优秀；积极参加党小组活动，带头走访群众。"
            self._award(Kind.EXCELLENT_MEMBER, m.village_id, reason, member=m)
        self._streaks(chosen)
        if chosen:
            best = chosen[0][0]
            when = min(at(datetime.date(y + 1, 1, 12), 9), self.run.calendar.now)
            reason = f"{y}年度优秀党小组长，群众公认，建议列为乡镇领导后备干部。"
            self._reserve(ReserveCandidate.List.COUNTY_RECOMMENDED, best, reason, when)

    def _leaders(self, village_name: dict[int, str]) -> list[tuple[Member, Group]]:
        """The excellent-leader candidates as appraisal.awards.services ranks them: who led a group in the year
        (`year_leaders`), whose group qualifies (`leader_qualifies`), best group score first (`ranking_key`)."""
        members = {m.id: m for v in self.town.villages for m in v.members}
        terms = ((member_id, began, until, g) for g in self.town.groups for member_id, began, until in g.terms)
        out = [
            (members[member_id], led.term)
            for member_id, led in year_leaders(terms, self.year).items()
            if leader_qualifies(self.scores.get(led.term.id))
        ]
        out.sort(key=lambda mg: ranking_key(self.scores[mg[1].id], village_name[mg[0].village_id], mg[0].name))
        return out

    def _members(self, excellent: set[int], village_name: dict[int, str], named: set[int]) -> list[Member]:
        """The excellent-member candidates as appraisal.awards.services ranks them (graded 优秀, by their group's score
        at the year's end: `ranking_key`), without those already named excellent leader."""
        group_of = {m.id: g.id for g in self.town.groups for m in g.members}  # the seeder's members never move
        candidates = [m for v in self.town.villages for m in v.members if m.id in excellent and m.id not in named]
        candidates.sort(
            key=lambda m: ranking_key(self.scores.get(group_of.get(m.id)), village_name[m.village_id], m.name)
        )
        return candidates

    def _award(self, kind, village_id, reason, *, group=None, member=None, decided=True, decision_reason="") -> None:
        y = self.year
        nominated = min(at(datetime.date(y, 12, 20), 9), self.run.calendar.now)
        decided_at = min(at(datetime.date(y + 1, 1, 4), 15), self.run.calendar.now) if decided else None
        secretary = next(v.secretary_id for v in self.town.villages if v.id == village_id)
        self.w.add(
            Award,
            (
                self.w.new_id(Award), self.id, kind, Award.Status.DECIDED if decided else Award.Status.NOMINATED,
                village_id, group.id if group else None, member.id if member else None,
                amount_of(self.rules, kind) if decided else ZERO, reason, secretary, nominated,
                self.town.staff_id if decided else None, decided_at, decision_reason,
            ),
        )  # fmt: skip

    def _streaks(self, chosen) -> None:
        """The streak rule as year_decide applies it (`streak_of`, with the year's streak length and bonus rules)."""
        history, rules = self.history, self.rules
        for member, _group in chosen:
            streak = streak_of(
                year=self.year,
                decided_years=history.decided,
                named_years=history.named[member.id],
                bonus_years=history.bonus[member.id],
                reserve_years=history.reserved[member.id],
                streak_years=rules.streak_years,
                repeatable=rules.streak_bonus_repeatable,
            )
            if streak is None:
                continue
            if streak.bonus:
                history.bonus[member.id].add(self.year)
                self.w.add(
                    Award,
                    (
                        self.w.new_id(Award), self.id, Kind.STREAK_BONUS, Award.Status.DECIDED, member.village_id,
                        None, member.id, amount_of(rules, Kind.STREAK_BONUS), streak.reason, None, None,
                        self.town.staff_id, self.decided_at, "",
                    ),
                )  # fmt: skip
            if streak.reserve:
                history.reserved[member.id].add(self.year)
                self._reserve(ReserveCandidate.List.VILLAGE_THREE_POSTS, member, streak.reason, self.decided_at)

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
    "decided_by " + " ".join(RULES),
    RubricItem: "id year name max_points source target evidence position",
    GroupScore: "id year party_group quarter item points evidence entered_by updated_at",
    SpotCheck: "id year party_group checked_on checked_by by_visit by_asking_villagers by_reading_records findings "
    "rating points rectification rectify_by rectified_on follow_up recorded_by",
    AnnualReview: "id member year grade notes entered_by",
    BranchAppraisal: "id year village township_points group_points total notes entered_by",
    Award: "id year kind status village party_group member amount reason nominated_by nominated_at decided_by "
    "decided_at decision_reason",
    ReserveCandidate: "id year list member village reason added_by added_at",
}
