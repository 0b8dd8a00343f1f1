"""The award decision (appraisal/awards.py): candidates, nominations, quotas, the lock, the streak rule, reopening,
recommendations to the county — reached through the real services, as the township and the branches reach them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisal.awards.services import (
    advanced_group_candidates,
    award_decide,
    award_nominate,
    award_withdraw,
    excellent_leader_candidates,
    excellent_member_candidates,
    recommend_to_county,
    recommendation_withdraw,
    streak_outcomes,
    year_decide,
    year_reopen,
    year_start_nominating,
)
from appraisal.models import AppraisalYear, Award, GroupScore, ReserveCandidate, RubricItem, SpotCheck, YearReopening
from appraisal.rules import group_year_scores
from groups.models import PartyGroup
from members.models import AnnualReview
from tests.factories import PartyGroupFactory, PartyMemberFactory, elect, grow_township, join

Kind, Status, State = Award.Kind, Award.Status, AppraisalYear.State
EXCELLENT = AnnualReview.Grade.EXCELLENT
LEADER, MEMBER, GROUP = Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER, Kind.ADVANCED_GROUP


def code_of(excinfo) -> str:
    return excinfo.value.code


def make_year(township, y: int, *, state=State.OPEN, **settings) -> AppraisalYear:
    return AppraisalYear.objects.create(township=township, year=y, state=state, **settings)


def set_score(year: AppraisalYear, group: PartyGroup, percent) -> None:
    """Give a group this year score (0–100) from four quarters of one 25-point rubric item."""
    item, _ = RubricItem.objects.get_or_create(year=year, name="工作实绩", defaults={"max_points": Decimal("25")})
    for q in range(1, 5):
        GroupScore.objects.update_or_create(
            year=year, party_group=group, quarter=q, item=item, defaults={"points": Decimal(percent) / 4}
        )


def grade(member, y: int, value=EXCELLENT) -> AnnualReview:
    return AnnualReview.objects.create(member=member, year=y, grade=value)


def snapshot():
    return (
        sorted(Award.objects.values_list("pk", "kind", "status", "amount", "member_id", "party_group_id")),
        sorted(ReserveCandidate.objects.values_list("pk", "list", "member_id")),
        sorted(AppraisalYear.objects.values_list("pk", "state", "decided_by_id")),
    )


@pytest.fixture
def year(org, township_staff):
    """东河乡 2024, taking nominations: scores for its three groups, 民主评议 grades in 罗紫村."""
    y = make_year(org.ta, 2024)
    set_score(y, org.a1_g1, 92)
    set_score(y, org.a1_g2, 70)
    set_score(y, org.a2_g1, 85)
    set_score(y, org.b1_g1, 99)  # township B: never a candidate of 东河乡
    for m in org.a1_g1_members[:2]:
        grade(m, 2024)
    grade(org.a1_g1_members[2], 2024, AnnualReview.Grade.QUALIFIED)
    grade(org.a2_members[1], 2024)
    year_start_nominating(year=y, acting_user=township_staff)
    y.refresh_from_db()
    return y


# --- candidates -------------------------------------------------------------------------------------------------


def test_it_ranks_the_township_groups_by_year_score_with_the_evidence(org, year):
    SpotCheck.objects.create(
        year=year,
        party_group=org.a2_g1,
        checked_on=datetime.date(2024, 6, 1),
        checked_by="乡党委",
        findings="记录不全",
        rating=SpotCheck.Rating.POOR,
        points=Decimal("60"),
        rectification="补齐记录",
        rectify_by=datetime.date(2024, 7, 1),
    )
    ranked = advanced_group_candidates(year)
    assert [c.party_group for c in ranked] == [org.a1_g1, org.a2_g1, org.a1_g2]
    assert [c.rank for c in ranked] == [1, 2, 3]
    top, checked = ranked[0], ranked[1]
    assert top.score == Decimal("92.0") and top.rubric_points == Decimal("92") and top.rubric_max == Decimal("100")
    assert top.rubric_percent == Decimal("92.0") and top.spot_checks == 0
    # 85 from the rubric weighs 80 %, the poor spot check (60) 20 %: 80.0
    assert checked.score == Decimal("80.0") and checked.spot_checks == 1 and checked.spot_poor == 1
    assert checked.spot_average == Decimal("60.0")
    assert [c.party_group for c in advanced_group_candidates(year, villages=[org.a2])] == [org.a2_g1]


def test_the_ranked_scores_are_the_years_scores_whatever_a_group_has(org, year):
    """The ranking computes the scores from its own reads (rubric points, spot checks): the same as
    `group_year_scores` for a group with both, a spot check only, and neither."""
    only_checked, neither = (village.party_groups.first() for village in grow_township(org.ta, 2))
    for group, points in ((org.a2_g1, "60"), (only_checked, "75.5"), (only_checked, "80")):
        SpotCheck.objects.create(
            year=year, party_group=group, checked_on=datetime.date(2024, 6, 1), checked_by="乡党委", findings="—",
            rating=SpotCheck.Rating.FAIR, points=Decimal(points),
        )  # fmt: skip
    ranked = {c.party_group: c.score for c in advanced_group_candidates(year)}
    assert ranked[only_checked] == Decimal("15.6") and ranked[neither] is None  # 77.75 × 20 %
    expected = group_year_scores(year, [g.pk for g in ranked])
    assert {g.pk: score for g, score in ranked.items() if score is not None} == expected


def test_it_lists_the_leaders_of_groups_that_did_well(org, year):
    assert [(c.member, c.party_group, c.score) for c in excellent_leader_candidates(year)] == [
        (org.a1_g1_members[0], org.a1_g1, Decimal("92.0")),
        (org.a2_members[0], org.a2_g1, Decimal("85.0")),
    ]
    set_score(year, org.a2_g1, 79)  # below the "did well" line
    assert [c.member for c in excellent_leader_candidates(year)] == [org.a1_g1_members[0]]


def test_a_leader_counts_at_the_years_end_or_for_most_of_the_year(org, year):
    old, new = org.a2_members[0], org.a2_members[1]
    elect(org.a2_g1, datetime.date(2024, 10, 1), 4, new)  # old led 10 January – 30 September: most of the year
    both = {c.member: c for c in excellent_leader_candidates(year)}
    assert both[old].serving_at_year_end is False and both[old].days_led == 265
    assert both[new].serving_at_year_end is True and both[new].days_led == 92
    later = make_year(org.ta, 2025)  # the old leader led none of 2025
    set_score(later, org.a2_g1, 90)
    assert [c.member for c in excellent_leader_candidates(later)] == [new]


def test_it_lists_members_graded_excellent_with_their_group(org, year):
    found = excellent_member_candidates(year)
    assert [c.member for c in found] == [*org.a1_g1_members[:2], org.a2_members[1]]
    assert found[0].party_group == org.a1_g1 and found[0].score == Decimal("92.0")
    assert [c.member for c in excellent_member_candidates(year, villages=[org.a2])] == [org.a2_members[1]]


def test_the_candidate_selectors_run_a_fixed_number_of_queries(org, year):
    def counts():
        out = []
        for selector in (advanced_group_candidates, excellent_leader_candidates, excellent_member_candidates):
            with CaptureQueriesContext(connection) as ctx:
                selector(year)
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    for village in grow_township(org.ta, 4):
        for group in village.party_groups.all():
            set_score(year, group, 88)
        for member in village.members.all()[:2]:
            grade(member, 2024)
    assert len(advanced_group_candidates(year)) == 7
    assert counts() == before
    assert max(before) <= 8


# --- nominations ------------------------------------------------------------------------------------------------


def test_a_secretary_nominates_in_their_own_village_and_it_is_attributed(org, year, secretary_a1):
    award = award_nominate(year=year, kind=GROUP, party_group=org.a1_g1, reason="工作扎实", acting_user=secretary_a1)
    assert award.status == Status.NOMINATED and award.village == org.a1 and award.amount == 0
    assert award.nominated_by == secretary_a1 and award.nominated_at is not None
    assert award.history.first().history_user == secretary_a1


def test_a_secretary_cannot_nominate_in_another_village_and_nothing_is_written(org, year, secretary_a2):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        award_nominate(year=year, kind=GROUP, party_group=org.a1_g1, reason="越权", acting_user=secretary_a2)
    with pytest.raises(PermissionDenied):
        award_nominate(year=year, kind=MEMBER, member=org.a1_g1_members[0], reason="越权", acting_user=secretary_a2)
    assert snapshot() == before


def test_township_staff_nominate_in_any_village_of_their_township_only(
    org, year, township_staff, township_b_staff, county_viewer
):
    award_nominate(year=year, kind=LEADER, member=org.a2_members[0], reason="带头", acting_user=township_staff)
    for outsider in (township_b_staff, county_viewer):
        with pytest.raises(PermissionDenied):
            award_nominate(year=year, kind=GROUP, party_group=org.a1_g2, reason="越权", acting_user=outsider)
    assert Award.objects.count() == 1


def test_a_nominee_is_nominated_once_per_kind_and_year(org, year, secretary_a1, township_staff):
    member = org.a1_g1_members[0]
    award_nominate(year=year, kind=MEMBER, member=member, reason="优秀", acting_user=secretary_a1)
    with pytest.raises(ValidationError) as e:
        award_nominate(year=year, kind=MEMBER, member=member, reason="再次", acting_user=township_staff)
    assert code_of(e) == "duplicate"
    award_nominate(year=year, kind=LEADER, member=member, reason="组长", acting_user=secretary_a1)  # another kind
    assert Award.objects.filter(member=member).count() == 2


@pytest.mark.parametrize(
    "kind,target,code",
    [
        (MEMBER, lambda o: {"member": o.a1_g1_members[2]}, "not_eligible"),  # graded 合格, not 优秀
        (LEADER, lambda o: {"member": o.a1_g1_members[1]}, "not_eligible"),  # a deputy, not the leader
        (GROUP, lambda o: {"member": o.a1_g1_members[0]}, "target"),
        (Kind.STREAK_BONUS, lambda o: {"member": o.a1_g1_members[0]}, "kind"),
    ],
)
def test_it_refuses_a_nominee_that_does_not_qualify(org, year, secretary_a1, kind, target, code):
    with pytest.raises(ValidationError) as e:
        award_nominate(year=year, kind=kind, reason="理由", acting_user=secretary_a1, **target(org))
    assert code_of(e) == code
    assert not Award.objects.exists()


def test_a_nomination_needs_a_reason_and_the_nominating_stage(org, year, secretary_a1):
    with pytest.raises(ValidationError) as e:
        award_nominate(year=year, kind=GROUP, party_group=org.a1_g1, reason="  ", acting_user=secretary_a1)
    assert code_of(e) == "reason"
    scoring = make_year(org.ta, 2025)
    set_score(scoring, org.a1_g1, 90)
    with pytest.raises(ValidationError) as e:
        award_nominate(year=scoring, kind=GROUP, party_group=org.a1_g1, reason="好", acting_user=secretary_a1)
    assert code_of(e) == "state"
    assert not Award.objects.exists()


def test_a_branch_withdraws_its_nomination_but_not_a_decided_award(
    org, year, secretary_a1, secretary_a2, township_staff
):
    kept = award_nominate(year=year, kind=GROUP, party_group=org.a1_g1, reason="好", acting_user=secretary_a1)
    gone = award_nominate(year=year, kind=MEMBER, member=org.a1_g1_members[0], reason="好", acting_user=secretary_a1)
    with pytest.raises(PermissionDenied):
        award_withdraw(award=gone, acting_user=secretary_a2)
    award_withdraw(award=gone, acting_user=secretary_a1)
    assert not Award.objects.filter(pk=gone.pk).exists()
    assert Award.history.filter(id=gone.pk, history_type="-").get().history_user == secretary_a1
    award_decide(year=year, awards=[kept], acting_user=township_staff)
    with pytest.raises(ValidationError) as e:
        award_withdraw(award=kept, acting_user=secretary_a1)
    assert code_of(e) == "decided"


# --- the township's decision and the quotas ---------------------------------------------------------------------


@pytest.fixture
def groups_nominated(org, year, township_staff):
    extra = [PartyGroupFactory(village=org.a2, name=f"井阳{k}组") for k in range(2)]
    for g in extra:
        set_score(year, g, 60)
    return [
        award_nominate(year=year, kind=GROUP, party_group=g, reason="先进", acting_user=township_staff)
        for g in (org.a1_g1, org.a1_g2, org.a2_g1, *extra)
    ]


def test_the_township_decides_up_to_the_quota_with_the_years_amount(org, year, township_staff, groups_nominated):
    year.advanced_group_quota = 3
    year.advanced_group_amount = Decimal("300.00")
    year.save()
    award_decide(year=year, awards=groups_nominated[:3], acting_user=township_staff)
    decided = Award.objects.filter(status=Status.DECIDED)
    assert decided.count() == 3
    assert {a.amount for a in decided} == {Decimal("300.00")}
    assert {a.decided_by for a in decided} == {township_staff}
    assert Award.objects.get(pk=groups_nominated[3].pk).status == Status.NOMINATED


def test_one_more_than_the_quota_is_refused_with_the_quota_and_nothing_is_written(
    org, year, township_staff, groups_nominated
):
    year.advanced_group_quota = 3
    year.save()
    chosen = groups_nominated[:2]  # 罗紫三四社 ranks below 井阳一二社: a reason is needed
    award_decide(year=year, awards=chosen, reasons={a.pk: "乡党委研究决定" for a in chosen}, acting_user=township_staff)
    before = snapshot()
    with pytest.raises(ValidationError) as e:
        award_decide(
            year=year,
            awards=groups_nominated[:4],
            acting_user=township_staff,
            publicity=(datetime.date(2025, 1, 5), datetime.date(2025, 1, 11)),
        )
    assert code_of(e) == "quota"
    assert e.value.params["quota"] == 3 and e.value.params["n"] == 4 and e.value.params["kind"] == GROUP
    assert "3" in e.value.messages[0]
    assert snapshot() == before
    year.refresh_from_db()
    assert year.publicity_starts_on is None


def test_the_decision_is_the_set_chosen_and_keeps_the_publicity_dates(org, year, township_staff, groups_nominated):
    why = {a.pk: "乡党委研究决定" for a in groups_nominated}  # each choice passes over a higher-ranked group
    award_decide(year=year, awards=groups_nominated[:2], reasons=why, acting_user=township_staff)
    dates = (datetime.date(2025, 1, 5), datetime.date(2025, 1, 11))
    award_decide(year=year, awards=groups_nominated[1:3], reasons=why, acting_user=township_staff, publicity=dates)
    statuses = dict(Award.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in groups_nominated] == ["nominated", "decided", "decided", "nominated", "nominated"]
    assert Award.objects.get(pk=groups_nominated[0].pk).amount == 0
    year.refresh_from_db()
    assert (year.publicity_starts_on, year.publicity_ends_on) == dates
    with pytest.raises(ValidationError) as e:
        award_decide(year=year, awards=[], acting_user=township_staff, publicity=(dates[1], dates[0]))
    assert code_of(e) == "publicity"


def test_only_the_township_decides(org, year, secretary_a1, county_viewer, township_b_staff, groups_nominated):
    before = snapshot()
    for user in (secretary_a1, county_viewer, township_b_staff):
        with pytest.raises(PermissionDenied):
            award_decide(year=year, awards=groups_nominated[:1], acting_user=user)
        with pytest.raises(PermissionDenied):
            year_decide(year=year, acting_user=user)
    assert snapshot() == before


# --- the lock ---------------------------------------------------------------------------------------------------


def test_deciding_the_year_locks_it_and_says_who_and_when(org, year, township_staff, secretary_a1, groups_nominated):
    member = award_nominate(
        year=year, kind=MEMBER, member=org.a1_g1_members[0], reason="优秀", acting_user=secretary_a1
    )
    award_decide(year=year, awards=[groups_nominated[0], member], acting_user=township_staff)
    year_decide(year=year, acting_user=township_staff)
    year.refresh_from_db()
    assert year.state == State.DECIDED and year.is_locked
    assert year.decided_by == township_staff and year.decided_at is not None
    assert year.history.first().history_user == township_staff

    before = snapshot()
    attempts = [
        lambda: award_nominate(year=year, kind=GROUP, party_group=org.a1_g2, reason="迟到", acting_user=secretary_a1),
        lambda: award_withdraw(award=groups_nominated[1], acting_user=township_staff),
        lambda: award_decide(year=year, awards=groups_nominated[:2], acting_user=township_staff),
        lambda: year_decide(year=year, acting_user=township_staff),
        lambda: recommend_to_county(year=year, member=org.a1_g1_members[0], reason="推荐", acting_user=township_staff),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as e:
            attempt()
        assert code_of(e) == "locked"
    assert snapshot() == before


def test_deciding_the_year_refuses_when_a_lowered_quota_is_exceeded(org, year, township_staff, groups_nominated):
    award_decide(year=year, awards=groups_nominated[:3], acting_user=township_staff)
    AppraisalYear.objects.filter(pk=year.pk).update(advanced_group_quota=2)
    with pytest.raises(ValidationError) as e:
        year_decide(year=year, acting_user=township_staff)
    assert code_of(e) == "quota"
    year.refresh_from_db()
    assert year.state == State.NOMINATING


# --- the streak rule --------------------------------------------------------------------------------------------


@pytest.fixture
def veteran(org):
    """罗紫村's 五六社 group, set up in 2019 and led since then by 谢明德."""
    group = PartyGroupFactory(village=org.a1, name="罗紫五六社党小组", established_on=datetime.date(2019, 1, 1))
    xie = PartyMemberFactory(village=org.a1, name="谢明德")
    join([xie, *PartyMemberFactory.create_batch(2, village=org.a1)], group, on=datetime.date(2019, 1, 1))
    elect(group, datetime.date(2019, 1, 10), 3, xie)
    return type("Veteran", (), {"group": group, "xie": xie})


def run_year(township, y, user, *, leaders=(), decide=True, **settings) -> AppraisalYear:
    """A whole year through the services: nominations open, the leaders named and decided, the year decided."""
    year = make_year(township, y, **settings)
    year_start_nominating(year=year, acting_user=user)
    awards = [award_nominate(year=year, kind=LEADER, member=m, reason="带头", acting_user=user) for m in leaders]
    award_decide(year=year, awards=awards, acting_user=user)
    if decide:
        year_decide(year=year, acting_user=user)
    year.refresh_from_db()
    return year


def bonuses(member):
    return sorted(Award.objects.filter(kind=Kind.STREAK_BONUS, member=member).values_list("year__year", "amount"))


def reserve(member, listed=ReserveCandidate.List.VILLAGE_THREE_POSTS):
    return sorted(ReserveCandidate.objects.filter(member=member, list=listed).values_list("year__year", "reason"))


def test_three_years_in_a_row_give_the_bonus_and_a_reserve_entry(org, veteran, township_staff):
    for y in (2023, 2024):
        run_year(org.ta, y, township_staff, leaders=[veteran.xie])
    assert bonuses(veteran.xie) == [] and reserve(veteran.xie) == []
    last = run_year(org.ta, 2025, township_staff, leaders=[veteran.xie])
    assert bonuses(veteran.xie) == [(2025, Decimal("500.00"))]
    assert reserve(veteran.xie) == [(2025, "2023—2025年连续3年被评为优秀党小组长")]
    bonus = Award.objects.get(kind=Kind.STREAK_BONUS)
    assert bonus.status == Status.DECIDED and bonus.village == org.a1 and bonus.decided_by == township_staff
    assert bonus.reason == "2023—2025年连续3年被评为优秀党小组长"
    entry = ReserveCandidate.objects.get(member=veteran.xie)
    assert entry.village == org.a1 and entry.added_by == township_staff and entry.year == last
    assert entry.history.first().history_user == township_staff


def test_the_bonus_amount_and_streak_length_come_from_the_year(org, veteran, township_staff):
    run_year(org.ta, 2024, township_staff, leaders=[veteran.xie])
    run_year(org.ta, 2025, township_staff, leaders=[veteran.xie], streak_years=2, streak_bonus_amount=Decimal("800"))
    assert bonuses(veteran.xie) == [(2025, Decimal("800.00"))]


def test_a_break_gives_nothing(org, veteran, township_staff):
    run_year(org.ta, 2023, township_staff, leaders=[veteran.xie])
    run_year(org.ta, 2024, township_staff, leaders=[])
    run_year(org.ta, 2025, township_staff, leaders=[veteran.xie])
    run_year(org.ta, 2026, township_staff, leaders=[veteran.xie])
    assert bonuses(veteran.xie) == [] and reserve(veteran.xie) == []


def test_a_gap_of_a_calendar_year_is_no_streak(org, veteran, township_staff):
    """2022, 2023 and 2025 named, 2024 not held: three decided years, but not three consecutive ones."""
    for y in (2022, 2023, 2025):
        run_year(org.ta, y, township_staff, leaders=[veteran.xie])
    assert bonuses(veteran.xie) == [] and reserve(veteran.xie) == []
    assert streak_outcomes(AppraisalYear.objects.get(township=org.ta, year=2025)) == []


def test_a_year_not_yet_decided_leaves_the_streak_waiting_then_it_pays_once(org, veteran, township_staff):
    run_year(org.ta, 2023, township_staff, leaders=[veteran.xie])
    pending = run_year(org.ta, 2024, township_staff, leaders=[veteran.xie], decide=False)  # decided award, open year
    run_year(org.ta, 2025, township_staff, leaders=[veteran.xie])
    assert pending.state == State.NOMINATING
    assert bonuses(veteran.xie) == []  # 2024 is not decided: the streak waits, it does not skip the year
    run_year(org.ta, 2026, township_staff, leaders=[veteran.xie])  # 2025–2026 only: still nothing
    assert bonuses(veteran.xie) == []

    year_decide(year=pending, acting_user=township_staff)  # 2023–2026 now run unbroken: paid once, on 2024
    assert bonuses(veteran.xie) == [(2024, Decimal("500.00"))]
    assert reserve(veteran.xie) == [(2024, "2023—2026年连续4年被评为优秀党小组长")]
    run_year(org.ta, 2027, township_staff, leaders=[veteran.xie])
    assert bonuses(veteran.xie) == [(2024, Decimal("500.00"))]  # never twice


def test_the_streak_rule_counts_consecutive_calendar_years_only():
    from appraisal.awards.rules import streak_of, streak_waiting

    def rule(year, decided, named):
        return streak_of(
            year=year, decided_years=decided, named_years=named, bonus_years=(), reserve_years=(), streak_years=3,
            repeatable=False,
        )  # fmt: skip

    assert rule(2025, [2022, 2023], {2022, 2023, 2025}) is None
    assert rule(2025, [2023, 2024], {2023, 2024, 2025}).years == [2023, 2024, 2025]
    assert rule(2025, [2023], {2023, 2024, 2025}) is None  # 2024 open
    assert rule(2024, [2023, 2025], {2023, 2024, 2025}).years == [2023, 2024, 2025]
    assert rule(2025, [2023, 2024], {2023, 2024}) is None  # not named in the year decided
    assert streak_waiting(year=2025, open_years={2024}, named_years={2023, 2025}, streak_years=3) == [2024]
    assert streak_waiting(year=2025, open_years={2022}, named_years={2023, 2025}, streak_years=3) == []


def test_the_bonus_is_once_per_person(org, veteran, township_staff):
    for y in (2021, 2022, 2023, 2024):
        run_year(org.ta, y, township_staff, leaders=[veteran.xie])
    run_year(org.ta, 2025, township_staff, leaders=[])
    for y in (2026, 2027, 2028):
        run_year(org.ta, y, township_staff, leaders=[veteran.xie])
    assert bonuses(veteran.xie) == [(2023, Decimal("500.00"))]
    # the reserve list names him once per streak: 2021–2023, then again for the new streak 2026–2028
    assert [y for y, _ in reserve(veteran.xie)] == [2023, 2028]


def test_a_repeatable_bonus_needs_a_break_and_a_new_full_streak(org, veteran, township_staff):
    for y in (2021, 2022, 2023, 2024):
        run_year(org.ta, y, township_staff, leaders=[veteran.xie], streak_bonus_repeatable=True)
    assert bonuses(veteran.xie) == [(2023, Decimal("500.00"))]  # the fourth year in a row gives no second bonus
    run_year(org.ta, 2025, township_staff, leaders=[], streak_bonus_repeatable=True)
    for y in (2026, 2027):
        run_year(org.ta, y, township_staff, leaders=[veteran.xie], streak_bonus_repeatable=True)
    assert len(bonuses(veteran.xie)) == 1
    run_year(org.ta, 2028, township_staff, leaders=[veteran.xie], streak_bonus_repeatable=True)
    assert bonuses(veteran.xie) == [(2023, Decimal("500.00")), (2028, Decimal("500.00"))]


def test_another_townships_years_do_not_count(org, veteran, township_staff, township_b_staff):
    run_year(org.tb, 2023, township_b_staff)
    run_year(org.ta, 2024, township_staff, leaders=[veteran.xie])
    run_year(org.ta, 2025, township_staff, leaders=[veteran.xie])
    assert streak_outcomes(AppraisalYear.objects.get(township=org.ta, year=2025)) == []
    assert bonuses(veteran.xie) == []


# --- reopening --------------------------------------------------------------------------------------------------


def test_reopening_needs_a_reason_and_the_township(org, veteran, township_staff, secretary_a1):
    year = run_year(org.ta, 2025, township_staff, leaders=[veteran.xie])
    with pytest.raises(ValidationError) as e:
        year_reopen(year=year, reason=" ", acting_user=township_staff)
    assert code_of(e) == "reason"
    with pytest.raises(PermissionDenied):
        year_reopen(year=year, reason="更正", acting_user=secretary_a1)
    with pytest.raises(PermissionDenied):  # a command or script must name who reopens: who, when and why are kept
        year_reopen(year=year, reason="更正", acting_user=None)
    year.refresh_from_db()
    assert year.state == State.DECIDED and not YearReopening.objects.exists()


def test_reopening_removes_what_the_decision_made_and_deciding_again_recomputes_it(org, veteran, township_staff):
    for y in (2023, 2024):
        run_year(org.ta, y, township_staff, leaders=[veteran.xie])
    other = org.a1_g1_members[0]  # leader of 罗紫一二社党小组
    year = run_year(org.ta, 2025, township_staff, leaders=[veteran.xie, other])
    assert len(bonuses(veteran.xie)) == 1

    reopening = year_reopen(year=year, reason="谢明德的材料需要更正", acting_user=township_staff)
    year.refresh_from_db()
    assert year.state == State.NOMINATING and year.decided_at is None and year.decided_by is None
    assert reopening.reopened_by == township_staff and reopening.reason == "谢明德的材料需要更正"
    assert bonuses(veteran.xie) == [] and reserve(veteran.xie) == []
    assert Award.history.filter(history_type="-", kind=Kind.STREAK_BONUS).get().history_user == township_staff
    assert Award.objects.filter(year=year, kind=LEADER, status=Status.DECIDED).count() == 2  # the decision stays

    # decided again without 谢明德: no bonus; reopened and decided with him: exactly one bonus again
    award_decide(year=year, awards=list(Award.objects.filter(year=year, member=other)), acting_user=township_staff)
    year_decide(year=year, acting_user=township_staff)
    assert bonuses(veteran.xie) == []
    year_reopen(year=year, reason="恢复原决定", acting_user=township_staff)
    award_decide(year=year, awards=list(Award.objects.filter(year=year, kind=LEADER)), acting_user=township_staff)
    year_decide(year=year, acting_user=township_staff)
    assert bonuses(veteran.xie) == [(2025, Decimal("500.00"))]
    assert len(reserve(veteran.xie)) == 1
    assert YearReopening.objects.filter(year=year).count() == 2


def test_reopening_keeps_the_recommendations_to_the_county(org, veteran, township_staff):
    year = make_year(org.ta, 2025)
    year_start_nominating(year=year, acting_user=township_staff)
    award = award_nominate(year=year, kind=LEADER, member=veteran.xie, reason="带头", acting_user=township_staff)
    award_decide(year=year, awards=[award], acting_user=township_staff)
    recommend_to_county(year=year, member=veteran.xie, reason="优秀组长", acting_user=township_staff)
    year_decide(year=year, acting_user=township_staff)
    year_reopen(year=year, reason="更正", acting_user=township_staff)
    assert reserve(veteran.xie, ReserveCandidate.List.COUNTY_RECOMMENDED) == [(2025, "优秀组长")]


# --- recommendations to the county -----------------------------------------------------------------------------


def test_the_township_recommends_an_outstanding_member_to_the_county(org, year, township_staff, secretary_a1):
    member = org.a1_g1_members[0]
    award = award_nominate(year=year, kind=MEMBER, member=member, reason="优秀", acting_user=secretary_a1)
    with pytest.raises(ValidationError) as e:  # not yet decided
        recommend_to_county(year=year, member=member, reason="推荐", acting_user=township_staff)
    assert code_of(e) == "not_eligible"
    award_decide(year=year, awards=[award], acting_user=township_staff)
    with pytest.raises(PermissionDenied):
        recommend_to_county(year=year, member=member, reason="推荐", acting_user=secretary_a1)
    with pytest.raises(ValidationError) as e:
        recommend_to_county(year=year, member=member, reason="", acting_user=township_staff)
    assert code_of(e) == "reason"
    entry = recommend_to_county(
        year=year, member=member, reason="群众公认，可作乡镇后备干部", acting_user=township_staff
    )
    assert (entry.list, entry.village, entry.added_by) == ("county", org.a1, township_staff)
    with pytest.raises(ValidationError) as e:
        recommend_to_county(year=year, member=member, reason="再次", acting_user=township_staff)
    assert code_of(e) == "duplicate"
    recommendation_withdraw(entry=entry, acting_user=township_staff)
    assert not ReserveCandidate.objects.exists()


def test_reopening_marks_later_decided_years_and_re_deciding_them_waits_for_the_earlier_one(
    org, veteran, township_staff
):
    from appraisal.awards.services import dependent_changes, year_redecide_dependent
    from appraisal.models import DecisionRecord

    years = {y: run_year(org.ta, y, township_staff, leaders=[veteran.xie]) for y in (2023, 2024, 2025, 2026)}
    assert bonuses(veteran.xie) == [(2025, Decimal("500.00"))]
    reopening = year_reopen(year=years[2024], reason="更正2024年度", acting_user=township_staff)
    for y in (2025, 2026):
        years[y].refresh_from_db()
        assert years[y].depends_on == reopening and years[y].state == State.DECIDED
    years[2023].refresh_from_db()
    assert years[2023].depends_on is None
    assert [a.member for a in dependent_changes(years[2025]).bonuses_removed] == [veteran.xie]  # at risk
    with pytest.raises(ValidationError) as e:
        year_redecide_dependent(year=years[2025], reason="复核", acting_user=township_staff)
    assert code_of(e) == "waiting" and bonuses(veteran.xie) == [(2025, Decimal("500.00"))]

    year_decide(year=years[2024], acting_user=township_staff)  # decided again as it was: nothing changes
    assert bonuses(veteran.xie) == [(2025, Decimal("500.00"))]  # not a second bonus on 2024
    with pytest.raises(ValidationError) as e:
        year_redecide_dependent(year=years[2025], reason="", acting_user=township_staff)
    assert code_of(e) == "reason"
    with pytest.raises(PermissionDenied):  # a re-decision names its maker, whoever calls the service
        year_redecide_dependent(year=years[2025], reason="2024年度维持原决定", acting_user=None)
    assert not DecisionRecord.objects.filter(year=years[2025], action=DecisionRecord.Action.REVIEW).exists()
    record = year_redecide_dependent(year=years[2025], reason="2024年度维持原决定", acting_user=township_staff)
    assert (record.decided_by, record.reason) == (township_staff, "2024年度维持原决定") and record.decided_at
    assert record.before == record.after and record.action == DecisionRecord.Action.REVIEW
    assert bonuses(veteran.xie) == [(2025, Decimal("500.00"))]
    years[2025].refresh_from_db()
    assert years[2025].depends_on is None
