"""groups.selectors.warnings_for: judgement rules shown where people work, never blocking."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.selectors import warnings_for
from tests.factories import (
    PartyGroupFactory,
    PartyMemberFactory,
    TownshipFactory,
    VillageFactory,
    VillagerGroupFactory,
    cover,
    elect,
    grow_township,
    join,
    leave,
    suspend,
)
from township.models import Village

ON = datetime.date(2024, 1, 10)


@pytest.fixture
def township(db):
    return TownshipFactory()


@pytest.fixture
def village(township):
    return VillageFactory(township=township, name="新村")


def healthy_group(village, name="好组", size=4, n_vgs=2, first_vg=1):
    group = PartyGroupFactory(village=village, name=name)
    members = PartyMemberFactory.create_batch(size, village=village)
    join(members, group)
    vgs = [VillagerGroupFactory(village=village, number=first_vg + k, name=f"{first_vg + k}社") for k in range(n_vgs)]
    cover(group, vgs)
    elect(group, ON, size, members[0])
    return group


def kinds(village_qs) -> list[tuple[str, str]]:
    return [(w.kind, w.subject) for w in warnings_for(village_qs)]


def of(village):
    return Village.objects.filter(pk=village.pk)


def test_it_has_nothing_to_say_about_a_healthy_group(village):
    healthy_group(village)
    assert kinds(of(village)) == []


@pytest.mark.parametrize("size", [2, 14])
def test_it_warns_of_a_group_size_outside_the_usual_range(village, size):
    healthy_group(village, name="大小组", size=size)
    assert kinds(of(village)) == [("size", "大小组")]


def test_the_townships_size_range_decides(village, township):
    healthy_group(village, size=4)
    township.group_size_min = 5
    township.save()
    assert kinds(of(village)) == [("size", "好组")]


def test_it_warns_of_a_group_without_leader(village):
    group = PartyGroupFactory(village=village, name="无组长组")
    join(PartyMemberFactory.create_batch(3, village=village), group)
    cover(group, [VillagerGroupFactory(village=village)])
    assert kinds(of(village)) == [("no_leader", "无组长组")]


def test_it_warns_of_a_villager_group_nobody_looks_after(village):
    healthy_group(village)
    VillagerGroupFactory(village=village, number=9, name="9社")
    VillagerGroupFactory(village=village, number=10, name="10社", abolished_on=ON)  # merged away: no warning
    assert kinds(of(village)) == [("uncovered", "9社")]


def test_it_warns_of_more_villager_groups_than_usual(village, township):
    healthy_group(village, n_vgs=3)
    assert kinds(of(village)) == [("too_many_villager_groups", "好组")]
    township.villager_groups_per_party_group = 3
    township.save()
    assert kinds(of(village)) == []


def test_it_warns_of_a_member_in_no_group(village):
    healthy_group(village)
    PartyMemberFactory(village=village, name="外出党员")
    leave(PartyMemberFactory(village=village, name="已转出党员"), ON)  # left the branch: no warning
    suspend(PartyMemberFactory(village=village, name="停止党籍党员"), ON)  # not a member today: no warning
    assert kinds(of(village)) == [("member_without_group", "外出党员")]


def test_it_ignores_dissolved_groups(village):
    healthy_group(village)
    PartyGroupFactory(village=village, name="已撤销组", dissolved_on=ON)
    assert kinds(of(village)) == []


def test_it_speaks_only_of_the_villages_asked_about(village, township):
    other = VillageFactory(township=township, name="邻村")
    healthy_group(village)
    PartyMemberFactory(village=other, name="邻村党员")
    assert kinds(of(village)) == []
    assert kinds(of(other)) == [("member_without_group", "邻村党员")]


def test_it_gives_a_readable_message_for_each_warning(village):
    from django.utils.translation import override

    PartyGroupFactory(village=village, name="空组")
    with override("en"):
        messages = {w.kind: w.message for w in warnings_for(of(village))}
    assert set(messages) == {"size", "no_leader"}
    assert "空组" in messages["size"] and "0" in messages["size"]
    assert "空组" in messages["no_leader"]


WARNINGS_MAX_QUERIES = 3


def test_it_runs_in_a_fixed_number_of_queries(township, village, django_assert_max_num_queries):
    healthy_group(village, size=2)
    PartyMemberFactory(village=village)
    VillagerGroupFactory(village=village, number=20, name="20社")
    small = Village.objects.filter(township=township)
    with CaptureQueriesContext(connection) as few:
        found_small = warnings_for(small)

    grow_township(township, 6)
    big = Village.objects.filter(township=township)
    with django_assert_max_num_queries(WARNINGS_MAX_QUERIES), CaptureQueriesContext(connection) as many:
        found_big = warnings_for(big)

    assert len(found_big) > len(found_small)
    assert len(many) == len(few) <= WARNINGS_MAX_QUERIES
