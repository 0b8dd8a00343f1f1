"""工作台: each role's home lists what is due, each item a count with a sentence made from it and a link; the
dashboard's sentences agree with the numbers beside them."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.concerns.services import concern_record
from activity.models import Concern
from activity.reports import services
from appraisal.awards.services import year_start_nominating
from appraisal.scoring.services import appraisal_year_open
from core import clock
from dashboards.todo import LEADER_TERM_YEARS
from tests.factories import PartyGroupFactory, PartyMemberFactory, elect, join


def _submit(group, month):
    report = services.report_for(party_group=group, month=month, acting_user=None)
    return services.report_submit(report=report, version=report.version, summary="本月开展了走访", acting_user=None)


def _items(response) -> dict:
    return {t.key: t for t in response.context["todo"]}


def _three_of_four(org):
    """Village A1 with four party groups this month, three of which have submitted."""
    extra = [PartyGroupFactory(village=org.a1, name=f"罗紫新{k}党小组") for k in (1, 2)]
    month = clock.this_month()
    for group in (org.a1_g1, org.a1_g2, extra[0]):
        _submit(group, month)
    return month


def test_a_village_with_three_of_four_reports_says_so(org, township_staff, secretary_a1, login):
    month = _three_of_four(org)
    label = f"{month.year}年{month.month}月"
    page = login(secretary_a1).get(reverse("village", args=[org.a1.pk]))
    todo = _items(page)["reports_this_month"]
    assert todo.count == 1 and todo.text == f"1个党小组尚未提交{label}的报告"
    assert todo.url == reverse("activity:village-month", args=[org.a1.pk, month])
    html = page.content.decode()
    assert "3/4" in html and todo.text in html
    assert "所有党小组都已提交" not in html

    township = login(township_staff).get(reverse("township", args=[org.ta.pk]))
    html = township.content.decode()
    row = next(r for r in township.context["rows"] if r["village"] == org.a1)
    missing = sum(r["groups"] - r["cur_done"] for r in township.context["rows"])
    assert (row["cur_done"], row["groups"]) == (3, 4)
    assert _items(township)["reports_this_month"].count == missing == 2  # A1's one and A2's one
    assert f"{missing}个党小组尚未提交{label}的报告" in html
    assert "所有党小组都已提交" not in html
    assert "None: every party group has submitted" not in html


def test_when_every_group_has_submitted_the_sentence_says_so(org, secretary_a1, login):
    month = clock.this_month()
    for group in (org.a1_g1, org.a1_g2):
        _submit(group, month)
    todo = _items(login(secretary_a1).get(reverse("village", args=[org.a1.pk])))["reports_this_month"]
    assert todo.count == 0 and todo.text.startswith("所有党小组都已提交")


def test_the_township_lists_overdue_concerns_the_year_to_decide_and_terms_ending(org, township_staff, login):
    today = clock.today()
    concern_record(
        villager_group=org.a1_vgs[0],
        raised_through=org.a1_g1_members[0],
        raised_on=today - datetime.timedelta(days=40),
        due_on=today - datetime.timedelta(days=5),
        category=Concern.Category.INFRASTRUCTURE,
        content="机耕道垮塌",
        handling=Concern.Handling.BRANCH,
        acting_user=None,
    )
    last_year = appraisal_year_open(township=org.ta, year=today.year - 1, acting_user=None)
    year_start_nominating(year=last_year, acting_user=None)
    old = PartyGroupFactory(village=org.a2, name="井阳老党小组", established_on=datetime.date(2015, 1, 1))
    members = [PartyMemberFactory(village=org.a2, name=f"井阳老党员{k}") for k in range(3)]
    join(members, old, on=datetime.date(2015, 1, 1))
    elect(old, today.replace(year=today.year - LEADER_TERM_YEARS), 3, members[0])

    items = _items(login(township_staff).get(reverse("township", args=[org.ta.pk])))
    assert items["concerns_overdue"].count == 1
    assert items["concerns_overdue"].url.endswith("?show=overdue")
    assert items["year_to_decide"].url == reverse("awards:year", args=[last_year.pk])
    assert items["elections_due"].count == 1
    assert items["elections_due"].url == reverse("groups:party-group", args=[old.pk])


def test_each_item_links_to_a_page_that_opens(org, township_staff, secretary_a1, login):
    _three_of_four(org)
    pages = [
        (secretary_a1, reverse("village", args=[org.a1.pk])),
        (township_staff, reverse("township", args=[org.ta.pk])),
    ]
    for user, url in pages:
        client = login(user)
        for t in client.get(url).context["todo"]:
            assert client.get(t.url.split("#")[0]).status_code == 200, (t.key, t.url)
            assert re.search(r"\d", t.text) or t.count == 0


def test_the_to_do_list_is_bounded(org, township_staff, login, django_assert_num_queries):
    """The same number of queries with three or nine party groups: one query per kind of item."""
    client = login(township_staff)
    url = reverse("township", args=[org.ta.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for k in range(6):
        _submit(PartyGroupFactory(village=org.a1, name=f"罗紫扩{k}党小组"), clock.this_month())
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200
