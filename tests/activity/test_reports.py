"""Monthly report services: opening a month, recording activities, optimistic locking, submit, close and reopen.

Months are relative to today (the suite's clock, TEST_NOW), so these tests hold on any day of any month; the edge
instants (New Year's Eve and Day around midnight in Beijing, the leap day) are tested at the end.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from activity.models import Activity, MonthlyReport, ReportReopening, report_overdue
from activity.reports import services
from activity.reports.services import ConflictError
from core import clock, periods
from core.periods import month_due
from groups.models import GroupPost
from groups.services import member_leave_group
from tests.clock import EDGE_INSTANTS, beijing, months_ago
from tests.factories import FOUNDED, PartyMemberFactory, join

Status = MonthlyReport.Status
this_month = clock.this_month


def codes(exc: ValidationError) -> list[str]:
    return [e.code for e in exc.error_list]


def snapshot():
    """What a user could notice about reports and activities."""
    return (
        sorted(MonthlyReport.objects.values_list("pk", "status", "version", "summary", "activity_count")),
        sorted(Activity.objects.values_list("pk", "report_id", "kind", "held_on", "content")),
        sorted(Activity.participants.through.objects.values_list("activity_id", "partymember_id")),
    )


def add(report, user, *, held_on=None, content="走访困难户", participants=(), **kwargs) -> Activity:
    """Record an activity at the report's current version, as a person who just opened the page would."""
    report.refresh_from_db()
    return services.activity_save(
        report=report,
        version=report.version,
        acting_user=user,
        kind=kwargs.pop("kind", Activity.Kind.VISIT),
        held_on=held_on or report.month,
        content=content,
        participants=participants,
        **kwargs,
    )


def submitted(group, month, user) -> MonthlyReport:
    report = services.report_for(party_group=group, month=month, acting_user=user)
    add(report, user)
    report.refresh_from_db()
    return services.report_submit(report=report, version=report.version, acting_user=user)


def closed(group, month, user) -> MonthlyReport:
    report = submitted(group, month, user)
    return services.report_close(report=report, version=report.version, acting_user=user)


# --- opening a month ---------------------------------------------------------------------------------------------


def test_it_opens_a_month_as_a_draft_once(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    assert report.pk
    assert report.status == Status.DRAFT
    assert report.version == 1
    assert report.month == this_month()
    again = services.report_for(party_group=org.a1_g1, month=this_month() + datetime.timedelta(days=3))
    assert again.pk == report.pk
    assert MonthlyReport.objects.count() == 1


def test_it_refuses_to_open_a_month_that_has_not_begun(org, secretary_a1):
    next_month = periods.next_month(this_month())
    with pytest.raises(ValidationError):
        services.report_for(party_group=org.a1_g1, month=next_month, acting_user=secretary_a1)
    assert not MonthlyReport.objects.exists()


def test_it_refuses_a_month_before_the_group_existed(org, secretary_a1):
    before = periods.previous_month(FOUNDED)
    with pytest.raises(ValidationError):
        services.report_for(party_group=org.a1_g1, month=before, acting_user=secretary_a1)
    assert not MonthlyReport.objects.exists()
    assert services.report_for(party_group=org.a1_g1, month=FOUNDED, acting_user=secretary_a1).pk


# --- recording activities ----------------------------------------------------------------------------------------


def test_it_saves_an_activity_and_moves_the_version_on(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    who = org.a1_g1_members[:2]
    activity = services.activity_save(
        report=report,
        version=1,
        acting_user=secretary_a1,
        kind=Activity.Kind.MEDIATION,
        held_on=this_month(),
        content="调解张、杨两家宅基地纠纷",
        outcome="双方签订协议",
        participants=who,
        villager_group=org.a1_vgs[0],
        households_reached=2,
        non_party_present=5,
    )
    saved = Activity.objects.get(pk=activity.pk)
    assert saved.report_id == report.pk
    assert saved.kind == Activity.Kind.MEDIATION
    assert saved.villager_group == org.a1_vgs[0]
    assert (saved.households_reached, saved.non_party_present) == (2, 5)
    assert set(saved.participants.all()) == set(who)
    report.refresh_from_db()
    assert report.version == 2
    assert report.activity_count == 1
    assert report.updated_by == secretary_a1

    add(report, secretary_a1, content="第二次走访")
    report.refresh_from_db()
    assert (report.version, report.activity_count) == (3, 2)


def test_it_changes_an_activity_in_place(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    activity = add(report, secretary_a1, content="原来的记录")
    report.refresh_from_db()
    add(report, secretary_a1, content="改过的记录", activity=activity, participants=[org.a1_g1_members[0]])
    activity.refresh_from_db()
    assert activity.content == "改过的记录"
    assert list(activity.participants.all()) == [org.a1_g1_members[0]]
    report.refresh_from_db()
    assert (report.version, report.activity_count) == (3, 1)


def test_it_refuses_a_date_outside_the_month_on_the_date_field(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=months_ago(1), acting_user=secretary_a1)
    before = snapshot()
    for day in (report.month - datetime.timedelta(days=1), this_month()):
        with pytest.raises(ValidationError) as exc:
            add(report, secretary_a1, held_on=day)
        assert set(exc.value.error_dict) == {"held_on"}
    assert snapshot() == before


def test_it_refuses_a_date_later_than_today(org, secretary_a1, frozen_at):
    fifteenth = this_month().replace(day=15)
    frozen_at(beijing(fifteenth.year, fifteenth.month, 15, 23, 50))  # 15:50 UTC: still the 15th in Beijing
    report = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    with pytest.raises(ValidationError) as exc:
        add(report, secretary_a1, held_on=this_month().replace(day=16))
    assert set(exc.value.error_dict) == {"held_on"}
    assert add(report, secretary_a1, held_on=fifteenth).pk


def test_it_refuses_a_participant_from_another_group_on_the_participants_field(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        add(report, secretary_a1, participants=[org.a1_g1_members[0], org.a1_g2_members[0]])
    assert set(exc.value.error_dict) == {"participants"}
    assert snapshot() == before


def test_it_offers_the_members_of_the_group_in_that_month_only(org, secretary_a1):
    month = months_ago(2)
    left = PartyMemberFactory(village=org.a1, name="罗紫离组党员")
    join([left], org.a1_g1)
    post = GroupPost.objects.get(member=left, ended_on__isnull=True)
    member_leave_group(post=post, ended_on=month - datetime.timedelta(days=10))
    newcomer = PartyMemberFactory(village=org.a1, name="罗紫新党员")
    join([newcomer], org.a1_g1, on=month + datetime.timedelta(days=14))

    report = services.report_for(party_group=org.a1_g1, month=month, acting_user=secretary_a1)
    offered = set(services.group_members_in_month(report))
    assert newcomer in offered
    assert left not in offered
    assert set(org.a1_g1_members) <= offered
    assert not offered & set(org.a1_g2_members)

    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        add(report, secretary_a1, participants=[left])
    assert set(exc.value.error_dict) == {"participants"}
    assert snapshot() == before
    activity = add(report, secretary_a1, held_on=month + datetime.timedelta(days=20), participants=[newcomer])
    assert list(activity.participants.all()) == [newcomer]


def test_it_refuses_a_villager_group_of_another_village(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        add(report, secretary_a1, villager_group=org.a2_vgs[0])
    assert set(exc.value.error_dict) == {"villager_group"}
    assert snapshot() == before


def test_it_refuses_an_activity_of_another_report(org, secretary_a1):
    mine = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    other = services.report_for(party_group=org.a1_g2, month=this_month(), acting_user=secretary_a1)
    activity = add(other, secretary_a1, content="三四社的活动")
    before = snapshot()
    with pytest.raises(ValidationError):
        add(mine, secretary_a1, activity=activity, content="改到一二社")
    assert snapshot() == before


# --- two people at once ------------------------------------------------------------------------------------------


def test_it_refuses_the_second_of_two_saves_made_from_the_same_version(org, secretary_a1, township_staff):
    report = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    seen_by_both = report.version
    services.activity_save(
        report=report,
        version=seen_by_both,
        acting_user=secretary_a1,
        kind=Activity.Kind.VISIT,
        held_on=this_month(),
        content="罗紫书记记的党小组会",
    )
    after_first = snapshot()
    with pytest.raises(ConflictError) as exc:
        services.activity_save(
            report=report,
            version=seen_by_both,
            acting_user=township_staff,
            kind=Activity.Kind.STUDY,
            held_on=this_month(),
            content="乡里记的学习",
        )
    assert codes(exc.value) == ["conflict"]
    assert snapshot() == after_first
    assert not Activity.objects.filter(content="乡里记的学习").exists()
    report.refresh_from_db()
    assert report.version == seen_by_both + 1
    assert report.updated_by == secretary_a1

    with pytest.raises(ConflictError):
        services.report_update_summary(report=report, version=seen_by_both, summary="乡里的总结", acting_user=None)
    with pytest.raises(ConflictError):
        services.activity_delete(activity=Activity.objects.get(), version=seen_by_both, acting_user=township_staff)
    assert snapshot() == after_first


def test_it_refuses_a_stale_save_even_when_nobody_is_named_on_the_report(org):
    report = services.report_for(party_group=org.a1_g1, month=this_month())
    services.report_update_summary(report=report, version=1, summary="无人署名", acting_user=None)
    with pytest.raises(ConflictError):
        services.report_update_summary(report=report, version=1, summary="晚到的总结", acting_user=None)
    report.refresh_from_db()
    assert report.summary == "无人署名"


# --- submit, close, reopen ---------------------------------------------------------------------------------------


def test_it_refuses_to_submit_an_empty_month(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=months_ago(1), acting_user=secretary_a1)
    with pytest.raises(ValidationError) as exc:
        services.report_submit(report=report, version=1, acting_user=secretary_a1, summary="   ")
    assert codes(exc.value) == ["empty"]
    report.refresh_from_db()
    assert (report.status, report.version, report.submitted_at) == (Status.DRAFT, 1, None)


def test_it_submits_a_month_with_an_activity(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=months_ago(1), acting_user=secretary_a1)
    add(report, secretary_a1)
    report.refresh_from_db()
    services.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert report.submitted_by == secretary_a1
    assert report.submitted_at is not None
    assert report.version == 3


def test_it_submits_a_month_with_only_a_summary(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g2, month=months_ago(1), acting_user=secretary_a1)
    services.report_submit(report=report, version=1, acting_user=secretary_a1, summary="本月农忙，小组未集中活动")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert report.summary == "本月农忙，小组未集中活动"
    assert report.submitted_by == secretary_a1
    assert report.activity_count == 0


def test_it_refuses_to_submit_twice(org, secretary_a1):
    report = submitted(org.a1_g1, months_ago(1), secretary_a1)
    with pytest.raises(ValidationError):
        services.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    assert MonthlyReport.objects.get().version == report.version


def test_it_closes_a_submitted_month(org, secretary_a1, township_staff):
    report = submitted(org.a1_g1, months_ago(1), secretary_a1)
    services.report_close(report=report, version=report.version, acting_user=township_staff)
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert report.closed_by == township_staff
    assert report.closed_at is not None


def test_it_closes_only_a_submitted_month(org, secretary_a1):
    report = services.report_for(party_group=org.a1_g1, month=months_ago(1), acting_user=secretary_a1)
    with pytest.raises(ValidationError):
        services.report_close(report=report, version=1, acting_user=secretary_a1)
    assert MonthlyReport.objects.get().status == Status.DRAFT


def test_it_refuses_every_change_to_a_closed_month(org, secretary_a1, township_staff):
    report = closed(org.a1_g1, months_ago(1), secretary_a1)
    activity = Activity.objects.get(report=report)
    before = snapshot()
    version = report.version
    with pytest.raises(ValidationError) as exc:
        add(report, township_staff, content="补记的活动")
    assert codes(exc.value) == ["closed"]
    with pytest.raises(ValidationError) as exc:
        add(report, township_staff, activity=activity, content="改掉的内容")
    assert codes(exc.value) == ["closed"]
    with pytest.raises(ValidationError) as exc:
        services.activity_delete(activity=activity, version=version, acting_user=township_staff)
    assert codes(exc.value) == ["closed"]
    with pytest.raises(ValidationError) as exc:
        services.report_update_summary(report=report, version=version, summary="补充说明", acting_user=township_staff)
    assert codes(exc.value) == ["closed"]
    assert snapshot() == before


def test_it_reopens_a_closed_month_only_with_a_reason(org, secretary_a1, township_staff):
    report = closed(org.a1_g1, months_ago(1), secretary_a1)
    for reason in ("", "   ", "补"):
        with pytest.raises(ValidationError) as exc:
            services.report_reopen(report=report, reason=reason, acting_user=township_staff)
        assert set(exc.value.error_dict) == {"reason"}
    assert not ReportReopening.objects.exists()
    assert MonthlyReport.objects.get().status == Status.CLOSED


def test_it_reopens_a_closed_month_keeping_the_reason_on_record(org, secretary_a1, township_staff):
    report = closed(org.a1_g1, months_ago(1), secretary_a1)
    services.report_reopen(report=report, reason="漏记了一次入户走访，需补录", acting_user=township_staff)
    reopening = ReportReopening.objects.get()
    assert reopening.report_id == report.pk
    assert reopening.reopened_by == township_staff
    assert reopening.reason == "漏记了一次入户走访，需补录"
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert report.closed_at is None and report.closed_by is None

    add(report, secretary_a1, content="补录的走访", held_on=report.month + datetime.timedelta(days=9))
    report.refresh_from_db()
    assert report.activity_count == 2
    services.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    assert MonthlyReport.objects.get().status == Status.SUBMITTED


def test_it_counts_a_report_done_once_submitted_or_closed_and_not_after_reopening(org, secretary_a1, township_staff):
    draft = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    in_ = submitted(org.a1_g2, months_ago(1), secretary_a1)
    final = closed(org.a1_g1, months_ago(2), secretary_a1)
    assert set(MonthlyReport.objects.done()) == {in_, final}
    assert (draft.is_done, in_.is_done, final.is_done) == (False, True, True)
    reopened = services.report_reopen(report=final, reason="漏记了一次入户走访，需补录", acting_user=township_staff)
    assert not reopened.is_done
    assert set(MonthlyReport.objects.done()) == {in_}


def test_it_reopens_only_a_closed_month(org, secretary_a1, township_staff):
    report = submitted(org.a1_g1, months_ago(1), secretary_a1)
    with pytest.raises(ValidationError):
        services.report_reopen(report=report, reason="想再改一改内容", acting_user=township_staff)
    assert not ReportReopening.objects.exists()
    assert MonthlyReport.objects.get().status == Status.SUBMITTED


def test_it_records_who_did_each_change_in_the_history(org, secretary_a1, township_staff):
    report = closed(org.a1_g1, months_ago(1), secretary_a1)
    latest = report.history.latest()
    assert (latest.status, latest.history_user) == (Status.CLOSED, secretary_a1)
    activity = Activity.objects.get()
    assert activity.history.earliest().history_user == secretary_a1

    services.report_reopen(report=report, reason="乡里核查后需要更正", acting_user=township_staff)
    latest = MonthlyReport.objects.get().history.latest()
    assert (latest.status, latest.history_user) == (Status.DRAFT, township_staff)

    report.refresh_from_db()
    activity_pk = activity.pk
    services.activity_delete(activity=activity, version=report.version, acting_user=township_staff)
    gone = Activity.history.filter(id=activity_pk).latest()
    assert (gone.history_type, gone.history_user) == ("-", township_staff)
    assert [h.history_user for h in MonthlyReport.history.filter(id=report.pk).order_by("history_id")][1:] == [
        secretary_a1,  # the activity added
        secretary_a1,  # submitted
        secretary_a1,  # closed
        township_staff,  # reopened
        township_staff,  # the activity deleted
    ]


# --- when a month is overdue -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "due_day", "today", "expected"),
    [
        (None, 5, datetime.date(2025, 4, 5), False),  # the due day itself is still on time
        (None, 5, datetime.date(2025, 4, 6), True),
        (Status.DRAFT, 5, datetime.date(2025, 4, 6), True),
        (Status.SUBMITTED, 5, datetime.date(2025, 6, 1), False),
        (Status.CLOSED, 5, datetime.date(2025, 6, 1), False),
        (None, 10, datetime.date(2025, 4, 6), False),  # a township that allows until the 10th
        (None, 10, datetime.date(2025, 4, 10), False),
        (Status.DRAFT, 10, datetime.date(2025, 4, 11), True),
        (None, 5, datetime.date(2025, 3, 31), False),  # the month itself
    ],
)
def test_it_tells_when_a_month_is_overdue(status, due_day, today, expected):
    assert report_overdue(status, datetime.date(2025, 3, 1), due_day, today) is expected


def test_it_carries_the_due_day_over_the_new_year():
    assert month_due(datetime.date(2025, 12, 1), 5) == datetime.date(2026, 1, 5)
    assert report_overdue(None, datetime.date(2025, 12, 1), 5, datetime.date(2026, 1, 5)) is False
    assert report_overdue(None, datetime.date(2025, 12, 1), 5, datetime.date(2026, 1, 6)) is True


def test_it_uses_the_townships_due_day(org):
    assert org.ta.report_due_day == 5  # the default
    org.tb.report_due_day = 10
    org.tb.save()
    a = services.report_for(party_group=org.a1_g1, month=months_ago(2))
    b = services.report_for(party_group=org.b1_g1, month=months_ago(2))
    due_a, due_b = (r.due_on(r.party_group.village.township.report_due_day) for r in (a, b))
    assert (due_a.day, due_b.day) == (5, 10)
    assert due_a.month == due_b.month == months_ago(1).month
    assert report_overdue(a.status, a.month, 10, due_a) is False
    assert report_overdue(a.status, a.month, 5, due_a + datetime.timedelta(days=1)) is True
    assert report_overdue(b.status, b.month, 10, due_a + datetime.timedelta(days=1)) is False


# --- at the edges: midnight in Beijing around the new year, and the leap day -------------------------------------

# Last month's report, not in: overdue once the 5th of this month is behind (the township's default due day).
LAST_MONTH_OVERDUE = {
    datetime.date(2026, 12, 31): True,  # November's, due 5 December
    datetime.date(2027, 1, 1): False,  # December's, due 5 January: in UTC it is still 31 December 2026
    datetime.date(2028, 2, 29): True,  # January's, due 5 February
}


@pytest.mark.parametrize("now", EDGE_INSTANTS)
def test_it_takes_this_month_and_today_in_beijing_at_the_edges(now, org, secretary_a1):
    today = now.date()  # the instants are given in Beijing time
    report = services.report_for(party_group=org.a1_g1, month=this_month(), acting_user=secretary_a1)
    assert report.month == today.replace(day=1)
    assert add(report, secretary_a1, held_on=today).pk  # today is in this month, and not in the future
    assert report.month_range()[1] == periods.month_end(today)  # 29 February in a leap year
    with pytest.raises(ValidationError):
        add(report, secretary_a1, held_on=today + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.report_for(party_group=org.a1_g1, month=periods.next_month(report.month))
    last = periods.previous_month(report.month)
    assert report_overdue(None, last, org.ta.report_due_day, clock.today()) is LAST_MONTH_OVERDUE[today]
    assert report_overdue(Status.SUBMITTED, last, org.ta.report_due_day, clock.today()) is False


def test_a_member_suspended_all_month_is_not_offered_and_one_restored_in_it_is(org, secretary_a1):
    from tests.factories import suspend

    month = months_ago(3)
    suspended, restored = org.a1_g1_members[0], org.a1_g1_members[1]
    suspend(suspended, on=month - datetime.timedelta(days=40))
    suspend(restored, on=month - datetime.timedelta(days=40), restored_on=month + datetime.timedelta(days=9))
    report = services.report_for(party_group=org.a1_g1, month=month, acting_user=secretary_a1)
    offered = set(services.group_members_in_month(report))
    assert suspended not in offered and restored in offered
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        add(report, secretary_a1, held_on=month + datetime.timedelta(days=20), participants=[suspended])
    assert set(exc.value.error_dict) == {"participants"}
    assert snapshot() == before
