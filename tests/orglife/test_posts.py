"""Posts for members without office (无职党员设岗定责): the branch sets posts, puts its members on them without
overlaps, flags a member who holds an office, and credits the month's activities; a member's page shows it all."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activity.reports.services import activity_save, report_for
from core import clock
from orglife.posts.models import DutyAssignment, DutyCredit, DutyPost
from orglife.posts.services import duty_credit, offices_of, post_assign, post_define

TODAY = clock.today()
START = datetime.date(2027, 1, 1)
MONTH = datetime.date(2027, 4, 1)


@pytest.fixture
def post(org, secretary_a1):
    return post_define(
        village=org.a1,
        kind="households",
        title="1社联系农户岗",
        villager_group=org.a1_vgs[0],
        households="张永志、杨秀兰",
        duties="每月走访联系户",
        acting_user=secretary_a1,
    )


@pytest.fixture
def activity(org, secretary_a1):
    report = report_for(party_group=org.a1_g1, month=MONTH, acting_user=secretary_a1)
    return activity_save(
        report=report,
        version=report.version,
        acting_user=secretary_a1,
        kind="visit",
        held_on=MONTH + datetime.timedelta(days=4),
        content="走访联系户张永志",
        participants=org.a1_g1_members[2:4],
    )


def test_a_households_post_names_its_households(org, secretary_a1):
    with pytest.raises(ValidationError) as caught:
        post_define(village=org.a1, kind="households", title="2社联系农户岗", duties="走访", acting_user=secretary_a1)
    assert "households" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        post_define(
            village=org.a1,
            kind="policy",
            title="政策宣传岗",
            duties="宣讲",
            villager_group=org.a2_vgs[0],
            acting_user=secretary_a1,
        )
    assert "villager_group" in caught.value.message_dict
    assert not DutyPost.objects.exists()


def test_a_member_is_put_on_a_post_and_the_periods_never_overlap(org, secretary_a1, post):
    member = org.a1_g1_members[2]
    post_assign(post=post, member=member, started_on=START, ended_on=MONTH, acting_user=secretary_a1)
    with pytest.raises(ValidationError) as caught:
        post_assign(post=post, member=member, started_on=datetime.date(2027, 3, 1), acting_user=secretary_a1)
    assert "started_on" in caught.value.message_dict and "重叠" in caught.value.message_dict["started_on"][0]
    post_assign(post=post, member=member, started_on=MONTH, acting_user=secretary_a1)  # the day the first ended
    with pytest.raises(ValidationError):
        post_assign(post=post, member=member, started_on=datetime.date(2026, 12, 1), acting_user=secretary_a1)
    assert DutyAssignment.objects.filter(member=member).count() == 2


@pytest.mark.parametrize(
    ("case", "field"),
    [("other_branch", "member"), ("future", "started_on"), ("ends_before_start", "ended_on")],
)
def test_bad_assignments_are_refused_beside_the_field(org, secretary_a1, post, case, field):
    kwargs = {"post": post, "member": org.a1_g1_members[2], "started_on": START, "acting_user": secretary_a1}
    if case == "other_branch":
        kwargs["member"] = org.a2_members[1]
    elif case == "future":
        kwargs["started_on"] = TODAY + datetime.timedelta(days=1)
    elif case == "ends_before_start":
        kwargs["ended_on"] = START
    with pytest.raises(ValidationError) as caught:
        post_assign(**kwargs)
    assert field in caught.value.message_dict
    assert not DutyAssignment.objects.exists()


def test_another_villages_secretary_cannot_touch_the_post(org, secretary_a2, post):
    with pytest.raises(PermissionDenied):
        post_assign(post=post, member=org.a2_members[1], started_on=START, acting_user=secretary_a2)


def test_a_member_holding_an_office_is_flagged(org, secretary_a1, post):
    leader, deputy, plain = org.a1_g1_members[0], org.a1_g1_members[1], org.a1_g1_members[2]
    offices = offices_of([leader, deputy, plain], TODAY)
    assert offices[leader.pk] and offices[deputy.pk] and offices[plain.pk] == []
    org.a1.secretary_name = plain.name
    org.a1.save()
    assert offices_of([plain], TODAY)[plain.pk] == ["村党支部书记"]


def test_an_activity_is_credited_to_the_post_of_a_member_who_took_part(org, secretary_a1, post, activity):
    a = post_assign(post=post, member=org.a1_g1_members[2], started_on=START, acting_user=secretary_a1)
    outsider = post_assign(post=post, member=org.a1_g1_members[4], started_on=START, acting_user=secretary_a1)
    late = post_assign(
        post=post, member=org.a1_g1_members[3], started_on=datetime.date(2027, 5, 1), acting_user=secretary_a1
    )
    duty_credit(assignment=a, activity=activity, note="走访3户", acting_user=secretary_a1)
    for assignment in (outsider, late):  # did not take part; not yet on the post that day
        with pytest.raises(ValidationError) as caught:
            duty_credit(assignment=assignment, activity=activity, acting_user=secretary_a1)
        assert "activity" in caught.value.message_dict
    with pytest.raises(ValidationError):
        duty_credit(assignment=a, activity=activity, acting_user=secretary_a1)  # not twice
    assert DutyCredit.objects.count() == 1


def test_the_members_page_shows_the_post_and_what_was_done(org, secretary_a1, post, activity, login):
    member = org.a1_g1_members[2]
    a = post_assign(post=post, member=member, started_on=START, acting_user=secretary_a1)
    client = login(secretary_a1)
    url = reverse("orglife:post-member", args=[member.pk])
    page = client.get(url).content.decode()
    assert "1社联系农户岗" in page and "还没有记入履职的活动" in page
    response = client.post(
        reverse("orglife:post-credit", args=[a.pk]), {f"c{a.pk}-activity": activity.pk, f"c{a.pk}-note": "走访3户"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "走访联系户张永志" in page and "走访3户" in page
    group_page = client.get(reverse("groups:party-group", args=[org.a1_g1.pk])).content.decode()
    assert url in group_page


def test_the_post_page_refuses_overlapping_dates_beside_the_field_keeping_the_input(org, secretary_a1, post, login):
    member = org.a1_g1_members[2]
    post_assign(post=post, member=member, started_on=START, acting_user=secretary_a1)
    client = login(secretary_a1)
    response = client.post(
        reverse("orglife:post-detail", args=[post.pk]), {"member": member.pk, "started_on": "2027-03-01"}
    )
    assert response.status_code == 200
    assert "重叠" in str(response.context["form"].errors["started_on"])
    assert response.context["form"]["started_on"].value() == "2027-03-01"
    foreign = client.post(
        reverse("orglife:post-detail", args=[post.pk]), {"member": org.a2_members[0].pk, "started_on": "2027-03-01"}
    )
    assert "本支部" in str(foreign.context["form"].errors["member"])


def test_the_village_page_flags_a_holder_with_an_office(org, secretary_a1, post, login):
    post_assign(post=post, member=org.a1_g1_members[0], started_on=START, acting_user=secretary_a1)  # the leader
    page = login(secretary_a1).get(reverse("orglife:post-village", args=[org.a1.pk])).content.decode()
    assert "有职务" in page
    assert (
        reverse("orglife:post-village", args=[org.a1.pk])
        in login(secretary_a1).get(reverse("village", args=[org.a1.pk])).content.decode()
    )


@pytest.mark.parametrize("extra", [0, 4])
def test_the_posts_list_runs_a_fixed_number_of_queries(org, secretary_a1, login, django_assert_num_queries, extra):
    for k in range(1 + extra):
        p = post_define(village=org.a1, kind="policy", title=f"政策宣传岗{k}", duties="宣讲", acting_user=secretary_a1)
        post_assign(post=p, member=org.a1_g1_members[k % 5], started_on=START, acting_user=secretary_a1)
        post_assign(post=p, member=org.a1_g2_members[k % 4], started_on=START, acting_user=secretary_a1)
    client = login(secretary_a1)
    client.get(reverse("home"))
    with django_assert_num_queries(12):
        assert client.get(reverse("orglife:post-village", args=[org.a1.pk])).status_code == 200
