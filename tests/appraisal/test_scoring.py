"""The regular appraisal, spot checks, 民主评议 and the branch appraisal (appraisal/scoring.py): computed items from
records made through the real services, manual points within bounds, the lock, the 优秀 share, the random draw, the
rectification rules and the branch total's arithmetic."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from activity.concerns.services import concern_answer, concern_record
from activity.models import Concern, MonthlyReport
from activity.reports.services import activity_save, report_close, report_for, report_reopen, report_submit
from appraisal.models import AppraisalYear, BranchAppraisal, GroupScore, RubricItem, SpotCheck
from appraisal.rules import group_year_scores
from appraisal.scoring import services as scoring
from appraisal.scoring.evidence import quarters_begun
from core import clock
from groups.ledger.services import decision_record, fund_entry_post
from members.models import AnnualReview
from orglife.meetings.models import Kind, Presence
from orglife.meetings.services import Mark, expected_members, meeting_record
from tests.clock import BEIJING, EDGE_INSTANTS
from tests.factories import PartyMemberFactory, grow_township

Source = RubricItem.Source
Grade = AnnualReview.Grade
YEAR = clock.this_year() - 1  # a whole past year: every quarter can be computed
D = Decimal


def day(month: int, d: int) -> datetime.date:
    return datetime.date(YEAR, month, d)


@contextmanager
def at(moment: datetime.date, hour: int = 10):
    """Act as if it were that day (the services read the clock for "today" and for submission times)."""
    when = datetime.datetime(moment.year, moment.month, moment.day, hour, tzinfo=BEIJING)
    with time_machine.travel(when, tick=False):
        yield


def code_of(excinfo) -> str:
    exc = excinfo.value
    if hasattr(exc, "error_dict"):
        return next(iter(exc.error_dict.values()))[0].code
    return exc.code if exc.code else exc.error_list[0].code


def codes_of(excinfo) -> dict[str, str]:
    return {name: errors[0].code for name, errors in excinfo.value.error_dict.items()}


@pytest.fixture
def year(org, township_staff) -> AppraisalYear:
    return scoring.appraisal_year_open(township=org.ta, year=YEAR, acting_user=township_staff)


def item(year: AppraisalYear, source: str) -> RubricItem:
    return year.rubric.get(source=source)


def score(year, group, quarter, source) -> GroupScore:
    return GroupScore.objects.get(year=year, party_group=group, quarter=quarter, item__source=source)


def group_meeting(group, held_on: datetime.date, user):
    """The group's 党小组会, everyone present, recorded the one way there is (organisational life)."""
    members = expected_members(village=group.village, kind=Kind.GROUP, day=held_on, party_group=group)
    return meeting_record(
        village=group.village,
        kind=Kind.GROUP,
        party_group=group,
        held_on=held_on,
        topic="党小组会",
        acting_user=user,
        marks=[Mark(member=m, presence=Presence.PRESENT) for m in members],
    )


def month_report(group, month: int, user, *, kinds=(("meeting", 0),), submit_on: datetime.date | None = None):
    """A month's report with activities (kind, households), submitted on `submit_on` if given."""
    with at(day(month, 28)):
        report = report_for(party_group=group, month=day(month, 1), acting_user=user)
        for kind, households in kinds:
            if kind == "meeting":  # recorded once, in organisational life; the report lists it from there
                group_meeting(group, day(month, 10), user)
                if not households:
                    continue
            activity_save(
                report=report,
                version=MonthlyReport.objects.get(pk=report.pk).version,
                acting_user=user,
                kind="visit",
                held_on=day(month, 10),
                content="入户走访",
                households_reached=households,
            )
        report.refresh_from_db()
    if submit_on is not None:
        with at(submit_on):
            report = report_submit(report=report, version=report.version, acting_user=user)
    return report


# --- opening a year ---------------------------------------------------------------------------------------------


def test_it_opens_a_year_with_the_usual_rules_and_rubric(year, org):
    assert (year.advanced_group_quota, year.excellent_leader_quota, year.excellent_member_quota) == (5, 10, 20)
    assert (year.advanced_group_amount, year.excellent_member_amount, year.streak_bonus_amount) == (
        D("200"),
        D("50"),
        D("500"),
    )
    assert year.excellent_share == scoring.Fraction(1, 3)
    assert year.issuing_unit == org.ta.committee_name
    rubric = list(year.rubric.all())
    assert [i.source for i in rubric] == [
        Source.REPORTS_ON_TIME,
        Source.MEETINGS_HELD,
        Source.HOUSEHOLDS_REACHED,
        Source.CONCERNS_ANSWERED,
        Source.LEDGER_WITH_DECISIONS,
        Source.MANUAL,
    ]
    assert sum(i.max_points for i in rubric) == 100
    assert item(year, Source.HOUSEHOLDS_REACHED).target == 30
    assert rubric[0].history.first().history_user is not None


def test_the_next_year_starts_from_the_previous_years_rules_and_items(year, org, township_staff):
    year.rubric.filter(source=Source.MANUAL).update(max_points=D("15"), name="群众满意度")
    nxt = scoring.appraisal_year_open(
        township=org.ta, year=YEAR + 1, acting_user=township_staff, advanced_group_quota=6
    )
    assert nxt.advanced_group_quota == 6
    assert nxt.rubric.get(source=Source.MANUAL).name == "群众满意度"
    assert nxt.rubric.get(source=Source.MANUAL).max_points == D("15")
    assert year.rubric.count() == nxt.rubric.count() == 6


def test_a_township_has_each_year_once(year, org, township_staff):
    with pytest.raises(ValidationError) as excinfo:
        scoring.appraisal_year_open(township=org.ta, year=YEAR, acting_user=township_staff)
    assert codes_of(excinfo) == {"year": "duplicate"}
    assert AppraisalYear.objects.filter(township=org.ta).count() == 1


# --- computed items ------------------------------------------------------------------------------------------------


def test_reports_on_time_are_scored_month_by_month_with_the_evidence(year, org, secretary_a1, township_staff):
    month_report(org.a1_g1, 1, secretary_a1, submit_on=day(2, 3))  # due on 5 February: on time
    month_report(org.a1_g1, 2, secretary_a1, submit_on=day(3, 9))  # due on 5 March: late
    month_report(org.a1_g1, 3, secretary_a1)  # never submitted
    with translation.override("en"):
        scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    s = score(year, org.a1_g1, 1, Source.REPORTS_ON_TIME)
    assert s.points == D("6.67")  # 20 × 1/3
    assert s.evidence.startswith("1 of 3 months submitted on time")
    assert "January on time" in s.evidence
    assert "February late" in s.evidence
    assert "March not submitted" in s.evidence
    assert s.entered_by == township_staff
    with translation.override("zh-hans"):
        scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    evidence = score(year, org.a1_g1, 1, Source.REPORTS_ON_TIME).evidence
    assert "1月" in evidence and "2月3日" in evidence and "3月9日" in evidence  # months and days the Chinese way


def test_a_month_reopened_and_submitted_again_keeps_the_day_it_first_came_in(year, org, secretary_a1, township_staff):
    report = month_report(org.a1_g1, 1, secretary_a1, submit_on=day(2, 2))
    with at(day(2, 20)):
        report = report_close(report=report, acting_user=secretary_a1)
        report = report_reopen(report=report, reason="补记一次走访", acting_user=secretary_a1)
    with at(day(4, 1)):
        report_submit(report=report, version=report.version, acting_user=secretary_a1)
    scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    assert score(year, org.a1_g1, 1, Source.REPORTS_ON_TIME).points == D("6.67")  # January on time, 2 not in


def test_meetings_and_households_count_only_submitted_reports(year, org, secretary_a1, township_staff):
    month_report(org.a1_g1, 1, secretary_a1, kinds=[("meeting", 12)], submit_on=day(2, 1))
    month_report(org.a1_g1, 2, secretary_a1, kinds=[("visit", 6)], submit_on=day(3, 1))
    month_report(org.a1_g1, 3, secretary_a1, kinds=[("meeting", 50)])  # a draft: not counted yet
    with translation.override("en"):
        scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    meetings = score(year, org.a1_g1, 1, Source.MEETINGS_HELD)
    assert meetings.points == D("6.67")  # a meeting in 1 of 3 months
    assert "January: 1 meeting" in meetings.evidence
    assert "February: no meeting held" in meetings.evidence
    assert "March: report not submitted" in meetings.evidence
    households = score(year, org.a1_g1, 1, Source.HOUSEHOLDS_REACHED)
    assert households.points == D("12.00")  # 18 of the target 30 → 20 × 18/30
    assert households.evidence.startswith("18 households reached (target 30)")


def test_households_beyond_the_target_earn_no_more_than_the_maximum(year, org, secretary_a1, township_staff):
    month_report(org.a1_g1, 1, secretary_a1, kinds=[("visit", 45)], submit_on=day(2, 1))
    scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    assert score(year, org.a1_g1, 1, Source.HOUSEHOLDS_REACHED).points == D("20.00")


def relay(org, user, raised: datetime.date, due: datetime.date) -> Concern:
    return concern_record(
        villager_group=org.a1_vgs[0],
        raised_through=org.a1_g1_members[0],
        raised_on=raised,
        category=Concern.Category.INFRASTRUCTURE,
        content="机耕道垮塌",
        handling=Concern.Handling.BRANCH,
        due_on=due,
        acting_user=user,
    )


def answer(concern: Concern, on: datetime.date, user) -> None:
    concern_answer(concern=concern, answer="已安排修复", answered_by="支部", resolved_on=on, acting_user=user)


def test_concerns_are_scored_by_answers_in_time(year, org, secretary_a1, township_staff):
    answer(relay(org, secretary_a1, day(4, 1), day(4, 15)), day(4, 10), secretary_a1)  # in time
    answer(relay(org, secretary_a1, day(5, 1), day(5, 15)), day(5, 20), secretary_a1)  # late
    relay(org, secretary_a1, day(6, 1), day(6, 15))  # never answered
    relay(org, secretary_a1, day(6, 20), day(7, 5))  # falls due in the next quarter
    with translation.override("en"):
        scoring.scores_compute(year=year, quarter=2, acting_user=township_staff)
    s = score(year, org.a1_g1, 2, Source.CONCERNS_ANSWERED)
    assert s.points == D("6.67")
    assert s.evidence.startswith("1 of 3 concerns that fell due were answered in time")
    assert "not answered" in s.evidence
    other = score(year, org.a1_g2, 2, Source.CONCERNS_ANSWERED)  # nothing fell due: nothing to fault
    assert other.points == D("20")


def test_the_ledger_is_scored_by_decisions_made_and_publicised(year, org, secretary_a1, township_staff):
    vg = org.a1_vgs[0]
    fund_entry_post(
        villager_group=vg, entry_date=day(1, 5), direction="income", amount=D("5000.00"), category="subsidy",
        purpose="补助", acting_user=secretary_a1,
    )  # fmt: skip
    publicised = decision_record(
        villager_group=vg, held_on=day(1, 10), subject="修路", basis="households", entitled=30, present=25,
        votes_for=20, publicised_on=day(1, 12), acting_user=secretary_a1,
    )  # fmt: skip
    quiet = decision_record(
        villager_group=vg, held_on=day(2, 1), subject="修渠", basis="households", entitled=30, present=25,
        votes_for=20, acting_user=secretary_a1,
    )  # fmt: skip
    for when, amount, decision in ((day(1, 15), "1500.00", publicised), (day(2, 5), "2000.00", quiet)):
        fund_entry_post(
            villager_group=vg, entry_date=when, direction="expense", amount=D(amount), category="construction",
            purpose="工程款", decision=decision, acting_user=secretary_a1,
        )  # fmt: skip
    # Below the threshold: needs no decision.
    fund_entry_post(
        villager_group=vg, entry_date=day(2, 6), direction="expense", amount=D("200.00"), category="other",
        purpose="茶水", acting_user=secretary_a1,
    )  # fmt: skip
    with translation.override("en"):
        scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    s = score(year, org.a1_g1, 1, Source.LEDGER_WITH_DECISIONS)
    assert s.points == D("5.00")  # 1 of 2 → 10 × 1/2
    assert s.evidence.startswith("1 of 2 entries needing a meeting decision have one, publicised")
    assert "2,000.00 yuan: the decision was not publicised" in s.evidence


def test_computing_again_rewrites_the_computed_rows_and_keeps_the_assessors(year, org, secretary_a1, township_staff):
    scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    rows = GroupScore.objects.filter(year=year, quarter=1).count()
    assert rows == 3 * 5  # three groups in township A, five computed items
    scoring.score_enter(
        year=year, party_group=org.a1_g1, quarter=1, item=item(year, Source.MANUAL), points=D("8.5"),
        evidence="走访10户，9户满意", acting_user=township_staff,
    )  # fmt: skip
    month_report(org.a1_g1, 1, secretary_a1, submit_on=day(2, 1))
    scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    assert GroupScore.objects.filter(year=year, quarter=1).count() == rows + 1
    assert score(year, org.a1_g1, 1, Source.MANUAL).points == D("8.5")
    assert score(year, org.a1_g1, 1, Source.MEETINGS_HELD).points == D("6.67")
    assert not GroupScore.objects.filter(party_group=org.b1_g1).exists()


def test_computing_a_quarter_runs_a_fixed_number_of_queries(year, org, township_staff):
    def count() -> int:
        GroupScore.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
        return len(ctx)

    small = count()
    grow_township(org.ta, 6)
    big = count()
    assert GroupScore.objects.filter(quarter=1).count() == (3 + 6) * 5
    assert big == small


def test_a_quarter_that_has_not_begun_is_not_computed(org, township_staff):
    future = scoring.appraisal_year_open(township=org.ta, year=clock.this_year() + 1, acting_user=township_staff)
    with pytest.raises(ValidationError) as excinfo:
        scoring.scores_compute(year=future, quarter=1, acting_user=township_staff)
    assert codes_of(excinfo) == {"quarter": "future"}
    assert not GroupScore.objects.exists()


# Which quarters have begun, and whether the last of them is still running, on the day in Beijing.
QUARTERS_AT = {
    datetime.date(2026, 12, 31): {2026: ([1, 2, 3, 4], True), 2027: ([], None)},
    datetime.date(2027, 1, 1): {2026: ([1, 2, 3, 4], False), 2027: ([1], True)},  # still 2026 in UTC
    datetime.date(2028, 2, 29): {2027: ([1, 2, 3, 4], False), 2028: ([1], True)},
}


@pytest.mark.parametrize("now", EDGE_INSTANTS)
def test_it_computes_the_quarters_begun_in_beijing_at_the_edges(now, org, township_staff):
    for y, (begun, in_progress) in QUARTERS_AT[now.date()].items():
        year = scoring.appraisal_year_open(township=org.ta, year=y, acting_user=township_staff)
        assert quarters_begun(year) == begun, y
        if begun:
            result = scoring.scores_compute(year=year, quarter=begun[-1], acting_user=township_staff)
            assert result.in_progress is in_progress, y
        else:
            with pytest.raises(ValidationError) as excinfo:
                scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
            assert codes_of(excinfo) == {"quarter": "future"}


# --- the assessor's points -------------------------------------------------------------------------------------------


def enter(year, group, points, *, source=Source.MANUAL, evidence="走访群众", user=None):
    return scoring.score_enter(
        year=year, party_group=group, quarter=2, item=item(year, source), points=points, evidence=evidence,
        acting_user=user,
    )  # fmt: skip


def test_manual_points_up_to_the_maximum_are_saved_with_who(year, org, township_staff):
    s = enter(year, org.a1_g1, D("10"), user=township_staff)
    assert (s.points, s.entered_by, s.evidence) == (D("10"), township_staff, "走访群众")
    enter(year, org.a1_g1, D("0"), user=township_staff)
    assert GroupScore.objects.get(pk=s.pk).points == 0
    assert GroupScore.objects.filter(year=year).count() == 1


@pytest.mark.parametrize(
    ("points", "source", "evidence", "expected"),
    [
        (D("10.5"), Source.MANUAL, "走访", {"points": "max_points"}),
        (D("-1"), Source.MANUAL, "走访", {"points": "negative"}),
        (D("5"), Source.MEETINGS_HELD, "走访", {"item": "computed"}),
        (D("5"), Source.MANUAL, "  ", {"evidence": "evidence_required"}),
        (5.0, Source.MANUAL, "走访", {"points": "invalid"}),
    ],
)
def test_manual_points_outside_the_rules_are_refused(year, org, township_staff, points, source, evidence, expected):
    with pytest.raises(ValidationError) as excinfo:
        enter(year, org.a1_g1, points, source=source, evidence=evidence, user=township_staff)
    assert codes_of(excinfo) == expected
    assert not GroupScore.objects.exists()


def test_a_group_of_another_township_cannot_be_scored(year, org, township_staff):
    with pytest.raises(ValidationError) as excinfo:
        enter(year, org.b1_g1, D("5"), user=township_staff)
    assert codes_of(excinfo) == {"party_group": "wrong_township"}


# --- the lock ------------------------------------------------------------------------------------------------------


def decide(year: AppraisalYear) -> AppraisalYear:
    AppraisalYear.objects.filter(pk=year.pk).update(state=AppraisalYear.State.DECIDED)
    year.refresh_from_db()
    return year


def writes(year, org, user, check):
    return {
        "compute": lambda: scoring.scores_compute(year=year, quarter=1, acting_user=user),
        "score": lambda: enter(year, org.a1_g1, D("5"), user=user),
        "spot check": lambda: record_check(year, org.a1_g2, user),
        "follow-up": lambda: scoring.spot_check_follow_up(
            check=check, rectified_on=day(6, 1), follow_up="已整改", acting_user=user
        ),
        "reviews": lambda: scoring.reviews_save(
            village=org.a1, year=year, grades={org.a1_loose.pk: Grade.QUALIFIED}, acting_user=user
        ),
        "review": lambda: scoring.review_grade(member=org.a1_loose, year=YEAR, grade=Grade.QUALIFIED, acting_user=user),
        "branch": lambda: scoring.branch_appraisal_enter(
            year=year, village=org.a1, township_points=D("90"), acting_user=user
        ),
        "refresh": lambda: scoring.branch_appraisals_refresh(year=year, acting_user=user),
    }


def test_every_write_to_a_decided_year_is_refused_and_changes_nothing(year, org, township_staff):
    check = record_check(year, org.a1_g1, township_staff, rating="poor", rectification="补齐会议记录")
    scoring.branch_appraisal_enter(year=year, village=org.a2, township_points=D("80"), acting_user=township_staff)
    decide(year)
    before = (
        list(GroupScore.objects.values_list()),
        list(SpotCheck.objects.values_list()),
        list(AnnualReview.objects.values_list()),
        list(BranchAppraisal.objects.values_list()),
    )
    for name, write in writes(year, org, township_staff, check).items():
        with pytest.raises(ValidationError) as excinfo:
            write()
        assert code_of(excinfo) == "locked", name
    after = (
        list(GroupScore.objects.values_list()),
        list(SpotCheck.objects.values_list()),
        list(AnnualReview.objects.values_list()),
        list(BranchAppraisal.objects.values_list()),
    )
    assert after == before


# --- spot checks ---------------------------------------------------------------------------------------------------


def record_check(year, group, user, *, rating="good", points=None, rectification="", rectify_by=None, **extra):
    data = {
        "checked_on": day(5, 20),
        "checked_by": "乡党委组织委员",
        "by_visit": True,
        "findings": "会议记录齐全",
    }
    data.update(extra)
    return scoring.spot_check_record(
        year=year, party_group=group, rating=rating, points=D("85") if points is None else points,
        rectification=rectification,
        rectify_by=rectify_by if rectify_by or not rectification else day(6, 20), acting_user=user, **data,
    )  # fmt: skip


def test_a_spot_check_is_recorded_with_who_checked(year, org, township_staff):
    check = record_check(year, org.a1_g1, township_staff, by_asking_villagers=True)
    assert (check.rating, check.points, check.recorded_by) == ("good", D("85"), township_staff)
    assert check.by_visit and check.by_asking_villagers and not check.by_reading_records
    assert scoring.rectification_state(check) == "none"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"rating": "poor"}, {"rectification": "rectification_required"}),
        ({"by_visit": False}, {"by_visit": "no_method"}),
        ({"checked_on": datetime.date(YEAR - 1, 12, 1)}, {"checked_on": "wrong_year"}),
        ({"points": D("101")}, {"points": "range"}),
        ({"findings": " "}, {"findings": "required"}),
    ],
)
def test_a_spot_check_outside_the_rules_is_refused(year, org, township_staff, changes, expected):
    data = {
        "checked_on": day(5, 20), "checked_by": "组织委员", "by_visit": True, "findings": "台账不全",
        "rating": "fair", "points": D("70"),
    }  # fmt: skip
    data.update(changes)
    with pytest.raises(ValidationError) as excinfo:
        scoring.spot_check_record(year=year, party_group=org.a1_g1, acting_user=township_staff, **data)
    assert codes_of(excinfo) == expected
    assert not SpotCheck.objects.exists()


def test_a_rectification_notice_needs_a_deadline_not_before_the_check(year, org, township_staff):
    base = {
        "checked_on": day(5, 20), "checked_by": "组织委员", "by_visit": True, "findings": "未开会",
        "rating": "poor", "points": D("50"), "rectification": "每月召开党小组会",
    }  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        scoring.spot_check_record(year=year, party_group=org.a1_g1, acting_user=township_staff, **base)
    assert codes_of(excinfo) == {"rectify_by": "deadline_required"}
    with pytest.raises(ValidationError) as excinfo:
        scoring.spot_check_record(
            year=year, party_group=org.a1_g1, acting_user=township_staff, rectify_by=day(5, 1), **base
        )
    assert codes_of(excinfo) == {"rectify_by": "deadline_before_check"}
    check = scoring.spot_check_record(
        year=year, party_group=org.a1_g1, acting_user=township_staff, rectify_by=day(6, 20), **base
    )
    assert (check.rectification, check.rectify_by) == ("每月召开党小组会", day(6, 20))


def test_the_follow_up_records_the_day_it_was_put_right(year, org, township_staff):
    check = record_check(year, org.a1_g1, township_staff, rating="poor", rectification="补齐会议记录")
    assert scoring.rectification_state(check) == "overdue"  # due 20 June of a past year
    check = scoring.spot_check_follow_up(
        check=check, rectified_on=None, follow_up="复查：仍未补齐", acting_user=township_staff
    )
    assert scoring.rectification_state(check) == "overdue"
    check = scoring.spot_check_follow_up(
        check=check, rectified_on=day(6, 18), follow_up="复查：已补齐", acting_user=township_staff
    )
    assert scoring.rectification_state(check) == "done"
    assert check.history.first().history_user == township_staff
    late = scoring.spot_check_follow_up(check=check, rectified_on=day(7, 1), follow_up="补录", acting_user=None)
    assert scoring.rectification_state(late) == "done_late"


def test_a_follow_up_needs_a_notice_and_a_sensible_day(year, org, township_staff):
    good = record_check(year, org.a1_g1, township_staff)
    with pytest.raises(ValidationError) as excinfo:
        scoring.spot_check_follow_up(check=good, rectified_on=None, follow_up="x", acting_user=township_staff)
    assert code_of(excinfo) == "no_notice"
    poor = record_check(year, org.a1_g2, township_staff, rating="poor", rectification="补记台账")
    with pytest.raises(ValidationError) as excinfo:
        scoring.spot_check_follow_up(check=poor, rectified_on=day(5, 1), follow_up="x", acting_user=township_staff)
    assert codes_of(excinfo) == {"rectified_on": "before_check"}


def test_the_draw_takes_groups_not_yet_checked_first(year, org, township_staff):
    grow_township(org.ta, 3)  # six groups in township A
    checked = [org.a1_g1, org.a1_g2]
    for g in checked:
        record_check(year, g, township_staff)
    drawn = scoring.spot_check_draw(year=year, count=4, seed=7)
    assert len(drawn) == 4
    assert not set(drawn) & set(checked)
    assert {g.village.township_id for g in drawn} == {org.ta.pk}
    everyone = scoring.spot_check_draw(year=year, count=10, seed=7)
    assert len(everyone) == 6
    assert set(everyone[4:]) == set(checked)  # the checked ones come last


def test_the_same_draw_number_draws_the_same_groups(year, org):
    grow_township(org.ta, 5)
    first = scoring.spot_check_draw(year=year, count=3, seed=2024)
    assert scoring.spot_check_draw(year=year, count=3, seed=2024) == first
    draws = {tuple(g.pk for g in scoring.spot_check_draw(year=year, count=3, seed=s)) for s in range(20)}
    assert len(draws) > 1  # and other numbers draw differently


def test_the_draw_needs_a_count(year):
    with pytest.raises(ValidationError) as excinfo:
        scoring.spot_check_draw(year=year, count=0)
    assert codes_of(excinfo) == {"count": "count"}


# --- 民主评议 -------------------------------------------------------------------------------------------------------


def a1_members(org):
    return [*org.a1_g1_members, *org.a1_g2_members]  # nine members (the tenth, a1_loose, left ungraded)


def grades_with(org, excellent: int) -> dict[int, str]:
    members = a1_members(org)
    return {m.pk: Grade.EXCELLENT if n < excellent else Grade.QUALIFIED for n, m in enumerate(members)}


def test_exactly_a_third_graded_excellent_is_saved(year, org, secretary_a1):
    result = scoring.reviews_save(village=org.a1, year=year, grades=grades_with(org, 3), acting_user=secretary_a1)
    assert result == {"created": 9, "changed": 0, "cleared": 0}
    assert AnnualReview.objects.filter(year=YEAR, grade=Grade.EXCELLENT).count() == 3
    assert AnnualReview.objects.filter(year=YEAR, entered_by=secretary_a1).count() == 9


def test_one_excellent_over_the_limit_is_refused_with_the_limit_and_nothing_written(year, org, secretary_a1):
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        scoring.reviews_save(village=org.a1, year=year, grades=grades_with(org, 4), acting_user=secretary_a1)
    assert code_of(excinfo) == "excellent_share"
    message = excinfo.value.messages[0]
    assert "1/3" in message and "10 members entitled to be reviewed" in message and "at most 3" in message
    assert not AnnualReview.objects.exists()


def test_the_limit_counts_grades_already_saved(year, org, secretary_a1):
    scoring.reviews_save(village=org.a1, year=year, grades=grades_with(org, 3), acting_user=secretary_a1)
    with pytest.raises(ValidationError) as excinfo:
        scoring.review_grade(member=org.a1_loose, year=YEAR, grade=Grade.EXCELLENT, acting_user=secretary_a1)
    assert code_of(excinfo) == "excellent_share"  # 4 of 10 > 10/3
    review = scoring.review_grade(member=org.a1_loose, year=YEAR, grade=Grade.BASIC, acting_user=secretary_a1)
    assert review.grade == Grade.BASIC
    assert AnnualReview.objects.filter(year=YEAR).count() == 10


def test_the_share_is_the_years_setting(year, org, secretary_a1):
    AppraisalYear.objects.filter(pk=year.pk).update(excellent_share_numerator=1, excellent_share_denominator=2)
    year.refresh_from_db()
    scoring.reviews_save(village=org.a1, year=year, grades=grades_with(org, 4), acting_user=secretary_a1)
    assert AnnualReview.objects.filter(grade=Grade.EXCELLENT).count() == 4


def test_the_share_is_counted_on_the_members_entitled_to_be_reviewed_not_on_those_graded(year, org, secretary_a1):
    best = a1_members(org)[:3]  # ten members in 罗紫村: three may be 优秀, whoever else is graded
    result = scoring.reviews_save(
        village=org.a1, year=year, grades={m.pk: Grade.EXCELLENT for m in best}, acting_user=secretary_a1
    )
    assert result == {"created": 3, "changed": 0, "cleared": 0}  # every graded member 优秀, within the quota: valid
    with pytest.raises(ValidationError) as excinfo:
        scoring.review_grade(member=a1_members(org)[3], year=YEAR, grade=Grade.EXCELLENT, acting_user=secretary_a1)
    assert code_of(excinfo) == "excellent_share"


def test_a_cleared_grade_is_removed(year, org, secretary_a1):
    grades = grades_with(org, 3)
    scoring.reviews_save(village=org.a1, year=year, grades=grades, acting_user=secretary_a1)
    grades[a1_members(org)[8].pk] = ""  # a 合格 cleared: 3 优秀 of the 10 entitled is still within the share
    grades[a1_members(org)[0].pk] = Grade.BASIC
    result = scoring.reviews_save(village=org.a1, year=year, grades=grades, acting_user=secretary_a1)
    assert result == {"created": 0, "changed": 1, "cleared": 1}
    assert AnnualReview.objects.filter(year=YEAR).count() == 8
    assert AnnualReview.objects.filter(year=YEAR, grade=Grade.EXCELLENT).count() == 2


def test_a_member_of_another_branch_is_not_graded_here(year, org, secretary_a1):
    with pytest.raises(ValidationError) as excinfo:
        scoring.reviews_save(
            village=org.a1, year=year, grades={org.a2_members[0].pk: Grade.QUALIFIED}, acting_user=secretary_a1
        )
    assert codes_of(excinfo) == {f"grade_{org.a2_members[0].pk}": "not_member"}


def test_a_member_who_joined_after_the_year_is_not_graded_for_it(year, org, secretary_a1):
    newcomer = PartyMemberFactory(village=org.a1, joined_on=datetime.date(YEAR + 1, 1, 2))
    with pytest.raises(ValidationError) as excinfo:
        scoring.review_grade(member=newcomer, year=year, grade=Grade.QUALIFIED, acting_user=secretary_a1)
    assert codes_of(excinfo) == {"member": "not_member"}


# --- the branch appraisal ------------------------------------------------------------------------------------------


@pytest.fixture
def one_item_year(year):
    """The year with one manual item worth 100 a quarter: a group's year score is its average quarter."""
    year.rubric.all().delete()
    RubricItem.objects.create(year=year, name="工作实绩", max_points=D("100"), source=Source.MANUAL)
    return year


def quarters(year, group, points, user):
    the_item = year.rubric.get()
    for q in range(1, 5):
        scoring.score_enter(
            year=year, party_group=group, quarter=q, item=the_item, points=D(points), evidence="考核组评定",
            acting_user=user,
        )  # fmt: skip


def test_the_branch_total_weighs_the_groups_average_by_the_years_weight(one_item_year, org, township_staff):
    year = one_item_year
    quarters(year, org.a1_g1, "80", township_staff)
    quarters(year, org.a1_g2, "65", township_staff)
    quarters(year, org.a2_g1, "10", township_staff)  # another village's group: never in A1's part
    row = scoring.branch_appraisal_enter(
        year=year, village=org.a1, township_points=D("90"), notes="班子团结", acting_user=township_staff
    )
    assert row.group_points == D("72.5")  # (80 + 65) / 2
    assert row.total == D("84.8")  # 90 × 70% + 72.5 × 30% = 84.75, rounded half up
    assert isinstance(row.total, Decimal)
    assert (row.notes, row.entered_by) == ("班子团结", township_staff)


def test_spot_checks_count_in_the_groups_part(one_item_year, org, township_staff):
    year = one_item_year
    quarters(year, org.a1_g1, "80", township_staff)
    quarters(year, org.a1_g2, "65", township_staff)
    record_check(year, org.a1_g2, township_staff, points=D("90"))
    assert group_year_scores(year, [org.a1_g2.pk]) == {org.a1_g2.pk: D("70.0")}  # 65 × 80% + 90 × 20%
    row = scoring.branch_appraisal_enter(year=year, village=org.a1, township_points=D("90"), acting_user=None)
    assert (row.group_points, row.total) == (D("75.0"), D("85.5"))


def test_the_weight_is_the_years_setting_and_entering_again_updates_the_row(one_item_year, org, township_staff):
    year = one_item_year
    AppraisalYear.objects.filter(pk=year.pk).update(group_work_weight=D("50"))
    year.refresh_from_db()
    quarters(year, org.a2_g1, "61", township_staff)
    scoring.branch_appraisal_enter(year=year, village=org.a2, township_points=D("80"), acting_user=township_staff)
    row = scoring.branch_appraisal_enter(
        year=year, village=org.a2, township_points=D("70.5"), acting_user=township_staff
    )
    assert (row.group_points, row.total) == (D("61.0"), D("65.8"))  # 70.5 × 50% + 61 × 50% = 65.75
    assert BranchAppraisal.objects.filter(year=year).count() == 1


def test_a_branch_without_scored_groups_has_a_groups_part_of_zero(one_item_year, org, township_staff):
    row = scoring.branch_appraisal_enter(
        year=one_item_year, village=org.a2, township_points=D("80"), acting_user=township_staff
    )
    assert (row.group_points, row.total) == (D("0"), D("56.0"))


@pytest.mark.parametrize(
    ("points", "expected"),
    [(D("100.5"), "range"), (D("-1"), "range"), (D("80.25"), "precision"), (80.0, "invalid")],
)
def test_the_townships_points_are_from_0_to_100(year, org, township_staff, points, expected):
    with pytest.raises(ValidationError) as excinfo:
        scoring.branch_appraisal_enter(year=year, village=org.a1, township_points=points, acting_user=township_staff)
    assert codes_of(excinfo) == {"township_points": expected}


def test_a_village_of_another_township_is_not_appraised_in_this_year(year, org, township_staff):
    with pytest.raises(ValidationError) as excinfo:
        scoring.branch_appraisal_enter(year=year, village=org.b1, township_points=D("80"), acting_user=township_staff)
    assert codes_of(excinfo) == {"village": "wrong_township"}


def test_refreshing_brings_the_groups_part_up_to_date(one_item_year, org, township_staff):
    year = one_item_year
    quarters(year, org.a1_g1, "80", township_staff)
    scoring.branch_appraisal_enter(year=year, village=org.a1, township_points=D("90"), acting_user=township_staff)
    quarters(year, org.a1_g2, "60", township_staff)
    assert scoring.branch_appraisals_refresh(year=year, acting_user=township_staff) == 1
    row = BranchAppraisal.objects.get(year=year, village=org.a1)
    assert (row.group_points, row.total) == (D("70.0"), D("84.0"))
    assert scoring.branch_appraisals_refresh(year=year, acting_user=township_staff) == 0
