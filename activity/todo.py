"""A party-group leader's 工作台 (on their group's month page, their home): what they have to do for their own group.

Each item is a `Todo`: a count, a sentence made from that count, and a link to where to do it. The lists of the other
roles (dashboards.todo) are made of the same items.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse

from activity.models import Concern, MonthlyReport, concern_open, concern_overdue, past_due, report_done
from core import periods
from groups.models import LeaderElection, PartyGroup
from groups.terms import elected_before


@dataclass(frozen=True)
class Todo:
    key: str
    count: int
    text: str  # the sentence, made from `count`
    url: str

    @property
    def urgent(self) -> bool:
        return self.count > 0


class TodoList(list):
    """The items of a to-do list; `urgent` says whether any of them has something to do (the page says plainly when
    nothing has)."""

    @property
    def urgent(self) -> bool:
        return any(t.urgent for t in self)


# --- a party-group leader: their own group ---------------------------------------------------------------------------


def leader_todo(group: PartyGroup, today: datetime.date, *, may_report: bool) -> TodoList:
    """What a party-group leader has to do for their own group (`group` with `village__township` loaded): this month's
    report (when the branch lets leaders enter it), last month's while it is due or once overdue, the concerns raised
    through the group still open, and their own term when it ends within three months. Three queries."""
    township = group.village.township
    cur = periods.month_of(today)
    prev = periods.previous_month(cur)
    status = dict(MonthlyReport.objects.filter(party_group=group, month__in=[cur, prev]).values_list("month", "status"))
    items: list[Todo] = []
    cur_label, prev_label = f"{cur.year}年{cur.month}月", f"{prev.year}年{prev.month}月"
    cur_url = reverse("activity:report", args=[group.pk, cur])
    if report_done(status.get(cur)):
        items.append(Todo("report_this_month", 0, f"{cur_label}的报告已提交", cur_url))
    elif may_report:
        due = periods.month_due(cur, township.report_due_day)
        items.append(
            Todo(
                "report_this_month",
                1,
                f"{cur_label}的报告尚未提交：请登记本月活动，在{due.year}年{due.month}月{due.day}日前提交",
                cur_url,
            )
        )
    else:
        items.append(Todo("report_this_month", 0, f"{cur_label}的报告由支部书记录入，你无需提交", cur_url))
    existed_prev = group.established_on <= periods.month_range(prev)[1]
    missing_prev = existed_prev and not report_done(status.get(prev))
    prev_url = reverse("activity:report", args=[group.pk, prev])
    if missing_prev and past_due(prev, township.report_due_day, today):
        who = "请尽快补交" if may_report else "请告知支部书记补录"
        items.append(Todo("report_overdue", 1, f"{prev_label}的报告已逾期未交，{who}", prev_url))
    elif missing_prev and may_report:  # last month's report is still due, until the due day of this month
        due = periods.month_due(prev, township.report_due_day)
        text = f"{prev_label}的报告尚未提交：请在{due.year}年{due.month}月{due.day}日前提交"
        items.append(Todo("report_overdue", 1, text, prev_url))
    concerns = Concern.objects.filter(party_group=group).aggregate(
        open=Count("pk", filter=concern_open()), overdue=Count("pk", filter=concern_overdue(today))
    )
    n_open, n_late = concerns["open"], concerns["overdue"]
    if n_open:
        late_text = f"，其中{n_late}条已过答复期限" if n_late else ""
        text = f"经本组反映的党情民意有{n_open}条尚未办结{late_text}，请跟进并向群众反馈"
    else:
        text = "经本组反映的党情民意都已办结"
    items.append(Todo("concerns_open", n_open, text, reverse("concerns:list") + f"?show=open&group={group.pk}"))
    last = (
        LeaderElection.objects.filter(party_group=group, outcome=LeaderElection.Outcome.PASSED)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    term = township.leader_term_years
    if last is not None and last <= elected_before(today, term):
        ends = periods.add_years(last, term)
        verb = "已于" if ends < today else "将于"
        text = f"你的组长任期（{term}年）{verb}{ends.year}年{ends.month}月{ends.day}日届满，请与支部书记商定换届选举"
        items.append(Todo("election_due", 1, text, reverse("groups:party-group", args=[group.pk])))
    return TodoList(items)
