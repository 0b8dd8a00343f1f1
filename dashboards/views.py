"""Landing pages: each person starts where they work — a secretary on their village, township staff on the township
dashboard, a county viewer on the county overview, a group leader on their group's month."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from activity.models import past_due
from appraisal.models import AppraisalYear
from core import charts, clock, periods
from core.figures import kept_rendered
from dashboards import pictures
from dashboards import selectors as dashboards
from dashboards.todo import county_todo, months_not_closed, todo_for
from groups.models import PartyGroup
from groups.selectors import party_groups_with_people, warning_count, warnings_for
from members.standing.selectors import in_party_count_subquery
from township.changes import kept_for_villages, page_counts
from township.models import County, Township, Village
from township.scoping import Role, assignment_of, get_visible_or_404, role_of, townships_for, villages_for


@login_required
def home(request):
    """Send each person to where they work."""
    a = assignment_of(request.user)
    role = role_of(request.user)
    if role == Role.BRANCH_SECRETARY:
        return redirect("village", pk=a.village_id)
    if role == Role.TOWNSHIP_STAFF:
        return redirect("township", pk=a.township_id)
    if role == Role.COUNTY_VIEWER:
        return redirect("county", pk=a.county_id)
    if role == Role.GROUP_LEADER:
        return redirect("activity:report", group_pk=a.party_group_id, month=clock.this_month())
    if role == Role.AUDITOR:
        return redirect("audit:events")
    if role == Role.ACCOUNT_ADMIN:
        return redirect("admin:index")
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "dashboards/no_assignment.html")


def _groups_with_people():
    return party_groups_with_people(PartyGroup.objects.filter(dissolved_on__isnull=True))


@login_required
def village(request, pk: int):
    """A village branch's dashboard: this month's reports, open concerns, warnings and the party groups."""
    if not request.user.has_perm("village.read"):
        raise Http404
    v = get_visible_or_404(Village, request.user, shape=lambda qs: qs.select_related("township"), pk=pk)
    today = clock.today()
    month = periods.month_of(today)
    prev = periods.previous_month(month)
    one = Village.objects.filter(pk=v.pk)
    read = page_counts([v.pk])  # one read for everything kept below
    # the tiles, the overdue reports and the warnings: kept until the village's data or its day's work (reports,
    # concerns, the ledgers) changes, or the day ends (township/changes.py)
    name = f"branch:{v.pk}:{today}:{get_language()}"
    figures = kept_for_villages([v.pk], name, lambda: _village_figures(v, today), work=True, read=read)
    v.n_members = figures["members"]

    def groups_table() -> tuple[str, int]:
        groups = list(_groups_with_people().filter(village=v).order_by("name"))
        return render_to_string("dashboards/_groups_table.html", {"groups": groups}), len(groups)

    # the party groups with their officers, members and villager groups: kept until the village's data changes (the
    # posts, the members, the coverages are all counted in `n`)
    name = f"branch-groups:{v.pk}:{today}:{get_language()}"
    groups, n_groups = kept_for_villages([v.pk], name, groups_table, read=read)
    return render(
        request,
        "dashboards/village.html",
        {
            "village": v,
            "month": month,
            "prev": prev,
            "prev_due": periods.month_due(prev, v.township.report_due_day),
            "completion": figures["completion"],
            "overdue": figures["overdue"],
            "concerns": figures["concerns"],
            "balance": figures["balance"],
            "groups_table": groups,
            "n_groups": n_groups,
            "warnings": figures["warnings"],
            "show_admin": request.user.is_staff,
            "todo": todo_for(
                request.user,
                one,
                today,
                township=v.township,
                home_url=reverse("village", args=[v.pk]),
                village_pk=v.pk,
                village=v,
                reports_missing=figures["reports_missing"],
                concerns_overdue=figures["concerns"]["overdue"],
                read=read,
            ),
        },
    )


def _village_figures(v: Village, today) -> dict:
    """What a branch's dashboard shows of its village's data but the party groups' table: members today (from the
    standing history: the same count as the standing pages' on any day), the month's reports, concerns, the funds'
    balance, the warnings."""
    one = Village.objects.filter(pk=v.pk)
    status = dashboards.month_status(one, today)  # completion, overdue and the to-do list's report counts: one read
    members = one.annotate(n=in_party_count_subquery(today)).values_list("n", flat=True)
    return {
        "members": members.first() or 0,
        "completion": status.completion().get(v.pk, {}),
        "overdue": status.overdue(today, lambda g: v.township.report_due_day),
        "concerns": dashboards.concern_ages(one, today),
        "balance": dashboards.fund_balances(one, "pk").get(v.pk),
        "warnings": warnings_for(one),
        "reports_missing": status.missing(),
    }


def _township_rows(villages, key: str, today):
    completion = dashboards.report_completion(villages, key, today)
    concerns = dashboards.concerns_by_key(villages, key, today)
    balances = dashboards.fund_balances(villages, key)
    return completion, concerns, balances


@login_required
def township(request, pk: int):
    t = get_visible_or_404(Township, request.user, shape=lambda qs: qs.select_related("county"), pk=pk)
    if not request.user.has_perm("township.read", t):
        raise Http404
    today = clock.today()
    villages = villages_for(request.user).filter(township=t)
    village_ids = list(villages.values_list("pk", flat=True))
    read = page_counts(village_ids)  # one read for everything kept below
    # the villages' rows, the tiles, the pictures and the party groups' warnings: kept until one of the villages' data
    # or the day's work (reports, concerns, ledgers, awards) changes, or the day ends (township/changes.py)
    name = f"township:{t.pk}:{today}:{get_language()}"
    page = kept_for_villages(village_ids, name, lambda: _township_figures(t, villages, today), work=True, read=read)
    return render(
        request,
        "dashboards/township.html",
        {
            "township": t,
            **page,
            "todo": todo_for(
                request.user,
                villages,
                today,
                township=t,
                home_url=reverse("township", args=[t.pk]),
                reports_missing=page["reports_missing"],
                concerns_overdue=page["concerns"]["overdue"],
                village_ids=village_ids,
                read=read,
            ),
        },
    )


def _township_figures(t: Township, villages, today) -> dict:
    """What a township's dashboard shows of its villages' data: its rows, tiles, pictures and warnings."""
    status = dashboards.month_status(villages, today)  # completion, overdue and the to-do's report counts: one read
    completion = status.completion()
    concerns = dashboards.concerns_by_key(villages, "pk", today)
    by_villager_group = pictures.villager_group_balances(villages)  # the pictures' bars and the villages' sums
    balances = pictures.sums_by_village(by_villager_group)
    rows = [
        {
            "village": v,
            "members": v.n_members,
            "groups": completion.get(v.pk, {}).get("groups", 0),
            "cur_done": completion.get(v.pk, {}).get("cur_done", 0),
            "prev_done": completion.get(v.pk, {}).get("prev_done", 0),
            "open": concerns.get(v.pk, {}).get("open", 0),
            "overdue": concerns.get(v.pk, {}).get("overdue", 0),
            "balance": balances.get(v.pk),
        }
        for v in villages.annotate(n_members=in_party_count_subquery(today)).order_by("name")
    ]
    figures = _shared_figures(villages, today, lambda g: t.report_due_day, status=status)
    return {
        "rows": rows,
        "members_total": sum(r["members"] for r in rows),  # the villages' counts, so the two always agree
        "warnings": warnings_for(villages),
        "reports_missing": status.missing(),
        **figures,
        "pictures": pictures.pictures(
            villages,
            "pk",
            {r["village"].pk: r["village"].name for r in rows},
            today,
            lambda k: t.report_due_day,
            balances=pictures.labelled(by_villager_group),
            activities=figures["activities"],
            concerns=figures["concerns_per_month"],
        ),
    }


def _shared_figures(villages, today, due_day_of, status=None):
    """The figures both the township's and the county's pages show. `status`: the township's `month_status`, whose
    overdue list is the same as `overdue_groups` (a county counts its own)."""
    month = periods.month_of(today)
    prev = periods.previous_month(month)
    activities = dashboards.activities_per_month(villages, today)
    by_category, per_month = dashboards.concerns_last_year(villages, today)  # both charts from one read
    overdue = status.overdue(today, due_day_of) if status else dashboards.overdue_groups(villages, today, due_day_of)
    return {
        "month": month,
        "prev": prev,
        "overdue": overdue,
        "concerns": dashboards.concern_ages(villages, today),
        "activities": activities,  # the pictures' table shows the same numbers: read once
        "activity_chart": charts.column_chart(activities, title=_("Activities per month, last 12 months")),
        "concern_chart": charts.bar_chart(by_category, title=_("Concerns by category, last 12 months")),
        "concerns_per_month": per_month,  # the pictures' chart and table
    }


@login_required
def county(request, pk: int):
    c = get_visible_or_404(County, request.user, pk=pk)
    if not request.user.has_perm("county.read", c):
        raise Http404  # the county overview is the county's page; township staff have their township's
    today = clock.today()
    villages = villages_for(request.user).filter(township__county=c)
    # read-only: counted at most once a minute for the same reach, and rendered once per counting (core/figures.py)
    figures, counted, parts = kept_rendered(
        f"county:{c.pk}:{today}",
        villages.values_list("pk", flat=True),
        lambda: _county_figures(request.user, c, villages, today),
        lambda figures: tuple(
            render_to_string(part, {"county": c, **figures})
            for part in ("dashboards/_county_top.html", "dashboards/_county_bottom.html")
        ),
    )
    return render(request, "dashboards/county.html", {"county": c, "counted": counted, "parts": parts, **figures})


def _county_figures(user, c: County, villages, today) -> dict:
    """Everything the county overview shows of its townships, counted from the database."""
    townships = (
        townships_for(user)
        .filter(county=c)
        .annotate(n_members=in_party_count_subquery(today, through="village__township", villages=villages))
        .order_by("name")
    )
    completion, concerns, balances = _township_rows(villages, "township", today)
    village_counts = dict(villages.values_list("township").annotate(n=Count("pk")))
    due_days = {t.pk: t.report_due_day for t in townships}  # already read for the rows
    not_closed = months_not_closed(villages, today)
    last_years = {
        t: (pk, state)
        for t, pk, state in AppraisalYear.objects.filter(township__in=townships, year=today.year - 1).values_list(
            "township", "pk", "state"
        )
    }
    prev = periods.previous_month(periods.month_of(today))
    rows = [
        {
            "township": t,
            "villages": village_counts.get(t.pk, 0),
            "members": t.n_members,
            "groups": completion.get(t.pk, {}).get("groups", 0),
            "cur_done": completion.get(t.pk, {}).get("cur_done", 0),
            "prev_done": completion.get(t.pk, {}).get("prev_done", 0),
            "open": concerns.get(t.pk, {}).get("open", 0),
            "overdue": concerns.get(t.pk, {}).get("overdue", 0),
            "balance": balances.get(t.pk),
            "not_closed": not_closed.get(t.pk, []),
            "last_year": last_years.get(t.pk),
        }
        for t in townships
    ]
    for r in rows:
        pk = r["township"].pk
        late = r["groups"] - r["prev_done"] if past_due(prev, due_days[pk], today) else 0
        year = r["last_year"]
        r["late"] = max(late, 0)
        r["undecided"] = year is None or year[1] != AppraisalYear.State.DECIDED
        r["undecided_url"] = reverse("awards:year", args=[year[0]]) if year else reverse("township", args=[pk])
    figures = _shared_figures(villages, today, lambda g: due_days[g.village.township_id])
    figures["warning_count"] = warning_count(villages)  # the number only: counted in the database
    figures["pictures"] = pictures.pictures(
        villages,
        "township",
        {t.pk: t.name for t in townships},
        today,
        lambda k: due_days[k],
        balances=[(r["township"].name, r["balance"]) for r in rows],
        activities=figures["activities"],
        concerns=figures["concerns_per_month"],
    )
    figures["todo"] = county_todo(rows, today, county_url=reverse("county", args=[c.pk]))
    figures["last_year"] = today.year - 1
    return {"rows": rows, **figures}
