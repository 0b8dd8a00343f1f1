"""Every form that writes, as each demo role reaches it by clicking (not a list kept by hand, so a new form cannot be
forgotten): random and extreme values posted to each of its fields (hypothesis) never give a 500; a refused form
saves nothing, says what is wrong in Chinese beside the field, and shows again what was typed; a 10,000-character
value is refused by every field, and a number of 99,999,999,999 by every number field.

The base of each post is what the page itself offers (its inputs' values, the first choice of each list), fetched
again before each post, so the submission key is fresh and a form changed by an earlier accepted post is read anew.
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import clock
from tests.crawl import pages_of, pattern_of
from tests.safety.test_form_input_property import VALUES
from tests.shared import shared_fixture

PASSWORD = "Every-form-2025"
WRITERS = ["luozi", "xiemingde", "xiang"]  # the roles that write (the county, the auditor read; the admin is Django's)
DATA_APPS = ["township", "members", "groups", "activity", "dues", "orglife", "appraisal"]
TYPED = {"text", "number", "date", "tel", "email", "url", "search", ""}
HAN = re.compile(r"[\u4e00-\u9fff]")
HUGE = "99999999999"
LONG = "x" * 10_000
SKIP_ACTIONS = re.compile(r"/(logout|accounts)/|/admin/|/i18n/")

# The sweep seeds the demo and posts every field of every form of three roles: minutes, not seconds. It runs once, on
# PostgreSQL, where a text longer than its column or a number beyond its type is refused by the database itself (SQLite
# stores them silently), so that is where a form that forgot a bound shows up as a 500.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="the every-form sweep runs on PostgreSQL (make test with DATABASE_URL=postgres://…, as CI does)",
)

relaxed = settings(
    deadline=None,
    max_examples=3,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)


class _Forms(HTMLParser):
    """The POST forms of a page: action, the fields with the values the page offers, and which fields a person types."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = {"action": a.get("action") or "", "data": {}, "typed": {}, "post": method == "post"}
            self.forms.append(self._form)
            return
        f = self._form
        if f is None or not a.get("name"):
            return
        name, kind = a["name"], (a.get("type") or "").lower()
        if tag == "input":
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a or (kind == "radio" and name not in f["data"]):
                    f["data"].setdefault(name, []).append(a.get("value", "on"))
                return
            f["data"][name] = a.get("value", "")
            if kind in TYPED and "readonly" not in a:
                f["typed"][name] = kind or "text"
        elif tag == "select":
            self._select = name
            f["data"].setdefault(name, None)
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a or (f["data"][self._select] in (None, "") and value):
                f["data"][self._select] = value
        elif tag == "textarea":
            self._textarea = name
            f["data"][name] = ""
            f["typed"][name] = "textarea"

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["data"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._form is not None and self._textarea:
                self._form["data"][self._textarea] = self._form["data"][self._textarea].removeprefix("\n")
            self._textarea = None


def post_forms(page_html: str, page_url: str) -> list[dict]:
    parser = _Forms()
    parser.feed(page_html)
    out = []
    for f in parser.forms:
        action = urlsplit(urljoin(page_url, f["action"] or page_url))
        if f["post"] and f["typed"] and not SKIP_ACTIONS.search(action.path):
            f["url"] = action.path + (f"?{action.query}" if action.query else "")
            f["data"] = {k: ("" if v is None else v) for k, v in f["data"].items()}
            out.append(f)
    return out


def snapshot() -> dict:
    """Rows of every model of the rooms, their history rows included: an update leaves a history row too."""
    return {m._meta.label: m.objects.count() for label in DATA_APPS for m in apps.get_app_config(label).get_models()}


def _forms_in(value, depth: int = 0):
    if isinstance(value, BaseForm):
        yield value
    elif isinstance(value, BaseFormSet):
        yield from value.forms
    elif isinstance(value, (list, tuple)) and depth < 2:  # a form per row: [(row, …, form), …]
        for item in value:
            yield from _forms_in(item, depth + 1)
    elif isinstance(value, dict) and depth < 2:
        for item in value.values():
            yield from _forms_in(item, depth + 1)


def forms_in_context(response):
    context = response.context
    for key in context.keys() if context is not None else []:
        yield from _forms_in(context[key])


def field_errors(response, name: str) -> list[str] | None:
    """The errors shown beside the field posted as `name` (None when no form on the page has that field)."""
    for form in forms_in_context(response):
        for field in form.fields:
            if form.add_prefix(field) == name:
                return list(form.errors.get(field, []))
    return None


def _demo_db():
    call_command("seed_demo", password=PASSWORD, stdout=open(os.devnull, "w"))  # noqa: SIM115
    _other_states()


def _other_states():
    """The demo moved on, through the services, into states whose forms it does not offer as seeded: the township
    opens the last year for nominations (its nominate, decide, lock and recommend forms) and the current year (its
    scoring and 民主评议 forms), reopens and decides again the year before the last decided one (so that one is to be
    re-decided: the review form), and a member of 罗紫村 goes away (the return form).
    A visit with an open problem, a post with activities to credit, a payment to reverse and a remittance to receive
    are already in the demo: `pages_in_other_states` finds them."""
    import datetime

    from django.contrib.auth import get_user_model

    from appraisal.awards.services import year_decide, year_reopen, year_start_nominating
    from appraisal.models import AppraisalYear
    from appraisal.scoring.services import appraisal_year_open
    from groups.models import GroupPost
    from members.away.models import AwaySpell
    from members.away.services import away_record

    users = get_user_model().objects
    xiang, luozi = users.get(username="xiang"), users.get(username="luozi")
    last = AppraisalYear.objects.filter(state=AppraisalYear.State.OPEN).order_by("-year").first()
    if last is not None:
        year_start_nominating(year=last, acting_user=xiang)
        if last.year < clock.today().year:
            appraisal_year_open(township=last.township, year=clock.today().year, acting_user=xiang)
        decided = AppraisalYear.objects.filter(township=last.township, state=AppraisalYear.State.DECIDED)
        earlier = decided.order_by("-year")[1:2].first()
        if earlier is not None:  # the year after it, decided on its results, is then to be decided again (review)
            year_reopen(year=earlier, reason="县委组织部复核，更正一名优秀党员的评议等次。", acting_user=xiang)
            year_decide(year=earlier, acting_user=xiang)
    away = AwaySpell.objects.filter(returned_on__isnull=True).values("member")
    member = (  # one of 谢明德's group (5、6社党小组), so the leader sees the spell too
        GroupPost.objects.current()
        .filter(party_group__village__name="罗紫村", party_group__name="5、6社党小组", member__status="full")
        .exclude(member__in=away)
        .order_by("member__name")
        .first()
    )
    if member is not None:
        away_record(
            member=member.member,
            province="广东省",
            city="东莞市",
            workplace="长安镇电子厂",
            fixed_workplace=True,
            since=clock.today() - datetime.timedelta(days=90),
            acting_user=luozi,
        )


demo_db = shared_fixture("demo_db", _demo_db)  # seeded once for the three roles (tests/shared.py)


def pages_in_other_states(user) -> list[str]:
    """Pages of the role's own objects in the states where other forms are offered. The crawl opens one page per URL
    pattern, so it meets a month's report in one state only: the withdrawal (a submitted report), the reopening (a
    closed one), the close of an ended month and a meeting's delete page are each a click from a page in another
    state. Only places the role reaches (their villages; a leader their group), each found by clicking from here."""
    from django.urls import reverse

    from activity.models import MonthlyReport
    from orglife.meetings.models import Kind, Meeting
    from township.scoping import villages_for

    villages = villages_for(user)
    reports = MonthlyReport.objects.filter(party_group__village__in=villages).order_by("-month", "pk")
    urls = []
    for status in (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.CLOSED):
        report = reports.filter(status=status).first()
        if report is not None:
            urls.append(reverse("activity:report", args=[report.party_group_id, report.month]))
    open_month = reports.exclude(status=MonthlyReport.Status.CLOSED).exclude(month=clock.this_month()).first()
    if open_month is not None:
        urls.append(reverse("activity:village-month", args=[open_month.party_group.village_id, open_month.month]))
    meeting = (  # a 党小组会 is corrected through its group's month; another kind has its own delete page
        Meeting.objects.filter(village__in=villages).exclude(kind=Kind.GROUP).order_by("-held_on", "-pk").first()
    )
    if meeting is not None:
        urls.append(reverse("orglife:meeting", args=[meeting.pk]))
    return urls + _award_and_standing_pages(user, villages)


def _award_and_standing_pages(user, villages) -> list[str]:
    """The year open for nominations and a decided one (nominate, decide, lock; reopen, review, recommend), the
    民主评议 of a year still open, a member away (the return form), a visit's open problem (its follow-up), a post
    holder with activities to credit, a payment not reversed, and the township's year with a remittance to receive."""
    from django.urls import reverse

    from appraisal.models import AppraisalYear
    from dues.models import Payment, Remittance
    from groups.models import PartyGroup
    from members.away.models import AwaySpell
    from orglife.posts.models import DutyAssignment
    from orglife.posts.services import creditable_activities
    from orglife.visits.models import VisitProblem

    urls = []
    group = PartyGroup.objects.filter(village__in=villages).order_by("village", "name").first()
    if group is not None:  # its election: a vote count for each member
        urls.append(reverse("groups:party-group", args=[group.pk]))
    years = AppraisalYear.objects.filter(township__villages__in=villages).distinct().order_by("-year")
    for state in (AppraisalYear.State.NOMINATING, AppraisalYear.State.DECIDED):
        year = years.filter(state=state).first()
        if year is not None:
            urls.append(reverse("awards:year", args=[year.pk]))
    unlocked = next((y for y in years if not y.is_locked), None)
    village = villages.order_by("pk").first()
    if unlocked is not None and village is not None:
        urls.append(reverse("appraisal:village-reviews", args=[unlocked.pk, village.pk]))
    spell = AwaySpell.objects.filter(member__village__in=villages, returned_on__isnull=True).order_by("-pk").first()
    if spell is not None:
        urls.append(reverse("standing:member", args=[spell.member_id]))
    problem = VisitProblem.objects.filter(visit__village__in=villages, resolved_on__isnull=True).order_by("pk").first()
    if problem is not None:
        urls.append(reverse("orglife:visit-detail", args=[problem.visit_id]))
    for a in DutyAssignment.objects.current().filter(post__village__in=villages).order_by("pk")[:20]:
        if creditable_activities(a).exists():
            urls.append(reverse("orglife:post-member", args=[a.member_id]))
            break
    payment = (
        Payment.objects.filter(village__in=villages, reverses__isnull=True, reversed_by__isnull=True)
        .order_by("-pk")
        .first()
    )
    if payment is not None:
        urls.append(reverse("dues:payment", args=[payment.pk]))
    remittance = Remittance.objects.live().filter(village__in=villages, receipt__isnull=True).order_by("-pk").first()
    if remittance is not None:
        township = remittance.village.township_id
        urls.append(reverse("dues:township", args=[township, remittance.period_start.year]))
    return urls


def _forms_of_role(client, user=None) -> dict[str, tuple[str, dict]]:
    """Each POST form a role reaches by clicking, once per (page pattern, action pattern, fields): from the home page,
    and one click on from its pages in other states (`pages_in_other_states`)."""
    found: dict[str, tuple[str, dict]] = {}
    pages = pages_of(client)
    with_forms = {pattern for url, (pattern, response) in pages.items() if post_forms(response.content.decode(), url)}
    for start in pages_in_other_states(user) if user is not None else []:
        pages.update(pages_of(client, start=start, limit=40, skip=with_forms - {pattern_of(start)}))
    for url, (pattern, response) in pages.items():
        for f in post_forms(response.content.decode(), url):
            key = f"{pattern} → {sorted(f['typed'])}"
            found.setdefault(key, (url, f))
    return found


def _fresh(client, page_url: str, action: str, typed: set[str]) -> dict | None:
    """The form as the page offers it now (a fresh submission key), or None when the page or form is gone."""
    response = client.get(page_url)
    if response.status_code != 200:
        return None
    for f in post_forms(response.content.decode(), page_url):
        if f["url"] == action and set(f["typed"]) == typed:
            return f
    return None


def check_post(client, where: str, form: dict, name: str, value: str) -> tuple[int, list[str] | None]:
    before = snapshot()
    data = {**form["data"], name: value}
    response = client.post(form["url"], data)
    what = f"{where} {name}={value[:30]!r}"
    assert response.status_code in (200, 302, 303, 400), f"{what} answered {response.status_code}"
    if response.status_code not in (200, 400):  # 400: refused, the form shown again (opening a year)
        return response.status_code, None
    page = response.content.decode()
    assert snapshot() == before, f"{what}: a refused form saved something"
    messages = re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', page, re.S)
    for m in messages:
        for item in re.findall(r"<li>(.*?)</li>", m, re.S):
            assert HAN.search(item), f"{what}: an error not in Chinese: {item!r}"
    typed = value.strip()
    if typed and form["typed"].get(name) in ("text", "textarea", "tel", "") and not any(c in typed for c in "\x00\r"):
        assert html.escape(typed)[:200] in page or typed[:200] in page, f"{what}: the typed input is lost"
    return 200, field_errors(response, name)  # refused


@pytest.mark.parametrize("username", WRITERS)
def test_every_form_refuses_extreme_values_beside_the_field(username, demo_db, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    forms = _forms_of_role(client, user)
    assert forms, f"{username} reaches no form"
    for where, (page_url, first) in sorted(forms.items()):
        typed = set(first["typed"])
        for name, kind in sorted(first["typed"].items()):
            bad = [LONG] + ([HUGE, "99,999,999,999"] if kind == "number" else [])
            for value in bad:
                form = _fresh(client, page_url, first["url"], typed)
                if form is None:
                    break
                status, errors = check_post(client, where, form, name, value)
                assert status == 200, f"{where}: {name}={value[:20]!r} was accepted"
                assert errors, f"{where}: {name}={value[:20]!r} was refused without a word beside the field"
                assert all(HAN.search(e) for e in errors), errors

        _random_values(client, where, page_url, first["url"], typed)


def _random_values(client, where, page_url, action, typed):
    @relaxed
    @given(name=st.sampled_from(sorted(typed)), value=VALUES)
    def post(name, value):
        form = _fresh(client, page_url, action, typed)
        if form is not None:
            check_post(client, where, form, name, value)

    post()
