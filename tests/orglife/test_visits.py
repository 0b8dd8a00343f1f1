"""The township committee's contact points and visits (联系点): who may log what, the problems and their follow-up,
a problem passed to the one concern queue, and the party groups nobody visited this quarter."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activity.models import Concern
from core import clock
from orglife.visits.models import ContactPoint, Visit, VisitProblem
from orglife.visits.selectors import unvisited_groups
from orglife.visits.services import (
    contact_point_assign,
    visit_problem_follow_up,
    visit_problem_to_concern,
    visit_record,
)
from tests.factories import UserFactory, assign

TODAY = clock.today()  # 2027-06-15, the second quarter
IN_QUARTER = datetime.date(2027, 5, 10)
START = datetime.date(2027, 1, 1)


@pytest.fixture
def point(org, township_staff):
    return contact_point_assign(member=township_staff, village=org.a1, started_on=START, acting_user=township_staff)


def visit(org, staff, **kwargs) -> Visit:
    values = {
        "visitor": staff,
        "village": org.a1,
        "party_groups": [org.a1_g1],
        "visited_on": IN_QUARTER,
        "met": "组长和三户群众",
        "learned": "春耕用水紧张",
        "problems": ["河堰渗水"],
        "acting_user": staff,
    }
    values.update(kwargs)
    return visit_record(**values)


def test_a_committee_member_logs_a_visit_to_their_contact_point(org, township_staff, point):
    v = visit(org, township_staff)
    assert v.visitor == township_staff and v.recorded_by == township_staff
    assert list(v.party_groups.all()) == [org.a1_g1]
    assert [p.description for p in v.problems.all()] == ["河堰渗水"]


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("not_assigned_village", "village"),
        ("future", "visited_on"),
        ("before_assigned", "village"),
        ("group_of_other_village", "party_groups"),
        ("nothing_learned", "learned"),
    ],
)
def test_bad_visits_are_refused_beside_the_field_and_nothing_saved(org, township_staff, point, case, field):
    kwargs = {}
    if case == "not_assigned_village":
        kwargs = {"village": org.a2, "party_groups": [org.a2_g1]}
    elif case == "future":
        kwargs = {"visited_on": TODAY + datetime.timedelta(days=1)}
    elif case == "before_assigned":
        kwargs = {"visited_on": START - datetime.timedelta(days=1)}
    elif case == "group_of_other_village":
        kwargs = {"party_groups": [org.a2_g1]}
    elif case == "nothing_learned":
        kwargs = {"learned": "  "}
    with pytest.raises(ValidationError) as caught:
        visit(org, township_staff, **kwargs)
    assert field in caught.value.message_dict
    message = caught.value.message_dict[field][0]
    assert "\u4e00" <= message[0] <= "\u9fff" or "\u4e00" <= message[-1] <= "\u9fff"
    assert not Visit.objects.exists() and not VisitProblem.objects.exists()


def test_a_contact_point_on_one_party_group_allows_only_that_group(org, township_staff):
    contact_point_assign(
        member=township_staff, village=org.a1, party_group=org.a1_g2, started_on=START, acting_user=township_staff
    )
    with pytest.raises(ValidationError) as caught:
        visit(org, township_staff, party_groups=[org.a1_g1])
    assert "party_groups" in caught.value.message_dict
    assert visit(org, township_staff, party_groups=[org.a1_g2]).pk


def test_only_township_staff_write_visits(org, secretary_a1, township_staff, point, county_viewer):
    for user in (secretary_a1, county_viewer):
        with pytest.raises(PermissionDenied):
            visit(org, user)
    with pytest.raises(PermissionDenied):
        contact_point_assign(member=township_staff, village=org.a2, started_on=START, acting_user=secretary_a1)


def test_a_contact_point_goes_only_to_the_townships_committee(org, township_staff, township_b_staff, secretary_a1):
    for user in (township_b_staff, secretary_a1):
        with pytest.raises(ValidationError) as caught:
            contact_point_assign(member=user, village=org.a1, started_on=START, acting_user=township_staff)
        assert "member" in caught.value.message_dict
    assert not ContactPoint.objects.exists()


def test_a_problem_is_followed_up_and_resolved(org, township_staff, point):
    problem = visit(org, township_staff).problems.get()
    with pytest.raises(ValidationError) as caught:
        visit_problem_follow_up(
            problem=problem,
            follow_up="已整修",
            resolved_on=IN_QUARTER - datetime.timedelta(days=1),
            acting_user=township_staff,
        )
    assert "resolved_on" in caught.value.message_dict
    visit_problem_follow_up(
        problem=problem, follow_up="乡水利站已整修", resolved_on=datetime.date(2027, 6, 1), acting_user=township_staff
    )
    problem.refresh_from_db()
    assert problem.follow_up == "乡水利站已整修" and problem.resolved_on == datetime.date(2027, 6, 1)


def test_a_problem_becomes_a_concern_in_the_one_queue(org, township_staff, point):
    problem = visit(org, township_staff).problems.get()
    concern = visit_problem_to_concern(
        problem=problem,
        villager_group=org.a1_vgs[0],
        raised_through=org.a1_g1_members[0],
        category=Concern.Category.INFRASTRUCTURE,
        acting_user=township_staff,
    )
    assert concern.handling == Concern.Handling.TOWNSHIP and "河堰渗水" in concern.content
    assert concern.raised_on == IN_QUARTER and concern.due_on
    problem.refresh_from_db()
    assert problem.concern == concern
    with pytest.raises(ValidationError):  # not twice
        visit_problem_to_concern(
            problem=problem,
            villager_group=org.a1_vgs[0],
            raised_through=org.a1_g1_members[0],
            category=Concern.Category.INFRASTRUCTURE,
            acting_user=township_staff,
        )
    assert Concern.objects.count() == 1


def test_the_township_sees_the_groups_nobody_visited_this_quarter(org, township_staff, point):
    first, last = datetime.date(2027, 4, 1), datetime.date(2027, 6, 30)
    assert {g.name for g in unvisited_groups(township_staff, first, last)} == {
        org.a1_g1.name,
        org.a1_g2.name,
        org.a2_g1.name,
    }
    visit(org, township_staff)
    visit(org, township_staff, party_groups=[], visited_on=datetime.date(2027, 5, 20))  # the branch only
    visit(org, township_staff, party_groups=[org.a1_g2], visited_on=datetime.date(2027, 3, 20))  # last quarter
    assert {g.name for g in unvisited_groups(township_staff, first, last)} == {org.a1_g2.name, org.a2_g1.name}


def test_the_pages_log_a_visit_and_refuse_a_village_not_assigned(org, township_staff, point, login):
    client = login(township_staff)
    index = client.get(reverse("orglife:visit-index")).content.decode()
    assert "本季度没有乡党委委员走访的党小组" in index and org.a1_g1.name in index
    url = reverse("orglife:visit-new")
    data = {
        "village": org.a2.pk,
        "visited_on": "2027-05-10",
        "met": "支部书记",
        "learned": "情况良好",
        "problem_1": "路灯坏",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "不是您在" in str(response.context["form"].errors["village"])
    assert response.context["form"]["learned"].value() == "情况良好"  # nothing typed is lost
    data.update(village=org.a1.pk, party_groups=[org.a1_g1.pk])
    response = client.post(url, data)
    assert response.status_code == 302
    v = Visit.objects.get()
    detail = client.get(reverse("orglife:visit-detail", args=[v.pk])).content.decode()
    assert "路灯坏" in detail and "转为党情民意" in detail
    bad = client.post(
        reverse("orglife:visit-problem-follow-up", args=[v.problems.get().pk]),
        {f"f{v.problems.get().pk}-follow_up": "", f"f{v.problems.get().pk}-resolved_on": ""},
    )
    assert bad.status_code == 200 and "请写明跟进" in bad.content.decode()


def test_a_secretary_reads_visits_to_their_own_village_only(
    org, township_staff, point, secretary_a1, secretary_a2, login
):
    v = visit(org, township_staff, learned="罗紫走访所见")
    assert login(secretary_a1).get(reverse("orglife:visit-detail", args=[v.pk])).status_code == 200
    page = login(secretary_a1).get(reverse("orglife:visit-index")).content.decode()
    assert "罗紫走访所见" in page and "登记一次走访" not in page
    assert login(secretary_a2).get(reverse("orglife:visit-detail", args=[v.pk])).status_code == 404
    assert "罗紫走访所见" not in login(secretary_a2).get(reverse("orglife:visit-index")).content.decode()
    response = login(secretary_a1).post(reverse("orglife:visit-new"), {"village": org.a1.pk})
    assert response.status_code == 403


@pytest.mark.parametrize("extra", [0, 5])
def test_the_visit_list_runs_a_fixed_number_of_queries(
    org, township_staff, point, login, django_assert_num_queries, extra
):
    for k in range(1 + extra):
        visit(org, township_staff, visited_on=IN_QUARTER + datetime.timedelta(days=k), problems=["一", "二"])
    client = login(township_staff)
    client.get(reverse("home"))
    with django_assert_num_queries(7):
        assert client.get(reverse("orglife:visit-index")).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(reverse("orglife:visit-points")).status_code == 200


def test_a_second_committee_member_cannot_log_the_first_ones_visit(org, township_staff, point):
    other = UserFactory(username="xiang2")
    assign(other, "township_staff", township=org.ta)
    with pytest.raises(ValidationError):
        visit(org, other)  # no contact point of their own in 罗紫村
    with pytest.raises(ValidationError):
        visit_record(
            visitor=township_staff,
            village=org.a1,
            visited_on=IN_QUARTER,
            met="某人",
            learned="某事",
            acting_user=other,
        )
