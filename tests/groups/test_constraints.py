"""What the database itself keeps, and that full_clean answers the same breaches in words on the right field."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from groups.models import Coverage, GroupPost, LeaderElection, PartyGroup, VillagerGroup
from tests.factories import PartyGroupFactory, PartyMemberFactory, VillageFactory, VillagerGroupFactory, join
from township.models import Village

Role = GroupPost.Role
DAY = datetime.date(2024, 6, 1)


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def field_errors(obj) -> dict:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


@pytest.fixture
def group(db):
    """A party group with four ordinary members, all of one village."""
    g = PartyGroupFactory()
    members = PartyMemberFactory.create_batch(4, village=g.village)
    join(members, g)
    return g


def post_of(group, role, **kwargs) -> GroupPost:
    member = PartyMemberFactory(village=group.village)
    return GroupPost(party_group=group, member=member, role=role, started_on=DAY, **kwargs)


# --- one active leader -------------------------------------------------------------------------------------------


def test_the_database_refuses_a_second_active_leader(group):
    post_of(group, Role.LEADER).save()
    refused(lambda: post_of(group, Role.LEADER).save())


def test_it_allows_a_new_leader_once_the_old_post_has_ended(group):
    old = post_of(group, Role.LEADER)
    old.save()
    old.ended_on = DAY
    old.save()
    post_of(group, Role.LEADER).save()
    assert GroupPost.objects.filter(party_group=group, role=Role.LEADER).count() == 2


def test_full_clean_answers_a_second_leader_on_the_role(group):
    post_of(group, Role.LEADER).save()
    assert "role" in field_errors(post_of(group, Role.LEADER))


# --- at most two deputies ----------------------------------------------------------------------------------------


def test_the_database_refuses_a_third_deputy_in_any_seat(group):
    post_of(group, Role.DEPUTY, seat=1).save()
    post_of(group, Role.DEPUTY, seat=2).save()
    refused(lambda: post_of(group, Role.DEPUTY, seat=1).save())
    refused(lambda: post_of(group, Role.DEPUTY, seat=2).save())
    refused(lambda: post_of(group, Role.DEPUTY, seat=3).save())
    refused(lambda: post_of(group, Role.DEPUTY, seat=None).save())
    assert GroupPost.objects.filter(party_group=group, role=Role.DEPUTY).count() == 2


def test_the_database_refuses_a_seat_on_a_leader_or_member_post(group):
    refused(lambda: post_of(group, Role.LEADER, seat=1).save())
    refused(lambda: post_of(group, Role.MEMBER, seat=2).save())


def test_full_clean_gives_deputies_the_free_seats(group):
    first = post_of(group, Role.DEPUTY)
    first.full_clean()
    first.save()
    second = post_of(group, Role.DEPUTY, seat=1)  # asks for a taken seat
    second.full_clean()
    second.save()
    assert {first.seat, second.seat} == {1, 2}


def test_full_clean_answers_a_third_deputy_on_the_role(group):
    for _ in range(2):
        p = post_of(group, Role.DEPUTY)
        p.full_clean()
        p.save()
    assert "role" in field_errors(post_of(group, Role.DEPUTY))


# --- one active party group per member ---------------------------------------------------------------------------


def test_the_database_refuses_a_member_in_two_active_groups(group):
    other = PartyGroupFactory(village=group.village)
    member = GroupPost.objects.filter(party_group=group).first().member
    refused(lambda: GroupPost.objects.create(party_group=other, member=member, started_on=DAY))


def test_full_clean_answers_a_member_in_two_groups_on_the_member(group):
    other = PartyGroupFactory(village=group.village)
    member = GroupPost.objects.filter(party_group=group).first().member
    assert "member" in field_errors(GroupPost(party_group=other, member=member, started_on=DAY))


def test_full_clean_refuses_a_member_of_another_village(group):
    stranger = PartyMemberFactory()
    assert "member" in field_errors(GroupPost(party_group=group, member=stranger, started_on=DAY))


def test_the_database_refuses_a_post_that_ends_before_it_starts(group):
    refused(lambda: post_of(group, Role.MEMBER, ended_on=DAY - datetime.timedelta(days=1)).save())


# --- one active party group per villager group -------------------------------------------------------------------


def test_the_database_refuses_a_villager_group_covered_by_two_active_groups(group):
    vg = VillagerGroupFactory(village=group.village)
    other = PartyGroupFactory(village=group.village)
    Coverage.objects.create(party_group=group, villager_group=vg, started_on=DAY)
    refused(lambda: Coverage.objects.create(party_group=other, villager_group=vg, started_on=DAY))


def test_full_clean_answers_double_coverage_on_the_villager_group(group):
    vg = VillagerGroupFactory(village=group.village)
    other = PartyGroupFactory(village=group.village)
    Coverage.objects.create(party_group=group, villager_group=vg, started_on=DAY)
    assert "villager_group" in field_errors(Coverage(party_group=other, villager_group=vg, started_on=DAY))


def test_full_clean_refuses_covering_another_villages_villager_group(group):
    foreign = VillagerGroupFactory()
    assert "villager_group" in field_errors(Coverage(party_group=group, villager_group=foreign, started_on=DAY))


# --- names unique within their parent ----------------------------------------------------------------------------


def test_the_database_refuses_two_villages_of_one_name_in_a_township(db):
    v = VillageFactory(name="罗紫村")
    refused(lambda: Village.objects.create(township=v.township, name="罗紫村", branch_name="x"))
    Village.objects.create(township=VillageFactory().township, name="罗紫村", branch_name="x")  # another township


def test_full_clean_answers_a_duplicate_village_name_on_the_name(db):
    v = VillageFactory(name="罗紫村")
    assert "name" in field_errors(Village(township=v.township, name="罗紫村", branch_name="x"))


def test_the_database_refuses_two_party_groups_of_one_name_in_a_village(db):
    g = PartyGroupFactory(name="第一党小组")
    refused(lambda: PartyGroup.objects.create(village=g.village, name="第一党小组", established_on=DAY))
    PartyGroup.objects.create(village=VillageFactory(), name="第一党小组", established_on=DAY)


def test_full_clean_answers_a_duplicate_party_group_name_on_the_name(db):
    g = PartyGroupFactory(name="第一党小组")
    assert "name" in field_errors(PartyGroup(village=g.village, name="第一党小组", established_on=DAY))


def test_the_database_refuses_duplicate_villager_group_numbers_and_names_in_a_village(db):
    vg = VillagerGroupFactory(number=5, name="5社")
    refused(lambda: VillagerGroup.objects.create(village=vg.village, number=5, name="五社"))
    refused(lambda: VillagerGroup.objects.create(village=vg.village, number=6, name="5社"))
    VillagerGroup.objects.create(village=VillageFactory(), number=5, name="5社")


def test_full_clean_answers_duplicate_villager_group_number_and_name_on_those_fields(db):
    vg = VillagerGroupFactory(number=5, name="5社")
    assert "number" in field_errors(VillagerGroup(village=vg.village, number=5, name="五社"))
    assert "name" in field_errors(VillagerGroup(village=vg.village, number=6, name="5社"))


def test_the_database_refuses_a_party_group_dissolved_before_it_was_established(db):
    refused(lambda: PartyGroupFactory(established_on=DAY, dissolved_on=DAY - datetime.timedelta(days=1)))


def test_the_database_refuses_more_present_than_entitled(group):
    refused(
        lambda: LeaderElection.objects.create(
            party_group=group, held_on=DAY, members_entitled=3, members_present=4, outcome="failed"
        )
    )


def test_full_clean_answers_dates_out_of_order_on_the_end_date(group):
    member = PartyMemberFactory(village=group.village)
    post = GroupPost(party_group=group, member=member, started_on=DAY, ended_on=DAY - datetime.timedelta(days=1))
    assert "ended_on" in field_errors(post)
    vg = VillagerGroupFactory(village=group.village)
    coverage = Coverage(party_group=group, villager_group=vg, started_on=DAY, ended_on=DAY - datetime.timedelta(days=1))
    assert "ended_on" in field_errors(coverage)
    dissolved = PartyGroup(
        village=group.village, name="新组", established_on=DAY, dissolved_on=DAY - datetime.timedelta(1)
    )
    assert "dissolved_on" in field_errors(dissolved)


def test_full_clean_answers_more_present_than_entitled_on_members_present(group):
    election = LeaderElection(party_group=group, held_on=DAY, members_entitled=3, members_present=4, outcome="failed")
    assert "members_present" in field_errors(election)


def test_full_clean_answers_a_duplicate_township_name_on_the_name(db):
    from township.models import Township

    village = VillageFactory()
    twin = Township(county=village.township.county, name=village.township.name)
    assert "name" in field_errors(twin)
