"""三员 (等保 8.1.4.2): the security auditor reads the audit trail, the account administrator keeps accounts and roles;
neither reaches business data, and neither can make themselves a system administrator."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from members.models import PartyMember
from tests.audit.conftest import Action, Role, events
from tests.factories import UserFactory, assign
from township.capabilities import writes_anything
from township.models import Assignment, Village
from township.scoping import townships_for, villages_for

User = get_user_model()
PASSWORD = "Qingchuan-2025!"


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- reach ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["auditor", "account_admin"])
def test_the_two_roles_reach_no_village_no_township_and_write_nothing(persona, request):
    user = request.getfixturevalue(persona)
    assert not villages_for(user).exists()
    assert not townships_for(user).exists()
    assert writes_anything(user) is False


def test_the_auditor_lands_on_the_audit_page(auditor, login):
    response = login(auditor).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("audit:events")


def test_the_account_admin_lands_in_the_admin(account_admin, login):
    response = login(account_admin).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


@pytest.mark.parametrize("persona", ["auditor", "account_admin"])
def test_a_business_page_answers_404_and_the_attempt_is_kept(persona, request, org, login):
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("concerns:list"))
    assert response.status_code == 404
    denied = events(Action.ACCESS_DENIED, username=user.username)
    assert [e.detail["reason"] for e in denied] == ["separation_of_duties"]
    assert denied[0].path == reverse("concerns:list")


@pytest.mark.parametrize("persona", ["auditor", "account_admin"])
def test_the_menu_offers_no_business_page(persona, request, login):
    user = request.getfixturevalue(persona)
    page = login(user).get(reverse("password_change")).content.decode()
    assert reverse("concerns:list") not in page
    assert reverse("funds:index") not in page
    assert (reverse("audit:events") in page) == (persona == "auditor")


def test_the_auditor_does_not_enter_the_admin(auditor, login):
    auditor.is_staff = True  # even marked staff by mistake
    auditor.save()
    assert login(auditor).get(reverse("admin:index")).status_code == 404


# --- the account administrator in the admin ------------------------------------------------------------------------


def test_the_account_admin_sees_accounts_roles_lockouts_and_phone_apps_only(account_admin, login):
    response = login(account_admin).get(reverse("admin:index"))
    assert response.status_code == 200
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert models == {"User", "Assignment", "AccessAttempt", "TOTPDevice", "RoleRequest"}


@pytest.mark.parametrize("model", [PartyMember, Village])
def test_the_account_admin_sees_no_business_record(model, org, account_admin, login):
    client = login(account_admin)
    member = org.a1_g1_members[0]
    assert client.get(admin_url(model, "changelist")).status_code == 403
    obj = member if model is PartyMember else org.a1
    response = client.get(admin_url(model, "change", obj.pk))
    assert response.status_code in (302, 403, 404)
    assert member.id_number not in response.content.decode()


def test_the_account_admin_adds_an_account(account_admin, login):
    client = login(account_admin)
    response = client.post(
        admin_url(User, "add"),
        {"username": "xinren", "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.filter(username="xinren", is_superuser=False).exists()
    created = events(Action.ACCOUNT_CHANGED, object_repr="xinren")
    assert created and created[0].username == "zhanghu" and created[0].detail["created"] is True


def _change_data(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_account_admin_cannot_grant_superuser(org, account_admin, secretary_a1, login):
    client = login(account_admin)
    response = client.post(admin_url(User, "change", secretary_a1.pk), _change_data(secretary_a1, is_superuser="on"))
    assert response.status_code == 302
    secretary_a1.refresh_from_db()
    assert secretary_a1.is_superuser is False


def test_the_superuser_can_grant_superuser(org, superuser, secretary_a1, login):
    client = login(superuser)
    client.post(admin_url(User, "change", secretary_a1.pk), _change_data(secretary_a1, is_superuser="on"))
    secretary_a1.refresh_from_db()
    assert secretary_a1.is_superuser is True


def test_the_account_admin_changes_neither_a_superuser_nor_themselves(org, account_admin, superuser, login):
    client = login(account_admin)
    for account in (superuser, account_admin):
        assert client.post(admin_url(User, "change", account.pk), _change_data(account)).status_code == 403
        assert client.post(reverse("admin:auth_user_password_change", args=[account.pk]), {}).status_code == 403
    response = client.post(admin_url(Assignment, "change", account_admin.assignment.pk), {"role": Role.TOWNSHIP_STAFF})
    assert response.status_code == 403
    account_admin.assignment.refresh_from_db()
    assert account_admin.assignment.role == Role.ACCOUNT_ADMIN


def test_the_account_admin_disables_but_does_not_delete_accounts(org, account_admin, secretary_a1, login):
    client = login(account_admin)
    client.post(admin_url(User, "delete", secretary_a1.pk), {"post": "yes"})
    assert User.objects.filter(pk=secretary_a1.pk).exists()
    client.post(admin_url(User, "change", secretary_a1.pk), _change_data(secretary_a1, is_active=None))
    secretary_a1.refresh_from_db()
    assert secretary_a1.is_active is False
    assert events(Action.ACCOUNT_DISABLED, object_id=str(secretary_a1.pk))[0].username == "zhanghu"


def test_the_account_admin_gives_a_role_anywhere_and_it_is_kept(org, account_admin, login):
    newcomer = UserFactory(username="xinshuji")
    client = login(account_admin)
    form = client.get(admin_url(Assignment, "add")).context["adminform"].form
    assert set(form.fields["village"].queryset) == set(Village.objects.all())
    data = {"user": newcomer.pk, "role": Role.BRANCH_SECRETARY, "village": org.b1.pk}
    response = client.post(admin_url(Assignment, "add"), data)
    assert response.status_code == 302
    assert Assignment.objects.get(user=newcomer).village == org.b1
    (event,) = events(Action.ROLE_CHANGED, object_id=str(newcomer.pk))
    assert event.username == "zhanghu"
    assert event.detail["new"] == {"role": "branch_secretary", "scope": "白石村"}
    assert event.detail.get("old") is None


def test_township_staff_still_only_read_roles(org, township_staff, secretary_a1, login):
    client = login(township_staff)
    assert client.get(admin_url(Assignment, "changelist")).status_code == 200
    assert client.get(admin_url(Assignment, "add")).status_code == 403
    assert client.get(admin_url(User, "changelist")).status_code == 403
    response = client.post(admin_url(Assignment, "change", secretary_a1.assignment.pk), {"role": Role.TOWNSHIP_STAFF})
    assert response.status_code == 403


def test_a_second_auditor_account_is_just_as_closed(org, login):
    user = UserFactory(username="shenji2")
    assign(user, Role.AUDITOR)
    assert login(user).get(reverse("village", args=[org.a1.pk])).status_code == 404
