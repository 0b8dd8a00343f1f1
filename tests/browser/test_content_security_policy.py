"""A real browser enforcing the Content-Security-Policy blocks nothing on the app's pages or the admin.

The server-side tests find inline code in the HTML; only a browser sees what scripts do at run time (the admin's
JavaScript adding elements, a widget setting a style attribute). Chromium reports every blocked resource, script or
style on the console; none may appear while a secretary and the township staff go through their pages.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import clock
from groups.models import PartyGroup, VillagerGroup
from members.models import PartyMember
from township.models import Township, Village

pytestmark = pytest.mark.browser


def watch(page) -> list[str]:
    """Collect the browser's Content-Security-Policy complaints and script errors on `page` from now on."""
    problems: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    return problems


def visit(page, base: str, urls: list[str]) -> None:
    for url in urls:
        response = page.goto(base + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")


def test_a_secretarys_pages_break_no_rule(phone, live_server):
    village = Village.objects.get(name="罗紫村")
    group = PartyGroup.objects.filter(village=village).first()
    month = clock.this_month()
    page = phone("luozi")
    problems = watch(page)
    visit(
        page,
        live_server.url,
        [
            reverse("village", args=[village.pk]),
            reverse("activity:village-month", args=[village.pk, month]),
            reverse("activity:report", args=[group.pk, month]),
            reverse("activity:activity-new", args=[group.pk, month]),
            reverse("concerns:list"),
            reverse("concerns:new"),
            reverse("funds:ledger", args=[VillagerGroup.objects.filter(village=village).first().pk]),
            reverse("appraisal:index"),
            reverse("password_change"),
        ],
    )
    assert problems == []


def test_the_township_dashboard_and_admin_break_no_rule(phone, live_server):
    page = phone("xiang")
    problems = watch(page)
    member = PartyMember.objects.filter(village__name="罗紫村").first()
    visit(
        page,
        live_server.url,
        [
            reverse("township", args=[Township.objects.get(name="金溪乡").pk]),  # inline SVG charts
            reverse("admin:index"),
            reverse("admin:members_partymember_change", args=[member.pk]),  # date widgets, related-object links
            reverse("admin:groups_grouppost_add"),
            reverse("admin:groups_partygroup_changelist"),  # filters and actions (admin JS)
        ],
    )
    page.locator("#action-toggle").check()  # the admin's select-all on the list: its JavaScript runs
    assert page.locator("input.action-select:checked").count() > 0
    assert problems == []


def test_the_browser_would_report_a_violation(phone, live_server):
    """The watch above is not blind: markup with a style attribute added at run time is refused and reported."""
    page = phone("luozi")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as message:
        page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')""")
    assert "style-src" in message.value.text
