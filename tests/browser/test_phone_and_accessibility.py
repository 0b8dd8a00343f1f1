"""Every page each demo role reaches by clicking, opened on a 360×740 phone: nothing makes the page wider than the
screen, and axe-core finds no critical or serious accessibility fault.

The pages are the ones `tests.crawl` reaches from each role's home page by following links (one page per URL
pattern). axe-core is vendored under tests/browser/vendor and served by the app's static files in these tests only.
With SCREENSHOTS=1 the test also writes each role's home page at 360 and 1280 px wide into docs/screenshots/.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import Client

from tests.browser.conftest import PASSWORD
from tests.crawl import pages_of

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).parent / "vendor"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ROLES = ("xiang", "luozi", "county", "xiemingde", "shenji", "zhanghu")
# Admin pages are the same for every role that reaches them: opened once, by the first role (township staff).
ADMIN_ONCE = "admin:"

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""
OVERFLOW = """() => {
  const doc = document.documentElement;
  if (doc.scrollWidth <= doc.clientWidth + 1) return null;
  const inBox = e => e.closest('.table-wrap, .chart-wrap, .results');
  const name = e => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className : '');
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > doc.clientWidth + 1 && !inBox(e))
    .slice(0, 3).map(name);
  return `${doc.scrollWidth}px wide: ${wide.join(', ')}`;
}"""


@pytest.fixture
def axe_served(settings):
    """axe.min.js at /static/tests-axe/axe.min.js, for these tests only."""
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, ("tests-axe", str(VENDOR))]
    finders.get_finder.cache_clear()
    yield "/static/tests-axe/axe.min.js"
    finders.get_finder.cache_clear()


def logged_in(browser, base: str, username: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  is_mobile=width < 600, has_touch=width < 600)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # a click only starts the navigation: wait until the login page is left (times out if the login failed)
    page.wait_for_url(lambda url: "login" not in url)
    page.wait_for_load_state("load")
    return context, page


def urls_of(username: str, skip: set[str]) -> list[tuple[str, str]]:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return [(name, url) for url, (name, _r) in pages_of(client).items() if name not in skip]


def test_every_page_fits_a_phone_and_has_no_serious_accessibility_fault(browser, live_server, demo, axe_served):
    failures: list[str] = []
    admin_seen: set[str] = set()
    for username in ROLES:
        pages = urls_of(username, admin_seen)
        admin_seen |= {name for name, _url in pages if name.startswith(ADMIN_ONCE)}
        context, page = logged_in(browser, live_server.url, username, 360, 740)
        for name, url in pages:
            response = page.goto(live_server.url + url)
            page.wait_for_load_state("load")
            if response is None or response.status != 200:
                failures.append(f"{username} {name} {url}: answered {response and response.status}")
                continue
            wide = page.evaluate(OVERFLOW)
            if wide:
                failures.append(f"{username} {name} {url}: wider than the phone, {wide}")
            page.add_script_tag(url=axe_served)
            for fault in page.evaluate(AXE_RUN):
                failures.append(f"{username} {name} {url}: {fault}")
        context.close()
    assert not failures, "\n".join(failures)


def test_the_phone_menu_folds_into_one_line_and_opens(browser, live_server, demo):
    context, page = logged_in(browser, live_server.url, "luozi", 360, 740)
    header = page.locator("header.top")
    assert header.bounding_box()["height"] <= 60  # one line: the name and 菜单
    assert not page.locator("#site-menu a[href='/concerns/']").is_visible()
    page.click("label[for=menu-toggle]")
    link = page.locator("#site-menu a[href='/concerns/']")
    assert link.is_visible()
    assert link.bounding_box()["height"] >= 44  # a thumb's tap target
    context.close()


@pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="SCREENSHOTS=1 regenerates docs/screenshots")
def test_screenshots_of_each_roles_home(browser, live_server, demo):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for username in ("luozi", "xiang", "county", "xiemingde"):
        for width, height in ((360, 740), (1280, 800)):
            context, page = logged_in(browser, live_server.url, username, width, height)
            page.screenshot(path=str(SCREENSHOTS / f"{username}-{width}.png"))
            context.close()
