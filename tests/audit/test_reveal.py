"""PIPL art. 51: ID and phone numbers are masked on the member's admin page too; holders of
`members.reveal_personal_data` reveal one member's full numbers inside their reach, and each reveal is kept."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from members.models import PartyMember
from tests.audit.conftest import Action, events, mark
from tests.test_admin import form_data


def change_url(member) -> str:
    return reverse("admin:members_partymember_change", args=[member.pk])


def reveal_url(member) -> str:
    return reverse("admin:members_partymember_reveal", args=[member.pk])


@pytest.fixture
def revealer(township_staff):
    township_staff.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    return township_staff


def test_the_change_page_shows_the_numbers_masked(org, township_staff, login):
    member = org.a1_g1_members[0]
    text = login(township_staff).get(change_url(member)).content.decode()
    assert member.id_number not in text and member.phone not in text
    assert member.id_number_masked in text and member.phone_masked in text


def test_the_read_only_page_shows_the_numbers_masked(org, county_viewer, login):
    member = org.a1_g1_members[0]
    response = login(county_viewer).get(change_url(member))
    assert response.status_code == 200
    text = response.content.decode()
    assert member.id_number not in text and member.phone not in text
    assert member.id_number_masked in text


def test_saving_with_the_masked_numbers_keeps_them(org, township_staff, login):
    member = org.a1_g1_members[0]
    id_number, phone = member.id_number, member.phone
    client = login(township_staff)
    data = form_data(client.get(change_url(member)))
    assert data["id_number"] == member.id_number_masked
    data["name"] = "罗紫改名"
    response = client.post(change_url(member), data)
    assert response.status_code == 302
    member = PartyMember.objects.get(pk=member.pk)
    assert (member.name, member.id_number, member.phone) == ("罗紫改名", id_number, phone)


def test_a_number_typed_over_the_mask_is_checked_and_saved(org, township_staff, login):
    member = org.a1_g1_members[0]
    client = login(township_staff)
    data = form_data(client.get(change_url(member)))
    data["phone"] = "13700001234"
    assert client.post(change_url(member), data).status_code == 302
    assert PartyMember.objects.get(pk=member.pk).phone == "13700001234"
    data = form_data(client.get(change_url(member)))
    data["id_number"] = "51010119800101123"  # one character short
    response = client.post(change_url(member), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["id_number"]
    assert member.id_number not in response.content.decode()


def test_the_button_is_offered_only_with_the_permission(org, township_staff, login):
    member = org.a1_g1_members[0]
    client = login(township_staff)
    assert reveal_url(member) not in client.get(change_url(member)).content.decode()
    township_staff.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    assert reveal_url(member) in login(township_staff).get(change_url(member)).content.decode()


def test_a_holder_sees_the_full_numbers_once_and_the_reveal_is_kept(org, revealer, login):
    member = org.a1_g1_members[0]
    client = login(revealer)
    since = mark()
    response = client.post(reveal_url(member))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert member.id_number in text and member.phone in text
    (event,) = events(Action.REVEAL, after=since)
    assert (event.username, event.object_type, event.object_id) == ("xiang", "members.partymember", str(member.pk))


def test_without_the_permission_it_answers_403_and_nothing_is_kept(org, township_staff, login):
    member = org.a1_g1_members[0]
    client = login(township_staff)
    since = mark()
    response = client.post(reveal_url(member))
    assert response.status_code == 403
    assert member.id_number not in response.content.decode()
    assert not events(Action.REVEAL, after=since)


def test_outside_the_reach_it_answers_404_even_with_the_permission(org, revealer, login):
    member = org.b1_members[0]
    since = mark()
    response = login(revealer).post(reveal_url(member))
    assert response.status_code == 404
    assert member.id_number not in response.content.decode()
    assert not events(Action.REVEAL, after=since)


def test_a_get_reveals_nothing(org, revealer, login):
    member = org.a1_g1_members[0]
    since = mark()
    response = login(revealer).get(reveal_url(member))
    assert response.status_code == 405
    assert not events(Action.REVEAL, after=since)


@pytest.mark.parametrize("persona", ["auditor", "account_admin", "secretary_a1"])
def test_people_outside_the_admin_reveal_nothing_even_with_the_permission(persona, request, org, login):
    user = request.getfixturevalue(persona)
    user.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    member = org.a1_g1_members[0]
    since = mark()
    response = login(user).post(reveal_url(member))
    assert response.status_code in (302, 403, 404)
    assert member.id_number not in response.content.decode()
    assert not events(Action.REVEAL, after=since)
