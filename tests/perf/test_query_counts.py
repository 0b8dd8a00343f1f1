"""Pinned query counts for every key page: the same exact number of SQL statements with 1× and 3× the data.

A page whose count grows with the rows (one query per group, member, entry…) is slow at county scale however fast
each query is; an exact pin also catches a new query slipping in. When a page legitimately needs one more query,
change its number here and say why in the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from tests.perf.conftest import MONTH


@dataclass
class Page:
    persona: str
    url: object  # (world) -> str
    queries: int
    method: str = "get"
    data: object = field(default=None)  # (world) -> dict, for a POST
    status: int = 200


def _activity_post(w) -> dict:
    w.report.refresh_from_db()
    return {
        "version": w.report.version,
        "kind": "visit",
        "held_on": (MONTH.replace(day=15)).isoformat(),
        "content": "党小组会：学习讨论",
        "participants": [m.pk for m in w.org.a1_g1_members[:3]],
        "villager_group": w.vg.pk,
        "households_reached": "3",
        "non_party_present": "1",
    }


def _summary_post(w) -> dict:
    w.report.refresh_from_db()
    return {"version": w.report.version, "summary": "本月开展入户走访和政策宣传。"}


PAGES = {
    # the dashboards: their figures, and one query per kind of to-do item (工作台, dashboards/todo.py)
    # the branch's and the township's include organisational life's to-do items (the quarter's meetings, at risk)
    # + 8: the dues arrears item (members, standing history, rate tables and bands, township rules, assessments,
    # the book's lines, accepted reasons). The month's groups and their two reports are read once for the completion
    # figures, the overdue list and the to-do's report counts (`month_status`), and the overdue concerns once.
    # The branch's organisational-life and dues items (14 queries to count) are kept until the village's data changes,
    # its tiles, overdue reports, warnings and appraisal items until its data or its day's work changes, its party
    # groups' table (3 queries to read) until its data changes (township/changes.py): a visit reads the village's
    # counts and the four kept entries (+ 5 - 3). The visit that counts them afresh is pinned in
    # tests/test_village_changes.py.
    "branch dashboard": Page("secretary_a1", lambda w: reverse("village", args=[w.org.a1.pk]), 10),
    "village month": Page("secretary_a1", lambda w: reverse("activity:village-month", args=[w.org.a1.pk, MONTH]), 5),
    # the monthly report reads the 党小组会 linked to it (one query); the group once, with its village and township
    "monthly report": Page("secretary_a1", lambda w: reverse("activity:report", args=[w.org.a1_g1.pk, MONTH]), 9),
    "monthly report: add an activity": Page(
        "secretary_a1",
        lambda w: reverse("activity:activity-new", args=[w.org.a1_g1.pk, MONTH]),
        30,  # the SAVEPOINT and RELEASE of audit.submissions' transaction, and the check that no decided year closed it
        method="post",
        data=_activity_post,
        status=302,
    ),
    "monthly report: save the summary": Page(
        "secretary_a1",
        lambda w: reverse("activity:report-action", args=[w.org.a1_g1.pk, MONTH, "summary"]),
        15,  # likewise
        method="post",
        data=_summary_post,
        status=302,
    ),
    "concern queue (branch)": Page("secretary_a1", lambda w: reverse("concerns:list"), 5),
    "concern queue (township)": Page("township_staff", lambda w: reverse("concerns:list"), 6),
    # a ledger's page kept rendered until its village's ledgers or data change: the counts and the kept entry
    "fund ledger": Page("secretary_a1", lambda w: reverse("funds:ledger", args=[w.vg.pk]), 5),
    # the township's concerns by month and by category from one read, its villages' fund sums from the bars' rows
    # the villages' rows, tiles, pictures and warnings (19 queries to count) and the appraisal's to-do items (6) are
    # kept until the villages' data or their day's work (reports, concerns, ledgers, appraisal) changes, and the
    # branches that missed a meeting last quarter (5) like the branch's items: the villages' ids, their counts (read
    # once) and the three kept entries (+ 5); the counting visit is pinned in tests/test_dashboards.py
    "township dashboard": Page("township_staff", lambda w: reverse("township", args=[w.org.ta.pk]), 10),
    "county overview": Page(
        "county_viewer", lambda w: reverse("county", args=[w.org.county.pk]), 24
    ),  # + pictures, + the to-do list: closed reports by month, groups by dates, last year's appraisals; + standing
    # the ranking kept until the villages' data or work changes (counting it: tests/appraisal/test_award_views.py):
    # the villages' ids, their counts, the kept ranking, then the awards, the summary, the nominations, the bonuses
    "award ranking: groups": Page("township_staff", lambda w: reverse("awards:year", args=[w.year.pk]), 11),
    "award ranking: leaders": Page(
        "township_staff", lambda w: reverse("awards:year", args=[w.year.pk]) + "?kind=excellent_leader", 11
    ),
    "award ranking: members": Page(
        "township_staff", lambda w: reverse("awards:year", args=[w.year.pk]) + "?kind=excellent_member", 11
    ),
    # the session, the person with their assignment, the rights, the page of members and their count, the filters'
    # villages and tags; no township filter for one township's staff (it would offer one choice)
    "admin members with a search": Page(
        "township_staff", lambda w: reverse("admin:members_partymember_changelist") + "?q=罗紫", 7
    ),
    # the pages issue 18 added to the bench: the month-close previews, organisational life, standing, 流动党员, dues
    "month close preview (branch)": Page(
        "secretary_a1", lambda w: reverse("activity:village-month-close", args=[w.org.a1.pk, MONTH]), 5
    ),
    "month close preview (township)": Page(
        "township_staff", lambda w: reverse("activity:township-month-close", args=[w.org.ta.pk, MONTH]), 5
    ),
    "orglife compliance (township)": Page(
        "township_staff", lambda w: reverse("orglife:township", args=[w.org.ta.pk, MONTH.year]), 8
    ),
    # the standing pages' lists and the dues book's grid are kept rendered until their villages change
    # (township.changes.kept_html): a visit reads the counts and the kept entry; the visit that counts afresh is
    # pinned in tests/groups/test_standing_views.py and tests/dues/test_views.py
    "member standing (branch)": Page("secretary_a1", lambda w: reverse("standing:village", args=[w.org.a1.pk]), 7),
    "流动党员 and standing (township)": Page(
        "township_staff", lambda w: reverse("standing:township", args=[w.org.ta.pk]), 7
    ),
    "dues book": Page("secretary_a1", lambda w: reverse("dues:book", args=[w.org.a1.pk, MONTH.year]), 5),
    "award report export": Page("township_staff", lambda w: reverse("reports:award-report", args=[w.year.pk]), 10),
    # exports: + the SAVEPOINT and RELEASE of the transaction that reads the rows and records the EXPORT event (nested
    # in the test's transaction; a real request has none)
    "roster export (township)": Page("township_staff", lambda w: reverse("roster:roster"), 7),
    # the county's roster is made as a job (tests/audit/test_jobs.py): the page that starts it lists the recent ones
    "roster job page (county)": Page("county_viewer", lambda w: reverse("roster:roster-job"), 4),
    "national roster export (township)": Page("township_staff", lambda w: reverse("roster:national"), 7),
    "national roster job page (county)": Page("county_viewer", lambda w: reverse("roster:national-job"), 4),
}


def _request(client, page: Page, world):
    url = page.url(world)
    if page.method == "post":
        return client.post(url, page.data(world))
    return client.get(url)


def _consume(response) -> None:
    """A streamed download runs its queries while it is read."""
    if response.streaming:
        b"".join(response.streaming_content)


def _count(client, page, world, django_assert_num_queries, expected: int) -> None:
    with django_assert_num_queries(expected):
        response = _request(client, page, world)
        _consume(response)
    assert response.status_code == page.status, response.content[:500] if not response.streaming else ""


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_query_count_is_pinned_and_does_not_grow_with_the_data(
    name, world, login, request, django_assert_num_queries
):
    page = PAGES[name]
    client = login(request.getfixturevalue(page.persona))
    _request(client, page, world)  # a first visit may fill per-process caches (content types, permissions)
    _count(client, page, world, django_assert_num_queries, page.queries)
    world.grow()
    world.grow()
    assert world.units == 3
    # figures kept until the data changes (the dashboards' to-do items) are counted afresh by the first visit after
    # the growth, and kept by the one counted: both visits are pinned in tests/test_village_changes.py
    _request(client, page, world)
    _count(client, page, world, django_assert_num_queries, page.queries)
