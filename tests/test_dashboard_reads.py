"""The branch's and the township's dashboards read a figure's rows once for several figures: the month's party
groups with their two reports (completion, the overdue list, the to-do list's counts), the year's concerns (by
category and by month) and the villager groups' balances (the bars and each village's sum). Each shared read gives the
numbers of the queries it replaced, at the months' edges: groups begun or dissolved on a month's first or last day,
reports in draft, submitted or closed, the due day itself and the day after it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from activity.concerns.services import concern_record
from activity.models import Concern
from activity.reports import services
from core import clock, periods
from dashboards import pictures
from dashboards import selectors as dashboards
from dashboards.todo import concerns_todo, reports_todo
from groups.ledger.services import fund_entry_post
from groups.models import FundEntry
from tests.factories import PartyGroupFactory
from township.models import Village


def _submit(group, month, *, close=False):
    report = services.report_for(party_group=group, month=month, acting_user=None)
    report = services.report_submit(report=report, version=report.version, summary="本月开展了走访", acting_user=None)
    if close:
        report = services.report_close(report=report, version=report.version, acting_user=None)
    return report


def _edge_groups(org):
    """Village A1's party groups on both sides of the month's edges, with their reports."""
    cur = clock.this_month()
    prev = periods.previous_month(cur)
    prev_first, prev_last = periods.month_range(prev)
    founded = datetime.date(2020, 1, 1)
    make = lambda name, **dates: PartyGroupFactory(village=org.a1, name=name, **dates)  # noqa: E731
    groups = {
        "new this month": make("本月新建党小组", established_on=cur),
        "new on last month's last day": make("上月末新建党小组", established_on=prev_last),
        "gone on this month's first day": make("本月初撤销党小组", established_on=founded, dissolved_on=cur),
        "gone on last month's last day": make("上月末撤销党小组", established_on=founded, dissolved_on=prev_last),
        "gone on last month's first day": make("上月初撤销党小组", established_on=founded, dissolved_on=prev_first),
    }
    _submit(org.a1_g1, prev, close=True)
    _submit(org.a1_g1, cur)
    _submit(groups["new on last month's last day"], prev)
    _submit(groups["gone on this month's first day"], prev)
    services.report_for(party_group=org.a1_g2, month=cur, acting_user=None)  # a draft: not in
    _submit(org.a2_g1, cur)
    return cur, prev


def test_one_read_of_the_months_groups_gives_what_the_separate_queries_gave(org):
    cur, prev = _edge_groups(org)
    due_day = org.ta.report_due_day
    due = periods.month_due(prev, due_day)
    for villages in (Village.objects.filter(township=org.ta), Village.objects.filter(pk=org.a1.pk)):
        for today in (due - datetime.timedelta(days=1), due, due + datetime.timedelta(days=1), periods.month_end(cur)):
            status = dashboards.month_status(villages, today)
            counted = dashboards.report_completion(villages, "pk", today)
            assert status.completion() == {
                k: {f: r[f] for f in ("groups", "cur_done", "prev_done")} for k, r in counted.items()
            }
            assert status.overdue(today, lambda g: due_day) == dashboards.overdue_groups(
                villages, today, lambda g: due_day
            )
            assert reports_todo(villages, today, due_day, "/", None, status.missing()) == reports_todo(
                villages, today, due_day, "/", None
            )
    status = dashboards.month_status(Village.objects.filter(pk=org.a1.pk), due + datetime.timedelta(days=1))
    # not a sum that happens to agree: A1's groups this month are g1, g2 and the two new ones (the one gone on this
    # month's first day is not); last month's reports of these in: g1's (closed) and the new-on-the-last-day's
    assert status.completion()[org.a1.pk] == {"groups": 4, "cur_done": 1, "prev_done": 2}
    assert {g.name for g, _m in status.overdue(due + datetime.timedelta(days=1), lambda g: due_day)} == {
        "罗紫三四社党小组",
        "上月末撤销党小组",
    }


def test_the_years_concerns_by_category_and_by_month_come_from_one_read(org, secretary_a1):
    today = clock.today()
    months = periods.last_months(today, dashboards.CHART_MONTHS)
    raised = [
        (months[0], Concern.Category.INFRASTRUCTURE),  # the first day counted
        (months[0] - datetime.timedelta(days=1), Concern.Category.INFRASTRUCTURE),  # the day before: not
        (months[5].replace(day=28), Concern.Category.LIVELIHOOD),
        (today, Concern.Category.LIVELIHOOD),
        (today, Concern.Category.OTHER),
    ]
    for day, category in raised:
        concern_record(
            villager_group=org.a1_vgs[0],
            raised_through=org.a1_g1_members[0],
            raised_on=day,
            category=category,
            content="反映的问题",
            handling=Concern.Handling.BRANCH,
            acting_user=secretary_a1,
        )
    villages = Village.objects.filter(township=org.ta)
    by_category, per_month = dashboards.concerns_last_year(villages, today)
    assert by_category == dashboards.concerns_by_category(villages, months[0])
    assert per_month == pictures.concerns_per_month(villages, today)
    assert sum(n for _label, n in per_month) == 4
    ages = dashboards.concern_ages(villages, today)
    assert concerns_todo(villages, today, ages["overdue"]) == concerns_todo(villages, today)


def test_the_villages_fund_sums_come_from_the_villager_groups_bars(org):
    for vg, amount in ((org.a1_vgs[0], "1200.50"), (org.a1_vgs[1], "0.05"), (org.a2_vgs[0], "300.00")):
        fund_entry_post(
            villager_group=vg,
            entry_date=clock.today(),
            direction=FundEntry.Direction.INCOME,
            amount=Decimal(amount),
            category=FundEntry.Category.SUBSIDY,
            counterparty="乡政府",
            purpose="补助",
            acting_user=None,
        )
    villages = Village.objects.filter(township=org.ta)
    rows = pictures.villager_group_balances(villages)
    assert pictures.sums_by_village(rows) == dashboards.fund_balances(villages, "pk")
    assert pictures.sums_by_village(rows)[org.a1.pk] == Decimal("1200.55")
    assert pictures.labelled(rows) == pictures.balances_by_villager_group(villages)
