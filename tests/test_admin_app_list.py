"""The admin's list of apps and models (its index and every page's sidebar) is kept per set of permissions: each
person still sees exactly the list Django would build for them, in their language, under the site's URL prefix."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.test import RequestFactory
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation

from township.backends import ModelPermissionBackend
from township.models import Assignment

PERSONAS = ["township_staff", "county_viewer", "account_admin", "superuser"]


@pytest.fixture(autouse=True)
def _nothing_kept():
    admin.site._app_lists.clear()
    yield
    admin.site._app_lists.clear()


def as_request(user, path="/admin/"):
    """A request by the person as the site reads them at each request (with their assignment, afresh)."""
    request = RequestFactory().get(path)
    request.user = ModelPermissionBackend().get_user(user.pk)
    return request


def plain(app_list) -> list:
    """The list as the page shows it: names in the active language, links, what may be done with each model."""
    return [
        (
            str(app["name"]),
            app["app_url"],
            [
                (m["model"]._meta.label, str(m["name"]), m["admin_url"], m["add_url"], m.get("view_only"), m["perms"])
                for m in app["models"]
            ],
        )
        for app in app_list
    ]


def djangos(request, app_label=None) -> list:
    return AdminSite.get_app_list(admin.site, request, app_label)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_person_gets_the_list_django_builds_for_them(persona, language, request):
    user = request.getfixturevalue(persona)
    with translation.override(language):
        first = plain(admin.site.get_app_list(as_request(user)))
        again = plain(admin.site.get_app_list(as_request(user)))
        assert first == again == plain(djangos(as_request(user)))
        assert first, persona


def test_the_people_see_different_lists(township_staff, county_viewer, account_admin):
    staff, county, accounts = (plain(admin.site.get_app_list(as_request(u))) for u in (township_staff, county_viewer,
                                                                                      account_admin))  # fmt: skip
    staff_models = {m[0]: m for app in staff for m in app[2]}
    county_models = {m[0]: m for app in county for m in app[2]}
    assert staff_models["members.PartyMember"][3] is not None  # township staff may add a member
    assert county_models["members.PartyMember"][3] is None  # the county only reads
    assert county_models["members.PartyMember"][4] is True
    assert "auth.User" in {m[0] for app in accounts for m in app[2]}
    assert "auth.User" not in staff_models
    assert "members.PartyMember" not in {m[0] for app in accounts for m in app[2]}  # 三员 see no business data


def test_a_changed_role_shows_at_the_next_request(township_staff, org):
    with translation.override("zh-hans"):
        before = {m[0]: m for app in plain(admin.site.get_app_list(as_request(township_staff))) for m in app[2]}
        assert before["members.PartyMember"][3]
        Assignment.objects.filter(user=township_staff).update(
            role=Assignment.Role.COUNTY_VIEWER, township=None, county=org.county
        )
        after_request = as_request(township_staff)
        after = {m[0]: m for app in plain(admin.site.get_app_list(after_request)) for m in app[2]}
        assert after["members.PartyMember"][3] is None
        assert after["members.PartyMember"][4] is True
        assert plain(admin.site.get_app_list(after_request)) == plain(djangos(after_request))


def test_the_names_follow_the_language_and_are_sorted_in_it(township_staff):
    with translation.override("zh-hans"):
        chinese = plain(admin.site.get_app_list(as_request(township_staff)))
    with translation.override("en"):
        english = plain(admin.site.get_app_list(as_request(township_staff)))
    members = {m[0]: m[1] for app in chinese for m in app[2]}["members.PartyMember"]
    assert members == "党员"
    assert {m[0]: m[1] for app in english for m in app[2]}["members.PartyMember"] == "Party members"
    assert [a[0] for a in english] == sorted((a[0] for a in english), key=str.lower)


def test_links_follow_the_sites_url_prefix(township_staff):
    prefix = get_script_prefix()
    try:
        set_script_prefix("/dangxiaozu/")
        under = plain(admin.site.get_app_list(as_request(township_staff)))
    finally:
        set_script_prefix(prefix)
    plain_root = plain(admin.site.get_app_list(as_request(township_staff)))
    assert all(app[1].startswith("/dangxiaozu/admin/") for app in under)
    assert all(app[1].startswith("/admin/") for app in plain_root)


def test_one_apps_page_lists_only_that_app(township_staff):
    request = as_request(township_staff)
    whole = plain(admin.site.get_app_list(request))
    members_only = plain(admin.site.get_app_list(request, "members"))
    assert [a[1] for a in members_only] == ["/admin/members/"]
    assert members_only == plain(djangos(request, "members"))
    assert len(whole) > 1


def test_what_one_page_does_to_its_list_does_not_reach_the_next(township_staff):
    request = as_request(township_staff)
    first = admin.site.get_app_list(request)
    first[0]["models"].clear()
    first[0]["name"] = "changed"
    assert plain(admin.site.get_app_list(request)) == plain(djangos(request))
