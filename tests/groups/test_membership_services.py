"""Joining, moving between and leaving party groups, and which party group looks after a villager group."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from groups.models import Coverage, GroupPost
from groups.services import coverage_assign, member_join_group, member_leave_group, member_move_group
from tests.factories import (
    PartyGroupFactory,
    PartyMemberFactory,
    UserFactory,
    VillageFactory,
    VillagerGroupFactory,
    assign,
)

Role = GroupPost.Role
D1, D2, D3 = datetime.date(2023, 1, 1), datetime.date(2024, 3, 1), datetime.date(2024, 9, 1)


@pytest.fixture
def village(db):
    return VillageFactory()


@pytest.fixture
def groups(village):
    return PartyGroupFactory(village=village, name="一组"), PartyGroupFactory(village=village, name="二组")


@pytest.fixture
def member(village):
    return PartyMemberFactory(village=village)


def history(member):
    return list(
        GroupPost.objects.filter(member=member)
        .order_by("started_on", "pk")
        .values_list("party_group__name", "role", "started_on", "ended_on")
    )


def test_it_makes_a_branch_member_an_ordinary_member_of_a_group(groups, member):
    user = UserFactory()
    assign(user, "branch_secretary", village=groups[0].village)
    post = member_join_group(member=member, party_group=groups[0], started_on=D1, acting_user=user)
    assert post.role == Role.MEMBER
    assert history(member) == [("一组", Role.MEMBER, D1, None)]
    assert post.history.first().history_user == user


def test_it_refuses_a_member_of_another_village(groups):
    stranger = PartyMemberFactory()
    with pytest.raises(ValidationError):
        member_join_group(member=stranger, party_group=groups[0], started_on=D1)
    assert not GroupPost.objects.exists()


def test_it_refuses_joining_a_second_group_and_points_to_move(groups, member):
    member_join_group(member=member, party_group=groups[0], started_on=D1)
    with pytest.raises(ValidationError):
        member_join_group(member=member, party_group=groups[1], started_on=D2)
    with pytest.raises(ValidationError):
        member_join_group(member=member, party_group=groups[0], started_on=D2)
    assert history(member) == [("一组", Role.MEMBER, D1, None)]


def test_it_moves_a_member_ending_the_old_post_the_day_the_new_one_starts(groups, member):
    member_join_group(member=member, party_group=groups[0], started_on=D1)
    member_move_group(member=member, party_group=groups[1], moved_on=D2)
    assert history(member) == [("一组", Role.MEMBER, D1, D2), ("二组", Role.MEMBER, D2, None)]
    assert GroupPost.objects.on(D2 - datetime.timedelta(days=1)).get(member=member).party_group == groups[0]
    assert GroupPost.objects.on(D2).get(member=member).party_group == groups[1]


def test_it_moves_a_member_in_no_group_into_one(groups, member):
    member_move_group(member=member, party_group=groups[1], moved_on=D2)
    assert history(member) == [("二组", Role.MEMBER, D2, None)]


def test_a_leader_who_moves_leaves_the_old_group_without_a_leader(groups, member):
    GroupPost.objects.create(party_group=groups[0], member=member, role=Role.LEADER, started_on=D1)
    member_move_group(member=member, party_group=groups[1], moved_on=D2)
    assert not GroupPost.objects.current().filter(party_group=groups[0], role=Role.LEADER).exists()
    assert GroupPost.objects.current().get(member=member).role == Role.MEMBER


def test_it_refuses_moving_to_another_village_and_changes_nothing(groups, member):
    member_join_group(member=member, party_group=groups[0], started_on=D1)
    foreign = PartyGroupFactory()
    with pytest.raises(ValidationError):
        member_move_group(member=member, party_group=foreign, moved_on=D2)
    assert history(member) == [("一组", Role.MEMBER, D1, None)]


def test_it_refuses_a_move_dated_before_the_current_post(groups, member):
    member_join_group(member=member, party_group=groups[0], started_on=D2)
    with pytest.raises(ValidationError):
        member_move_group(member=member, party_group=groups[1], moved_on=D1)
    assert history(member) == [("一组", Role.MEMBER, D2, None)]


def test_it_refuses_moving_into_the_same_group(groups, member):
    member_join_group(member=member, party_group=groups[0], started_on=D1)
    with pytest.raises(ValidationError):
        member_move_group(member=member, party_group=groups[0], moved_on=D2)


def test_it_ends_a_post_when_the_member_leaves(groups, member):
    post = member_join_group(member=member, party_group=groups[0], started_on=D1)
    member_leave_group(post=post, ended_on=D2)
    assert history(member) == [("一组", Role.MEMBER, D1, D2)]
    assert not GroupPost.objects.current().filter(member=member).exists()
    member_join_group(member=member, party_group=groups[1], started_on=D3)  # free to join again


def test_it_refuses_leaving_twice_or_before_joining(groups, member):
    post = member_join_group(member=member, party_group=groups[0], started_on=D2)
    with pytest.raises(ValidationError):
        member_leave_group(post=post, ended_on=D1)
    member_leave_group(post=post, ended_on=D3)
    with pytest.raises(ValidationError):
        member_leave_group(post=post, ended_on=D3)
    assert history(member) == [("一组", Role.MEMBER, D2, D3)]


def test_it_hands_a_villager_group_over_keeping_the_history(village, groups):
    vg = VillagerGroupFactory(village=village, number=5, name="5社")
    coverage_assign(party_group=groups[0], villager_group=vg, started_on=D1)
    coverage_assign(party_group=groups[1], villager_group=vg, started_on=D2)
    rows = list(
        Coverage.objects.filter(villager_group=vg)
        .order_by("started_on")
        .values_list("party_group__name", "started_on", "ended_on")
    )
    assert rows == [("一组", D1, D2), ("二组", D2, None)]
    assert Coverage.objects.current().get(villager_group=vg).party_group == groups[1]
    assert Coverage.objects.on(D2 - datetime.timedelta(days=1)).get(villager_group=vg).party_group == groups[0]


def test_it_refuses_covering_a_villager_group_of_another_village(groups):
    foreign = VillagerGroupFactory()
    with pytest.raises(ValidationError):
        coverage_assign(party_group=groups[0], villager_group=foreign, started_on=D1)
    assert not Coverage.objects.exists()


def test_it_refuses_a_hand_over_dated_before_the_current_coverage(village, groups):
    vg = VillagerGroupFactory(village=village)
    coverage_assign(party_group=groups[0], villager_group=vg, started_on=D2)
    with pytest.raises(ValidationError):
        coverage_assign(party_group=groups[1], villager_group=vg, started_on=D1)
    with pytest.raises(ValidationError):
        coverage_assign(party_group=groups[0], villager_group=vg, started_on=D3)
    assert list(Coverage.objects.values_list("party_group__name", "ended_on")) == [("一组", None)]
