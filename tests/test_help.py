"""帮助: each role finds, from the menu of every page, what it does each month and at year end, in Chinese."""

from __future__ import annotations

import pytest
from django.urls import reverse

ROLES = {
    "secretary_a1": "支部书记",
    "township_staff": "乡党委",
    "county_viewer": "县委",
    "group_leader": "党小组长",
    "auditor": "审计",
    "account_admin": "账号",
}


@pytest.mark.parametrize("persona", ROLES)
def test_each_role_reads_its_own_help_from_the_menu(persona, request, login):
    client = login(request.getfixturevalue(persona))
    home = client.get("/", follow=True)
    assert f'href="{reverse("help")}"' in home.content.decode()  # in the menu of the page they land on
    html = client.get(reverse("help")).content.decode()
    assert "每个月" in html and "年底" in html
    heading = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert heading.startswith("帮助：") and ROLES[persona] in heading


def test_another_roles_help_is_a_click_away(secretary_a1, login):
    html = login(secretary_a1).get(reverse("help") + "?role=township_staff").content.decode()
    assert "决定本年度" in html  # the township's year end
    assert 'href="?role=branch_secretary"' in html


def test_the_help_is_printable(secretary_a1, login):
    from pathlib import Path

    html = login(secretary_a1).get(reverse("help")).content.decode()
    assert 'class="no-print"' in html  # the page's own links are left off the paper
    css = (Path(__file__).resolve().parents[1] / "static" / "css" / "app.css").read_text()
    assert "@media print" in css and "header.top" in css.split("@media print", 1)[1]


HELP_ROLES = ["branch_secretary", "group_leader", "township_staff", "county_viewer", "auditor", "account_admin"]


@pytest.mark.parametrize("role", HELP_ROLES)
def test_each_roles_help_shows_its_key_steps_in_pictures_that_exist_with_chinese_alt_text(role, secretary_a1, login):
    """Every picture the help page names is a PNG in static/ (which the app serves), small, and described in Chinese."""
    import re

    from django.conf import settings
    from django.contrib.staticfiles import finders

    client = login(secretary_a1)
    html = client.get(reverse("help") + f"?role={role}").content.decode()
    images = re.findall(r"<img\b[^>]*>", html)
    assert images, f"{role}: no picture of the key steps"
    for tag in images:
        src = re.search(r'src="([^"]+)"', tag).group(1)
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and len(alt.group(1)) >= 8 and re.search(r"[\u4e00-\u9fff]", alt.group(1)), f"{src}: no Chinese alt"
        assert src.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL)
        path = finders.find(src.split("/static/", 1)[1])  # what the app serves (whitenoise, from static/)
        assert path, f"{src} is not in static/"
        with open(path, "rb") as f:
            data = f.read()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 150_000, f"{src}: not a small PNG"
