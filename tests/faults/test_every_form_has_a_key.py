"""Every form that creates or changes business data carries a one-time key, and its view keeps it (issue 19).

Two walks, so that a new form cannot be forgotten:

- every URL pattern of the site (the Django admin aside) whose view takes a POST is wrapped by `repeat_safe`, which
  answers a repeated key before the view looks at anything; the few that are not write no business data and are
  named below with the reason;
- every POST form each demo role reaches by clicking carries `submission_key`, its action's view is `repeat_safe`,
  and the form sent twice as the page offers it, with the same key, saves nothing the second time: when the first
  post saved something, its key was stored with it and the second answer is "已保存，未重复登记".

The Django admin is left out: its change forms and actions are Django's own (the 三员 account administrator and
the township admin), and its one custom view (audit/reveal.py, 显示完整号码) writes only a REVEAL audit event.
"""

from __future__ import annotations

import inspect
import os
import re
import uuid

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from audit.models import Submission
from audit.submissions import claim_key
from tests.crawl import pages_of
from tests.faults.helpers import REPEATED
from tests.safety.test_every_form_property import post_forms
from tests.shared import shared_fixture

PASSWORD = "Every-key-2026"
DATA_APPS = ["township", "members", "groups", "activity", "dues", "orglife", "appraisal"]

# Views that take a POST and write no business data (so they carry no key), with the reason.
NOT_BUSINESS_DATA = {
    "login": "signing in writes the session and the login bookkeeping, not business data",
    "logout": "signing out",
    "password_change": "the person's own password (an account, not business data; a repeat asks for the old one)",
    "accounts:otp-verify": "the second factor's check at sign-in",
    "accounts:otp-setup": "the person's own second factor",
    "accounts:recovery-codes-new": "the person's own recovery codes",
    "accounts:unlock": "unlocking a locked-out account (accounts, audited as a security event)",
    "roster:import": "the upload keeps a waiting, encrypted file for the preview; the members are written by "
    "roster:import-confirm, which keeps its key",
}


# A view that branches on the method or reads the posted form (not only a "next" address), or is POST-only.
TAKES_A_POST = re.compile(r"request\.method|request\.POST\b(?!\.get\(\"next)|require_POST|require_http_methods")


def _patterns(resolver=None, namespace: str = ""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            inner = ":".join(n for n in (namespace, p.namespace) if n)
            yield from _patterns(p, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p.callback


def _takes_a_post(callback) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    func = inspect.unwrap(callback)
    source = inspect.getsource(func)  # with its decorators
    # and the module's own helpers it hands the request to (the month-close page, the dues write_once, …)
    module = vars(inspect.getmodule(func))
    for name in set(re.findall(r"\b(\w+)\(request\b", source)):
        helper = module.get(name)
        if inspect.isfunction(helper) and helper.__module__ == func.__module__:
            source += inspect.getsource(helper)
    return bool(TAKES_A_POST.search(source))


def site_views():
    return [(name, callback) for name, callback in _patterns() if not name.startswith("admin:")]


def test_the_walk_finds_the_writing_views():
    """The walk itself: it sees the views known to write, so an empty or broken walk cannot pass."""
    takes = {name for name, callback in site_views() if _takes_a_post(callback)}
    assert {"funds:entry-new", "activity:activity-new", "awards:lock", "roster:import-confirm"} <= takes
    assert "village" not in takes and "funds:ledger" not in takes


def test_every_view_that_takes_a_post_answers_a_repeated_key_first():
    unguarded = [
        name
        for name, callback in site_views()
        if _takes_a_post(callback) and name not in NOT_BUSINESS_DATA and not getattr(callback, "repeat_safe", False)
    ]
    assert unguarded == [], "views taking a POST without @repeat_safe (and submit_once for the write)"
    stale = [name for name in NOT_BUSINESS_DATA if name not in dict(site_views())]
    assert stale == []


# --- the forms as each role reaches them ------------------------------------------------------------------------------

# The crawl seeds the demo county and sends every form each writing role reaches twice: minutes per role.
WRITERS = ["luozi", "xiemingde", "xiang"]  # a branch secretary, a group leader, township staff (the others only read)
SKIP_ACTION = re.compile(r"^/(admin|accounts|i18n)/|/logout/")


def snapshot() -> dict:
    return {m._meta.label: m.objects.count() for label in DATA_APPS for m in apps.get_app_config(label).get_models()}


def _demo():
    call_command("seed_demo", password=PASSWORD, stdout=open(os.devnull, "w"))  # noqa: SIM115


every_key_demo = shared_fixture("every_key_demo", _demo)


def _forms(client):
    """Each POST form the client reaches by clicking, once per (page pattern, action pattern)."""
    found = {}
    for url, (pattern, response) in pages_of(client).items():
        for form in post_forms(response.content.decode(), url):
            if not SKIP_ACTION.search(form["url"]):
                found.setdefault(f"{pattern} → {resolve(form['url'].split('?')[0]).view_name}", (url, form))
    return found


def _fresh(client, page_url: str, action: str) -> dict | None:
    response = client.get(page_url)
    if response.status_code != 200:
        return None
    return next((f for f in post_forms(response.content.decode(), page_url) if f["url"] == action), None)


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="the crawl that sends every form twice runs on PostgreSQL, like the every-form sweep (minutes)",
)
@pytest.mark.parametrize("username", WRITERS)
def test_every_form_a_role_reaches_carries_a_key_and_a_second_post_saves_nothing_new(username, every_key_demo, client):
    client.force_login(get_user_model().objects.get(username=username))
    forms = _forms(client)
    assert forms, f"{username} reaches no form"
    keyless, unguarded, doubled, saved = [], [], [], []
    for where, (page_url, first) in sorted(forms.items()):
        action = resolve(first["url"].split("?")[0])
        if "submission_key" not in first["data"]:
            keyless.append(where)
            continue
        if not getattr(action.func, "repeat_safe", False):
            unguarded.append(where)
        form = _fresh(client, page_url, first["url"])
        if form is None:  # an earlier post changed the page (a month closed, a row ended)
            continue
        before = snapshot()
        client.post(form["url"], form["data"])
        after = snapshot()
        second = client.post(form["url"], form["data"], follow=True)
        if snapshot() != after:
            doubled.append(where)
        if after != before:
            saved.append(where)
            said = QueryDict(mutable=True)
            for name, value in form["data"].items():
                said.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
            key = claim_key(uuid.UUID(form["data"]["submission_key"]), said)
            assert Submission.objects.filter(key=key).exists(), where
            assert REPEATED in second.content.decode(), f"{where}: the repeat is not answered as one"
    assert keyless == [], f"{username}: forms without a one-time key"
    assert unguarded == [], f"{username}: forms whose view is not @repeat_safe"
    assert doubled == [], f"{username}: a second identical post saved again"
    assert saved, f"{username}: no form was saved as offered, so the walk proved nothing"
    print(f"\n{username}: {len(forms)} forms, saved as offered and not doubled: {saved}")
