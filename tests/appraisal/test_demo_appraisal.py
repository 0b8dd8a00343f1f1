"""The demo appraisals (township/demo_appraisal.py): three decided years of 金溪乡 and the current one open, built
once, with the streak rule showing on the survey's own 谢明德 — by itself, through year_decide."""

from __future__ import annotations

from decimal import Decimal

from appraisal.models import AppraisalYear, Award, BranchAppraisal, GroupScore, ReserveCandidate, SpotCheck
from appraisal.rules import group_year_scores
from members.models import AnnualReview
from seeding.demo import appraisal as demo_appraisal
from seeding.demo import build as demo
from tests.shared import shared_fixture

Kind, Status, State = Award.Kind, Award.Status, AppraisalYear.State


def _counts():
    return tuple(
        m.objects.count()
        for m in (AppraisalYear, Award, ReserveCandidate, GroupScore, SpotCheck, AnnualReview, BranchAppraisal)
    )


def _built():
    """The demo county and its appraisals, built twice: the second build finds them and changes nothing."""
    demo.build()
    first = demo_appraisal.build()
    counts = _counts()
    second = demo_appraisal.build()
    return {"first": first, "second": second, "counts": counts, "after": _counts()}


built = shared_fixture("built", _built)  # built once for this module's tests (tests/shared.py)


def awards(name: str, kind: str):
    return sorted(
        Award.objects.filter(
            member__name=name, member__village__name="罗紫村", kind=kind, status=Status.DECIDED
        ).values_list("year__year", flat=True)
    )


def test_it_builds_three_decided_years_and_the_current_one_open_once(built):
    assert built["first"] is True and built["second"] is False
    assert built["after"] == built["counts"]
    years = dict(AppraisalYear.objects.filter(township__name=demo.SURVEYED).values_list("year", "state"))
    assert years == {2023: State.DECIDED, 2024: State.DECIDED, 2025: State.DECIDED, 2026: State.OPEN}
    for y in AppraisalYear.objects.filter(state=State.DECIDED):
        assert y.issuing_unit == "中共金溪乡委员会" and y.decided_at is not None
        assert y.publicity_starts_on and y.publicity_ends_on
        decided = Award.objects.filter(year=y, status=Status.DECIDED)
        assert decided.filter(kind=Kind.ADVANCED_GROUP).count() == y.advanced_group_quota == 5
        assert 0 < decided.filter(kind=Kind.EXCELLENT_LEADER).count() <= y.excellent_leader_quota
        assert 0 < decided.filter(kind=Kind.EXCELLENT_MEMBER).count() <= y.excellent_member_quota
        assert {a.amount for a in decided.filter(kind=Kind.ADVANCED_GROUP)} == {Decimal("200.00")}
        assert {a.amount for a in decided.filter(kind=Kind.EXCELLENT_MEMBER)} == {Decimal("50.00")}
        scores = group_year_scores(y)
        best = sorted(scores.values(), reverse=True)[:5]
        advanced = decided.filter(kind=Kind.ADVANCED_GROUP)
        assert sorted((scores[a.party_group_id] for a in advanced), reverse=True) == best

        reviews = AnnualReview.objects.filter(year=y.year, member__village__township__name=demo.SURVEYED)
        for village_id in set(reviews.values_list("member__village", flat=True)):
            graded = reviews.filter(member__village=village_id)
            assert 0 < graded.filter(grade=AnnualReview.Grade.EXCELLENT).count() * 3 <= graded.count()
        assert BranchAppraisal.objects.filter(year=y).count() == 9
        assert SpotCheck.objects.filter(year=y).count() == 6

    poor = SpotCheck.objects.filter(rating=SpotCheck.Rating.POOR)
    assert poor.count() == 2
    assert all(c.rectification and c.rectify_by and c.rectified_on and c.follow_up for c in poor)
    assert GroupScore.objects.filter(year__year=2026).exists()


def test_the_streak_shows_by_itself_on_xie_mingde_and_a_break_gives_nothing(built):
    assert awards("谢明德", Kind.EXCELLENT_LEADER) == [2023, 2024, 2025]
    bonus = Award.objects.get(kind=Kind.STREAK_BONUS)  # nobody else has three years in a row
    assert (bonus.member.name, bonus.year.year, bonus.amount) == ("谢明德", 2025, Decimal("500.00"))
    entry = ReserveCandidate.objects.get(list=ReserveCandidate.List.VILLAGE_THREE_POSTS)
    assert (entry.member.name, entry.village.name) == ("谢明德", "罗紫村")
    assert entry.reason == "2023—2025年连续3年被评为优秀党小组长"

    assert awards("唐加惠", Kind.EXCELLENT_LEADER) == [2023, 2025]  # the break: no bonus
    assert awards("祝龙贵", Kind.EXCELLENT_LEADER) == [2024, 2025]
    recommended = ReserveCandidate.objects.get(list=ReserveCandidate.List.COUNTY_RECOMMENDED)
    assert (recommended.member.name, recommended.year.year) == ("唐加惠", 2025)
    assert "碎石厂" in recommended.reason
