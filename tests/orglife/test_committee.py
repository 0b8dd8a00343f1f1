"""The branch committee (支部委员会成员): members of the branch in posts for terms that do not overlap, kept by the
secretary on a page of the branch's organisational life; a 支委会 expects the committee in office on its date."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from orglife.committee.models import CommitteeSeat
from orglife.committee.services import committee_on, committee_seat_add, committee_seat_end
from orglife.meetings.models import Attendance, Kind, Meeting, Presence
from orglife.meetings.services import Mark, meeting_record

START = datetime.date(2026, 1, 1)
DAY = datetime.date(2027, 6, 10)  # the suite is frozen at 2027-06-15
POSTS = ["secretary", "organisation", "publicity"]


def committee(org, user, people=None, start=START):
    people = people or org.a1_g1_members[:3]
    return [
        committee_seat_add(village=org.a1, member=m, post=post, started_on=start, acting_user=user)
        for m, post in zip(people, POSTS, strict=False)
    ]


def test_a_committee_is_recorded_with_its_posts_in_order(org, secretary_a1):
    seats = committee(org, secretary_a1)
    assert [s.get_post_display() for s in committee_on(org.a1, DAY)] == ["书记", "组织委员", "宣传委员"]
    assert seats[0].history.get().history_user == secretary_a1


def test_only_a_member_of_the_branch_may_sit_on_its_committee(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        committee_seat_add(
            village=org.a1, member=org.a2_members[0], post="member", started_on=START, acting_user=secretary_a1
        )
    assert "不是罗紫村党支部的党员" in exc.value.message_dict["member"][0]
    assert not CommitteeSeat.objects.exists()


def test_terms_of_the_same_member_and_post_do_not_overlap(org, secretary_a1):
    member = org.a1_g1_members[0]
    committee_seat_add(
        village=org.a1,
        member=member,
        post="secretary",
        started_on=START,
        ended_on=datetime.date(2027, 1, 1),
        acting_user=secretary_a1,
    )
    with pytest.raises(ValidationError) as exc:
        committee_seat_add(
            village=org.a1,
            member=member,
            post="secretary",
            started_on=datetime.date(2026, 12, 1),
            acting_user=secretary_a1,
        )
    assert "任期不能重叠" in exc.value.message_dict["started_on"][0]
    # the next term, and another post the same day, are fine
    committee_seat_add(
        village=org.a1, member=member, post="secretary", started_on=datetime.date(2027, 1, 1), acting_user=secretary_a1
    )
    committee_seat_add(village=org.a1, member=member, post="discipline", started_on=START, acting_user=secretary_a1)
    assert CommitteeSeat.objects.count() == 3


def test_dates_must_be_in_order(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        committee_seat_add(
            village=org.a1,
            member=org.a1_g1_members[0],
            post="deputy",
            started_on=START,
            ended_on=START,
            acting_user=secretary_a1,
        )
    assert "离任日期要晚于任职日期" in exc.value.message_dict["ended_on"][0]
    seat = committee(org, secretary_a1)[0]
    with pytest.raises(ValidationError) as exc:
        committee_seat_end(seat=seat, ended_on=START - datetime.timedelta(days=1), acting_user=secretary_a1)
    assert "离任日期要更晚" in exc.value.message_dict["ended_on"][0]


def test_another_branch_may_not_keep_this_committee(org, secretary_a2):
    with pytest.raises(PermissionDenied):
        committee(org, secretary_a2)


def test_a_committee_meeting_expects_the_committee_in_office(org, secretary_a1):
    committee(org, secretary_a1)
    stranger = org.a1_g2_members[0]
    with pytest.raises(ValidationError) as exc:
        meeting_record(
            village=org.a1,
            kind=Kind.COMMITTEE,
            held_on=DAY,
            topic="研究工作",
            acting_user=secretary_a1,
            marks=[Mark(member=m, presence=Presence.PRESENT) for m in [*org.a1_g1_members[:3], stranger]],
        )
    assert f"{stranger.name}在2027年6月10日不是支部委员" in exc.value.message_dict["attendance"][0]
    with pytest.raises(ValidationError) as exc:
        meeting_record(
            village=org.a1,
            kind=Kind.COMMITTEE,
            held_on=DAY,
            topic="研究工作",
            acting_user=secretary_a1,
            marks=[Mark(member=m, presence=Presence.PRESENT) for m in org.a1_g1_members[:2]],
        )
    assert "还没有出席情况" in exc.value.message_dict["attendance"][0]
    assert not Meeting.objects.exists()


def test_the_committee_form_lists_and_ticks_the_committee_of_the_day(org, secretary_a1, login):
    seats = committee(org, secretary_a1)
    committee_seat_end(seat=seats[2], ended_on=datetime.date(2027, 6, 1), acting_user=secretary_a1)
    client = login(secretary_a1)
    url = reverse("orglife:meeting-new", args=[org.a1.pk, "committee"])
    page = client.get(url).content.decode()
    in_office = org.a1_g1_members[:2]
    for m in org.a1_g1_members + org.a1_g2_members:
        assert (f'name="p_{m.pk}"' in page) == (m in in_office)
    assert page.count('<option value="present" selected>') == 2
    assert "不应到" not in page
    assert f"{in_office[0].name}（书记）" in page and f"{in_office[1].name}（组织委员）" in page
    data = {"held_on": DAY.isoformat(), "topic": "研究本月工作", "study_hours": "0"}
    data |= {f"p_{m.pk}": "present" for m in in_office}
    data[f"p_{in_office[1].pk}"] = "absent:personal"
    assert client.post(url, data).status_code == 302
    m = Meeting.objects.get()
    assert Attendance.objects.filter(meeting=m).count() == 2  # 应到: the two in office on June 10th
    # on a day the third member was still in office, the form offers three; what was ticked is kept
    data["held_on"] = "2027-05-20"
    response = client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "还没有出席情况" in text and f'name="p_{org.a1_g1_members[2].pk}"' in text
    assert Meeting.objects.count() == 1


def test_without_a_committee_the_form_offers_the_branch_and_links_to_the_committee(org, secretary_a1, login):
    page = login(secretary_a1).get(reverse("orglife:meeting-new", args=[org.a1.pk, "committee"])).content.decode()
    assert "还没有登记支部委员会成员" in page
    assert reverse("orglife:committee", args=[org.a1.pk]) in page


def test_the_secretary_keeps_the_committee_on_its_page(org, secretary_a1, login):
    client = login(secretary_a1)
    village_page = client.get(reverse("orglife:village", args=[org.a1.pk, 2027])).content.decode()
    url = reverse("orglife:committee", args=[org.a1.pk])
    assert url in village_page
    member = org.a1_g1_members[0]
    response = client.post(url, {"member": member.pk, "post": "secretary", "started_on": "2026-01-01"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "书记" in page and member.name in page and "2026年1月1日起" in page
    response = client.post(url, {"member": member.pk, "post": "secretary", "started_on": "2026-03-01"})
    assert response.status_code == 200
    assert "任期不能重叠" in response.content.decode()
    seat = CommitteeSeat.objects.get()
    end_url = reverse("orglife:committee-seat-end", args=[seat.pk])
    assert end_url in page
    assert client.post(end_url, {f"e{seat.pk}-ended_on": "2027-06-01"}).status_code == 302
    seat.refresh_from_db()
    assert seat.ended_on == datetime.date(2027, 6, 1)
    assert "往届" in client.get(url).content.decode()


def test_outsiders_get_404_and_readers_may_not_write(org, secretary_a1, secretary_a2, county_viewer, login):
    seat = committee(org, secretary_a1)[0]
    url = reverse("orglife:committee", args=[org.a1.pk])
    end_url = reverse("orglife:committee-seat-end", args=[seat.pk])
    assert login(secretary_a2).get(url).status_code == 404
    assert login(secretary_a2).post(end_url, {f"e{seat.pk}-ended_on": "2027-06-01"}).status_code == 404
    client = login(county_viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"member": seat.member_id, "post": "member", "started_on": "2026-01-01"}).status_code == 403
    assert client.post(end_url, {f"e{seat.pk}-ended_on": "2027-06-01"}).status_code == 403
    assert CommitteeSeat.objects.count() == 3 and CommitteeSeat.objects.get(pk=seat.pk).ended_on is None


@pytest.mark.parametrize("extra", [0, 4])
def test_the_committee_page_runs_a_fixed_number_of_queries(org, secretary_a1, login, django_assert_num_queries, extra):
    committee(org, secretary_a1)
    for k in range(extra):
        committee_seat_add(
            village=org.a1,
            member=org.a1_g2_members[k],
            post="member",
            started_on=START,
            ended_on=datetime.date(2027, 1, 1),
            acting_user=secretary_a1,
        )
    client = login(secretary_a1)
    url = reverse("orglife:committee", args=[org.a1.pk])
    client.get(url)
    with django_assert_num_queries(PIN):
        assert client.get(url).status_code == 200


PIN = 5
