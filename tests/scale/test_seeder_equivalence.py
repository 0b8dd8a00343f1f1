"""`seed_scale` and the real appraisal services agree: replayed through the services, the generated years come out the
same.

The bulk seeder writes whole appraisal years past the services, calling the same rule functions (appraisal.rules,
appraisal.scoring.rules and .evidence, appraisal.awards.rules). Here one township is seeded for four years on a
pinned day (2022 from May, 2023–2025 decided, 2026 open with its first quarter scored); everything the seeder wrote
for the appraisal is noted, deleted, and every year is replayed, oldest first, through the services on the same day
(the clock pinned), as the township would run it:

- What a rule computes, the services recompute from the same underlying records: each quarter's computed items
  (`scores_compute`, from the generated reports, activities, concerns and ledgers), the year scores
  (`group_year_scores`), each branch's group part and total (`branch_appraisal_enter`), the award amounts
  (`award_decide`), and the streak bonuses and village reserve entries (`year_decide`, from the awards decided in the
  years before, themselves replayed).
- What people chose, the generated data records, and the replay gives it to the services as people give it: the
  spot checks (`spot_check_record`), the 民主评议 grades (`reviews_save`, which refuses more 优秀 than the year's
  share), the township's points for each branch, every nomination including the group nominated and not chosen
  (`award_nominate`, which refuses a leader who did not lead or a member not graded 优秀), the decision
  (`award_decide`, within the quotas) and the recommendation to the county (`recommend_to_county`). The assessor's
  points on the manual item (群众评价) are written back as rows: an input, not a rule, and ~700 service calls.
- The seeder's choices follow the services' rankings: its decided advanced groups, excellent leaders and excellent
  members are the first of `advanced_group_candidates`, `excellent_leader_candidates` and
  `excellent_member_candidates` (members already named leader left out) up to the year's quotas, and its one group
  nominated and not chosen is the next in the ranking.

The seeder's year rules, quarter scores, year scores (as `seed_scale` returns them), branch appraisals, awards (kind,
group or member, status, amount), streak bonuses and reserve entries must then equal the services'. Change a rule in
its one home and both sides follow; change how the seeder applies one (its own threshold, quota, amount, streak
length, weight or average, or what it notes from its records) and a test here fails; let it grade more 优秀 than the
share or nominate someone the rules exclude and the replay itself fails, the services refusing. (The seed gives no
leader a second streak after a break, so whether the bonus may be given again is not exercised here.)
"""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction

from appraisal.awards.rules import quota_of
from appraisal.awards.services import (
    advanced_group_candidates,
    award_decide,
    award_nominate,
    excellent_leader_candidates,
    excellent_member_candidates,
    recommend_to_county,
    year_decide,
    year_start_nominating,
)
from appraisal.models import (
    AppraisalYear,
    Award,
    BranchAppraisal,
    GroupScore,
    ReserveCandidate,
    RubricItem,
    SpotCheck,
)
from appraisal.rules import group_year_scores
from appraisal.scoring.services import (
    RULE_FIELDS,
    appraisal_year_open,
    branch_appraisal_enter,
    reviews_save,
    scores_compute,
    spot_check_record,
)
from groups.models import PartyGroup
from members.models import AnnualReview, PartyMember
from seeding.scale import seed_scale
from seeding.scale.plan import at
from township.models import Township, Village

DAY = datetime.date(2026, 4, 20)
YEARS = 4
SEED = 4  # a township where one leader, excellent since 2022, reaches the streak in 2024 and another in 2025
Kind, Status, State = Award.Kind, Award.Status, AppraisalYear.State
MANUAL = RubricItem.Source.MANUAL
DECIDABLE = (Kind.ADVANCED_GROUP, Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER)


def appraisal_of(township: Township) -> dict:
    """Everything of the township's appraisal a person would compare, by natural keys (years, ids of groups, members
    and villages, item names), so the seeder's rows and the replayed ones can be compared."""
    years = AppraisalYear.objects.filter(township=township)
    awards = Award.objects.filter(year__in=years)
    return {
        "rules": {y.year: tuple(getattr(y, name) for name in RULE_FIELDS) for y in years},
        "quarters": {
            (s.year.year, s.party_group_id, s.quarter, s.item.name): s.points
            for s in GroupScore.objects.filter(year__in=years).select_related("year", "item")
        },
        "year scores": {y.year: group_year_scores(y) for y in years},
        "branches": {
            (b.year.year, b.village_id): (b.township_points, b.group_points, b.total)
            for b in BranchAppraisal.objects.filter(year__in=years).select_related("year")
        },
        "awards": sorted(
            awards.filter(kind__in=DECIDABLE).values_list(
                "year__year", "kind", "status", "village_id", "party_group_id", "member_id", "amount", "decision_reason"
            )
        ),
        "bonuses": sorted(
            awards.filter(kind=Kind.STREAK_BONUS).values_list(
                "year__year", "status", "village_id", "member_id", "amount", "reason"
            )
        ),
        "reserve": sorted(
            ReserveCandidate.objects.filter(year__in=years).values_list(
                "year__year", "list", "village_id", "member_id", "reason"
            )
        ),
    }


def choices_of(township: Township) -> dict:
    """What people chose in each generated year (the inputs the replay gives the services)."""
    years = AppraisalYear.objects.filter(township=township).order_by("year")
    grades: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    for member_id, village_id, y, grade in AnnualReview.objects.filter(member__village__township=township).values_list(
        "member_id", "member__village_id", "year", "grade"
    ):
        grades[(y, village_id)][member_id] = grade
    return {
        "years": [(y.year, y.state, y.publicity_starts_on, y.publicity_ends_on) for y in years],
        "quarters": sorted(set(GroupScore.objects.filter(year__in=years).values_list("year__year", "quarter"))),
        "manual": list(
            GroupScore.objects.filter(year__in=years, item__source=MANUAL).values_list(
                "year__year", "party_group_id", "quarter", "item__name", "points", "evidence"
            )
        ),
        "spot checks": list(
            SpotCheck.objects.filter(year__in=years)
            .order_by("checked_on", "pk")
            .values(
                "year__year",
                "party_group_id",
                "checked_on",
                "checked_by",
                "findings",
                "rating",
                "points",
                "by_visit",
                "by_asking_villagers",
                "by_reading_records",
                "rectification",
                "rectify_by",
            )
        ),
        "grades": dict(grades),
        "township points": {
            (y, v): p
            for y, v, p in BranchAppraisal.objects.filter(year__in=years).values_list(
                "year__year", "village_id", "township_points"
            )
        },
        "nominations": list(
            Award.objects.filter(year__in=years, kind__in=DECIDABLE)
            .order_by("pk")
            .values_list("year__year", "kind", "party_group_id", "member_id", "reason", "status", "decision_reason")
        ),
        "county": list(
            ReserveCandidate.objects.filter(year__in=years, list=ReserveCandidate.List.COUNTY_RECOMMENDED)
            .order_by("pk")
            .values_list("year__year", "member_id", "reason")
        ),
    }


def forget_the_appraisal(township: Township) -> None:
    """Delete what the seeder wrote for the township's appraisal (in bulk, as it came: no history rows)."""
    years = AppraisalYear.objects.filter(township=township)
    for queryset in (
        ReserveCandidate.objects.filter(year__in=years),
        Award.objects.filter(year__in=years),
        BranchAppraisal.objects.filter(year__in=years),
        SpotCheck.objects.filter(year__in=years),
        GroupScore.objects.filter(year__in=years),
        RubricItem.objects.filter(year__in=years),
        AnnualReview.objects.filter(member__village__township=township),
        years,
    ):
        queryset._raw_delete(queryset.db)


def replay(township: Township, choices: dict, staff) -> None:
    """Every year again, oldest first, through the services, with the people's choices the seeder made."""
    groups = PartyGroup.objects.in_bulk()
    members = PartyMember.objects.in_bulk()
    villages = Village.objects.in_bulk()
    for y, state, publicity_starts, publicity_ends in choices["years"]:
        year = appraisal_year_open(township=township, year=y, acting_user=staff)
        for c in (c for c in choices["spot checks"] if c["year__year"] == y):
            spot_check_record(
                year=year,
                party_group=groups[c["party_group_id"]],
                acting_user=staff,
                **{k: v for k, v in c.items() if k not in ("year__year", "party_group_id")},
            )
        for _, quarter in (q for q in choices["quarters"] if q[0] == y):
            scores_compute(year=year, quarter=quarter, acting_user=staff)
        items = {i.name: i for i in year.rubric.all()}
        GroupScore.objects.bulk_create(
            GroupScore(year=year, party_group_id=g, quarter=q, item=items[name], points=p, evidence=e, entered_by=staff)
            for yy, g, q, name, p, e in choices["manual"]
            if yy == y
        )
        if state != State.DECIDED:
            continue
        for (yy, village_id), grades in choices["grades"].items():
            if yy == y:
                reviews_save(village=villages[village_id], year=year, grades=grades, acting_user=staff)
        for (yy, village_id), points in choices["township points"].items():
            if yy == y:
                village = villages[village_id]
                branch_appraisal_enter(year=year, village=village, township_points=points, acting_user=staff)
        year = year_start_nominating(year=year, acting_user=staff)
        decided, reasons = [], {}
        for yy, kind, group_id, member_id, reason, status, decision_reason in choices["nominations"]:
            if yy != y:
                continue
            award = award_nominate(
                year=year,
                kind=kind,
                party_group=groups.get(group_id),
                member=members.get(member_id),
                reason=reason,
                acting_user=staff,
            )
            if status == Status.DECIDED:
                decided.append(award)
                if decision_reason:  # a tie at the quota: the township says how it was broken
                    reasons[award.pk] = decision_reason
        award_decide(
            year=year,
            awards=decided,
            acting_user=staff,
            publicity=(publicity_starts, publicity_ends),
            reasons=reasons,
        )
        for yy, member_id, reason in choices["county"]:
            if yy == y:
                recommend_to_county(year=year, member=members[member_id], reason=reason, acting_user=staff)
        year_decide(year=year, acting_user=staff)


@pytest.fixture(scope="module")
def both(django_db_setup, django_db_blocker):
    """(what the seeder wrote, what the services made of the same records and choices, the year scores the seeder
    chose by); rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = seed_scale(townships=1, years=YEARS, password="Scale-Test-Pass-1", seed=SEED, today=DAY)
        township = Township.objects.get()
        seeded = appraisal_of(township)
        choices = choices_of(township)
        forget_the_appraisal(township)
        staff = get_user_model().objects.get(username="t0001")
        with time_machine.travel(at(DAY, 12), tick=False):
            replay(township, choices, staff)
        replayed = appraisal_of(township)
        seeder_scores = {y: scores for (_, y), scores in result.year_scores.items()}
        yield seeded, replayed, seeder_scores, choices
        transaction.set_rollback(True)


def test_it_keeps_the_rules_the_service_opens_a_year_with(both, db):
    seeded, replayed, _, _ = both
    assert seeded["rules"] == replayed["rules"]
    assert sorted(seeded["rules"]) == [2022, 2023, 2024, 2025, 2026]


def test_it_scores_every_quarter_as_the_scoring_service_does_from_the_records(both, db):
    seeded, replayed, _, choices = both
    assert seeded["quarters"] == replayed["quarters"]
    computed = {k: v for k, v in seeded["quarters"].items() if k[3] != "群众评价"}
    assert len(computed) > len(choices["manual"]) * 4  # five computed items for each manual one
    assert len(set(computed.values())) > 5  # not all full marks: the records vary
    assert (2026, 1) in choices["quarters"] and (2026, 2) not in choices["quarters"]


def test_it_chooses_by_the_year_scores_the_services_give(both, db):
    seeded, replayed, seeder_scores, _ = both
    decided = {y: scores for y, scores in replayed["year scores"].items() if y < DAY.year}
    assert seeder_scores == decided
    assert seeded["year scores"] == replayed["year scores"]


def test_it_appraises_each_branch_as_the_service_does(both, db):
    seeded, replayed, _, _ = both
    assert seeded["branches"] == replayed["branches"]
    assert len(seeded["branches"]) >= 4 * 8


def test_it_awards_the_same_with_the_same_amounts(both, db):
    seeded, replayed, _, _ = both
    assert seeded["awards"] == replayed["awards"]
    assert any(award[-1] for award in seeded["awards"])  # a tie at the quota, with the reason the service asks for


def test_it_gives_the_same_streak_bonuses_and_reserve_entries(both, db):
    seeded, replayed, _, _ = both
    assert seeded["bonuses"] == replayed["bonuses"]
    assert seeded["reserve"] == replayed["reserve"]
    assert len(seeded["bonuses"]) == 2  # the streaks the seed gives: there is something to compare
    assert {r[1] for r in seeded["reserve"]} == set(ReserveCandidate.List.values)


def test_it_chooses_the_top_of_the_services_rankings_within_the_quotas(both, db):
    _, _, _, choices = both
    township = Township.objects.get()
    for year in AppraisalYear.objects.filter(township=township, state=State.DECIDED):
        chosen: dict[str, list[int]] = defaultdict(list)
        runner_up = []
        for y, kind, group_id, member_id, _reason, status, _why in choices["nominations"]:
            if y == year.year:
                (chosen[kind] if status == Status.DECIDED else runner_up).append(group_id or member_id)
        groups = [c.party_group.pk for c in advanced_group_candidates(year)]
        quota = quota_of(year, Kind.ADVANCED_GROUP)
        assert chosen[Kind.ADVANCED_GROUP] == groups[:quota]
        assert runner_up == groups[quota : quota + 1]
        leaders = [c.member.pk for c in excellent_leader_candidates(year)]
        assert chosen[Kind.EXCELLENT_LEADER] == leaders[: quota_of(year, Kind.EXCELLENT_LEADER)]
        named = set(chosen[Kind.EXCELLENT_LEADER])
        graded = [c.member.pk for c in excellent_member_candidates(year) if c.member.pk not in named]
        assert chosen[Kind.EXCELLENT_MEMBER] == graded[: quota_of(year, Kind.EXCELLENT_MEMBER)]
