"""工作台: what is due and overdue for a person now, each item a count, a sentence made from that count, and a link.

One query per kind of item (whatever the number of villages), and only the items the person's capabilities cover:
- reports not submitted for this month, and last month's not yet in (due until its due day, overdue after);
- concerns past the day they were to be answered by;
- rectification notices (spot checks) not yet rectified whose deadline is within two weeks or past;
- party groups whose leader's term ends within three months (the township's `leader_term_years` after the last valid
  election);
- the last ended quarter's scores to enter (township staff): party groups without every manual item scored;
- the year to decide (township staff): an appraisal year whose nominations are open;
- organisational life (组织生活), from its compliance table and at-risk list: on a branch's page, the meetings due
  this month or quarter not yet held, and the members listed for a 谈心谈话; on the township's, the branches that
  missed a meeting last quarter. Each item goes when there is nothing left to do;
- dues (党费), on a branch's page beside the organisational-life item: the members unpaid three months or more (the
  group leaders remind them), those unpaid six in a row without an accepted reason (the branch committee), and which
  of those are also six months without organisational life (党章第九条 names both).

A party-group leader's list (`leader_todo`, on their group's month) is their own group's: this month's report, last
month's if overdue, the concerns raised through their group still open, and their own term. A county viewer's
(`county_todo`) is made from the figures of the county table it sits above: last month's overdue reports, overdue
concerns, ended months not closed, and last year's appraisal not yet decided, by township.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, FilteredRelation, Max, OuterRef, Q
from django.urls import reverse

from activity.models import Concern, MonthlyReport, concern_overdue, past_due
from activity.todo import Todo, TodoList, leader_todo  # noqa: F401 (the leader's list lives beside their month's page)
from appraisal.models import AppraisalYear, RubricItem, SpotCheck
from core import periods
from dues.selectors import FLAG_MONTHS, arrears_for
from groups.models import LeaderElection, PartyGroup
from groups.terms import elected_before
from orglife.meetings.models import Kind as MeetingKind
from orglife.meetings.models import Period
from orglife.meetings.selectors import BranchLife, branch_life, compliance
from township.changes import kept_for_villages
from township.models import Township, Village

RECTIFY_NOTICE_DAYS = 14


def _groups(villages, month: datetime.date):
    return PartyGroup.objects.overlapping(*periods.month_range(month)).filter(village__in=villages)


def reports_todo(
    villages, today: datetime.date, due_day: int, home_url: str, village_pk: int | None, missing: dict | None = None
) -> list[Todo]:
    """This month's reports not yet submitted, and last month's past their due day (one query each, over the party
    groups of each month, as the dashboard's completion figures and overdue list count them; none when the dashboard
    passes the counts it already has, `MonthStatus.missing()`)."""
    cur = periods.month_of(today)
    prev = periods.previous_month(cur)

    def count(month) -> int:
        done = MonthlyReport.objects.done().filter(party_group=OuterRef("pk"), month=month)
        return _groups(villages, month).exclude(Exists(done)).count()

    # both always: a fixed number of queries
    counts = missing if missing is not None else {"missing_cur": count(cur), "missing_prev": count(prev)}
    overdue = past_due(prev, due_day, today)
    late = counts["missing_prev"] if overdue else 0
    due = periods.month_due(prev, due_day)

    def month_url(month):
        if village_pk:
            return reverse("activity:village-month", args=[village_pk, month])
        return home_url + "#villages"

    cur_label, prev_label = f"{cur.year}年{cur.month}月", f"{prev.year}年{prev.month}月"
    return [
        Todo(
            "reports_this_month",
            counts["missing_cur"],
            f"{counts['missing_cur']}个党小组尚未提交{cur_label}的报告"
            if counts["missing_cur"]
            else f"所有党小组都已提交{cur_label}的报告",
            month_url(cur),
        ),
        # Last month's reports not in yet are due until the due day, then overdue: before the due day they are still
        # to do (the township's 3/4 for last month is not "nothing overdue" then, but "one still to submit").
        Todo(
            "reports_overdue",
            counts["missing_prev"],
            f"{late}个党小组的{prev_label}报告已逾期"
            if late
            else f"{counts['missing_prev']}个党小组尚未提交{prev_label}的报告（{due.month}月{due.day}日截止）"
            if counts["missing_prev"]
            else f"没有逾期未交的{prev_label}报告",
            month_url(prev),
        ),
    ]


def concerns_todo(villages, today: datetime.date, n: int | None = None) -> Todo:
    """Concerns past the day they were to be answered by (`n`: the count the dashboard already has)."""
    if n is None:
        n = Concern.objects.filter(concern_overdue(today), village__in=villages).count()
    return Todo(
        "concerns_overdue",
        n,
        f"{n}条党情民意已过答复期限" if n else "没有过了答复期限的党情民意",
        reverse("concerns:list") + "?show=overdue",
    )


def rectifications_todo(villages, today: datetime.date) -> Todo:
    checks = SpotCheck.objects.filter(
        party_group__village__in=villages,
        rectified_on__isnull=True,
        rectify_by__lte=today + datetime.timedelta(days=RECTIFY_NOTICE_DAYS),
    ).exclude(rectification="")
    # the few notices themselves (a township has a handful open at a time): their number and the first's link
    rows = list(checks.order_by("rectify_by", "pk").values_list("pk", "year_id"))
    n = len(rows)
    if n == 1:
        url = reverse("appraisal:spot-check", args=[rows[0][0]])
    elif n:
        url = reverse("appraisal:spot-checks", args=[rows[0][1]]) + "?open=1"
    else:
        url = reverse("appraisal:index")
    text = f"{n}份整改通知两周内到期或已过期，尚未整改" if n else "没有到期的整改通知"
    return Todo("rectifications_due", n, text, url)


def elections_todo(villages, today: datetime.date, village_pk: int | None, home_url: str, township=None) -> Todo:
    """Party groups whose leader's term (the township's `leader_term_years` from the last valid election) ends within
    TERM_NOTICE_DAYS, or has ended. Over several townships each keeps its own term (one more query for the terms)."""
    if township is not None:
        terms = {township.leader_term_years: [township.pk]}
    else:
        terms = {}
        for pk, years in (
            Township.objects.filter(villages__in=villages).values_list("pk", "leader_term_years").distinct()
        ):
            terms.setdefault(years, []).append(pk)
    due = Q(pk__in=[])
    for years, township_ids in terms.items():
        due |= Q(village__township_id__in=township_ids, last__lte=elected_before(today, years))
    groups = (
        PartyGroup.objects.filter(village__in=villages, dissolved_on__isnull=True)
        .annotate(
            last=Max("elections__held_on", filter=Q(elections__outcome=LeaderElection.Outcome.PASSED)),
        )
        .filter(due)
    )
    ids = list(groups.order_by("last").values_list("pk", flat=True))
    n = len(ids)
    if n == 1:
        url = reverse("groups:party-group", args=[ids[0]])
    else:
        url = reverse("village", args=[village_pk]) if village_pk else home_url
    term = f"（{next(iter(terms))}年）" if len(terms) == 1 else ""
    text = f"{n}个党小组的组长任期{term}三个月内届满或已届满，需要换届选举" if n else "近三个月没有任期届满的党小组长"
    return Todo("elections_due", n, text, url)


def scores_todo(township, today: datetime.date) -> Todo | None:
    """The last ended quarter's manual scores: party groups that lack one of its items (one query)."""
    quarter_start = periods.quarter_range(today.year, periods.quarter_of(today))[0]
    last_day = quarter_start - datetime.timedelta(days=1)
    year_no, quarter = last_day.year, periods.quarter_of(last_day)
    year = AppraisalYear.objects.filter(township=township, year=year_no, state=AppraisalYear.State.OPEN).first()
    if year is None:
        return None
    items = list(RubricItem.objects.filter(year=year, source=RubricItem.Source.MANUAL).values_list("pk", flat=True))
    if not items:
        return None
    start, end = periods.quarter_range(year_no, quarter)
    # the quarter's scores joined on their own (year, group, quarter, item) index: a count's FILTER would join every
    # score the groups ever had and the rubric items of every township first
    quarter_scores = FilteredRelation(
        "scores", condition=Q(scores__year=year, scores__quarter=quarter, scores__item__in=items)
    )
    groups = PartyGroup.objects.overlapping(start, end).filter(village__township=township)
    missing = (
        groups.annotate(quarter_scores=quarter_scores)
        .annotate(n_scored=Count("quarter_scores"))
        .filter(n_scored__lt=len(items))
        .count()
    )
    text = (
        f"{missing}个党小组的{year_no}年第{quarter}季度评分尚未录入完"
        if missing
        else f"{year_no}年第{quarter}季度的评分都已录入"
    )
    return Todo("scores_to_enter", missing, text, reverse("appraisal:scores", args=[year.pk]))


def year_todo(township) -> Todo | None:
    years = list(AppraisalYear.objects.filter(township=township, state=AppraisalYear.State.NOMINATING).order_by("year"))
    if not years:
        return None
    y = years[0]
    return Todo(
        "year_to_decide",
        len(years),
        f"{y.year}年度评优提名已开放，待乡党委决定并锁定",
        reverse("awards:year", args=[y.pk]),
    )


def meetings_todo(village, life: BranchLife, today: datetime.date) -> Todo | None:
    """The branch's meetings due this month or this quarter (kinds due monthly or quarterly, from the township's
    settings) not held yet, this quarter's earlier months included; none when all are held."""
    table = life.compliance
    if not table.rows:
        return None
    row = table.rows[0]
    n, names = 0, []
    for kind, label, period_label, _source in table.kinds:
        if kind == MeetingKind.TALK or period_label == Period.YEAR.label:
            continue
        cell = row.cells[kind]
        if cell.missing + cell.pending:
            n += cell.missing + cell.pending
            names.append(label)
    if not n:
        return None
    return Todo(
        "orglife_meetings",
        n,
        f"本月、本季度还有{n}次规定的会议没有开（{'、'.join(names)}）",
        reverse("orglife:village", args=[village.pk, today.year]),
    )


def at_risk_todo(village, life: BranchLife) -> Todo | None:
    """Members of the branch listed for a 谈心谈话 (three months without attending) or flagged for the committee
    (six months, no accepted reason); none when nobody is."""
    rows = [r for r in life.members if r.talk_due or r.flagged]
    if not rows:
        return None
    flagged = sum(r.flagged for r in rows)
    text = f"{len(rows)}名党员连续三个月以上没有参加组织生活，要找他们谈心谈话"
    if flagged:
        text += f"，其中{flagged}名已满六个月，要提交支委会研究"
    return Todo("orglife_at_risk", len(rows), text, reverse("orglife:members", args=[village.pk]))


def dues_arrears_todo(village, life: BranchLife | None, today: datetime.date) -> Todo | None:
    """Members of the branch three months or more behind with their dues (a reminder by their group leader), those
    six in a row without an accepted reason (the branch committee, 党章第九条), and among them any the organisational
    life list flags too, by name: the committee looks at both together. None when nobody is behind."""
    rows = arrears_for(village, today, group_names=False, months=FLAG_MONTHS)  # eight queries, half a year of the book
    if not rows:
        return None
    flagged = [a for a in rows if a.flagged]
    text = f"{len(rows)}名党员连续三个月以上未交党费，要由党小组长提醒"
    if flagged:
        text += f"，其中{len(flagged)}名已连续{FLAG_MONTHS}个月未交又无正当理由，要提交支委会研究"
        life_flagged = {r.member.pk for r in life.members if r.flagged} if life else set()
        both = [a.member.name for a in flagged if a.member.pk in life_flagged]
        if both:
            text += f"（{'、'.join(both)}同时连续六个月以上没有参加组织生活）"
    return Todo("dues_arrears", len(rows), text, reverse("dues:arrears", args=[village.pk]))


def branches_missing_todo(villages, township, today: datetime.date) -> Todo | None:
    """The township's branches that missed some meeting due in the last complete quarter; none when every branch held
    them (six queries, whatever the number of branches)."""
    start = periods.quarter_range(today.year, periods.quarter_of(today))[0]
    last_day = start - datetime.timedelta(days=1)
    year, quarter = last_day.year, periods.quarter_of(last_day)
    table = compliance(villages.filter(township=township), period="quarter", year=year, n=quarter, today=today)
    n = sum(1 for row in table.rows if row.missing)
    if not n:
        return None
    url = reverse("orglife:township", args=[township.pk, year]) + f"?period=quarter&n={quarter}"
    return Todo("orglife_branches_missing", n, f"{n}个村党支部{year}年第{quarter}季度有规定的会议没有开", url)


def todo_for(
    user,
    villages,
    today: datetime.date,
    *,
    township,
    home_url: str,
    village_pk: int | None = None,
    village=None,
    reports_missing: dict | None = None,
    concerns_overdue: int | None = None,
    village_ids: list[int] | None = None,
    read: dict | None = None,
) -> TodoList:
    """The to-do items of a person over `villages`: one village (`village_pk`, a branch's page, whose links go to the
    village's pages) or a township's villages (links to the township's pages). A dashboard that has already counted
    the reports missing (`MonthStatus.missing()`) or the concerns overdue passes them, and they are not read again;
    a township's page passes its villages' ids (`village_ids`), under whose changes its branches' figures are kept,
    and their change counts if it has read them (`read`, `township.changes.counts`)."""
    due_day = township.report_due_day
    items: list[Todo] = []
    if user.has_perm("reports.read"):
        items += reports_todo(villages, today, due_day, home_url, village_pk, reports_missing)
    if user.has_perm("concerns.write"):
        items.append(concerns_todo(villages, today, concerns_overdue))
    rights = (
        user.has_perm("scores.read"),
        user.has_perm("groups.write"),
        township is not None and user.has_perm("scores.write", township),
        township is not None and user.has_perm("awards.decide", township),
    )

    def appraisal(local: bool, wide: bool) -> list[Todo | None]:
        found: list[Todo | None] = []
        if rights[0] and local:
            found.append(rectifications_todo(villages, today))
        if rights[1] and local:
            found.append(elections_todo(villages, today, village_pk, home_url, township))
        if rights[2] and wide:
            found.append(scores_todo(township, today))
        if rights[3] and wide:
            found.append(year_todo(township))
        return found

    # spot checks, elections, quarter scores, the year to decide: kept until the villages' data or their day's work
    # (scores, spot checks, the years) changes, or the day ends (township/changes.py). The quarter's scores and the
    # year are the whole township's: kept on the township's page, whose villages' counts cover them, and counted on
    # a branch's page, whose village's counts do not
    flags = "".join(str(int(r)) for r in rights)  # whose rights they were counted for
    if village_ids is not None and any(rights):
        name = f"appraisal:{township.pk}:{today}:{flags}"
        items += kept_for_villages(village_ids, name, lambda: appraisal(True, True), work=True, read=read)
    elif village_pk is not None and any(rights[:2]):
        name = f"appraisal:{getattr(township, 'pk', '')}:{village_pk}:{today}:{flags}"
        items += kept_for_villages([village_pk], name, lambda: appraisal(True, False), work=True, read=read)
        items += appraisal(False, True)
    else:
        items += appraisal(True, True)
    if village_pk is not None:
        items += branch_life_todo(user, village or Village(pk=village_pk, township=township), today, read=read)
    elif township is not None and user.has_perm("orglife.read", township):
        # kept until one of the villages' data changes, or the day ends (township/changes.py)
        name = f"branches-missing:{township.pk}:{today}"
        missing = lambda: branches_missing_todo(villages, township, today)  # noqa: E731
        items.append(kept_for_villages(village_ids, name, missing, read=read))
    return TodoList(t for t in items if t is not None)


def branch_life_todo(user, village, today: datetime.date, *, read: dict | None = None) -> list[Todo | None]:
    """A branch's organisational-life and dues items, as far as the person's rights go. Counted from half a year of
    attendance and of the dues book (14 queries), they are kept until the village's data changes or the day ends
    (`township.changes`: the database counts every change to what they are counted from; `read`: the village's
    counts, when the page has read them)."""
    orglife = user.has_perm("orglife.write", village)
    dues = user.has_perm("dues.write", village)
    if not (orglife or dues):
        return []

    def count() -> list[Todo | None]:
        items: list[Todo | None] = []
        life = None
        if orglife:
            life = branch_life(village, today=today)  # one read shared by both items (six queries)
            items += [meetings_todo(village, life, today), at_risk_todo(village, life)]
        if dues:
            items.append(dues_arrears_todo(village, life, today))
        return items

    return kept_for_villages([village.pk], f"branch-life:{today}:{int(orglife)}{int(dues)}", count, read=read)


# --- a county viewer: the townships of the county --------------------------------------------------------------------


def months_not_closed(villages, today: datetime.date) -> dict[int, list[datetime.date]]:
    """By township: the ended months of this year (last year's in January) in which some party group's report is not
    closed. Two queries: the party groups by township and dates, and the closed reports by township and month."""
    prev = periods.previous_month(periods.month_of(today))
    months = [datetime.date(prev.year, m, 1) for m in range(1, prev.month + 1)]
    spans = (
        PartyGroup.objects.filter(village__in=villages)
        .values_list("village__township", "established_on", "dissolved_on")
        .annotate(n=Count("pk"))
    )
    # the months as a range and COUNT(*): the (party group, month) covering index answers alone (an index-only scan
    # of this year's reports); a list of months made PostgreSQL read every report of each group from the table
    closed = dict(
        (((t, m), n))
        for t, m, n in MonthlyReport.objects.filter(
            party_group__village__in=villages,
            month__range=(months[0], months[-1]),
            status=MonthlyReport.Status.CLOSED,
        )
        .values_list("party_group__village__township", "month")
        .annotate(n=Count("*"))
    )
    groups: dict[tuple[int, datetime.date], int] = {}
    for t, start, until, n in spans:
        for m in months:
            if periods.overlaps(start, until, *periods.month_range(m)):
                groups[(t, m)] = groups.get((t, m), 0) + n
    out: dict[int, list[datetime.date]] = {}
    for (t, m), n in sorted(groups.items(), key=lambda kv: kv[0][1]):
        if closed.get((t, m), 0) < n:
            out.setdefault(t, []).append(m)
    return out


def county_todo(rows: list[dict], today: datetime.date, *, county_url: str) -> TodoList:
    """A county viewer's list, from the county table's rows (township, groups, prev_done, overdue, not_closed,
    undecided) so that each sentence agrees with the numbers beside it. The county does not do the work itself: each
    item is a township to follow up, linked to that township's page (or the table when there are several)."""
    prev = periods.previous_month(periods.month_of(today))
    prev_label = f"{prev.year}年{prev.month}月"

    def where(hit: list[dict], one_url, many_url: str) -> str:
        return one_url(hit[0]) if len(hit) == 1 else many_url

    township_url = lambda r: reverse("township", args=[r["township"].pk])  # noqa: E731
    table = county_url + "#townships"
    late = [r for r in rows if r["late"]]
    n_late = sum(r["late"] for r in late)
    concerns = [r for r in rows if r["overdue"]]
    n_concerns = sum(r["overdue"] for r in concerns)
    unclosed = [r for r in rows if r["not_closed"]]
    undecided = [r for r in rows if r["undecided"]]
    n_months = sum(len(r["not_closed"]) for r in unclosed)
    last_year = today.year - 1
    return TodoList(
        [
            Todo(
                "reports_overdue",
                n_late,
                f"{len(late)}个乡镇共{n_late}个党小组的{prev_label}报告已逾期，请督促"
                if late
                else f"各乡镇{prev_label}的报告都没有逾期",
                where(late, township_url, table),
            ),
            Todo(
                "concerns_overdue",
                n_concerns,
                f"{len(concerns)}个乡镇共{n_concerns}条党情民意已过答复期限，请督办"
                if concerns
                else "没有过了答复期限的党情民意",
                reverse("concerns:list") + "?show=overdue",
            ),
            Todo(
                "months_not_closed",
                len(unclosed),
                f"{len(unclosed)}个乡镇有已结束的月份尚未关账（共{n_months}个月），请督促关账"
                if unclosed
                else "各乡镇已结束的月份都已关账",
                where(unclosed, township_url, table),
            ),
            Todo(
                "years_undecided",
                len(undecided),
                f"{len(undecided)}个乡镇的{last_year}年度考核评优尚未决定"
                if undecided
                else f"各乡镇{last_year}年度考核评优都已决定",
                where(undecided, lambda r: r["undecided_url"], reverse("awards:index")),
            ),
        ]
    )
