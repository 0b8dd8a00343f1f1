"""A form that writes is sent once from the browser: after the first click its submit button is disabled, and a
second submission while the first is still on its way is not sent (static/js/submit-once.js). The one-time key is
what guarantees it on the server (tests/faults); this is the courtesy that spares the person a second wait."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BUTTON = "form button.primary"


def _fill_concern(page, live_server, text: str):
    page.goto(live_server.url + "/concerns/new/")
    page.select_option("select[name=villager_group]", index=1)
    page.select_option("select[name=raised_through]", index=1)
    page.check("input[name=category][value=infrastructure]")
    page.fill("textarea[name=content]", text)
    page.check("input[name=handling][value=township]")


def test_after_the_first_click_the_button_is_disabled_and_a_retry_is_not_sent(phone, live_server):
    page = phone("luozi")
    _fill_concern(page, live_server, "村民反映3社水渠渗漏，春灌前需要维修，请乡里派人查看。")
    posts = []

    def answer_without_leaving(route):  # 204: the browser stays on the form, as while an answer is still awaited
        if route.request.method == "POST":
            posts.append(route.request.url)
            route.fulfill(status=204)
        else:
            route.continue_()

    page.route("**/concerns/new/", answer_without_leaving)
    page.click(BUTTON)
    page.wait_for_timeout(300)
    assert page.evaluate(f"document.querySelector('{BUTTON}').disabled"), "the button stays clickable"
    page.evaluate(f"document.querySelector('{BUTTON}').form.requestSubmit()")  # a second submission, as a retry
    page.wait_for_timeout(300)
    assert len(posts) == 1, f"{len(posts)} submissions were sent"



def _saved_then_back(page, button: str = BUTTON) -> None:
    """Save the form, wait for the page it leads to, then the browser's back button: the form comes back with the
    values typed (the browser puts them back)."""
    form_url = page.url
    page.click(button)
    page.wait_for_url(lambda url: url != form_url)
    page.wait_for_load_state("load")
    page.go_back()
    page.wait_for_url(form_url)
    page.wait_for_load_state("load")


def test_back_after_saving_and_save_again_with_the_same_values_saves_once(phone, live_server):
    from activity.models import Concern

    page = phone("luozi")
    text = "村民反映7社水井出水浑浊，请乡里派人检测水质。"
    _fill_concern(page, live_server, text)
    _saved_then_back(page)
    assert page.input_value("textarea[name=content]") == text  # what was typed is there again
    page.click(BUTTON)
    page.wait_for_url(lambda url: "/concerns/new/" not in url)
    assert "已保存，未重复登记" in page.locator("main").inner_text()
    assert Concern.objects.filter(content=text).count() == 1


def test_back_after_saving_then_changing_the_form_saves_the_changed_one(phone, live_server):
    from activity.models import Concern

    page = phone("luozi")
    first, second = "村民反映8社路灯不亮，夜里出行不便。", "村民反映8社垃圾池满了，需要清运。"
    _fill_concern(page, live_server, first)
    _saved_then_back(page)
    page.fill("textarea[name=content]", second)  # the next concern typed over the last
    page.click(BUTTON)
    page.wait_for_url(lambda url: "/concerns/new/" not in url)
    assert "已保存，未重复登记" not in page.locator("main").inner_text()
    assert Concern.objects.filter(content=first).count() == 1
    assert Concern.objects.filter(content=second).count() == 1


def test_back_to_an_activity_form_after_saving_it_does_not_add_the_activity_twice(phone, live_server):
    """The activity form carries the report's version, which its own save moved on: the page shown again has the new
    one, and the same activity is still the same submission."""
    import re

    from playwright.sync_api import expect

    from activity.models import Activity

    page = phone("luozi")
    page.goto(live_server.url + "/")
    page.click("a.tile[href*='/activity/village/']")
    page.locator("table.rows tbody tr").first.locator("a.button").click()
    page.wait_for_url(re.compile(r"/activity/group/"))
    page.click("a.button.primary[href$='/activity/new/']")
    page.select_option("select[name=kind]", "affairs")
    page.locator("input[name=participants]").nth(0).check()
    text = "党小组商议3社堰塘清淤的出工安排。"
    page.fill("textarea[name=content]", text)
    _saved_then_back(page, "form button.primary")
    expect(page.locator("textarea[name=content]")).to_have_value(text)
    page.click("form button.primary")
    page.wait_for_url(lambda url: not url.endswith("/activity/new/"))
    expect(page.locator("main")).to_contain_text("已保存，未重复登记")
    assert Activity.objects.filter(content=text).count() == 1
