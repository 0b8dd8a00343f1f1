"""Role and account changes are security events, whichever way they are made (admin, shell, a command)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from tests.audit.conftest import Action, Role, events, mark
from tests.factories import UserFactory, assign
from township.models import Assignment


def test_a_role_change_keeps_the_old_and_the_new_role_and_scope(org, secretary_a1):
    a, since = secretary_a1.assignment, mark()
    a.role, a.village, a.township = Role.TOWNSHIP_STAFF, None, org.ta
    a.save()
    (event,) = events(Action.ROLE_CHANGED, after=since)
    assert event.detail == {
        "old": {"role": "branch_secretary", "scope": "罗紫村"},
        "new": {"role": "township_staff", "scope": "东河乡"},
    }
    assert event.object_type == "auth.user" and event.object_repr == "luozi"


def test_saving_a_role_unchanged_is_not_an_event(org, secretary_a1):
    before = len(events(Action.ROLE_CHANGED))
    secretary_a1.assignment.save()
    assert len(events(Action.ROLE_CHANGED)) == before


def test_a_role_removed_is_kept(org, secretary_a1):
    since = mark()
    Assignment.objects.filter(user=secretary_a1).delete()
    (event,) = events(Action.ROLE_CHANGED, after=since)
    assert event.object_repr == "luozi"
    assert event.detail["old"] == {"role": "branch_secretary", "scope": "罗紫村"}
    assert event.detail.get("new") is None


def test_a_new_role_is_kept(org):
    user = UserFactory(username="xinren")
    assign(user, Role.AUDITOR)
    (event,) = events(Action.ROLE_CHANGED, object_id=str(user.pk))
    assert event.detail["new"] == {"role": "auditor", "scope": ""}


def test_staff_and_superuser_flags_are_kept(org, secretary_a1):
    since = mark()
    secretary_a1.is_staff = True
    secretary_a1.save()
    (event,) = events(Action.ACCOUNT_CHANGED, after=since)
    assert event.detail == {"changed": {"is_staff": [False, True]}}


def test_switching_an_account_off_is_account_disabled(org, secretary_a1):
    secretary_a1.is_active = False
    secretary_a1.save()
    assert len(events(Action.ACCOUNT_DISABLED, object_id=str(secretary_a1.pk))) == 1


def test_a_login_stamp_is_not_an_account_change(org, secretary_a1):
    from django.contrib.auth.models import update_last_login

    before = len(events())
    update_last_login(None, secretary_a1)
    secretary_a1.first_name = "罗书记"
    secretary_a1.save()  # a name is not a security setting
    assert len(events()) == before


def test_groups_and_permissions_given_or_taken_are_kept(org, secretary_a1):
    group = Group.objects.create(name="名册管理")
    reveal = Permission.objects.get(codename="reveal_personal_data")
    since = mark()
    secretary_a1.groups.add(group)
    secretary_a1.user_permissions.add(reveal)
    secretary_a1.user_permissions.remove(reveal)
    group.user_set.remove(secretary_a1)
    details = [e.detail for e in events(Action.ACCOUNT_CHANGED, after=since)]
    assert details == [
        {"groups": {"add": ["名册管理"]}},
        {"permissions": {"add": [str(reveal)]}},
        {"permissions": {"remove": [str(reveal)]}},
        {"groups": {"remove": ["名册管理"]}},
    ]
