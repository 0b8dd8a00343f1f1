"""A secretary records a month's 党员大会 with everyone's attendance on a 360 px phone: one form, everyone present by
default, only the exceptions changed; nothing on the page is wider than the screen."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from orglife.meetings.models import Attendance, Meeting

pytestmark = pytest.mark.browser

WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"


def test_a_secretary_records_a_meeting_with_attendance_on_a_phone(browser, live_server, transactional_db, request):
    org = request.getfixturevalue("org")
    secretary = request.getfixturevalue("secretary_a1")
    secretary.set_password("Phone-meeting-2027")
    secretary.save()
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/")
    page.fill("input[name=username]", secretary.username)
    page.fill("input[name=password]", "Phone-meeting-2027")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "login" not in url)  # the login's own navigation, before going on
    started = time.monotonic()
    page.goto(live_server.url + reverse("orglife:meeting-new", args=[org.a1.pk, "assembly"]))
    assert not page.evaluate(WIDER_THAN_SCREEN)
    page.fill("input[name=topic]", "讨论村集体经济项目")
    away = org.a1_g2_members[0]
    page.select_option(f"select[name=p_{away.pk}]", "absent:away_work")
    page.select_option(f"select[name=p_{org.a1_g2_members[1].pk}]", "remote")
    page.click("form button.primary")
    # A click only starts the navigation: wait for the meeting's page, never read the form being left
    expect(page.locator("main")).to_contain_text("应到 10 人，实到 9 人", timeout=120_000)
    assert time.monotonic() - started < 120
    assert not page.evaluate(WIDER_THAN_SCREEN)
    meeting = Meeting.objects.get()
    assert Attendance.objects.get(meeting=meeting, member=away).reason == "away_work"
    context.close()
