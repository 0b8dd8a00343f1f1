"""core.prepared.PreparedRead: the signed-in person's read, its statement made once per connection, its rows read
every time, the objects exactly the ORM's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.forms.models import model_to_dict

from core.prepared import PreparedRead
from groups.models import PartyGroup
from tests.factories import UserFactory, assign
from township.backends import ModelPermissionBackend
from township.models import Assignment, Village
from township.scoping import assignment_of, with_assignment

User = get_user_model()


def _orm(pk):
    return with_assignment(User.objects.all()).get(pk=pk)


def _same(a, b) -> None:
    assert model_to_dict(a) == model_to_dict(b)


@pytest.mark.parametrize("persona", ["secretary_a1", "township_staff", "county_viewer", "superuser"])
def test_the_person_read_once_compiled_is_the_person_the_orm_reads(org, persona, request):
    user = request.getfixturevalue(persona)
    prepared = ModelPermissionBackend().get_user(user.pk)
    orm = _orm(user.pk)
    _same(prepared, orm)
    mine, theirs = assignment_of(prepared), getattr(orm, "assignment", None)
    if theirs is None:
        assert mine is None
        return
    _same(mine, theirs)
    for path in ("village", "party_group"):
        if getattr(theirs, f"{path}_id") is not None:
            _same(getattr(mine, path), getattr(theirs, path))
    if theirs.village_id:
        _same(mine.village.township, theirs.village.township)


def test_a_group_leaders_group_and_its_village_come_with_them(org):
    leader = UserFactory(username="zuzhang")
    group = PartyGroup.objects.filter(village=org.a1).first()
    assign(leader, Assignment.Role.GROUP_LEADER, party_group=group)
    user = ModelPermissionBackend().get_user(leader.pk)
    a = assignment_of(user)
    assert a.party_group == group and a.party_group.village == org.a1
    assert a.party_group.village.name == "罗紫村"


def test_each_read_asks_the_database_once_and_sees_a_change_made_since(org, secretary_a1, django_assert_num_queries):
    backend = ModelPermissionBackend()
    backend.get_user(secretary_a1.pk)  # the statement is made here, once for this connection
    User.objects.filter(pk=secretary_a1.pk).update(first_name="改名")
    Assignment.objects.filter(user=secretary_a1).update(village=org.a2)
    with django_assert_num_queries(1):
        user = backend.get_user(secretary_a1.pk)
        assert user.first_name == "改名"
        assert assignment_of(user).village == org.a2
        assert assignment_of(user).village.name == "井阳村"


def test_a_missing_row_is_none_and_a_string_id_is_read_as_the_number(org, secretary_a1):
    read = PreparedRead(User, with_assignment)
    assert read.get(10**9) is None
    assert read.get(str(secretary_a1.pk)).username == secretary_a1.username


def test_it_is_made_once_per_connection(org, secretary_a1):
    read = PreparedRead(User, with_assignment)
    read.get(secretary_a1.pk)
    kept = connections["default"].__dict__["_prepared_reads"][read]
    read.get(secretary_a1.pk)
    assert connections["default"].__dict__["_prepared_reads"][read] is kept
    assert "WHERE" in kept.sql and kept.params[kept.at] != secretary_a1.pk  # the marker, not a person's id


def test_it_refuses_a_field_that_is_not_unique(org):
    with pytest.raises(ValueError, match="must be unique"):
        PreparedRead(Village, lambda rows: rows, field="name")
