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

