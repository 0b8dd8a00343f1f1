"""Correcting and deleting a recorded meeting: the rules of recording hold, 应到/实到 follow the new attendance, a
deletion asks first and keeps its reason, a meeting its monthly report counts or of a closed month stays, and every
change is kept with who made it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity.reports.services import report_close, report_for, report_submit
from members.models import PartyMember
from orglife.meetings.models import Attendance, Kind, Meeting, Presence, Vote
from orglife.meetings.selectors import with_counts
from orglife.meetings.services import meeting_delete, meeting_record, meeting_update, vote_record
from tests.orglife.test_meetings import DAY, assembly, everyone


def counts(m: Meeting) -> tuple[int, int]:
    c = with_counts(Meeting.objects.filter(pk=m.pk)).get()
    return c.expected, c.attended


def close_april(org, user) -> None:
    for group in (org.a1_g1, org.a1_g2):
        report = report_for(party_group=group, month=datetime.date(2027, 4, 1), acting_user=user)
        report = report_submit(report=report, version=report.version, acting_user=user, summary="本月工作")
        report_close(report=report, acting_user=user)


def lecture(org, user, day=DAY):
    return meeting_record(
        village=org.a1,
        kind=Kind.LECTURE,
        held_on=day,
        topic="党课：学习党章",
        acting_user=user,
        marks=everyone(org.a1_g1_members),
    )


def edit_data(m: Meeting, members, **extra) -> dict:
    data = {"held_on": m.held_on.isoformat(), "topic": m.topic, "study_hours": str(m.study_hours)}
    data.update({f"p_{p.pk}": "present" for p in members})
    data.update(extra)
    return data


# --- the service ------------------------------------------------------------------------------------------------------


def test_a_correction_recounts_expected_and_attended_and_is_attributed(org, secretary_a1):
    m = lecture(org, secretary_a1)
    members = org.a1_g1_members
    marks = everyone(members[:4], **{"1": (Presence.ABSENT, "sick")})
    meeting_update(meeting=m, held_on=DAY, topic="党课：学习新党章", marks=marks, acting_user=secretary_a1)
    m.refresh_from_db()
    assert counts(m) == (4, 3)
    assert m.topic == "党课：学习新党章"
    assert not Attendance.objects.filter(meeting=m, member=members[4]).exists()
    last = m.history.order_by("-history_id").first()
    assert (last.history_type, last.history_user) == ("~", secretary_a1)
    changed = Attendance.history.filter(member=members[1]).order_by("-history_id").first()
    assert (changed.presence, changed.history_user) == ("absent", secretary_a1)


def test_a_correction_refuses_a_future_date_and_a_stranger(org, secretary_a1):
    m = lecture(org, secretary_a1)
    with pytest.raises(ValidationError) as exc:
        meeting_update(
            meeting=m,
            held_on=datetime.date(2027, 6, 16),
            topic="改",
            marks=everyone(org.a1_g1_members + org.a2_members[:1]),
            acting_user=secretary_a1,
        )
    assert "不能晚于今天" in exc.value.message_dict["held_on"][0]
    assert "不是本支部的党员" in exc.value.message_dict["attendance"][0]
    m.refresh_from_db()
    assert m.topic == "党课：学习党章" and counts(m) == (5, 5)


def test_a_meeting_cannot_be_moved_into_or_out_of_a_closed_month(org, secretary_a1):
    in_april = lecture(org, secretary_a1, day=datetime.date(2027, 4, 20))
    in_june = lecture(org, secretary_a1)
    close_april(org, secretary_a1)
    with pytest.raises(ValidationError) as exc:
        meeting_update(meeting=in_june, held_on=datetime.date(2027, 4, 21), topic="改", acting_user=secretary_a1)
    assert "已关闭" in exc.value.message_dict["held_on"][0]
    with pytest.raises(ValidationError) as exc:
        meeting_update(meeting=in_april, held_on=DAY, topic="改", acting_user=secretary_a1)
    assert "重新打开这个月" in exc.value.message_dict["held_on"][0]
    assert Meeting.objects.filter(topic="改").count() == 0


def test_a_talk_cannot_be_corrected_into_one_with_oneself(org, secretary_a1):
    me, other = org.a1_g1_members[:2]
    m = meeting_record(
        village=org.a1, kind=Kind.TALK, held_on=DAY, topic="谈心", host=me, talk_with=other, acting_user=secretary_a1
    )
    with pytest.raises(ValidationError) as exc:
        meeting_update(meeting=m, held_on=DAY, topic="谈心", host=me, talk_with=me, acting_user=secretary_a1)
    assert "不能是谈话人自己" in exc.value.message_dict["talk_with"][0]
    m.refresh_from_db()
    assert m.talk_with == other


def test_fewer_attending_than_the_votes_cast_is_refused_and_votes_are_recounted(org, secretary_a1):
    members = org.a1_g1_members + org.a1_g2_members  # 9 full members
    m = assembly(org, secretary_a1, marks=everyone(members))
    vote_record(meeting=m, subject="接收预备党员", votes_for=6, votes_against=0, abstaining=0, acting_user=secretary_a1)
    away = {str(i): (Presence.ABSENT, "away_work") for i in range(4)}
    with pytest.raises(ValidationError) as exc:
        meeting_update(meeting=m, held_on=DAY, topic=m.topic, marks=everyone(members, **away), acting_user=secretary_a1)
    assert "只有5人" in exc.value.message_dict["attendance"][0]
    assert counts(m) == (9, 9)
    away = {str(i): (Presence.ABSENT, "away_work") for i in range(3)}
    meeting_update(meeting=m, held_on=DAY, topic=m.topic, marks=everyone(members, **away), acting_user=secretary_a1)
    vote = Vote.objects.get()
    assert (vote.entitled, vote.attending, vote.is_valid) == (9, 6, True)


def test_deleting_keeps_the_reason_and_who_deleted(org, secretary_a1):
    m = lecture(org, secretary_a1)
    with pytest.raises(ValidationError) as exc:
        meeting_delete(meeting=m, reason=" ", acting_user=secretary_a1)
    assert "请写明删除的理由" in exc.value.message_dict["reason"][0]
    meeting_delete(meeting=m, reason="重复登记了一次", acting_user=secretary_a1)
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    gone = Meeting.history.filter(id=m.pk, history_type="-").get()
    assert gone.history_user == secretary_a1
    assert gone.history_change_reason == "删除：重复登记了一次"


def test_a_group_meeting_of_its_monthly_report_and_a_closed_months_meeting_stay(org, secretary_a1):
    group = meeting_record(
        village=org.a1,
        kind=Kind.GROUP,
        party_group=org.a1_g1,
        held_on=DAY,
        topic="学习防汛要求",
        acting_user=secretary_a1,
        marks=everyone(org.a1_g1_members),
    )
    with pytest.raises(ValidationError) as exc:
        meeting_delete(meeting=group, reason="登记错了", acting_user=secretary_a1)
    assert "月度报告里的党小组会" in exc.value.message_dict["reason"][0]
    in_april = lecture(org, secretary_a1, day=datetime.date(2027, 4, 20))
    close_april(org, secretary_a1)
    with pytest.raises(ValidationError) as exc:
        meeting_delete(meeting=in_april, reason="登记错了", acting_user=secretary_a1)
    message = exc.value.message_dict["reason"][0]
    assert "已关闭" in message and "重新打开这个月" in message
    assert Meeting.objects.count() == 2


# --- the pages --------------------------------------------------------------------------------------------------------


def test_the_secretary_corrects_a_meeting_from_its_page(org, secretary_a1, login):
    m = lecture(org, secretary_a1)
    client = login(secretary_a1)
    page = client.get(reverse("orglife:meeting", args=[m.pk])).content.decode()
    edit_url = reverse("orglife:meeting-edit", args=[m.pk])
    assert edit_url in page and reverse("orglife:meeting-delete", args=[m.pk]) in page
    form = client.get(edit_url).content.decode()
    assert "党课：学习党章" in form and "保存修改" in form
    members = org.a1_g1_members
    data = edit_data(m, members, topic="党课：改过的议题", **{f"p_{members[0].pk}": "absent:sick"})
    response = client.post(edit_url, data)
    assert response.status_code == 302
    detail = client.get(response.url).content.decode()
    assert "党课：改过的议题" in detail and "应到 5 人，实到 4 人" in detail
    assert "修改" in detail and "病假" in detail


def test_a_refused_correction_keeps_what_was_typed(org, secretary_a1, login):
    m = lecture(org, secretary_a1)
    client = login(secretary_a1)
    data = edit_data(m, org.a1_g1_members, held_on="2027-07-01", topic="保留这段议题")
    response = client.post(reverse("orglife:meeting-edit", args=[m.pk]), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "会议日期不能晚于今天" in text and "保留这段议题" in text
    m.refresh_from_db()
    assert m.topic == "党课：学习党章"


def test_deleting_asks_first_and_needs_a_reason(org, secretary_a1, login):
    m = lecture(org, secretary_a1)
    client = login(secretary_a1)
    url = reverse("orglife:meeting-delete", args=[m.pk])
    page = client.get(url).content.decode()
    assert "确认删除" in page and "删除理由" in page
    assert Meeting.objects.exists()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "请写明删除的理由" in response.content.decode()
    assert Meeting.objects.exists()
    response = client.post(url, {"reason": "日期记错，已另行登记"})
    assert response.status_code == 302
    assert not Meeting.objects.exists()
    assert "已删除" in client.get(response.url).content.decode()


def test_the_delete_page_says_why_a_report_meeting_stays(org, secretary_a1, login):
    m = meeting_record(
        village=org.a1,
        kind=Kind.GROUP,
        party_group=org.a1_g1,
        held_on=DAY,
        topic="学习防汛要求",
        acting_user=secretary_a1,
        marks=everyone(org.a1_g1_members),
    )
    client = login(secretary_a1)
    url = reverse("orglife:meeting-delete", args=[m.pk])
    page = client.get(url).content.decode()
    assert "不能删除" in page and "确认删除" not in page
    assert reverse("orglife:meeting-edit", args=[m.pk]) in page
    assert client.post(url, {"reason": "登记错了"}).status_code == 200
    assert Meeting.objects.filter(pk=m.pk).exists()


def test_others_may_not_correct_or_delete(org, secretary_a1, secretary_a2, county_viewer, login):
    m = lecture(org, secretary_a1)
    for name in ("orglife:meeting-edit", "orglife:meeting-delete"):
        url = reverse(name, args=[m.pk])
        assert login(secretary_a2).get(url).status_code == 404
        assert login(secretary_a2).post(url, {"reason": "越权删除"}).status_code == 404
        assert login(county_viewer).get(url).status_code == 403
        assert login(county_viewer).post(url, {"reason": "越权删除"}).status_code == 403
    assert Meeting.objects.get().topic == "党课：学习党章"
    page = login(county_viewer).get(reverse("orglife:meeting", args=[m.pk])).content.decode()
    assert reverse("orglife:meeting-edit", args=[m.pk]) not in page


def test_a_talk_is_corrected_only_by_who_may_read_it(org, secretary_a1, township_staff, login):
    m = meeting_record(
        village=org.a1,
        kind=Kind.TALK,
        held_on=DAY,
        topic="思想交流",
        content="家里困难",
        host=org.a1_g1_members[0],
        talk_with=org.a1_g1_members[1],
        acting_user=secretary_a1,
    )
    url = reverse("orglife:meeting-edit", args=[m.pk])
    assert login(township_staff).get(url).status_code == 403
    assert "家里困难" in login(secretary_a1).get(url).content.decode()


def test_a_left_member_stays_on_the_correction_form(org, secretary_a1, login):
    m = lecture(org, secretary_a1)
    gone = org.a1_g1_members[4]
    PartyMember.objects.filter(pk=gone.pk).update(left_on=DAY - datetime.timedelta(days=1))
    page = login(secretary_a1).get(reverse("orglife:meeting-edit", args=[m.pk])).content.decode()
    assert f'name="p_{gone.pk}"' in page


def test_moving_the_date_back_refuses_no_one_the_form_showed(org, secretary_a1, login):
    """A member who joined after the date typed was on the form (opened today): the meeting is saved, not refused
    as a stranger."""
    newcomer = org.a1_g1_members[0]
    PartyMember.objects.filter(pk=newcomer.pk).update(joined_on=DAY)
    client = login(secretary_a1)
    url = reverse("orglife:meeting-new", args=[org.a1.pk, "lecture"])
    assert f'name="p_{newcomer.pk}"' in client.get(url).content.decode()
    data = {"held_on": "2027-06-01", "topic": "党课", "study_hours": "4", f"p_{newcomer.pk}": "present"}
    assert client.post(url, data).status_code == 302
    assert Meeting.objects.get().held_on == datetime.date(2027, 6, 1)
