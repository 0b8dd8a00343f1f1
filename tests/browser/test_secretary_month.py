"""A secretary does a month's work on a phone and relays a concern; the township sees both at once; another
village's secretary cannot open the report."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from activity.models import Activity, Concern, MonthlyReport
from core import clock
from groups.models import PartyGroup

pytestmark = pytest.mark.browser


def test_a_secretary_submits_a_month_on_a_phone_and_the_township_sees_it(phone, live_server):
    month = clock.this_month()
    page = phone("luozi")
    assert "罗紫村" in page.locator("h1").inner_text()  # lands on the village dashboard

    page.click(f"a.tile[href*='/activity/village/'][href$='{month:%Y-%m}/']")
    page.wait_for_url(re.compile(rf"/activity/village/.*{month:%Y-%m}/$"))
    first = page.locator("table.rows tbody tr").first  # groups not yet submitted come first
    group_name = first.locator("td").first.inner_text().strip()
    first.locator("a.button").click()
    page.wait_for_url(re.compile(r"/activity/group/"))
    group = PartyGroup.objects.get(village__name="罗紫村", name=group_name)

    page.click("a.button.primary[href$='/activity/new/']")
    page.select_option("select[name=kind]", "affairs")
    checkboxes = page.locator("input[name=participants]")
    checkboxes.nth(0).check()
    checkboxes.nth(1).check()
    page.fill("textarea[name=content]", "召开党小组会，商议冬季社道路维护和走访分工。")
    page.fill("textarea[name=outcome]", "议定每名党员联系五户。")
    page.click("form button.primary")
    # A click only starts the navigation: wait for the page it leads to, never read the one being left
    expect(page).not_to_have_url(re.compile(r"/activity/new/$"))
    expect(page.locator("main")).to_contain_text("商议冬季社道路维护")

    page.click("button[formaction$='/submit/']")
    expect(page.locator(".status.submitted")).to_have_count(1)
    report = MonthlyReport.objects.get(party_group=group, month=month)
    assert report.status == MonthlyReport.Status.SUBMITTED
    assert Activity.objects.filter(report=report, content__contains="冬季社道路维护").count() == 1

    # ...and relays a villager's concern to the township
    page.click("label[for=menu-toggle]")  # the phone's menu, folded behind 菜单
    page.click("header nav a[href='/concerns/']")
    page.click("a.button.primary[href$='/concerns/new/']")
    page.select_option("select[name=villager_group]", index=1)
    page.select_option("select[name=raised_through]", index=1)
    page.check("input[name=category][value=infrastructure]")
    page.fill("textarea[name=content]", "村民反映5社机耕道雨后垮塌，农机无法通行，希望乡里协调维修。")
    page.check("input[name=handling][value=township]")
    page.click("form button.primary")
    expect(page).not_to_have_url(re.compile(r"/concerns/new/$"))
    expect(page.locator("main")).to_contain_text("机耕道雨后垮塌")
    assert Concern.objects.get(content__contains="机耕道雨后垮塌").handling == Concern.Handling.TOWNSHIP

    staff = phone("xiang")
    assert "金溪乡" in staff.locator("h1").inner_text()  # the township dashboard
    staff.click("a[href*='/village/']:text('罗紫村')")
    staff.wait_for_url(re.compile(r"/village/\d+/$"))
    staff.click(f"a.tile[href$='{month:%Y-%m}/']")
    staff.wait_for_url(re.compile(rf"{month:%Y-%m}/$"))
    row = staff.locator("table.rows tbody tr", has_text=group_name)
    expect(row.locator(".status.submitted")).to_have_count(1)
    staff.click("label[for=menu-toggle]")
    staff.click("header nav a[href='/concerns/']")  # the township's queue of relayed concerns
    staff.wait_for_url(re.compile(r"/concerns/$"))
    expect(staff.locator("main")).to_contain_text("机耕道雨后垮塌")

    other = phone("jingyang")
    response = other.goto(f"{live_server.url}/activity/group/{group.pk}/{month:%Y-%m}/")
    assert response.status == 404
    assert group_name not in other.content()
    assert re.search("找不到|不存在", other.content())
