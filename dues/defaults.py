"""The 2008 rate table is the default every database starts with: the migration loads it, and after a `flush`
(which empties every table, the migration's rows included; committing tests end with one) `post_migrate` puts it
back when no rate table is left."""

from __future__ import annotations

from dues import rules


def ensure_default_rates(sender=None, using="default", **kwargs) -> None:
    from dues.models import RateBand, RateTable

    tables = RateTable.objects.using(using)
    if tables.exists():
        return
    r = rules.RULES_2008
    table = tables.create(valid_from=r.valid_from, name="中组部2008年党费收缴标准", small_amount=r.small_amount)
    RateBand.objects.using(using).bulk_create(
        [RateBand(table=table, basis="income", up_to=b.up_to, percent=b.percent) for b in r.income]
        + [RateBand(table=table, basis="pension", up_to=b.up_to, percent=b.percent) for b in r.pension]
    )
