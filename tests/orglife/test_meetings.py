"""Meetings, attendance and votes: the services' rules and the pages a secretary records them on."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activity.models import MonthlyReport
from activity.reports.services import report_close, report_for, report_submit
from members.models import PartyMember
from orglife.meetings.models import Attendance, Kind, Meeting, Presence, Vote
from orglife.meetings.services import Mark, meeting_record, theme_publish, vote_record

DAY = datetime.date(2027, 6, 10)  # the suite is frozen at 2027-06-15


def everyone(members, **exceptions) -> list[Mark]:
    """Everyone present, with the named exceptions (index → (presence, reason))."""
    marks = []
    for i, m in enumerate(members):
        presence, reason = exceptions.get(str(i), (Presence.PRESENT, ""))
        marks.append(Mark(member=m, presence=presence, reason=reason))
    return marks


def assembly(org, user=None, *, marks=None, day=DAY):
    members = org.a1_g1_members + org.a1_g2_members
    return meeting_record(
        village=org.a1,
        kind=Kind.ASSEMBLY,
        held_on=day,
        topic="讨论发展党员",
        acting_user=user,
        marks=everyone(members) if marks is None else marks,
    )


def test_it_counts_expected_and_attended_from_the_attendance(org, secretary_a1):
    members = org.a1_g1_members
    m = meeting_record(
        village=org.a1,
        kind=Kind.LECTURE,
        held_on=DAY,
        topic="党课：学习党章",
        acting_user=secretary_a1,
        marks=everyone(members, **{"1": (Presence.REMOTE, ""), "2": (Presence.ABSENT, "sick")}),
    )
    from orglife.meetings.selectors import with_counts

    counted = with_counts(Meeting.objects.filter(pk=m.pk)).get()
    assert (counted.expected, counted.attended) == (5, 4)
    assert Attendance.objects.get(meeting=m, member=members[2]).reason == "sick"
    assert m.study_hours == 4  # a 党课's default


def test_it_refuses_attendance_of_another_branchs_member_beside_the_field(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        assembly(org, secretary_a1, marks=everyone(org.a1_g1_members + org.a2_members[:1]))
    assert "井阳党员1不是本支部的党员" in str(exc.value.message_dict["attendance"])
    assert not Meeting.objects.exists()


def test_it_refuses_a_meeting_in_the_future(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        assembly(org, secretary_a1, day=datetime.date(2027, 6, 16))
    assert "不能晚于今天" in exc.value.message_dict["held_on"][0]
    assert not Meeting.objects.exists()


def test_it_refuses_a_meeting_in_a_closed_month(org, secretary_a1):
    month = datetime.date(2027, 4, 1)
    for group in (org.a1_g1, org.a1_g2):
        report = report_for(party_group=group, month=month, acting_user=secretary_a1)
        report = report_submit(report=report, version=report.version, acting_user=secretary_a1, summary="本月工作")
        report_close(report=report, acting_user=secretary_a1)
    with pytest.raises(ValidationError) as exc:
        assembly(org, secretary_a1, day=datetime.date(2027, 4, 20))
    assert "已关闭" in exc.value.message_dict["held_on"][0]
    assert not Meeting.objects.exists()


def test_it_refuses_a_talk_with_oneself(org, secretary_a1):
    me = org.a1_g1_members[0]
    with pytest.raises(ValidationError) as exc:
        meeting_record(
            village=org.a1, kind=Kind.TALK, held_on=DAY, topic="谈心", host=me, talk_with=me, acting_user=secretary_a1
        )
    assert "不能是谈话人自己" in exc.value.message_dict["talk_with"][0]
    assert not Meeting.objects.exists()


def test_another_branchs_secretary_may_not_record(org, secretary_a2):
    with pytest.raises(PermissionDenied):
        assembly(org, secretary_a2)


def test_a_party_groups_meeting_is_the_one_its_monthly_report_shows(org, secretary_a1, login):
    m = meeting_record(
        village=org.a1,
        kind=Kind.GROUP,
        party_group=org.a1_g1,
        held_on=DAY,
        topic="学习防汛要求",
        acting_user=secretary_a1,
        marks=everyone(org.a1_g1_members),
    )
    report = MonthlyReport.objects.get(party_group=org.a1_g1, month=datetime.date(2027, 6, 1))
    assert m.report == report
    assert list(report.orglife_meetings.all()) == [m]


def test_only_full_members_vote_and_a_vote_needs_more_than_half(org, secretary_a1):
    members = org.a1_g1_members + org.a1_g2_members  # 9 members
    PartyMember.objects.filter(pk=members[0].pk).update(status=PartyMember.Status.PROBATIONARY)
    absent = {str(i): (Presence.ABSENT, "away_work") for i in range(1, 5)}
    m = assembly(org, secretary_a1, marks=everyone(members, **absent))
    vote = vote_record(
        meeting=m, subject="接收预备党员", votes_for=4, votes_against=0, abstaining=0, acting_user=secretary_a1
    )
    # entitled: 8 full members; attending: the 4 full members present (the probationary one does not count)
    assert (vote.entitled, vote.attending) == (8, 4)
    assert not vote.is_valid  # 4 is not more than half of 8
    with pytest.raises(ValidationError) as exc:
        vote_record(meeting=m, subject="再表决", votes_for=4, votes_against=1, abstaining=0, acting_user=secretary_a1)
    assert "多于到会的有表决权党员4人" in exc.value.message_dict["votes_for"][0]
    assert Vote.objects.count() == 1


def test_a_theme_day_links_to_the_townships_theme(org, secretary_a1, township_staff):
    m = meeting_record(
        village=org.a1, kind=Kind.THEME_DAY, held_on=DAY, topic="主题党日", acting_user=secretary_a1, marks=[]
    )
    theme = theme_publish(township=org.ta, month=DAY, title="学党史、办实事", acting_user=township_staff)
    m.refresh_from_db()
    assert m.theme == theme


# --- the pages ----------------------------------------------------------------------------------------------------


def form_data(members, **extra) -> dict:
    data = {"held_on": DAY.isoformat(), "topic": "党员大会", "study_hours": "2"}
    data.update({f"p_{m.pk}": "present" for m in members})
    data.update(extra)
    return data


def test_a_secretary_records_a_meeting_changing_only_the_exceptions(org, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("orglife:meeting-new", args=[org.a1.pk, "assembly"])
    page = client.get(url)
    assert page.status_code == 200
    members = org.a1_g1_members + org.a1_g2_members + [org.a1_loose]
    assert page.content.decode().count('<option value="present" selected>') == len(members)
    data = form_data(members, **{f"p_{members[2].pk}": "absent:away_work", f"p_{members[3].pk}": "remote"})
    response = client.post(url, data)
    assert response.status_code == 302
    m = Meeting.objects.get()
    assert Attendance.objects.filter(meeting=m).count() == 10
    assert Attendance.objects.get(meeting=m, member=members[2]).reason == "away_work"
    detail = client.get(response.url).content.decode()
    assert "应到 10 人，实到 9 人" in detail
    assert "外出务工" in detail


def test_a_member_away_is_absent_away_working_by_default_and_the_form_says_where(org, secretary_a1, login):
    """A 流动党员 working in 广州 on the day is not marked 出席 unless the secretary says so; one back home is."""
    from members.away.services import away_record, away_return

    away, back = org.a1_g1_members[0], org.a1_g1_members[1]
    away_record(
        member=away, province="广东省", city="广州市", workplace="电子厂", fixed_workplace=True,
        since=datetime.date(2027, 3, 1), acting_user=secretary_a1,
    )  # fmt: skip
    spell = away_record(
        member=back, province="四川省", city="成都市", workplace="工地", fixed_workplace=False,
        since=datetime.date(2027, 1, 5), acting_user=secretary_a1,
    )  # fmt: skip
    away_return(spell=spell, returned_on=datetime.date(2027, 5, 20), acting_user=secretary_a1)
    client = login(secretary_a1)
    for url in (
        reverse("orglife:meeting-new", args=[org.a1.pk, "assembly"]),
        reverse("orglife:group-meeting-new", args=[org.a1_g1.pk, datetime.date(2027, 6, 1)]),
    ):
        page = client.get(url)
        form = page.context["form"]
        assert form[f"p_{away.pk}"].initial == "absent:away_work", url
        select = page.content.decode().split(f'name="p_{away.pk}"')[1].split("</select>")[0]
        assert '<option value="absent:away_work" selected>' in select
        assert "外出：广州市" in form[f"p_{away.pk}"].label
        assert form[f"p_{back.pk}"].initial == Presence.PRESENT, url
        assert "外出" not in form[f"p_{back.pk}"].label


def test_the_form_refuses_a_stranger_and_keeps_what_was_typed(org, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("orglife:meeting-new", args=[org.a1.pk, "assembly"])
    data = form_data(org.a1_g1_members, topic="保留这段议题", **{f"p_{org.a2_members[0].pk}": "present"})
    response = client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "不是本支部的党员" in text and "保留这段议题" in text
    assert not Meeting.objects.exists()


def test_the_form_refuses_a_future_date_beside_the_field(org, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("orglife:meeting-new", args=[org.a1.pk, "lecture"])
    response = client.post(url, form_data(org.a1_g1_members, held_on="2027-07-01"))
    assert response.status_code == 200
    assert "会议日期不能晚于今天" in response.content.decode()
    assert not Meeting.objects.exists()


def test_talk_contents_are_only_for_the_branch_secretary(org, secretary_a1, township_staff, county_viewer, login):
    m = meeting_record(
        village=org.a1,
        kind=Kind.TALK,
        held_on=DAY,
        topic="思想交流",
        content="家里困难，想外出务工",
        host=org.a1_g1_members[0],
        talk_with=org.a1_g1_members[1],
        acting_user=secretary_a1,
    )
    url = reverse("orglife:meeting", args=[m.pk])
    assert "家里困难" in login(secretary_a1).get(url).content.decode()
    for user in (township_staff, county_viewer):
        page = login(user).get(url).content.decode()
        assert "思想交流" in page and "家里困难" not in page


def test_a_foreign_villages_secretary_gets_404(org, secretary_a1, secretary_a2, login):
    m = assembly(org, secretary_a1)
    client = login(secretary_a2)
    assert client.get(reverse("orglife:meeting", args=[m.pk])).status_code == 404
    assert client.get(reverse("orglife:village", args=[org.a1.pk, 2027])).status_code == 404
    assert client.get(reverse("orglife:meeting-new", args=[org.a1.pk, "assembly"])).status_code == 404


def test_the_county_viewer_reads_but_may_not_record(org, county_viewer, login):
    client = login(county_viewer)
    assert client.get(reverse("orglife:village", args=[org.a1.pk, 2027])).status_code == 200
    assert client.get(reverse("orglife:meeting-new", args=[org.a1.pk, "assembly"])).status_code == 403
    assert client.post(reverse("orglife:meeting-new", args=[org.a1.pk, "assembly"]), {}).status_code == 403
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("extra", [0, 5])
def test_list_pages_and_exports_run_a_fixed_number_of_queries(
    org, secretary_a1, township_staff, county_viewer, login, django_assert_num_queries, extra
):
    """Exactly these many statements, with 5 more meetings or not (sessions and the login's bookkeeping included,
    after a first request)."""
    for k in range(1 + extra):
        assembly(org, secretary_a1, day=DAY - datetime.timedelta(days=k))
        meeting_record(
            village=org.a1,
            kind=Kind.GROUP,
            party_group=org.a1_g1,
            held_on=DAY - datetime.timedelta(days=k),
            topic="党小组会",
            acting_user=secretary_a1,
            marks=everyone(org.a1_g1_members),
        )
    counted = {reverse("orglife:village", args=[org.a1.pk, 2027]): PINS["village-counted"]}
    for user, pages in (
        (
            secretary_a1,
            {
                reverse("orglife:village", args=[org.a1.pk, 2027]): PINS["village"],
                reverse("orglife:members", args=[org.a1.pk]): PINS["members"],
                reverse("orglife:record-book", args=[org.a1.pk, 2027]): PINS["record-book"],
            },
        ),
        (
            township_staff,
            {
                reverse("orglife:township", args=[org.ta.pk, 2027]): PINS["township"],
                reverse("orglife:township", args=[org.ta.pk, 2027]) + "?period=month&n=5": PINS["township"],
                reverse("orglife:township-xlsx", args=[org.ta.pk, 2027]): PINS["township-xlsx"],
                reverse("orglife:themes", args=[org.ta.pk]): PINS["themes"],
            },
        ),
        (county_viewer, {reverse("orglife:county", args=[org.county.pk, 2027]): PINS["county"]}),
    ):
        client = login(user)
        client.get(reverse("home"))
        for url, expected in pages.items():
            if url in counted:  # its first visit counts and keeps what the next visits read
                with django_assert_num_queries(counted[url]):
                    assert client.get(url).status_code == 200, url
            with django_assert_num_queries(expected):
                assert client.get(url).status_code == 200, url


# the branch's year: its meetings kept until the branch changes (township.changes.kept_html)
PINS = {
    **{"village": 6, "village-counted": 14, "members": 8, "record-book": 6},
    **{"township": 8, "township-xlsx": 8, "themes": 6, "county": 8},
}


def test_the_years_page_folds_its_meetings_by_month_with_the_latest_month_open(org, secretary_a1, login):
    assembly(org, secretary_a1, day=datetime.date(2027, 3, 20))
    assembly(org, secretary_a1, day=datetime.date(2027, 6, 10))
    page = login(secretary_a1).get(reverse("orglife:village", args=[org.a1.pk, 2027])).content.decode()
    june, march = page.index("2027年6月</strong>"), page.index("2027年3月</strong>")
    assert june < march  # the latest month first
    folds = page.split('<details class="card month-meetings"')[1:]
    assert len(folds) == 2 and folds[0].startswith(" open>") and not folds[1].startswith(" open")
    assert "6月10日" in folds[0] and "3月20日" in folds[1]


def test_a_year_without_meetings_says_so(org, secretary_a1, login):
    page = login(secretary_a1).get(reverse("orglife:village", args=[org.a1.pk, 2027])).content.decode()
    assert "2027年还没有登记会议。" in page
