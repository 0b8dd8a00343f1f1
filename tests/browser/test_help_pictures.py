"""The 帮助 page's pictures are screenshots of the demo that this test takes again: each picture is a recipe (who, which
page, how much of it) below. Without SCREENSHOTS=1 it opens every recipe's page as that person on a 360 px phone and
checks the page is there and tall enough, so a recipe cannot rot; with SCREENSHOTS=1 it also writes each picture into
static/img/help/ (a PNG of the top of the page, under the help test's 150 KB).
`test_every_help_picture_has_a_recipe` fails when the help page names a picture no recipe takes.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from core import clock, periods
from tests.browser.conftest import PASSWORD

HELP_IMG = Path(__file__).resolve().parents[2] / "static" / "img" / "help"
HELP_TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "dashboards" / "help.html"


def _luozi_vg1():
    from groups.models import VillagerGroup

    return VillagerGroup.objects.get(village__name="罗紫村", name="1社")


def _xiemingde_group():
    from groups.models import PartyGroup

    return PartyGroup.objects.get(village__name="罗紫村", name="5、6社党小组")


def _jinxi():
    from township.models import Township

    return Township.objects.get(name="金溪乡")


def _latest_year():
    from appraisal.models import AppraisalYear

    return AppraisalYear.objects.filter(township=_jinxi()).order_by("-year").first()


def _luozi_village():
    from township.models import Village

    return Village.objects.get(name="罗紫村")


# picture → (who, the page (a path, or a function giving it from the demo data), height in px at 360 px wide)
RECIPES = {
    "secretary-home.png": ("luozi", "/", 1000),
    "secretary-month.png": (
        "luozi", lambda: reverse("activity:village-month", args=[_luozi_village().pk, clock.this_month()]), 800),
    "secretary-concern.png": ("luozi", lambda: reverse("concerns:new") + f"?village={_luozi_village().pk}", 1100),
    "secretary-fund.png": ("luozi", lambda: reverse("funds:entry-new", args=[_luozi_vg1().pk]), 1100),
    "leader-home.png": ("xiemingde", "/", 900),
    "leader-activity.png": (
        "xiemingde", lambda: reverse("activity:activity-new", args=[_xiemingde_group().pk, clock.this_month()]), 1100),
    "township-home.png": ("xiang", "/", 1000),
    "township-close.png": (
        "xiang",
        lambda: reverse(
            "activity:township-month-close", args=[_jinxi().pk, periods.previous_month(clock.this_month())]
        ),
        1000,
    ),
    "township-awards.png": ("xiang", lambda: reverse("awards:year", args=[_latest_year().pk]), 1000),
    "county-home.png": ("county", "/", 800),
    "auditor-events.png": ("shenji", "/", 900),
    "admin-home.png": ("zhanghu", "/", 800),
}


def test_every_help_picture_has_a_recipe():
    named = set(re.findall(r"img/help/([\w-]+\.png)", HELP_TEMPLATE.read_text()))
    assert named, "the help page names no picture"
    assert named == set(RECIPES), f"pictures without a recipe: {named - set(RECIPES)}; unused: {set(RECIPES) - named}"
    assert all((HELP_IMG / name).is_file() for name in named)


@pytest.mark.browser
def test_the_help_pictures_are_taken_from_the_demo(browser, live_server, demo):
    write = os.environ.get("SCREENSHOTS") == "1"
    failures = []
    by_user: dict[str, list[tuple[str, object, int]]] = {}
    for name, (username, page_of, height) in RECIPES.items():
        by_user.setdefault(username, []).append((name, page_of, height))
    for username, pictures in by_user.items():
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True,
                                      has_touch=True)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        # a click only starts the navigation: wait until the login page is left (times out if the login failed)
        page.wait_for_url(lambda url: "login" not in url)
        page.wait_for_load_state("load")
        for name, page_of, height in pictures:
            path = page_of() if callable(page_of) else page_of
            response = page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            if response is None or response.status != 200:
                failures.append(f"{name}: {username} {path} answered {response and response.status}")
                continue
            tall = page.evaluate("document.documentElement.scrollHeight")
            if tall < height * 0.6:
                failures.append(f"{name}: {path} is only {tall} px tall, the picture wants {height}")
                continue
            if write:
                out = HELP_IMG / name
                page.screenshot(path=str(out), full_page=True,
                                clip={"x": 0, "y": 0, "width": 360, "height": min(height, tall)})
                assert out.stat().st_size < 150_000, f"{name}: {out.stat().st_size} bytes"
        context.close()
    assert not failures, "\n".join(failures)
