"""The dashboards' figures read a bounded slice of the data (this month and last, twelve months of reports), and
the county overview counts its warnings in the database; these tests hold the new query shapes to the old answers."""

from __future__ import annotations

import pytest
from django.db import connection

from activity.models import Activity
from activity.reports.services import activity_save, report_for, report_submit
from core import clock, periods
from dashboards import selectors as dashboards
from groups.selectors import warning_count, warnings_for
from tests.factories import PartyGroupFactory, PartyMemberFactory, VillagerGroupFactory
from township.models import Village


def test_the_warning_count_is_the_number_of_warnings_listed(world):
    org = world.org
    PartyGroupFactory(village=org.a1, name="无组长党小组")  # no leader, too small
    VillagerGroupFactory(village=org.a2, number=9, name="9社")  # nobody looks after it
    PartyMemberFactory(village=org.b1, name="白石外出党员")  # in no group
    for villages in (Village.objects.all(), Village.objects.filter(pk=org.a1.pk), Village.objects.none()):
        assert warning_count(villages) == len(warnings_for(villages))
    assert warning_count(Village.objects.all()) >= 4


def test_activities_per_month_counts_every_activity_of_the_last_twelve_months(world):
    today = clock.today()
    since = periods.last_months(today, dashboards.CHART_MONTHS)[0]
    chart = dict(dashboards.activities_per_month(Village.objects.all(), today))
    expected = Activity.objects.filter(report__month__gte=since).count()
    assert sum(chart.values()) == expected > 0


def test_report_completion_counts_this_and_last_months_reports_only(world):
    today = clock.today()
    last = periods.previous_month(periods.month_of(today))
    report = report_for(party_group=world.org.a1_g1, month=last, acting_user=world.secretary)
    report = activity_save(
        report=report,
        version=report.version,
        acting_user=world.secretary,
        kind="meeting",
        held_on=last,
        content="上月党小组会",
    ).report
    report_submit(report=report, version=report.version, acting_user=world.secretary)
    world.grow()
    figures = dashboards.report_completion(Village.objects.filter(pk=world.org.a1.pk), "pk", today)[world.org.a1.pk]
    # each grown group submitted this month and the month before last (not counted); 一二社 submitted last month
    assert figures["groups"] == 2 + world.units
    assert figures["cur_done"] == world.units
    assert figures["prev_done"] == 1


def test_the_dashboards_covering_indexes_exist_on_postgresql(db):
    """Index-only scans for the twelve-month chart and for balances (migrations activity 0005 and groups 0007)."""
    if connection.vendor != "postgresql":
        pytest.skip("covering indexes are created on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN (%s, %s)",
            ["report_group_month_cover_idx", "fund_entry_balance_cover_idx"],
        )
        found = dict(cursor.fetchall())
    assert "INCLUDE (activity_count, status)" in found["report_group_month_cover_idx"]
    assert "INCLUDE (direction, amount)" in found["fund_entry_balance_cover_idx"]
