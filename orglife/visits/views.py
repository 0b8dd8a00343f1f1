"""The committee's contact points and visits (联系点): the quarter's visits and the party groups nobody visited,
logging a visit, following up its problems or passing them to the 党情民意 queue, and assigning contact points.

Objects come through the person's reach (`get_visible_or_404`: another village's answer 404); inside the reach,
reading needs `visits.read` and writing `visits.write` (the township's staff only; 403 otherwise).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activity.concerns.forms import add_service_errors
from audit.submissions import Result, repeat_safe, submit_once
from core import clock, periods
from core.words import day_cn
from groups.models import PartyGroup
from orglife.visits import selectors
from orglife.visits.forms import ContactPointForm, EndForm, FollowUpForm, ToConcernForm, VisitForm
from orglife.visits.models import ContactPoint, Visit, VisitProblem
from orglife.visits.services import (
    committee_members,
    contact_point_assign,
    contact_point_end,
    name_of,
    places_of,
    visit_problem_follow_up,
    visit_problem_to_concern,
    visit_record,
)
from township.scoping import assignment_of, get_visible_or_404, villages_for


def _require(user, capability: str, place=None) -> None:
    if not user.has_perm(capability, place):
        raise PermissionDenied


def _read_only(request):
    """Someone who reads visits but does not write them is sent to the list; a POST is refused."""
    if request.method == "POST":
        raise PermissionDenied
    return redirect("orglife:visit-index")


@login_required
def index(request):
    """The quarter's visits in reach; for the township, its contact points and the groups nobody visited."""
    _require(request.user, "visits.read")
    today = clock.today()
    year, quarter = selectors.quarter_from(request.GET.get("q", ""), today)
    first, last = periods.quarter_range(year, quarter)
    township_view = request.user.has_perm("township.read")
    prev = selectors.previous_quarter(year, quarter)
    later = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return render(
        request,
        "orglife/visits/index.html",
        {
            "year": year,
            "quarter": quarter,
            "first": first,
            "last": last,
            "prev_q": f"{prev[0]}-{prev[1]}",
            "next_q": f"{later[0]}-{later[1]}" if periods.quarter_begun(*later, today) else "",
            "visits": list(selectors.visits_in(request.user, first, last)),
            "unvisited": selectors.unvisited_groups(request.user, first, last) if township_view else None,
            "my_points": list(selectors.contact_points_in(request.user, today).filter(member=request.user))
            if request.user.has_perm("visits.write")
            else [],
            "may_write": request.user.has_perm("visits.write"),
        },
    )


def _visit_form_choices(user, village_pk):
    villages = villages_for(user).order_by("name")
    groups = PartyGroup.objects.none()
    if village_pk:
        groups = PartyGroup.objects.visible_to(user).filter(village_id=village_pk).on(clock.today()).order_by("name")
    return villages, groups


@login_required
@repeat_safe
def visit_new(request):
    """Log a visit to one of one's own contact points (the township committee's members)."""
    if not request.user.has_perm("visits.write"):
        return _read_only(request)
    chosen = request.POST.get("village") if request.method == "POST" else request.GET.get("village")
    chosen = chosen if chosen and str(chosen).isdigit() else None
    villages, groups = _visit_form_choices(request.user, chosen)
    if request.method == "POST":
        form = VisitForm(request.POST, villages=villages, groups=groups)
        if form.is_valid():
            data = form.cleaned_data
            _require(request.user, "visits.write", data["village"])

            def save() -> Result:
                visit = visit_record(
                    visitor=request.user,
                    village=data["village"],
                    party_groups=list(data["party_groups"]),
                    visited_on=data["visited_on"],
                    met=data["met"],
                    learned=data["learned"],
                    problems=form.problems(),
                    acting_user=request.user,
                )
                return Result(
                    reverse("orglife:visit-detail", args=[visit.pk]),
                    f"已登记{day_cn(visit.visited_on)}到{visit.village.name}的走访。",
                )

            try:
                return submit_once(request, save, check_url=reverse("orglife:visit-index"))
            except ValidationError as exc:  # the service's refusal, beside its field
                add_service_errors(form, exc)
    else:
        form = VisitForm(initial={"village": chosen}, villages=villages, groups=groups)
    places = places_of(request.user, clock.today())
    return render(
        request,
        "orglife/visits/visit_form.html",
        {"form": form, "chosen": chosen, "assigned": [v for v in villages if v.pk in places]},
    )


def _detail(request, visit: Visit, *, bound: dict | None = None, status: int = 200):
    may_write = request.user.has_perm("visits.write", visit.village)
    problems = list(visit.problems.select_related("concern").order_by("pk"))
    bound = bound or {}
    rows = []
    for p in problems:
        follow = bound.get(("follow", p.pk)) or FollowUpForm(
            prefix=f"f{p.pk}", initial={"follow_up": p.follow_up, "resolved_on": p.resolved_on}
        )
        concern = bound.get(("concern", p.pk)) or ToConcernForm(prefix=f"c{p.pk}", village=visit.village)
        rows.append((p, follow, concern))
    return render(
        request,
        "orglife/visits/visit_detail.html",
        {"visit": visit, "rows": rows, "may_write": may_write, "visitor": name_of(visit.visitor)},
        status=status,
    )


def _visit(request, pk: int) -> Visit:
    visit = get_visible_or_404(Visit, request.user, pk=pk, shape=lambda qs: qs.select_related("village", "visitor"))
    _require(request.user, "visits.read", visit.village)
    return visit


@login_required
def visit_detail(request, pk: int):
    return _detail(request, _visit(request, pk))


def _problem(request, pk: int) -> VisitProblem:
    problem = get_visible_or_404(
        VisitProblem,
        request.user,
        pk=pk,
        shape=lambda qs: qs.select_related("visit__village__township", "visit__visitor"),
    )
    _require(request.user, "visits.write", problem.visit.village)
    return problem


@login_required
@require_POST
@repeat_safe
def problem_follow_up(request, pk: int):
    problem = _problem(request, pk)
    form = FollowUpForm(request.POST, prefix=f"f{problem.pk}")
    if form.is_valid():

        def save() -> Result:
            visit_problem_follow_up(problem=problem, acting_user=request.user, **form.cleaned_data)
            return Result(reverse("orglife:visit-detail", args=[problem.visit_id]), "跟进情况已记录。")

        try:
            return submit_once(request, save, check_url=reverse("orglife:visit-detail", args=[problem.visit_id]))
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _detail(request, problem.visit, bound={("follow", problem.pk): form})


@login_required
@require_POST
@repeat_safe
def problem_to_concern(request, pk: int):
    problem = _problem(request, pk)
    form = ToConcernForm(request.POST, prefix=f"c{problem.pk}", village=problem.visit.village)
    if form.is_valid():

        def save() -> Result:
            concern = visit_problem_to_concern(problem=problem, acting_user=request.user, **form.cleaned_data)
            return Result(
                reverse("concerns:detail", args=[concern.pk]),
                f"已转为党情民意，报乡党委，{day_cn(concern.due_on)}前答复。",
            )

        try:
            return submit_once(request, save, check_url=reverse("orglife:visit-detail", args=[problem.visit_id]))
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _detail(request, problem.visit, bound={("concern", problem.pk): form})


def _township_of(request):
    a = assignment_of(request.user)
    if a is None or a.township_id is None:
        raise PermissionDenied  # the contact points are kept by a township's own staff
    return a.township


def _points_page(request, township, form, end_forms=None, status=200):
    today = clock.today()
    points = list(selectors.contact_points_in(request.user, today).filter(village__township=township))
    end_forms = end_forms or {}
    rows = [(p, end_forms.get(p.pk) or EndForm(prefix=f"e{p.pk}", initial={"ended_on": today})) for p in points]
    return render(
        request, "orglife/visits/points.html", {"township": township, "form": form, "rows": rows}, status=status
    )


def _points_form(request, township, data=None):
    villages = villages_for(request.user).filter(township=township).order_by("name")
    groups = (
        PartyGroup.objects.visible_to(request.user)
        .filter(village__township=township)
        .on(clock.today())
        .select_related("village")
        .order_by("village__name", "name")
    )
    return ContactPointForm(data, members=committee_members(township), villages=villages, groups=groups)


@login_required
@repeat_safe
def points(request):
    """The township's contact points: who is assigned which village or party group; assigning a new one."""
    if not request.user.has_perm("visits.write"):
        return _read_only(request)
    township = _township_of(request)
    _require(request.user, "visits.write", township)
    if request.method == "POST":
        form = _points_form(request, township, request.POST)
        if form.is_valid():

            def save() -> Result:
                point = contact_point_assign(acting_user=request.user, **form.cleaned_data)
                return Result(reverse("orglife:visit-points"), f"已安排联系点：{point}。")

            try:
                return submit_once(request, save, check_url=reverse("orglife:visit-points"))
            except ValidationError as exc:
                add_service_errors(form, exc)
    else:
        form = _points_form(request, township)
    return _points_page(request, township, form)


@login_required
@require_POST
@repeat_safe
def point_end(request, pk: int):
    point = get_visible_or_404(
        ContactPoint, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township")
    )
    _require(request.user, "visits.write", point.village)
    form = EndForm(request.POST, prefix=f"e{point.pk}")
    if form.is_valid():

        def save() -> Result:
            contact_point_end(point=point, acting_user=request.user, **form.cleaned_data)
            return Result(reverse("orglife:visit-points"), "联系点已结束。")

        try:
            return submit_once(request, save, check_url=reverse("orglife:visit-points"))
        except ValidationError as exc:
            add_service_errors(form, exc)
    township = point.village.township
    return _points_page(request, township, _points_form(request, township), {point.pk: form})
