"""township.scoping: the one place that decides which villages and townships a person can reach."""

from __future__ import annotations

import pytest

from groups.models import GroupPost, PartyGroup
from members.models import PartyMember
from tests.factories import UserFactory, assign
from township.capabilities import writes_anything
from township.models import Assignment, County, Township, Village
from township.scoping import get_visible_or_404, townships_for, villages_for

Role = Assignment.Role


def names(qs) -> set[str]:
    return {o.name for o in qs}


def test_it_gives_township_staff_the_villages_of_their_township(org, township_staff):
    assert names(villages_for(township_staff)) == {"罗紫村", "井阳村"}
    assert names(townships_for(township_staff)) == {"东河乡"}


def test_it_gives_a_branch_secretary_their_own_village_only(org, secretary_a1, secretary_a2):
    assert names(villages_for(secretary_a1)) == {"罗紫村"}
    assert names(villages_for(secretary_a2)) == {"井阳村"}
    assert names(townships_for(secretary_a1)) == {"东河乡"}


def test_it_gives_the_other_townships_staff_only_their_township(org, township_b_staff):
    assert names(villages_for(township_b_staff)) == {"白石村"}
    assert names(townships_for(township_b_staff)) == {"西山乡"}


def test_it_gives_a_county_viewer_the_whole_county_but_no_writes(org, county_viewer):
    other = Village.objects.create(
        township=Township.objects.create(county=County.objects.create(name="别县"), name="别乡"),
        name="别村",
        branch_name="别村支部",
    )
    assert names(villages_for(county_viewer)) == {"罗紫村", "井阳村", "白石村"}
    assert other not in villages_for(county_viewer)
    assert names(townships_for(county_viewer)) == {"东河乡", "西山乡"}
    assert names(County.objects.visible_to(county_viewer)) == {"青川县"}
    assert writes_anything(county_viewer) is False


def test_it_gives_a_superuser_everything(org, superuser):
    assert names(villages_for(superuser)) == {"罗紫村", "井阳村", "白石村"}
    assert names(townships_for(superuser)) == {"东河乡", "西山乡"}
    assert writes_anything(superuser) is True


def test_it_gives_a_group_leader_their_groups_village(org):
    user = UserFactory(username="zuzhang")
    assign(user, Role.GROUP_LEADER, party_group=org.a2_g1)
    assert names(villages_for(user)) == {"井阳村"}


@pytest.mark.parametrize("persona", ["township_staff", "secretary_a1", "county_viewer", "superuser"])
def test_it_shows_an_inactive_account_nothing(org, persona, request):
    user = request.getfixturevalue(persona)
    user.is_active = False
    user.save()
    user.refresh_from_db()
    assert not villages_for(user).exists()
    assert not townships_for(user).exists()
    assert writes_anything(user) is False


def test_it_shows_an_account_without_assignment_nothing(org):
    user = UserFactory(username="nobody", is_staff=True)
    assert not villages_for(user).exists()
    assert not townships_for(user).exists()
    assert writes_anything(user) is False


def test_it_scopes_every_model_queryset(org, secretary_a1):
    assert names(PartyGroup.objects.visible_to(secretary_a1)) == {"罗紫一二社党小组", "罗紫三四社党小组"}
    members = PartyMember.objects.visible_to(secretary_a1)
    assert members.count() == 10
    assert not members.filter(village=org.a2).exists()
    posts = GroupPost.objects.visible_to(secretary_a1)
    assert posts.exists()
    assert not posts.exclude(party_group__village=org.a1).exists()


def test_it_answers_a_foreign_object_like_a_missing_one(org, secretary_a1):
    from django.http import Http404

    assert get_visible_or_404(PartyGroup, secretary_a1, pk=org.a1_g1.pk) == org.a1_g1
    with pytest.raises(Http404):
        get_visible_or_404(PartyGroup, secretary_a1, pk=org.a2_g1.pk)
    with pytest.raises(Http404):
        get_visible_or_404(PartyGroup, secretary_a1, pk=10**9)


# --- the request's person is read with their assignment (township.backends) --------------------------------------


def test_the_signed_in_person_comes_with_their_reach_in_one_query(org, secretary_a1, django_assert_num_queries):
    from township.backends import ModelPermissionBackend
    from township.scoping import assignment_of

    with django_assert_num_queries(1):
        user = ModelPermissionBackend().get_user(secretary_a1.pk)
        a = assignment_of(user)
        assert a.role == Assignment.Role.BRANCH_SECRETARY and a.village == org.a1
        assert a.village.township == org.ta  # the village's township read with it


def test_a_person_without_an_assignment_reaches_nothing_without_asking_again(org, django_assert_num_queries):
    from township.backends import ModelPermissionBackend
    from township.scoping import assignment_of

    plain = UserFactory(username="nobody")
    with django_assert_num_queries(1):
        user = ModelPermissionBackend().get_user(plain.pk)
        assert assignment_of(user) is None
    assert not villages_for(user).exists()


def test_an_inactive_or_missing_account_is_not_signed_in(org, secretary_a1):
    from township.backends import ModelPermissionBackend

    backend = ModelPermissionBackend()
    assert backend.get_user(10**9) is None
    secretary_a1.is_active = False
    secretary_a1.save()
    assert backend.get_user(secretary_a1.pk) is None


def test_a_changed_role_is_seen_on_the_next_request(org, secretary_a1, login):
    """The reach is read with the person on each request, never kept between requests."""
    client = login(secretary_a1)
    assert client.get(f"/village/{org.a2.pk}/").status_code == 404
    Assignment.objects.filter(user=secretary_a1).update(village=org.a2)
    assert client.get(f"/village/{org.a2.pk}/").status_code == 200
    assert client.get(f"/village/{org.a1.pk}/").status_code == 404


def test_a_user_object_kept_from_before_a_change_is_answered_from_the_database(org, township_staff):
    """Only the request's own read of the person is trusted for their reach: an object made earlier (here, the
    fixture's, which remembers the assignment it was given) is asked again."""
    from township.scoping import assignment_of

    Assignment.objects.filter(user=township_staff).update(township=org.tb)
    assert assignment_of(township_staff).township == org.tb
