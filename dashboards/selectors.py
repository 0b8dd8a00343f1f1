"""Figures for the village, township and county dashboards, each in a fixed number of queries.

Figures are grouped by a key path from the village ("pk" groups by village, "township" by township), so the same
selectors serve the township dashboard (one row per village) and the county overview (one row per township).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from activity.models import Concern, MonthlyReport, concern_open, concern_overdue, past_due
from core import periods
from groups.models import FundEntry, PartyGroup, VillagerGroup

CHART_MONTHS = 12


def _active_groups(villages, month: datetime.date):
    """The villages' party groups that existed in the month."""
    return PartyGroup.objects.overlapping(*periods.month_range(month)).filter(village__in=villages)


def report_completion(villages, key: str, today: datetime.date) -> dict:
    """Per key: active groups, reports done this month and last month (one query).

    Only the two months' reports are joined (through the unique (party group, month) index), so the cost does not
    grow with the years of reports on record."""
    cur = periods.month_of(today)
    prev = periods.previous_month(cur)
    rows = (
        _active_groups(villages, cur)
        .annotate(recent=FilteredRelation("reports", condition=Q(reports__month__in=[cur, prev])))
        .values(f"village__{key}")
        .annotate(
            groups=Count("pk", distinct=True),
            # counting the month, not the id: the (party group, month) covering index answers alone
            cur_done=Count("recent__month", filter=Q(recent__month=cur, recent__status__in=MonthlyReport.DONE)),
            prev_done=Count("recent__month", filter=Q(recent__month=prev, recent__status__in=MonthlyReport.DONE)),
        )
    )
    return {r[f"village__{key}"]: r for r in rows}


@dataclass
class MonthStatus:
    """The party groups of this month and last, each with whether it existed in each month (`cur_active`,
    `prev_active`) and whether that month's report is in (`cur_done`, `prev_done`): one read from which a branch's or
    a township's dashboard takes its completion figures, its overdue list and its to-do list's report counts, each
    counted as `report_completion`, `overdue_groups` and the to-do list's own queries count them."""

    prev: datetime.date
    groups: list[PartyGroup]

    def completion(self) -> dict:
        """As `report_completion(villages, "pk", today)`: per village, the groups of this month and how many of them
        have this month's and last month's report in (villages without a group this month left out)."""
        out: dict = {}
        for g in self.groups:
            if not g.cur_active:
                continue
            row = out.setdefault(g.village_id, {"groups": 0, "cur_done": 0, "prev_done": 0})
            row["groups"] += 1
            row["cur_done"] += g.cur_done
            row["prev_done"] += g.prev_done
        return out

    def overdue(self, today: datetime.date, due_day_of) -> list[tuple[PartyGroup, datetime.date]]:
        """As `overdue_groups`: last month's groups whose report is not in although its due day has passed."""
        return [
            (g, self.prev)
            for g in self.groups
            if g.prev_active and not g.prev_done and past_due(self.prev, due_day_of(g), today)
        ]

    def missing(self) -> dict[str, int]:
        """The to-do list's counts: this month's groups without this month's report, last month's without last's."""
        return {
            "missing_cur": sum(1 for g in self.groups if g.cur_active and not g.cur_done),
            "missing_prev": sum(1 for g in self.groups if g.prev_active and not g.prev_done),
        }


def month_status(villages, today: datetime.date) -> MonthStatus:
    """The villages' party groups of this month and last with their two reports' state (one query; for a branch's
    or a township's groups: a county's would be hundreds of rows, and it keeps its counting queries)."""
    cur = periods.month_of(today)
    prev = periods.previous_month(cur)
    cur_first, cur_last = periods.month_range(cur)
    prev_first, prev_last = periods.month_range(prev)
    done = MonthlyReport.objects.done().filter(party_group=OuterRef("pk"))
    groups = list(
        PartyGroup.objects.overlapping(prev_first, cur_last)
        .filter(village__in=villages)
        .select_related("village__township")
        .annotate(cur_done=Exists(done.filter(month=cur)), prev_done=Exists(done.filter(month=prev)))
        .order_by("village__name", "name")
    )
    for g in groups:
        g.cur_active = periods.overlaps(g.established_on, g.dissolved_on, cur_first, cur_last)
        g.prev_active = periods.overlaps(g.established_on, g.dissolved_on, prev_first, prev_last)
    return MonthStatus(prev, groups)


def overdue_groups(villages, today: datetime.date, due_day_of) -> list[tuple[PartyGroup, datetime.date]]:
    """Groups whose last month's report is overdue: not done although its due day has passed (one query)."""
    prev = periods.previous_month(periods.month_of(today))
    done = MonthlyReport.objects.done().filter(party_group=OuterRef("pk"), month=prev)
    groups = (
        _active_groups(villages, prev)
        .exclude(Exists(done))
        .select_related("village__township")
        .order_by("village__name", "name")
    )
    return [(g, prev) for g in groups if past_due(prev, due_day_of(g), today)]


def concern_ages(villages, today: datetime.date) -> dict:
    """Open concerns by age, and overdue ones (one query)."""
    open_ = Concern.objects.filter(concern_open(), village__in=villages)
    return open_.aggregate(
        total=Count("pk"),
        week=Count("pk", filter=Q(raised_on__gt=today - datetime.timedelta(days=7))),
        month=Count(
            "pk",
            filter=Q(
                raised_on__lte=today - datetime.timedelta(days=7), raised_on__gt=today - datetime.timedelta(days=30)
            ),
        ),
        older=Count("pk", filter=Q(raised_on__lte=today - datetime.timedelta(days=30))),
        overdue=Count("pk", filter=concern_overdue(today)),
        to_township=Count("pk", filter=Q(handling=Concern.Handling.TOWNSHIP)),
    )


def concerns_by_key(villages, key: str, today: datetime.date) -> dict:
    rows = (
        Concern.objects.filter(concern_open(), village__in=villages)
        .values(f"village__{key}")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=concern_overdue(today)))
    )
    return {r[f"village__{key}"]: r for r in rows}


def concerns_by_category(villages, since: datetime.date) -> list[tuple[str, int]]:
    counts = dict(
        Concern.objects.filter(village__in=villages, raised_on__gte=since)
        .values_list("category")
        .annotate(n=Count("pk"))
    )
    return [(label, counts.get(value, 0)) for value, label in Concern.Category.choices]


def concerns_last_year(villages, today: datetime.date) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The concerns raised over the last twelve months by category (as `concerns_by_category`) and by month (as
    `pictures.concerns_per_month`), from one query counting them by month and category."""
    months = periods.last_months(today, CHART_MONTHS)
    by_category: dict[str, int] = {}
    by_month: dict[datetime.date, int] = {}
    for m, category, n in (
        Concern.objects.filter(village__in=villages, raised_on__gte=months[0])
        .annotate(m=TruncMonth("raised_on"))
        .order_by()
        .values_list("m", "category")
        .annotate(n=Count("pk"))
    ):
        m = m.date() if isinstance(m, datetime.datetime) else m
        by_category[category] = by_category.get(category, 0) + n
        by_month[m] = by_month.get(m, 0) + n
    return (
        [(label, by_category.get(value, 0)) for value, label in Concern.Category.choices],
        [(f"{m.month}月", by_month.get(m, 0)) for m in months],
    )


def fund_balances(villages, key: str) -> dict:
    """The sum of the villager groups' collective-fund balances per key (one query over the balances the ledger keeps
    per villager group, so the cost follows the number of villager groups, not the years of entries)."""
    rows = (
        VillagerGroup.objects.filter(village__in=villages)
        .filter(Exists(FundEntry.objects.filter(villager_group=OuterRef("pk"))))  # a ledger kept at all
        .order_by()
        .values(f"village__{key}")
        .annotate(balance=Sum("fund_balance"))
    )
    return {r[f"village__{key}"]: r["balance"] for r in rows}


def activities_per_month(villages, today: datetime.date) -> list[tuple[str, int]]:
    """Activities per report month over the last twelve months (one query), from each report's activity count (kept
    by `activity.reports.services` on every change): the chart reads a dozen reports per group, not each activity."""
    months = periods.last_months(today, CHART_MONTHS)
    counts = dict(
        MonthlyReport.objects.filter(party_group__village__in=villages, month__gte=months[0])
        .values_list("month")
        .annotate(n=Sum("activity_count"))
    )
    return [(f"{m.month}月", counts.get(m) or 0) for m in months]
