"""The one home of "in force in that period": which party groups existed, which posts and coverage held, and which
party group looked after a villager group on a day; the database and Python answer alike."""

from __future__ import annotations

import datetime

import pytest

from groups.models import Coverage, PartyGroup
from groups.services import coverage_assign
from tests.factories import PartyGroupFactory, VillagerGroupFactory

D = datetime.date
RANGES = [
    (D(2026, 1, 1), D(2026, 2, 28)),  # before it
    (D(2026, 2, 1), D(2026, 3, 1)),  # ends on its first day
    (D(2026, 3, 1), D(2026, 3, 31)),  # its first month
    (D(2026, 5, 31), D(2026, 5, 31)),  # its last day
    (D(2026, 6, 1), D(2026, 6, 30)),  # dissolved on 1 June: the first day it no longer exists
    (D(2026, 1, 1), D(2026, 12, 31)),  # the year
]
EXISTED = [False, True, True, True, False, True]


@pytest.fixture
def spring_group(org):
    """A party group of 罗紫村 that existed from 1 March to 31 May 2026."""
    return PartyGroupFactory(
        village=org.a1, name="春季党小组", established_on=D(2026, 3, 1), dissolved_on=D(2026, 6, 1)
    )


@pytest.mark.parametrize(("period", "existed"), list(zip(RANGES, EXISTED, strict=True)), ids=str)
def test_it_tells_whether_a_party_group_existed_in_a_period(org, spring_group, period, existed):
    assert (spring_group in PartyGroup.objects.overlapping(*period)) is existed
    assert spring_group.existed_in(*period) is existed


def test_it_lists_the_party_groups_of_a_day(org, spring_group):
    assert spring_group in PartyGroup.objects.on(D(2026, 5, 31))
    assert spring_group not in PartyGroup.objects.on(D(2026, 6, 1))
    assert spring_group not in PartyGroup.objects.on(D(2026, 2, 28))
    assert set(PartyGroup.objects.on(D(2026, 2, 28)).filter(village=org.a1)) == {org.a1_g1, org.a1_g2}


def test_it_tells_the_party_group_of_a_villager_group_on_a_day_and_its_current_one(org):
    vg = VillagerGroupFactory(village=org.a1, number=9, name="9社")
    coverage_assign(party_group=org.a1_g1, villager_group=vg, started_on=D(2026, 3, 1))
    coverage_assign(party_group=org.a1_g2, villager_group=vg, started_on=D(2026, 9, 1))  # decided ahead of time
    assert vg.party_group_on(D(2026, 2, 28)) is None  # nobody looked after it yet
    assert vg.party_group_on(D(2026, 3, 1)) == org.a1_g1
    assert vg.party_group_on(D(2026, 8, 31)) == org.a1_g1
    assert vg.party_group_on(D(2026, 9, 1)) == org.a1_g2
    # The current coverage is the one without an end date, whatever day it begins: the other question.
    assert vg.current_party_group() == org.a1_g2
    assert list(Coverage.objects.current().filter(villager_group=vg).values_list("party_group", flat=True)) == [
        org.a1_g2.pk
    ]
    assert set(org.a1_g1.villager_groups_in(D(2026, 8, 1), D(2026, 8, 31))) >= {vg}
    assert vg not in set(org.a1_g2.villager_groups_in(D(2026, 8, 1), D(2026, 8, 31)))
    assert vg in set(org.a1_g2.villager_groups_in(D(2026, 8, 1), D(2026, 9, 1)))
