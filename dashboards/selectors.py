"""Figures for the village, township and county dashboards, each in a fixed number of queries.

Figures are grouped by a key path from the village ("pk" groups by village, "township" by township), so the same
selectors serve the township dashboard (one row per village) and the county overview (one row per township).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Sum

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
