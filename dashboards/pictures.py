"""Pictures for the township and county pages, each with its numbers in a table beside it, in a fixed number of
queries: the village × month grid of monthly reports, activities and concerns over the months, collective-fund
balances and award counts.

Figures are grouped by a key path from the village ("pk": one row per village on the township page, "township": one
row per township on the county overview), as in `dashboards.selectors`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth

from activity.models import Concern, MonthlyReport
from appraisal.models import Award
from core import charts, periods
from dashboards import selectors
from groups.models import FundEntry, PartyGroup, VillagerGroup

GRID_MONTHS = 12


@dataclass(frozen=True)
class Cell:
    """One village's (or township's) reports for one month: how many are in of how many groups."""

    month: datetime.date
    done: int
    groups: int
    due: bool  # the month's reports have fallen due (past the due day of the next month)

    @property
    def state(self) -> str:
        if not self.groups:
            return "empty"
        if self.done >= self.groups:
            return "full"
        if not self.due:
            return "open"
        return "part" if self.done else "none"

    @property
    def mark(self) -> str:
        """The text mark beside the colour, so the grid reads in black and white and to a screen reader."""
        return {"full": "✓", "part": "◐", "none": "✗", "open": "…", "empty": "—"}[self.state]


def report_grid(villages, key: str, names: dict, today: datetime.date, due_day_of_key) -> dict:
    """Rows of (name, [Cell per month]) over the last GRID_MONTHS months (two queries)."""
    months = periods.last_months(today, GRID_MONTHS)
    first = months[0]
    spans: dict = {}
    groups = PartyGroup.objects.filter(village__in=villages).values_list(
        f"village__{key}", "established_on", "dissolved_on"
    )
    for k, start, until in groups:
        spans.setdefault(k, []).append((start, until))
    done = {
        (r[f"party_group__village__{key}"], r["month"]): r["n"]
        for r in MonthlyReport.objects.done()
        .filter(party_group__village__in=villages, month__gte=first)
        .order_by()
        .values(f"party_group__village__{key}", "month")
        .annotate(n=Count("*"))  # not the id: the (party group, month) covering index answers alone
    }
    rows = []
    for k, name in names.items():
        cells = []
        for m in months:
            last = periods.month_end(m)
            n_groups = sum(1 for start, until in spans.get(k, ()) if periods.overlaps(start, until, m, last))
            due = periods.month_due(m, due_day_of_key(k)) < today
            cells.append(Cell(m, done.get((k, m), 0), n_groups, due))
        rows.append((name, cells))
    return {"months": months, "rows": rows}


def concerns_per_month(villages, today: datetime.date) -> list[tuple[str, int]]:
    """Concerns raised per month over the last twelve months (one query)."""
    months = periods.last_months(today, selectors.CHART_MONTHS)
    counts = {
        (m.date() if isinstance(m, datetime.datetime) else m): n
        for m, n in Concern.objects.filter(village__in=villages, raised_on__gte=months[0])
        .annotate(m=TruncMonth("raised_on"))
        .order_by()
        .values_list("m")
        .annotate(n=Count("pk"))
    }
    return [(f"{m.month}月", counts.get(m, 0)) for m in months]


def villager_group_balances(villages) -> list[tuple[int, str, str, object]]:
    """(village id, village name, villager group name, balance) of every villager group that keeps a ledger, in
    village and number order (one query): the township's bars, and its villages' sums (`sums_by_village`)."""
    return list(
        VillagerGroup.objects.filter(village__in=villages)
        .filter(Exists(FundEntry.objects.filter(villager_group=OuterRef("pk"))))
        .order_by("village__name", "number")
        .values_list("village_id", "village__name", "name", "fund_balance")
    )


def labelled(balances: list[tuple[int, str, str, object]]) -> list[tuple[str, object]]:
    """(village · villager group, balance) pairs for the bar chart and its table."""
    return [(f"{village}{name}", balance) for _pk, village, name, balance in balances]


def sums_by_village(balances: list[tuple[int, str, str, object]]) -> dict[int, object]:
    """village id → the sum of its villager groups' balances, as `selectors.fund_balances(villages, "pk")` sums
    them (villages with no ledger left out)."""
    out: dict[int, object] = {}
    for pk, _village, _name, balance in balances:
        out[pk] = out.get(pk, 0) + balance
    return out


def balances_by_villager_group(villages) -> list[tuple[str, object]]:
    """(village · villager group, balance) of every villager group that keeps a ledger (one query)."""
    return labelled(villager_group_balances(villages))


def awards_by_key(villages, key: str, names: dict) -> dict:
    """Decided awards per village (or township) and year: {"years": [...], "rows": [(name, [n per year], total)]}
    (one query)."""
    counts: dict = {}
    years: set[int] = set()
    for k, year, n in (
        Award.objects.filter(village__in=villages, status=Award.Status.DECIDED)
        .order_by()
        .values_list(f"village__{key}", "year__year")
        .annotate(n=Count("pk"))
    ):
        counts[(k, year)] = n
        years.add(year)
    ordered = sorted(years)
    rows = []
    for k, name in names.items():
        per_year = [counts.get((k, y), 0) for y in ordered]
        rows.append((name, per_year, sum(per_year)))
    return {"years": ordered, "rows": rows}


def _whole_yuan(value) -> int:
    return int(round(value or 0))


def pictures(
    villages,
    key: str,
    names: dict,
    today: datetime.date,
    due_day_of_key,
    balances=None,
    activities=None,
    concerns=None,
) -> dict:
    """Everything the pictures include needs: the grid, the charts and the tables of their numbers.

    `balances`: (label, balance) pairs to draw; by default the villager groups' (the township page); the county
    overview passes one per township. `activities` (`selectors.activities_per_month`) and `concerns`
    (`concerns_per_month`): when the page has read them."""
    if activities is None:
        activities = selectors.activities_per_month(villages, today)
    if concerns is None:
        concerns = concerns_per_month(villages, today)
    if balances is None:
        balances = balances_by_villager_group(villages)
    awards = awards_by_key(villages, key, names)
    return {
        "grid": report_grid(villages, key, names, today, due_day_of_key),
        "months_table": [(label, a, c) for (label, a), (_l, c) in zip(activities, concerns, strict=True)],
        "concerns_month_chart": charts.column_chart(concerns, title="近12个月每月登记的党情民意"),
        "balances": balances,
        "balance_chart": charts.bar_chart(
            [(label, _whole_yuan(b)) for label, b in balances], title="集体经费结余（元）"
        ),
        "awards": awards,
        "award_chart": charts.bar_chart([(name, total) for name, _y, total in awards["rows"]], title="获表彰次数"),
    }
