"""The dashboards' figures read a bounded slice of the data (this month and last, twelve months of reports), and
the county overview counts its warnings in the database; these tests hold the new query shapes to the old answers."""

from __future__ import annotations

import pytest
from django.db import connection

from activity.models import Activity, MonthlyReport
from activity.reports.services import activity_save, report_for, report_submit
from core import clock, periods
from dashboards import selectors as dashboards
from groups.models import FundEntry
from groups.selectors import warning_count, warnings_for
from orglife.meetings.models import Meeting
from tests.factories import PartyGroupFactory, PartyMemberFactory, VillagerGroupFactory, cover
from township.models import Village


def test_the_warning_count_is_the_number_of_warnings_listed(world):
    org = world.org
    PartyGroupFactory(village=org.a1, name="无组长党小组")  # no leader, too small
    VillagerGroupFactory(village=org.a2, number=9, name="9社")  # nobody looks after it
    PartyMemberFactory(village=org.b1, name="白石外出党员")  # in no group
    limit = org.b1.township.villager_groups_per_party_group
    many = [VillagerGroupFactory(village=org.b1, number=20 + n) for n in range(limit + 1)]
    cover(PartyGroupFactory(village=org.b1, name="多社党小组"), many)  # more villager groups than usual
    for villages in (Village.objects.all(), Village.objects.filter(pk=org.a1.pk), Village.objects.none()):
        assert warning_count(villages) == len(warnings_for(villages))
    kinds = {w.kind for w in warnings_for(Village.objects.all())}
    assert {"size", "no_leader", "uncovered", "member_without_group", "too_many_villager_groups"} <= kinds


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
        kind="visit",
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


COVERING_INDEXES = [
    (MonthlyReport, "report_group_month_cover_idx", "(party_group_id, month) INCLUDE (activity_count, status)"),
    (FundEntry, "fund_entry_balance_cover_idx", "(villager_group_id, entry_date) INCLUDE (direction, amount)"),
    # the organisational-life compliance tables count a year of a county's meetings from the index alone
    (
        Meeting,
        "meeting_village_day_idx",
        "(village_id, held_on) INCLUDE (kind, party_group_id, host_id, talk_with_id)",
    ),
]


@pytest.mark.parametrize("model, name, columns", COVERING_INDEXES, ids=[name for _m, name, _c in COVERING_INDEXES])
def test_the_dashboards_covering_indexes_exist_on_postgresql(db, model, name, columns):
    """Index-only scans for the twelve-month chart and for balances: declared in the models' Meta (Index(include=…)),
    made on PostgreSQL by the migrations with exactly these key and INCLUDE columns."""
    if connection.vendor != "postgresql":
        pytest.skip("covering indexes (INCLUDE) are PostgreSQL's; SQLite gets the plain index")
    assert name in {index.name for index in model._meta.indexes}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, tablename, indexdef FROM pg_indexes "
            "WHERE indexname = %s AND schemaname = current_schema()",
            [name],
        )
        ((schema, table, indexdef),) = cursor.fetchall()
    assert table == model._meta.db_table
    assert indexdef == f"CREATE INDEX {name} ON {schema}.{table} USING btree {columns}"


@pytest.mark.parametrize("model, name, columns", COVERING_INDEXES, ids=[name for _m, name, _c in COVERING_INDEXES])
def test_the_covering_indexes_key_columns_exist_on_every_database(db, model, name, columns):
    """On SQLite the same index stands without its INCLUDE columns (the migrations make it from the model)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)[name]
    key = columns.split(" INCLUDE ")[0].strip("()").split(", ")
    assert found["index"] and found["columns"][: len(key)] == key
