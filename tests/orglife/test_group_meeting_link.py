"""A party group's monthly 党小组会 is one record: recorded in organisational life with attendance, it is the
activity of kind 党小组会 in the group's monthly report (and what the year-end rubric counts); the report's own form
cannot make a second one; the group leader who enters his group's month records its meeting too, and only his."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity.models import Activity, MonthlyReport
from activity.reports import services as reports
from orglife.meetings import report_link
from orglife.meetings.models import Attendance, Kind, Meeting, Presence
from orglife.meetings.services import Mark, meeting_record

MONTH = datetime.date(2027, 6, 1)  # the suite is frozen at 2027-06-15
DAY = datetime.date(2027, 6, 10)


def record(org, user, *, day=DAY, topic="学习防汛要求", absent=0):
    members = org.a1_g1_members
    marks = [
        Mark(member=m, presence=Presence.ABSENT, reason="sick") if i < absent else Mark(member=m, presence="present")
        for i, m in enumerate(members)
    ]
    return meeting_record(
        village=org.a1,
        kind=Kind.GROUP,
        party_group=org.a1_g1,
        held_on=day,
        topic=topic,
        content="传达乡党委通知",
        decisions="每名党员联系五户",
        acting_user=user,
        marks=marks,
    )


def report_url(group, month=MONTH) -> str:
    return reverse("activity:report", args=[group.pk, month])


def group_meeting_url(group, month=MONTH) -> str:
    return reverse("orglife:group-meeting-new", args=[group.pk, month])


def test_a_group_meeting_recorded_in_orglife_is_the_reports_one_activity(org, secretary_a1, login):
    m = record(org, secretary_a1, absent=1)
    report = MonthlyReport.objects.get(party_group=org.a1_g1, month=MONTH)
    activity = Activity.objects.get(report=report)
    assert (activity.kind, activity.held_on, m.activity_id) == (Activity.Kind.MEETING, DAY, activity.pk)
    assert set(activity.participants.all()) == set(org.a1_g1_members[1:])  # present or remote, not the absent
    assert "学习防汛要求" in activity.content and activity.outcome == "每名党员联系五户"
    assert report.activity_count == 1
    page = login(secretary_a1).get(report_url(org.a1_g1)).content.decode()
    assert "活动（1）" in page and "这项来自组织生活的党小组会记录" in page
    assert reverse("orglife:meeting", args=[m.pk]) in page
    assert reverse("activity:activity-edit", args=[activity.pk]) not in page  # changed in the meeting, not here
    assert "本月的党小组会还没有登记" not in page


def test_who_may_correct_the_meeting_is_offered_to_correct_it_and_a_reader_to_see_it(
    org, secretary_a1, county_viewer, client
):
    m = record(org, secretary_a1)
    link = f'<a href="{reverse("orglife:meeting", args=[m.pk])}">'
    client.force_login(secretary_a1)
    assert f"{link}修改（到会议记录）</a>" in client.get(report_url(org.a1_g1)).content.decode()
    client.force_login(county_viewer)
    page = client.get(report_url(org.a1_g1)).content.decode()
    assert f"{link}查看会议记录</a>" in page and "修改（到会议记录）" not in page


def test_a_corrected_meeting_corrects_its_activity(org, secretary_a1):
    m = record(org, secretary_a1)
    Attendance.objects.filter(meeting=m, member=org.a1_g1_members[0]).update(presence="absent", reason="sick")
    Meeting.objects.filter(pk=m.pk).update(topic="改为学习防火要求", held_on=DAY.replace(day=12))
    m.refresh_from_db()
    report_link.activity_sync(m, acting_user=secretary_a1)
    activity = Activity.objects.get(pk=m.activity_id)
    assert Activity.objects.count() == 1
    assert activity.held_on == DAY.replace(day=12) and "改为学习防火要求" in activity.content
    assert org.a1_g1_members[0] not in set(activity.participants.all())


def test_the_reports_form_cannot_make_a_second_group_meeting(org, secretary_a1, login):
    client = login(secretary_a1)
    page = client.get(reverse("activity:activity-new", args=[org.a1_g1.pk, MONTH])).content.decode()
    assert '<option value="meeting"' not in page
    assert "登记本月党小组会（含出勤）" in page and group_meeting_url(org.a1_g1) in page
    data = {"version": 0, "kind": "meeting", "held_on": "2027-06-10", "content": "想在这里记党小组会"}
    data["participants"] = [org.a1_g1_members[0].pk]
    response = client.post(reverse("activity:activity-new", args=[org.a1_g1.pk, MONTH]), data)
    assert response.status_code == 200 and "想在这里记党小组会" in response.content.decode()
    assert not Activity.objects.exists()
    report = reports.report_for(party_group=org.a1_g1, month=MONTH, acting_user=secretary_a1)
    with pytest.raises(ValidationError) as e:
        reports.activity_save(
            report=report, version=report.version, acting_user=secretary_a1, kind="meeting", held_on=DAY, content="x"
        )
    assert "登记本月党小组会" in str(e.value)


def test_the_meetings_activity_is_neither_changed_nor_deleted_from_the_report(org, secretary_a1, login):
    m = record(org, secretary_a1)
    activity = Activity.objects.get(pk=m.activity_id)
    client = login(secretary_a1)
    for name in ("activity:activity-edit", "activity:activity-delete"):
        response = client.get(reverse(name, args=[activity.pk]), follow=True)
        assert "不能在月度报告里修改或删除" in response.content.decode()
    report = activity.report
    with pytest.raises(ValidationError):
        reports.activity_delete(activity=activity, version=report.version, acting_user=secretary_a1)
    with pytest.raises(ValidationError):
        reports.activity_save(
            report=report, version=report.version, acting_user=secretary_a1, kind="visit", held_on=DAY,
            content="改成走访", activity=activity,
        )  # fmt: skip
    assert Activity.objects.get(pk=activity.pk).kind == Activity.Kind.MEETING


def form_data(members, **extra) -> dict:
    data = {"held_on": DAY.isoformat(), "topic": "组长主持学习", "study_hours": "1"}
    data.update({f"p_{m.pk}": "present" for m in members})
    data.update(extra)
    return data


def test_the_leader_records_his_groups_meeting_and_comes_back_to_the_report(org, group_leader, login):
    org.a1.leaders_may_report = True
    org.a1.save()
    client = login(group_leader)
    report_page = client.get(report_url(org.a1_g1)).content.decode()
    assert group_meeting_url(org.a1_g1) in report_page
    page = client.get(group_meeting_url(org.a1_g1)).content.decode()
    assert page.count('<option value="present" selected>') == len(org.a1_g1_members)
    members = org.a1_g1_members
    response = client.post(group_meeting_url(org.a1_g1), form_data(members, **{f"p_{members[0].pk}": "remote"}))
    assert response.status_code == 302 and response.url == report_url(org.a1_g1)
    m = Meeting.objects.get()
    assert (m.kind, m.party_group, m.recorded_by) == (Kind.GROUP, org.a1_g1, group_leader)
    assert set(m.activity.participants.all()) == set(members)  # remote counts as taking part
    back = client.get(report_url(org.a1_g1)).content.decode()
    assert "组长主持学习" in back
    # the meeting's own page is the branch's (the leader may not open it): no link that would answer 403
    assert reverse("orglife:meeting", args=[m.pk]) not in back and "请告诉支部书记更正" in back
    assert client.get(reverse("orglife:meeting", args=[m.pk])).status_code in (403, 404)


def test_the_leader_gets_404_for_another_group_and_a_secretary_for_another_village(
    org, group_leader, secretary_a2, login
):
    org.a1.leaders_may_report = True
    org.a1.save()
    assert login(group_leader).get(group_meeting_url(org.a1_g2)).status_code == 404
    assert login(group_leader).post(group_meeting_url(org.a1_g2), form_data(org.a1_g2_members)).status_code == 404
    assert login(secretary_a2).get(group_meeting_url(org.a1_g1)).status_code == 404
    assert not Meeting.objects.exists()


def test_a_leader_the_branch_does_not_let_enter_the_month_records_nothing(org, group_leader, login):
    assert login(group_leader).get(group_meeting_url(org.a1_g1)).status_code == 403
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service
        record(org, group_leader)
    assert not Meeting.objects.exists()


def test_the_form_keeps_what_was_typed_and_says_the_month(org, secretary_a1, login):
    client = login(secretary_a1)
    data = form_data(org.a1_g1_members, held_on="2027-05-20", topic="保留这段议题")
    response = client.post(group_meeting_url(org.a1_g1), data)
    text = response.content.decode()
    assert response.status_code == 200 and "保留这段议题" in text and "2027年6月" in text
    assert not Meeting.objects.exists()


def test_a_closed_month_takes_no_group_meeting(org, secretary_a1, login):
    month = datetime.date(2027, 5, 1)
    report = reports.report_for(party_group=org.a1_g1, month=month, acting_user=secretary_a1)
    report = reports.report_update_summary(
        report=report, version=report.version, summary="无", acting_user=secretary_a1
    )
    report = reports.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    reports.report_close(report=report, acting_user=secretary_a1)
    response = login(secretary_a1).get(group_meeting_url(org.a1_g1, month), follow=True)
    assert "已关闭" in response.content.decode()
    with pytest.raises(ValidationError):
        record(org, secretary_a1, day=datetime.date(2027, 5, 20))
    assert not Meeting.objects.exists() and not Activity.objects.exists()


def test_a_submitted_report_takes_no_group_meeting_until_the_branch_withdraws_it(org, secretary_a1, login):
    """A submitted report is final: its 党小组会 would have changed under the township's eyes. The page says to
    withdraw it first; withdrawn, the meeting is recorded and listed in the draft."""
    report = reports.report_for(party_group=org.a1_g1, month=MONTH, acting_user=secretary_a1)
    report = reports.report_submit(report=report, version=report.version, acting_user=secretary_a1, summary="无")
    client = login(secretary_a1)
    page = client.get(report_url(org.a1_g1)).content.decode()
    assert group_meeting_url(org.a1_g1) not in page  # no button to record one
    response = client.get(group_meeting_url(org.a1_g1), follow=True)
    assert response.redirect_chain[-1][0] == report_url(org.a1_g1)
    assert "月度报告已提交，不能再补记这个月的会议：请先在报告页撤回报告" in response.content.decode()
    with pytest.raises(ValidationError) as exc:
        record(org, secretary_a1)
    assert "已提交" in exc.value.message_dict["held_on"][0]
    assert not Meeting.objects.exists() and not Activity.objects.exists()
    reports.report_withdraw(report=report, reason="补登本月党小组会", acting_user=secretary_a1)
    m = record(org, secretary_a1)
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.DRAFT and m.activity.report_id == report.pk


# --- the data migration -------------------------------------------------------------------------------------------

link = importlib.import_module("orglife.migrations.0004_link_group_meetings").link


def typed_meeting(org, user, day=DAY):
    """A 党小组会 typed into the report before the two were one record (written as the old form wrote it)."""
    report = reports.report_for(party_group=org.a1_g1, month=day, acting_user=user)
    activity = Activity.objects.create(report=report, kind="meeting", held_on=day, content="召开党小组会\n学习党章")
    activity.participants.set(org.a1_g1_members[:2])
    MonthlyReport.objects.filter(pk=report.pk).update(activity_count=1)
    return activity


def test_the_migration_makes_each_typed_group_meeting_a_meeting_once(org, secretary_a1):
    activity = typed_meeting(org, secretary_a1)
    link(apps, None)
    m = Meeting.objects.get()
    assert (m.kind, m.party_group, m.held_on, m.topic, m.activity_id) == (
        Kind.GROUP, org.a1_g1, DAY, "召开党小组会", activity.pk,
    )  # fmt: skip
    rows = {a.member: (a.presence, a.reason) for a in Attendance.objects.filter(meeting=m)}
    assert rows == {
        **{p: ("present", "") for p in org.a1_g1_members[:2]},
        **{p: ("absent", "other") for p in org.a1_g1_members[2:]},
    }
    link(apps, None)  # again: nothing doubles
    assert Meeting.objects.count() == 1 and Activity.objects.count() == 1


def test_the_migration_links_a_meeting_recorded_twice_instead_of_doubling_it(org, secretary_a1):
    activity = typed_meeting(org, secretary_a1)
    m = Meeting.objects.create(
        village=org.a1, party_group=org.a1_g1, kind=Kind.GROUP, held_on=DAY, topic="已在组织生活登记"
    )
    report_only = Meeting.objects.create(
        village=org.a1, party_group=org.a1_g1, kind=Kind.GROUP, held_on=DAY.replace(day=3), topic="只在组织生活登记",
        report=activity.report,
    )  # fmt: skip
    link(apps, None)
    assert Meeting.objects.count() == 2
    m.refresh_from_db()
    report_only.refresh_from_db()
    assert m.activity_id == activity.pk
    assert report_only.activity.content == "只在组织生活登记"
    assert MonthlyReport.objects.get(pk=activity.report_id).activity_count == 2


def test_correcting_the_meeting_on_its_page_corrects_the_reports_activity(org, secretary_a1):
    """The meeting's 修改 (meeting_update) keeps the report's one 党小组会 activity saying the same."""
    from orglife.meetings.services import meeting_update

    m = record(org, secretary_a1)
    marks = [
        Mark(member=member, presence=Presence.ABSENT, reason="sick")
        if i == 0
        else Mark(member=member, presence="present")
        for i, member in enumerate(org.a1_g1_members)
    ]
    meeting_update(
        meeting=m, held_on=DAY.replace(day=12), topic="改为学习防火要求", acting_user=secretary_a1, marks=marks
    )
    activity = Activity.objects.get(pk=Meeting.objects.get(pk=m.pk).activity_id)
    assert Activity.objects.filter(report__party_group=org.a1_g1).count() == 1
    assert activity.held_on == DAY.replace(day=12) and "改为学习防火要求" in activity.content
    assert set(activity.participants.all()) == set(org.a1_g1_members[1:])
