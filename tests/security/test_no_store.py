"""Issue 14 item 9: pages and downloads with personal data are not kept in a browser's or a proxy's cache."""

from __future__ import annotations

from django.urls import reverse


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response["Cache-Control"]


def test_a_party_group_page_with_its_members_is_not_stored(org, secretary_a1, login):
    response = login(secretary_a1).get(reverse("groups:party-group", args=[org.a1_g1.pk]))
    assert response.status_code == 200
    assert org.a1_g1_members[0].name in response.content.decode()
    assert _no_store(response)


def test_the_roster_download_is_not_stored(org, township_staff, login):
    response = login(township_staff).get(reverse("roster:roster"))
    assert response.status_code == 200
    assert _no_store(response)

