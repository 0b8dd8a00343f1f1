"""Where each person lands, and the village, township and county dashboards: reach, figures and query counts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import Activity, MonthlyReport
from activity.reports import services
from core import clock, periods
from tests.clock import EDGE_INSTANTS, beijing, months_ago
from tests.conftest import TOWNSHIP_B_NAMES
from tests.factories import PartyGroupFactory, PartyMemberFactory, UserFactory, assign, grow_township, join
from township.models import Assignment, VillageChanges

Role = Assignment.Role


this_month = clock.this_month


def text(response) -> str:
    return response.content.decode()


def village_url(village):
    return reverse("village", args=[village.pk])


def township_url(township):
    return reverse("township", args=[township.pk])


def county_url(county):
    return reverse("county", args=[county.pk])


def record(group, month, user, n: int = 1, *, day: int = 1) -> None:
    """`n` activities for the group's month, recorded through the service."""
    report = services.report_for(party_group=group, month=month, acting_user=user)
    for i in range(n):
        report.refresh_from_db()
        services.activity_save(
            report=report,
            version=report.version,
            acting_user=user,
            kind=Activity.Kind.POLICY,
            held_on=month.replace(day=day),
            content=f"政策宣传{i}",
        )


def submit(group, month, user) -> MonthlyReport:
    record(group, month, user)
    report = MonthlyReport.objects.get(party_group=group, month=month)
    return services.report_submit(report=report, version=report.version, acting_user=user)


@pytest.fixture
def group_leader(org):
    user = UserFactory(username="luozi_zuzhang")
    assign(user, Role.GROUP_LEADER, party_group=org.a1_g1)
    return user


@pytest.fixture
def pin_today(frozen_at):
    """`pin_today(day)`: today becomes that day of this month (10:00 in Beijing)."""

    def _pin(day: int) -> datetime.date:
        pinned = this_month().replace(day=day)
        frozen_at(beijing(pinned.year, pinned.month, pinned.day))
        return pinned

    return _pin


# --- home: each person lands where they work ---------------------------------------------------------------------


def test_it_sends_each_person_to_where_they_work(
    org, secretary_a1, secretary_a2, township_staff, township_b_staff, county_viewer, superuser, group_leader, login
):
    landings = {
        secretary_a1: village_url(org.a1),
        secretary_a2: village_url(org.a2),
        township_staff: township_url(org.ta),
        township_b_staff: township_url(org.tb),
        county_viewer: county_url(org.county),
        group_leader: reverse("activity:report", kwargs={"group_pk": org.a1_g1.pk, "month": this_month()}),
        superuser: reverse("admin:index"),
    }
    for user, landing in landings.items():
        client = login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302, user
        assert response["Location"] == landing, user
        assert client.get(landing).status_code == 200, user  # and the page is there for them


def test_it_tells_an_account_without_an_assignment_so(org, login):
    response = login(UserFactory(username="nobody")).get(reverse("home"))
    assert response.status_code == 200
    page = text(response)
    for name in ("罗紫村", "东河乡", *TOWNSHIP_B_NAMES):
        assert name not in page


# --- the village dashboard ---------------------------------------------------------------------------------------


def test_the_village_dashboard_shows_its_own_groups_and_leaders(org, secretary_a1, login):
    PartyMemberFactory(village=org.a2, name="井阳外出党员")  # a warning of another village
    response = login(secretary_a1).get(village_url(org.a1))
    assert response.status_code == 200
    page = text(response)
    assert "罗紫一二社党小组" in page and "罗紫三四社党小组" in page
    assert "罗紫党员1" in page  # the leader, by name
    assert "罗紫党员2" in page  # the deputy
    assert response.context["n_groups"] == 2 and "党小组2个" in page
    assert "井阳" not in page
    for name in TOWNSHIP_B_NAMES:
        assert name not in page


def test_the_village_dashboard_shows_the_villages_warnings(org, secretary_a1, login):
    PartyMemberFactory(village=org.a2, name="井阳外出党员")
    response = login(secretary_a1).get(village_url(org.a1))
    warnings = response.context["warnings"]
    assert {(w.kind, w.subject) for w in warnings} >= {
        ("member_without_group", "罗紫外出党员"),
        ("no_leader", "罗紫三四社党小组"),
    }
    assert {w.village for w in warnings} == {"罗紫村"}
    page = text(response)
    assert "罗紫外出党员" in page
    assert "井阳外出党员" not in page


def test_the_village_dashboard_counts_this_months_reports(org, secretary_a1, secretary_a2, login):
    submit(org.a1_g1, this_month(), secretary_a1)
    submit(org.a2_g1, this_month(), secretary_a2)
    response = login(secretary_a1).get(village_url(org.a1))
    completion = response.context["completion"]
    assert (completion["cur_done"], completion["groups"]) == (1, 2)
    assert "1/2" in text(response)


def test_the_village_dashboard_lists_last_months_overdue_groups(org, secretary_a1, login, pin_today):
    pin_today(20)
    submit(org.a1_g1, months_ago(1), secretary_a1)
    response = login(secretary_a1).get(village_url(org.a1))
    assert [g for g, _m in response.context["overdue"]] == [org.a1_g2]


@pytest.mark.parametrize("persona", ["secretary_a2", "township_b_staff", "group_leader"])
def test_the_village_dashboard_is_404_outside_the_reach(org, persona, request, login):
    response = login(request.getfixturevalue(persona)).get(village_url(org.a1))
    assert response.status_code == 404


def test_the_village_dashboard_opens_for_the_township_and_the_county(org, township_staff, county_viewer, login):
    assert login(township_staff).get(village_url(org.a1)).status_code == 200
    assert login(county_viewer).get(village_url(org.b1)).status_code == 200


# --- the township dashboard --------------------------------------------------------------------------------------


def test_the_township_dashboard_lists_its_villages_with_report_counts(org, township_staff, secretary_a1, login):
    submit(org.a1_g1, this_month(), secretary_a1)
    submit(org.a1_g1, months_ago(1), secretary_a1)
    submit(org.a1_g2, months_ago(1), secretary_a1)
    response = login(township_staff).get(township_url(org.ta))
    assert response.status_code == 200
    rows = {r["village"].name: (r["groups"], r["cur_done"], r["prev_done"]) for r in response.context["rows"]}
    assert rows == {"罗紫村": (2, 1, 2), "井阳村": (1, 0, 0)}
    page = text(response)
    assert "1/2" in page and "2/2" in page and "0/1" in page
    for name in TOWNSHIP_B_NAMES:
        assert name not in page


def test_the_township_dashboard_lists_an_overdue_group(org, township_staff, secretary_a1, login, pin_today):
    pin_today(20)
    submit(org.a1_g1, months_ago(1), secretary_a1)
    submit(org.a1_g2, months_ago(1), secretary_a1)
    response = login(township_staff).get(township_url(org.ta))
    assert [g for g, _m in response.context["overdue"]] == [org.a2_g1]
    page = text(response)
    overdue_link = reverse("activity:report", kwargs={"group_pk": org.a2_g1.pk, "month": months_ago(1)})
    assert overdue_link in page
    assert "井阳村井阳一二社党小组" in page


@pytest.mark.parametrize(("due_day", "today", "overdue"), [(5, 5, False), (5, 7, True), (10, 7, False), (10, 11, True)])
def test_the_township_dashboard_waits_for_the_townships_due_day(
    org, township_staff, login, pin_today, due_day, today, overdue
):
    org.ta.report_due_day = due_day
    org.ta.save()
    pin_today(today)
    response = login(township_staff).get(township_url(org.ta))
    listed = {g for g, _m in response.context["overdue"]}
    assert listed == ({org.a1_g1, org.a1_g2, org.a2_g1} if overdue else set())


# Last month's report, not in: overdue once the township's due day (the 5th) of this month is behind.
LAST_MONTH_OVERDUE = {
    datetime.date(2026, 12, 31): True,  # November's, due 5 December
    datetime.date(2027, 1, 1): False,  # December's, due 5 January (in UTC it is still 31 December 2026)
    datetime.date(2028, 2, 29): True,  # January's, due 5 February
}


@pytest.mark.parametrize("now", EDGE_INSTANTS)
def test_the_township_dashboard_takes_this_and_last_month_in_beijing_at_the_edges(
    now, org, township_staff, secretary_a1, login
):
    today = now.date()  # the instants are given in Beijing time
    this, last = today.replace(day=1), periods.previous_month(today.replace(day=1))
    submit(org.a1_g1, this, secretary_a1)
    submit(org.a1_g1, last, secretary_a1)
    submit(org.a1_g2, last, secretary_a1)
    response = login(township_staff).get(township_url(org.ta))
    assert (response.context["month"], response.context["prev"]) == (this, last)
    rows = {r["village"].name: (r["groups"], r["cur_done"], r["prev_done"]) for r in response.context["rows"]}
    assert rows == {"罗紫村": (2, 1, 2), "井阳村": (1, 0, 0)}
    overdue = {g for g, _m in response.context["overdue"]}
    assert overdue == ({org.a2_g1} if LAST_MONTH_OVERDUE[today] else set())
    labels = re.findall(r'class="label" text-anchor="middle">([^<]+)</text>', str(response.context["activity_chart"]))
    assert labels == [f"{m.month}月" for m in periods.last_months(today, 12)]
    assert labels[-2:] == [f"{last.month}月", f"{this.month}月"]


def test_the_township_dashboard_draws_the_activities_per_month(org, township_staff, secretary_a1, login):
    record(org.a1_g1, this_month(), secretary_a1, 3)
    record(org.a2_g1, months_ago(1), township_staff, 2)
    record(org.a2_g1, months_ago(11), township_staff, 1, day=15)
    record(org.b1_g1, this_month(), None, 4)  # township B: not counted
    record(org.a1_g2, months_ago(12), secretary_a1, 5)  # older than 12 months: not shown
    response = login(township_staff).get(township_url(org.ta))
    expected = [0] * 12
    expected[0], expected[-2], expected[-1] = 1, 2, 3
    months = [months_ago(n) for n in range(11, -1, -1)]
    svg = str(response.context["activity_chart"])
    assert "<svg" in svg and svg.endswith("</svg></div>")  # drawn at its own size, in a box that scrolls on a phone
    values = re.findall(r'class="value" text-anchor="middle">(\d+)</text>', svg)
    labels = re.findall(r'class="label" text-anchor="middle">([^<]+)</text>', svg)
    assert values == [str(n) for n in expected]
    assert labels == [f"{m.month}月" for m in months]
    assert svg in text(response)


def test_the_township_dashboard_is_404_for_another_township_and_a_secretary(
    org, township_staff, township_b_staff, secretary_a1, group_leader, login
):
    assert login(township_staff).get(township_url(org.tb)).status_code == 404
    assert login(township_b_staff).get(township_url(org.ta)).status_code == 404
    assert login(secretary_a1).get(township_url(org.ta)).status_code == 404
    assert login(group_leader).get(township_url(org.ta)).status_code == 404


def test_the_county_viewer_reads_each_township_dashboard(org, county_viewer, login):
    client = login(county_viewer)
    assert "罗紫村" in text(client.get(township_url(org.ta)))
    assert "白石村" in text(client.get(township_url(org.tb)))


# --- the county overview -----------------------------------------------------------------------------------------


def test_the_county_overview_lists_every_township(org, county_viewer, secretary_a1, login):
    submit(org.a1_g1, this_month(), secretary_a1)
    response = login(county_viewer).get(county_url(org.county))
    assert response.status_code == 200
    rows = {r["township"].name: (r["villages"], r["groups"], r["cur_done"]) for r in response.context["rows"]}
    assert rows == {"东河乡": (2, 3, 1), "西山乡": (1, 1, 0)}
    page = text(response)
    assert "东河乡" in page and "西山乡" in page
    assert "1/3" in page and "0/1" in page


@pytest.mark.parametrize("persona", ["township_staff", "secretary_a1", "group_leader"])
def test_the_county_overview_is_404_below_the_county(org, persona, request, login):
    assert login(request.getfixturevalue(persona)).get(county_url(org.county)).status_code == 404


def test_the_county_overview_is_404_for_a_viewer_of_another_county(org, login):
    from tests.factories import CountyFactory

    other = UserFactory(username="other_county")
    assign(other, Role.COUNTY_VIEWER, county=CountyFactory(name="平武县"))
    assert login(other).get(county_url(org.county)).status_code == 404


# --- query counts ------------------------------------------------------------------------------------------------


def _grow(org, user, month, *, in_a1: int = 0, villages=()):
    """More party groups in 罗紫村 and more villages, each with reports and activities through the services."""
    for i in range(in_a1):
        group = PartyGroupFactory(village=org.a1, name=f"罗紫扩展{i}党小组")
        join(PartyMemberFactory.create_batch(3, village=org.a1), group)
        record(group, month, user, 2)
    for v in villages:
        for group in v.party_groups.all():
            record(group, month, user, 2)
            submit(group, months_ago(1), user)


def _counted_afresh():
    """The figures kept until a village changes (township/changes.py) counted again by the next visit, as after any
    change: the visits measured here are those that count, not those that read what was kept."""
    VillageChanges.objects.update(n=F("n") + 1)


def _flat(client, url, grow, limit, django_assert_max_num_queries, expect):
    client.get(url)
    _counted_afresh()
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow()
    client.get(url)  # the new villages' change counts are made by their first visit (two queries, once)
    _counted_afresh()
    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert response.status_code == 200
    assert expect in text(response)
    assert len(big) == len(small)


def test_the_village_dashboard_queries_do_not_grow(org, secretary_a1, login, django_assert_max_num_queries):
    record(org.a1_g1, this_month(), secretary_a1)
    _flat(
        login(secretary_a1),
        village_url(org.a1),
        lambda: _grow(org, secretary_a1, this_month(), in_a1=5),
        # 15, and the to-do list's queries (eleven of them organisational life's: the quarter's meetings, at risk;
        # four the dues arrears item's here, where nobody is assessed: eight in tests/perf, where members are), and
        # the village's counts and, for each of the four kept entries (the page's figures, the party groups' table,
        # the organisational-life and dues items, the appraisal's items), the cache's look-up, count of its rows,
        # insert (township/changes.py)
        57,
        django_assert_max_num_queries,
        "罗紫扩展4党小组",
    )


def test_the_township_dashboard_queries_do_not_grow(org, township_staff, login, django_assert_max_num_queries):
    record(org.a1_g1, this_month(), township_staff)

    def grow():
        _grow(org, township_staff, this_month(), villages=grow_township(org.ta, 5))

    # with the 工作台 (six of its queries for the branches that missed a meeting last quarter), the pictures, and the
    # change counts and the cache's queries of the three entries the page's figures and to-do items are kept in
    # (township/changes.py)
    _flat(login(township_staff), township_url(org.ta), grow, 48, django_assert_max_num_queries, "扩展4村")


def test_the_county_overview_queries_do_not_grow(org, county_viewer, superuser, login, django_assert_max_num_queries):
    record(org.a1_g1, this_month(), superuser)

    def grow():
        villages = grow_township(org.ta, 3) + grow_township(org.tb, 3, prefix="西扩")
        _grow(org, superuser, this_month(), villages=villages)

    _flat(login(county_viewer), county_url(org.county), grow, 26, django_assert_max_num_queries, "西山乡")
