"""The isolation matrix: every branch URL, asked for another village's objects, answers 404 and changes nothing.

Every URL pattern of the app (admin and login pages aside) must be listed below, either as an object URL with a way
to build it for village A1 (罗紫村) or as a list/form URL; a new URL without an entry fails
`test_every_url_is_in_the_matrix`, so isolation is decided for each page when it is added.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from activity.concerns import concern_record
from activity.models import Concern, Project
from activity.services import activity_save, report_for
from groups.ledger import decision_record, fund_entry_post

TODAY = timezone.localdate()
MONTH = (TODAY.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)  # a past month, open for editing

# name → (how to build the URL from the A1 objects)
OBJECT_URLS = {
    "village": lambda o: reverse("village", args=[o.org.a1.pk]),
    "township": lambda o: reverse("township", args=[o.org.ta.pk]),
    "county": lambda o: reverse("county", args=[o.org.county.pk]),
    "groups:party-group": lambda o: reverse("groups:party-group", args=[o.org.a1_g1.pk]),
    "groups:election-new": lambda o: reverse("groups:election-new", args=[o.org.a1_g1.pk]),
    "activity:village-month": lambda o: reverse("activity:village-month", args=[o.org.a1.pk, MONTH]),
    "activity:report": lambda o: reverse("activity:report", args=[o.org.a1_g1.pk, MONTH]),
    "activity:activity-new": lambda o: reverse("activity:activity-new", args=[o.org.a1_g1.pk, MONTH]),
    "activity:report-reopen": lambda o: reverse("activity:report-reopen", args=[o.org.a1_g1.pk, MONTH]),
    "activity:report-action": lambda o: reverse("activity:report-action", args=[o.org.a1_g1.pk, MONTH, "submit"]),
    "activity:activity-edit": lambda o: reverse("activity:activity-edit", args=[o.activity.pk]),
    "activity:activity-delete": lambda o: reverse("activity:activity-delete", args=[o.activity.pk]),
    "concerns:detail": lambda o: reverse("concerns:detail", args=[o.concern.pk]),
    "concerns:relay": lambda o: reverse("concerns:relay", args=[o.concern.pk]),
    "concerns:answer": lambda o: reverse("concerns:answer", args=[o.concern.pk]),
    "projects:detail": lambda o: reverse("projects:detail", args=[o.project.pk]),
    "projects:edit": lambda o: reverse("projects:edit", args=[o.project.pk]),
    "funds:ledger": lambda o: reverse("funds:ledger", args=[o.vg.pk]),
    "funds:entry-new": lambda o: reverse("funds:entry-new", args=[o.vg.pk]),
    "funds:decision-new": lambda o: reverse("funds:decision-new", args=[o.vg.pk]),
    "funds:disclosure": lambda o: reverse("funds:disclosure", args=[o.vg.pk]),
    "funds:disclosure-xlsx": lambda o: reverse("funds:disclosure-xlsx", args=[o.vg.pk]),
    "funds:entry": lambda o: reverse("funds:entry", args=[o.entry.pk]),
    "funds:entry-reverse": lambda o: reverse("funds:entry-reverse", args=[o.entry.pk]),
}
# Pages without an object in the URL: each shows only the person's own reach (checked below by name).
LIST_URLS = {"home", "concerns:list", "concerns:new", "projects:list", "projects:new", "funds:index"}
NOT_SCOPED = {"login", "logout", "password_change", "password_change_done"}

# A POST that would change something on any of these pages if it got through.
PAYLOAD = {
    "version": "1", "reason": "越权修改测试", "summary": "越权", "kind": "meeting", "held_on": MONTH.isoformat(),
    "content": "越权写入", "to": "township", "due_on": TODAY.isoformat(), "answer": "越权答复", "answered_by": "外人",
    "resolved_on": TODAY.isoformat(), "direction": "expense", "amount": "10", "category": "other", "purpose": "越权",
    "entry_date": TODAY.isoformat(), "name": "越权项目", "started_on": TODAY.isoformat(), "members_present": "1",
}
SECRET = ("罗紫机耕道", "罗紫一二社党小组", "罗紫党员1", "罗紫河堰")


def _all_url_names():
    def walk(patterns, ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern):
                yield f"{ns}:{p.name}" if ns else p.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_is_in_the_matrix():
    missing = _all_url_names() - set(OBJECT_URLS) - LIST_URLS - NOT_SCOPED
    assert not missing, f"add these URLs to the isolation matrix: {sorted(missing)}"


@pytest.fixture
def a1(org, secretary_a1):
    """Objects of every kind in village A1, made through the services as its secretary would."""

    class Objects:
        pass

    o = Objects()
    o.org = org
    o.vg = org.a1_vgs[0]
    report = report_for(party_group=org.a1_g1, month=MONTH, acting_user=secretary_a1)
    o.activity = activity_save(
        report=report, version=report.version, acting_user=secretary_a1, kind="meeting",
        held_on=MONTH + datetime.timedelta(days=3), content="罗紫机耕道维修的党小组会",
        participants=org.a1_g1_members[:2],
    )
    o.concern = concern_record(
        villager_group=o.vg, raised_through=org.a1_g1_members[0], raised_on=TODAY - datetime.timedelta(days=3),
        category=Concern.Category.INFRASTRUCTURE, content="罗紫机耕道垮塌", handling=Concern.Handling.BRANCH,
        acting_user=secretary_a1,
    )
    o.entry = fund_entry_post(
        villager_group=o.vg, entry_date=TODAY - datetime.timedelta(days=2), direction="income",
        amount=Decimal("500.00"), category="subsidy", purpose="罗紫河堰补助", acting_user=secretary_a1,
    )
    decision_record(
        villager_group=o.vg, held_on=TODAY - datetime.timedelta(days=5), subject="罗紫河堰维修", basis="households",
        entitled=30, present=25, votes_for=20, acting_user=secretary_a1,
    )
    o.project = Project.objects.create(
        village=org.a1, villager_group=o.vg, party_group=org.a1_g1, name="罗紫河堰整治", started_on=TODAY
    )
    return o


def snapshot() -> dict:
    """Every row of the app's own tables (history included), to prove that nothing changed."""
    out = {}
    for label in ("township", "members", "groups", "activity"):
        for model in apps.get_app_config(label).get_models():
            out[model._meta.label] = sorted(map(str, model.objects.values_list()))
    return out


@pytest.fixture(params=["secretary_a2", "township_b_staff"])
def outsider(request, org):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_an_outsider_gets_404_and_changes_nothing(name, a1, outsider, login):
    client = login(outsider)
    url = OBJECT_URLS[name](a1)
    before = snapshot()
    get = client.get(url)
    assert get.status_code in (404, 405), f"GET {url} answered {get.status_code}"
    if get.status_code == 404:
        assert not any(s in get.content.decode() for s in SECRET)
    post = client.post(url, PAYLOAD)
    assert post.status_code == 404, f"POST {url} answered {post.status_code}"
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(LIST_URLS))
def test_list_pages_show_nothing_of_another_village(name, a1, outsider, login):
    response = login(outsider).get(reverse(name), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert not any(s in page for s in SECRET), f"{name} shows village A1's data to an outsider"


def test_the_matrix_would_see_a_leak(a1, secretary_a1, login):
    """The same URLs answer the village's own secretary: the 404s above are isolation, not broken pages."""
    client = login(secretary_a1)
    for name in ("activity:report", "concerns:detail", "funds:ledger", "projects:detail", "village"):
        response = client.get(OBJECT_URLS[name](a1))
        assert response.status_code == 200, name
        assert any(s in response.content.decode() for s in SECRET), name
