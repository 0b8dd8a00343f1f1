"""The admin's sidebar is kept per what it shows: each person, on each admin page, gets exactly the sidebar Django's
own template writes for them (their models' links, the page they are on marked), in their language."""

from __future__ import annotations

from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.template import Context, Engine
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from dashboards.templatetags import admin_sidebar
from township.backends import ModelPermissionBackend

DJANGOS = Path(django.__file__).parent / "contrib/admin/templates/admin/nav_sidebar.html"
PERSONAS = ["township_staff", "county_viewer", "account_admin", "superuser"]
PATHS = ["/admin/", "/admin/members/", "/admin/members/partymember/", "/admin/members/partymember/7/change/",
         "/admin/auth/user/", "/admin/groups/partygroup/add/"]  # fmt: skip


@pytest.fixture(autouse=True)
def _nothing_kept():
    admin_sidebar._kept.clear()
    admin.site._app_lists.clear()
    yield
    admin_sidebar._kept.clear()


def sidebar(user, path: str) -> tuple[str, str]:
    """(the kept sidebar, Django's own template's) for the person on that page."""
    request = RequestFactory().get(path)
    request.user = ModelPermissionBackend().get_user(user.pk)
    apps = admin.site.get_app_list(request)
    engine = Engine.get_default()
    djangos = engine.from_string(DJANGOS.read_text()).render(Context({"available_apps": apps, "request": request}))
    kept = admin_sidebar.kept_nav_sidebar({"available_apps": apps, "request": request})
    return kept, djangos


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_person_on_each_page_gets_djangos_sidebar(persona, language, request):
    user = request.getfixturevalue(persona)
    with translation.override(language):
        for path in PATHS:
            first, djangos = sidebar(user, path)
            again, _ = sidebar(user, path)
            assert first == again == djangos, path


def test_the_page_open_is_marked_and_the_next_page_marks_its_own(township_staff):
    members, _ = sidebar(township_staff, reverse("admin:members_partymember_changelist"))
    groups, _ = sidebar(township_staff, reverse("admin:groups_partygroup_changelist"))
    assert 'class="model-partymember current-model"' in members and 'class="model-partygroup current-model"' in groups
    assert 'class="model-partygroup current-model"' not in members
    assert 'class="model-partymember current-model"' not in groups


def test_people_with_other_rights_get_their_own_sidebar(township_staff, county_viewer):
    path = reverse("admin:members_partymember_changelist")
    staff, _ = sidebar(township_staff, path)
    county, _ = sidebar(county_viewer, path)
    add = reverse("admin:members_partymember_add")
    assert add in staff and add not in county  # the county only reads


def test_the_sidebar_is_in_the_language_of_each_request(township_staff):
    with translation.override("zh-hans"):
        chinese, _ = sidebar(township_staff, "/admin/")
    with translation.override("en"):
        english, _ = sidebar(township_staff, "/admin/")
    assert "党员" in chinese and "Party members" in english and "Party members" not in chinese


def test_an_admin_page_shows_the_kept_sidebar(township_staff, login):
    page = login(township_staff).get(reverse("admin:members_partymember_changelist")).content.decode()
    assert 'id="nav-sidebar"' in page and 'class="model-partymember current-model"' in page
