"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

They run whenever a Chromium is found (`chromium` on PATH, or $CHROMIUM) and are skipped, saying so, when none is.
With REQUIRE_BROWSER=1 (as `.ci/run` sets) a missing browser is a failure instead of a skip.
"""
from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's event loop

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "Browser-test-2025"


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "no Chromium found (apt-get install -y chromium fonts-noto-cjk): browser tests skipped"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message.replace("skipped", "are required here (REQUIRE_BROWSER=1)"))
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def demo(transactional_db):
    """The demo county, exactly as `manage.py seed_demo` builds it, with a known password."""
    from django.core.management import call_command

    call_command("seed_demo", password=PASSWORD, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def phone(browser, live_server, demo):
    """`phone(username)` → a logged-in page in a 360 px wide phone viewport."""
    contexts = []

    def _open(username: str):
        context = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN", is_mobile=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(live_server.url + "/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        # a click only starts the navigation: wait until the login page is left (times out if the login failed)
        page.wait_for_url(lambda url: "login" not in url)
        page.wait_for_load_state("load")
        return page

    yield _open
    for c in contexts:
        c.close()
