"""Every page a role may use is reachable by clicking from that role's home page.

Each role logs in, starts at the home page and follows only what a person can click: links (`<a href>`), form
actions and buttons' `formaction`. GET pages are opened (a few of each URL pattern, so month links and pagers do not
run on for ever); POST targets are only noted, never sent. The test then compares what was reached with what the
role may use: every URL pattern of the app (read from the URL resolver, the admin aside) has its capability in
PAGE_CAPABILITY below, and the role may use the page when it holds that capability in the table of
`township/capabilities.py`. A new URL without an entry here fails `test_every_url_has_a_capability`; a page that the
role may use but no link leads to fails `test_every_page_is_reachable_by_clicking`.
"""

from __future__ import annotations

from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from activity.reports.services import report_close, report_for, report_submit
from appraisal.awards.services import year_decide, year_start_nominating
from appraisal.scoring.services import appraisal_year_open
from core import clock, periods
from tests.test_isolation_matrix import _all_url_names, a1  # noqa: F401 (a1: the world of village A1, a fixture)

ANYONE = "anyone"  # every signed-in person

# URL name → the capability that lets a person use the page (or ANYONE; a tuple: all of them).
PAGE_CAPABILITY = {
    "home": ANYONE,
    "logout": ANYONE,
    "password_change": ANYONE,
    "village": "village.read",
    "township": "township.read",
    "county": "county.read",
    "groups:party-group": "groups.read",
    "groups:election-new": "groups.write",
    "activity:village-month": "village.read",
    "activity:report": "reports.read",
    "activity:activity-new": "reports.write",
    "activity:activity-edit": "reports.write",
    "activity:activity-delete": "reports.write",
    "activity:report-action": "reports.write",
    "activity:report-reopen": "reports.close",
    "activity:report-withdraw": "reports.close",
    "activity:village-month-close": "reports.close",
    "activity:township-month-close": ("reports.close", "township.read"),  # the township's staff, not a branch
    "concerns:list": "concerns.read",
    "concerns:detail": "concerns.read",
    "concerns:new": "concerns.write",
    "concerns:relay": "concerns.write",
    "concerns:answer": "concerns.write",
    "projects:list": "projects.read",
    "projects:detail": "projects.read",
    "projects:new": "projects.write",
    "projects:edit": "projects.write",
    "funds:index": "ledger.read",
    "funds:ledger": "ledger.read",
    "funds:entry": "ledger.read",
    "funds:disclosure": "ledger.read",
    "funds:disclosure-xlsx": "ledger.read",
    "funds:entry-new": "ledger.write",
    "funds:decision-new": "ledger.write",
    "funds:entry-reverse": "ledger.write",
    "appraisal:index": "scores.read",
    "appraisal:year": "scores.read",
    "appraisal:scores": "scores.read",
    "appraisal:scores-xlsx": "scores.read",
    "appraisal:group": "scores.read",
    "appraisal:quarter": "scores.read",
    "appraisal:spot-checks": "scores.read",
    "appraisal:spot-check": "scores.read",
    "appraisal:reviews": "township.read",  # every branch's grades; a branch has its own page (village-reviews)
    "appraisal:village-reviews": "reviews.write",
    "appraisal:branches": "scores.read",
    "appraisal:branches-xlsx": "scores.read",
    "appraisal:year-new": "scores.write",
    "appraisal:compute": "scores.write",
    "appraisal:score-enter": "scores.write",
    "appraisal:spot-check-new": "scores.write",
    "appraisal:spot-check-draw": "scores.write",
    "appraisal:spot-check-follow-up": "scores.write",
    "appraisal:branch-enter": "scores.write",
    "awards:index": "awards.read",
    "awards:year": "awards.read",
    "awards:reserve": "awards.read",
    "awards:county": "awards.read",
    "awards:nominate": "awards.nominate",
    "awards:withdraw": "awards.nominate",
    "awards:start-nominating": "awards.decide",
    "awards:decide": "awards.decide",
    "awards:lock": "awards.decide",
    "awards:reopen": "awards.decide",
    "awards:recommend": "awards.decide",
    "awards:reserve-remove": "awards.decide",
    "reports:award-report": "awards.report",
    # the county's award report is made as a job: its download link redirects to the page that starts it
    "reports:award-report-job": ("awards.report", "county.read"),
    "roster:roster": "members.read",
    "roster:national": "members.read",
    "roster:roster-job": "members.read",  # a county's or everyone's roster: the download link leads there
    "roster:national-job": "members.read",  # likewise in the national format: its download link redirects there
    "roster:import": "members.write",
    "roster:import-template": "members.write",
    "audit:events": "audit.read",
    "audit:changes": "audit.read",
    "audit:events-xlsx": "audit.read",
    "help": ANYONE,
    "dues:index": "dues.read",
    "dues:book": "dues.read",
    "dues:register-xlsx": "dues.read",
    "dues:assessments": "dues.read",
    "dues:arrears": "dues.read",
    "dues:arrears-xlsx": "dues.read",
    "dues:township": "dues.read",
    "dues:township-xlsx": "dues.read",
    "dues:assess": "dues.write",
    "dues:payment-new": "dues.write",
    "dues:remittances": "dues.write",
    "dues:receive": "dues.receive",
    "orglife:index": "orglife.read",
    "orglife:village": "orglife.read",
    "orglife:record-book": "orglife.read",
    "orglife:members": "orglife.read",
    "orglife:meeting": "orglife.read",
    "orglife:township": "orglife.read",
    "orglife:township-xlsx": "orglife.read",
    "orglife:themes": "orglife.read",
    "orglife:county": "county.read",
    "orglife:meeting-new": "orglife.write",
    "orglife:group-meeting-new": "orglife.group_meeting",
    "orglife:vote-new": "orglife.write",
    "orglife:meeting-edit": "orglife.write",
    "orglife:meeting-delete": "orglife.write",
    "orglife:committee": "orglife.read",
    "orglife:committee-seat-end": "orglife.write",
    "orglife:settings": "orglife.settings",
    "standing:village": "members.read",
    "standing:member": "members.read",
    "standing:record": "members.write",
    "standing:away-new": "members.write",
    "standing:away-return": "members.write",
    "standing:contact": "members.read",
    "standing:handling": "members.read",
    "standing:township": ("township.read", "members.read"),
    "standing:township-away-xlsx": ("township.read", "members.read"),
    "groups:appointment-new": "groups.write",
    "orglife:visit-index": "visits.read",
    "orglife:visit-detail": "visits.read",
    "orglife:visit-new": "visits.write",
    "orglife:visit-problem-follow-up": "visits.write",
    "orglife:visit-problem-concern": "visits.write",
    "orglife:visit-points": "visits.write",
    "orglife:visit-point-end": "visits.write",
    "orglife:post-village": "posts.read",
    "orglife:post-detail": "posts.read",
    "orglife:post-member": "posts.read",
    "orglife:post-assignment-end": "posts.write",
    "orglife:post-credit": "posts.write",
    "dues:remittance-reverse": "dues.write",
    "dues:group": "dues.collect",
    "dues:group-pay": "dues.collect",
    "dues:settings": "dues.settings",
    "dues:settings-new": "dues.settings",
}
# Pages that are a step of a flow, reached by doing the step before them rather than by a link.
FLOW_STEPS = {
    "login": "the login page (the person is already signed in)",
    "password_change_done": "shown after a password change is saved",
    "accounts:otp-verify": "the second login step, sent there by the login",
    "accounts:otp-setup": "the second login step, sent there by the login",
    "accounts:recovery-codes": "shown once after setting up the phone app",
    "accounts:recovery-codes-new": "a button on the password page, for an account with a phone app (none here)",
    "accounts:unlock": "offered on the lockout page (the person is locked out, not signed in)",
    "roster:import-preview": "shown after uploading a roster file",
    "roster:import-confirm": "the preview's confirm button (after uploading a file)",
    "jobs:job": "a job's progress page, shown after its start button (tests/audit/test_jobs.py)",
    "jobs:download": "offered on a finished job's page (tests/audit/test_jobs.py)",
    "jobs:retry": "offered on a failed job's page (tests/audit/test_jobs.py)",
    "appraisal:branches-refresh": "offered on the branches page only while a branch's figures are out of date",
    "dues:payment": "a payment's receipt, linked from the dues book once a payment is recorded (none in this world)",
    "dues:payment-reverse": "offered on a payment's receipt (none in this world)",
    "awards:review": "offered on a decided year's page only while it waits on an earlier year that was reopened",
}
# The admin's own logout and password pages stand for the site's on admin pages (the account administrator's home).
ALIASES = {"admin:logout": "logout", "admin:password_change": "password_change"}

ROLES = ["township_staff", "secretary_a1", "group_leader", "county_viewer", "auditor", "account_admin"]
PER_PATTERN = 4  # GET pages opened per URL pattern and object: a few months and pages, not every month ever


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: list[tuple[str, str]] = []  # (method, url)
        self._form_method = "get"

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.targets.append(("get", a["href"]))
        elif tag == "form":
            self._form_method = (a.get("method") or "get").lower()
            self.targets.append((self._form_method, a.get("action") or ""))
        elif tag in ("button", "input") and a.get("formaction"):
            self.targets.append(((a.get("formmethod") or self._form_method).lower(), a["formaction"]))


def _name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _pattern_key(path: str) -> tuple:
    """A page's URL name and its objects, without the month: a few months of each object's page are opened."""
    match = resolve(path)
    return (match.view_name, tuple(sorted((k, str(v)) for k, v in match.kwargs.items() if k != "month")))


def _as_tuple(cap) -> tuple:
    return cap if isinstance(cap, tuple) else (cap,)


def crawl(client) -> tuple[set[str], list[str]]:
    """Follow links and forms from the home page: the URL names reached, and the pages that failed."""
    reached: set[str] = set()
    opened: Counter = Counter()
    seen: set[str] = set()
    failures: list[str] = []
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        response = client.get(url, follow=True)
        for hop, _status in response.redirect_chain:
            if name := _name(urlsplit(urljoin(url, hop)).path):
                reached.add(name)
        if response.status_code >= 400:
            failures.append(f"{url} answered {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        here = response.request["PATH_INFO"]
        parser = _Links()
        parser.feed(response.content.decode())
        for method, target in parser.targets:
            parts = urlsplit(urljoin(here, target))
            if parts.scheme or parts.netloc or parts.path.startswith(("/static/", "/media/")):
                continue
            name = _name(parts.path)
            if parts.path.startswith("/admin/"):  # the admin is not crawled: its links are Django's own
                if name in ALIASES:
                    reached.add(ALIASES[name])
                continue
            if name is None:
                failures.append(f"{here} links to {parts.path}, which is no page")
                continue
            reached.add(name)
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            key = _pattern_key(parts.path)
            if method != "get" or name == "logout" or link in seen or opened[key] >= PER_PATTERN:
                continue
            seen.add(link)
            opened[key] += 1
            queue.append(link)
    return reached, failures


@pytest.fixture
def world(a1, township_staff):  # noqa: F811 (the fixture imported above)
    """Village A1's objects in every state a page is offered in: a closed month, a submitted one, a draft with an
    activity; this year open, last year nominating (from `a1`), the year before decided and locked."""
    org = a1.org
    org.a1.leaders_may_report = True
    org.a1.save(update_fields=["leaders_may_report"])
    this_month = clock.this_month()
    closed = report_for(party_group=org.a1_g2, month=periods.add_months(this_month, -2), acting_user=None)
    closed = report_submit(report=closed, version=closed.version, summary="本月无活动：农忙", acting_user=None)
    report_close(report=closed, acting_user=None)
    submitted = report_for(party_group=org.a1_g2, month=periods.add_months(this_month, -1), acting_user=None)
    report_submit(report=submitted, version=submitted.version, summary="本月走访三户", acting_user=None)
    today = clock.today()
    older = appraisal_year_open(township=org.ta, year=today.year - 2, acting_user=None)
    year_start_nominating(year=older, acting_user=None)
    year_decide(year=older, acting_user=None)
    appraisal_year_open(township=org.ta, year=today.year, acting_user=None)
    return a1


def test_every_url_has_a_capability():
    names = _all_url_names()
    missing = names - set(PAGE_CAPABILITY) - set(FLOW_STEPS)
    assert not missing, f"say which capability uses these pages (PAGE_CAPABILITY): {sorted(missing)}"
    assert not (set(PAGE_CAPABILITY) | set(FLOW_STEPS)) - names, "PAGE_CAPABILITY names a page that is gone"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_reachable_by_clicking(role, world, request, client):
    user = request.getfixturevalue(role)
    user.set_password("Reach-Every-Page-2027")  # a usable password: the admin offers its password page only then
    user.save(update_fields=["password"])
    client.force_login(user)
    reached, failures = crawl(client)
    may_use = {name for name, cap in PAGE_CAPABILITY.items() if cap == ANYONE or user.has_perms(_as_tuple(cap))}
    assert not failures, f"{role}: links that lead nowhere: {failures}"
    unreached = sorted(may_use - reached)
    assert not unreached, f"{role} may use these pages but no link leads to them: {unreached}"


def test_the_crawl_stays_on_its_own_pages(world, secretary_a1, client):
    """The crawl is not vacuous: the secretary reaches their month and their ledger, and not the township's pages."""
    client.force_login(secretary_a1)
    reached, _failures = crawl(client)
    assert {"village", "activity:report", "funds:ledger", "roster:import"} <= reached
    assert "township" not in reached and "audit:events" not in reached
