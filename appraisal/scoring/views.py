"""The appraisal pages (/appraisal/): the township's years, the regular appraisal's scores with their evidence, spot
checks, 民主评议 grades and the branches' year-end appraisal, and the Excel downloads of the scores and branch table.

Reach: a year through `AppraisalYear.visible_to` (its township), party groups, villages and checks through their own
`visible_to`; outside it answers 404. Township staff write everything; a branch secretary enters the 民主评议 of their
own village and reads their village's part; the county viewer reads (403 on any write); group leaders have no
appraisal pages (404), as they have no village pages.
"""

from __future__ import annotations

import random
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisal.exports import scores as exporting_scores
from appraisal.models import AppraisalYear, GroupScore, SpotCheck
from appraisal.rules import QUARTERS, group_year_scores, year_progress
from appraisal.scoring import selectors
from appraisal.scoring import services as scoring
from appraisal.scoring.evidence import ZERO, quarters_begun
from appraisal.scoring.forms import (
    BranchForm,
    ComputeForm,
    DrawForm,
    FollowUpForm,
    ReviewsForm,
    ScoreForm,
    SpotCheckForm,
    YearOpenForm,
)
from audit.events import Action, record
from audit.submissions import Result, repeat_safe, submit_once
from core import clock, periods
from core.words import day_cn
from core.xlsx import draft_filename, xlsx_response
from groups.models import PartyGroup
from township.models import Township, Village
from township.scoping import (
    Role,
    get_visible_or_404,
    role_of,
    townships_for,
)

PAGE_SIZE = 50


# --- who may do what -------------------------------------------------------------------------------------------


def may_run_appraisal(user, year: AppraisalYear | None = None) -> bool:
    """Township staff (and the administrator) compute, score, check and appraise the branches."""
    return user.has_perm("scores.write", year)


def may_grade(user, village: Village) -> bool:
    """民主评议 grades: the village's own secretary, or township staff (the village is already in reach)."""
    return user.has_perm("reviews.write", village)


def _reader(user) -> None:
    if not user.has_perm("scores.read"):
        raise Http404  # a group leader's reach is their own group's month


def _year(request, pk: int) -> AppraisalYear:
    _reader(request.user)
    year = get_visible_or_404(AppraisalYear, request.user, pk=pk)
    return AppraisalYear.objects.select_related("township").get(pk=year.pk)


def _staff_year(request, pk: int) -> AppraisalYear:
    year = _year(request, pk)
    if not may_run_appraisal(request.user):
        raise PermissionDenied
    return year


def _group(request, year: AppraisalYear, group_pk: int) -> PartyGroup:
    group = get_visible_or_404(PartyGroup, request.user, pk=group_pk)
    group = PartyGroup.objects.select_related("village").get(pk=group.pk)
    if group.village.township_id != year.township_id:
        raise Http404
    return group


def _village(request, year: AppraisalYear, village_pk: int) -> Village:
    village = get_visible_or_404(Village, request.user, pk=village_pk)
    if village.township_id != year.township_id:
        raise Http404
    return village


def _visible_groups(request, year: AppraisalYear):
    return selectors.groups_of_year(year, PartyGroup.objects.visible_to(request.user))


def _visible_villages(request, year: AppraisalYear):
    return Village.objects.visible_to(request.user).filter(township_id=year.township_id)


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they name (and above the form otherwise)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _refuse(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- years ---------------------------------------------------------------------------------------------------


@login_required
def index(request):
    """The appraisal years of the townships in reach, newest first; township staff open a new one here."""
    years = (
        AppraisalYear.objects.none()
        if not request.user.has_perm("scores.read")
        else AppraisalYear.objects.visible_to(request.user)
        .select_related("township")
        .order_by("township__name", "-year")
    )
    page = Paginator(years, 25).get_page(request.GET.get("page"))
    townships = Township.objects.filter(pk__in=townships_for(request.user).values("pk")).order_by("name")
    form = YearOpenForm(townships=townships) if may_run_appraisal(request.user) else None
    return render(request, "appraisal/scoring/index.html", {"page": page, "form": form})


@login_required
@repeat_safe
def year_new(request):
    """Open a year (POST from the index page); a GET goes back to the index."""
    if request.method != "POST":
        return redirect("appraisal:index")
    if not may_run_appraisal(request.user):
        raise PermissionDenied
    townships = Township.objects.filter(pk__in=townships_for(request.user).values("pk")).order_by("name")
    form = YearOpenForm(request.POST, townships=townships)
    if form.is_valid():
        township = form.cleaned_data.get("township") or townships.first()
        if township is None:
            raise PermissionDenied

        def open_year() -> Result:
            year = scoring.appraisal_year_open(
                township=township, year=form.cleaned_data["year"], acting_user=request.user
            )
            text = _("The %(y)d appraisal of %(t)s is open, with the rules and items shown below.") % {
                "y": year.year,
                "t": township.name,
            }
            return Result(reverse("appraisal:year", args=[year.pk]), text)

        try:
            return submit_once(request, open_year, check_url=reverse("appraisal:index"))
        except ValidationError as exc:
            add_service_errors(form, exc)
    years = AppraisalYear.objects.visible_to(request.user).select_related("township").order_by("-year")
    page = Paginator(years, 25).get_page(1)
    return render(request, "appraisal/scoring/index.html", {"page": page, "form": form}, status=400)


@login_required
def year_detail(request, pk: int):
    """The year's rules and state, its rubric, and where to go next."""
    year = _year(request, pk)
    villages = list(_visible_villages(request, year).order_by("name"))
    own_village = villages[0] if role_of(request.user) == Role.BRANCH_SECRETARY and villages else None
    return render(
        request,
        "appraisal/scoring/year.html",
        {
            "year": year,
            "rubric": list(year.rubric.all()),
            "quarter_max": selectors.quarter_maximum(year),
            "reopenings": list(year.reopenings.select_related("reopened_by")),
            "own_village": own_village,
            "may_run": may_run_appraisal(request.user),
            "share": scoring.share_text(year.excellent_share),
        },
    )


# --- scores --------------------------------------------------------------------------------------------------


@login_required
def scores(request, pk: int):
    """Every party group in reach ranked by its year score, with each quarter's total linking to its evidence."""
    year = _year(request, pk)
    query = request.GET.get("q", "").strip()
    groups = _visible_groups(request, year)
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(village__name__icontains=query))
    rows = selectors.score_table(year, groups)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    begun = quarters_begun(year)
    return render(
        request,
        "appraisal/scoring/scores.html",
        {
            "year": year,
            "page": page,
            "query": query,
            "query_string": urlencode({"q": query}) if query else "",
            "quarters": range(1, QUARTERS + 1),
            "quarter_max": selectors.quarter_maximum(year),
            "begun": begun,
            "progress": year_progress(year),
            "may_run": may_run_appraisal(request.user, year) and not year.is_locked,
        },
    )


@login_required
@require_POST
@repeat_safe
def compute(request, pk: int):
    year = _staff_year(request, pk)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a quarter from 1 to 4."))
        return redirect("appraisal:scores", pk=year.pk)
    quarter = form.cleaned_data["quarter"]
    scores_url = reverse("appraisal:scores", args=[year.pk])

    def compute_quarter() -> Result:
        result = scoring.scores_compute(year=year, quarter=quarter, acting_user=request.user)
        text = _("Quarter %(q)d computed for %(n)d party groups from their records.") % {
            "q": quarter,
            "n": result.groups,
        }
        if result.in_progress:
            text += " " + _("The quarter is not over: the figures cover the months so far.")
        return Result(scores_url, text)

    try:
        return submit_once(request, compute_quarter, check_url=scores_url)
    except ValidationError as exc:
        _refuse(request, exc)
    return redirect(scores_url)


@login_required
def group_year(request, pk: int, group_pk: int):
    """One group's year: each item's points per quarter, its spot checks, and how the year score is made."""
    year = _year(request, pk)
    group = _group(request, year, group_pk)
    items, grid = selectors.group_year_grid(year, group)
    rows = [(item, [grid.get((item.pk, q)) for q in range(1, QUARTERS + 1)]) for item in items]
    totals = [sum((grid[(i.pk, q)] for i in items if (i.pk, q) in grid), ZERO) for q in range(1, QUARTERS + 1)]
    scored = {q for (_i, q) in grid}
    checks = list(SpotCheck.objects.filter(year=year, party_group=group).order_by("-checked_on"))
    return render(
        request,
        "appraisal/scoring/group.html",
        {
            "year": year,
            "group": group,
            "rows": rows,
            "totals": [(q, t if q in scored else None) for q, t in zip(range(1, QUARTERS + 1), totals, strict=True)],
            "quarter_max": selectors.quarter_maximum(year),
            "checks": [(c, scoring.rectification_state(c)) for c in checks],
            "year_score": group_year_scores(year, [group.pk]).get(group.pk),
            "progress": year_progress(year),
            "may_run": may_run_appraisal(request.user, year) and not year.is_locked,
        },
    )


@login_required
def quarter(request, pk: int, group_pk: int, quarter: int):
    """A quarter's detail: every item's points with the evidence, and links to the monthly records behind them."""
    year = _year(request, pk)
    group = _group(request, year, group_pk)
    if not 1 <= quarter <= QUARTERS:
        raise Http404
    detail = selectors.quarter_detail(year, group, quarter)
    this_month = clock.this_month()
    established = periods.month_of(group.established_on)
    months = [m for m in periods.quarter_months(year.year, quarter) if established <= m <= this_month]
    total = sum((d.score.points for d in detail if d.score), ZERO)
    return render(
        request,
        "appraisal/scoring/quarter.html",
        {
            "year": year,
            "group": group,
            "quarter": quarter,
            "detail": detail,
            "total": total if any(d.score for d in detail) else None,
            "quarter_max": selectors.quarter_maximum(year),
            "months": months,
            "may_run": may_run_appraisal(request.user, year) and not year.is_locked,
        },
    )


@login_required
@repeat_safe
def score_enter(request, pk: int, group_pk: int):
    """The assessor's points on a manual item (for example 群众评价) for one quarter."""
    year = _year(request, pk)
    group = _group(request, year, group_pk)
    if not may_run_appraisal(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ScoreForm(request.POST, year=year)
        if form.is_valid():
            data = form.cleaned_data

            def enter_score() -> Result:
                score = scoring.score_enter(year=year, party_group=group, acting_user=request.user, **data)
                text = _("Saved: %(i)s, quarter %(q)d, %(p)s points.") % {
                    "i": score.item.name,
                    "q": score.quarter,
                    "p": score.points,
                }
                return Result(reverse("appraisal:quarter", args=[year.pk, group.pk, score.quarter]), text)

            try:
                return submit_once(request, enter_score, check_url=reverse("appraisal:group", args=[year.pk, group.pk]))
            except ValidationError as exc:
                add_service_errors(form, exc)
    else:
        initial = {}
        if request.GET.get("quarter", "").isdigit():
            initial["quarter"] = int(request.GET["quarter"])
        if request.GET.get("item", "").isdigit():
            initial["item"] = int(request.GET["item"])
        if "quarter" in initial and "item" in initial:  # 修改得分: the points and their basis as they stand
            current = GroupScore.objects.filter(
                year=year, party_group=group, quarter=initial["quarter"], item_id=initial["item"]
            ).first()
            if current is not None:
                initial |= {"points": current.points, "evidence": current.evidence}
        form = ScoreForm(year=year, initial=initial)
    return render(request, "appraisal/scoring/score_form.html", {"year": year, "group": group, "form": form})


@login_required
@transaction.atomic  # the rows read and the EXPORT event in one transaction (a savepoint only when nested)
def scores_xlsx(request, pk: int):
    year = _year(request, pk)
    groups = _visible_groups(request, year)
    table = selectors.score_table(year, groups)
    content = exporting_scores.scores_workbook(
        year,
        table,
        details=exporting_scores.score_details(year, groups),
        checks=selectors.spot_checks_for(year, SpotCheck.objects.visible_to(request.user)),
    )
    record(Action.EXPORT, request=request, obj=year, rows=len(table), export="appraisal_scores")
    name = _("%(t)s %(y)d party group appraisal scores.xlsx") % {"t": year.township.name, "y": year.year}
    name = draft_filename(name, year.state != AppraisalYear.State.DECIDED)
    return xlsx_response(content, name, f"appraisal-scores-{year.year}-{year.pk}.xlsx")


# --- spot checks -------------------------------------------------------------------------------------------------


@login_required
def spot_checks(request, pk: int):
    """The year's spot checks in reach, newest first, with the state of each rectification notice."""
    year = _year(request, pk)
    only_open = request.GET.get("open") == "1"
    checks = selectors.spot_checks_for(year, SpotCheck.objects.visible_to(request.user))
    if only_open:
        checks = checks.exclude(rectification="").filter(rectified_on__isnull=True)
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    return render(
        request,
        "appraisal/scoring/spot_checks.html",
        {
            "year": year,
            "page": page,
            "rows": [(c, scoring.rectification_state(c, today)) for c in page.object_list],
            "only_open": only_open,
            "query_string": "open=1" if only_open else "",
            "may_run": may_run_appraisal(request.user, year) and not year.is_locked,
        },
    )


@login_required
@repeat_safe
def spot_check_new(request, pk: int):
    year = _staff_year(request, pk)
    groups = _visible_groups(request, year)
    if request.method == "POST":
        form = SpotCheckForm(request.POST, groups=groups)
        if form.is_valid():

            def record_check() -> Result:
                check = scoring.spot_check_record(year=year, acting_user=request.user, **form.cleaned_data)
                url = reverse("appraisal:spot-check", args=[check.pk])
                if check.rectification:
                    text = _("The spot check is recorded, with a rectification notice due by %(d)s.") % {
                        "d": day_cn(check.rectify_by)
                    }
                    return Result(url, text, messages.WARNING)
                return Result(url, _("The spot check is recorded."))

            try:
                return submit_once(request, record_check, check_url=reverse("appraisal:spot-checks", args=[year.pk]))
            except ValidationError as exc:
                add_service_errors(form, exc)
    else:
        initial = {"checked_by": request.user.get_full_name() or request.user.username}
        if request.GET.get("group", "").isdigit():
            initial["party_group"] = int(request.GET["group"])
        form = SpotCheckForm(groups=groups, initial=initial)
    return render(request, "appraisal/scoring/spot_check_form.html", {"year": year, "form": form})


def _check(request, pk: int) -> SpotCheck:
    _reader(request.user)
    check = get_visible_or_404(SpotCheck, request.user, pk=pk)
    return SpotCheck.objects.select_related("year__township", "party_group__village", "recorded_by").get(pk=check.pk)


@login_required
def spot_check(request, pk: int):
    check = _check(request, pk)
    may_follow = may_run_appraisal(request.user) and not check.year.is_locked and bool(check.rectification)
    form = (
        FollowUpForm(initial={"follow_up": check.follow_up, "rectified_on": check.rectified_on}) if may_follow else None
    )
    return _render_check(request, check, form)


def _render_check(request, check: SpotCheck, form, status: int = 200):
    return render(
        request,
        "appraisal/scoring/spot_check.html",
        {
            "check": check,
            "year": check.year,
            "state": scoring.rectification_state(check),
            "form": form,
            "history": list(check.history.select_related("history_user").order_by("-history_date")[:20]),
        },
        status=status,
    )


@login_required
@require_POST
@repeat_safe
def spot_check_follow_up(request, pk: int):
    check = _check(request, pk)
    if not may_run_appraisal(request.user):
        raise PermissionDenied
    form = FollowUpForm(request.POST)
    if form.is_valid():
        check_url = reverse("appraisal:spot-check", args=[check.pk])

        def follow_up() -> Result:
            done = scoring.spot_check_follow_up(check=check, acting_user=request.user, **form.cleaned_data)
            if done.rectified_on:
                return Result(check_url, _("The rectification is recorded as done."))
            return Result(check_url, _("The follow-up is recorded; the notice stays open."))

        try:
            return submit_once(request, follow_up, check_url=check_url)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _render_check(request, check, form, status=400)


@login_required
def spot_check_draw(request, pk: int):
    """Draw party groups at random for a round of checks (those not yet checked this year first). Reading only: the
    draw number is shown, and the same number draws the same groups again."""
    year = _staff_year(request, pk)
    drawn = None
    form = DrawForm(request.GET or None)
    seed = None
    if form.is_bound and form.is_valid():
        seed = form.cleaned_data["seed"]
        if seed is None:
            seed = random.SystemRandom().randrange(1_000_000)
        drawn = scoring.spot_check_draw(year=year, count=form.cleaned_data["count"], seed=seed)
        checked = set(SpotCheck.objects.filter(year=year).values_list("party_group_id", flat=True))
        drawn = [(g, g.pk in checked) for g in drawn]
    return render(request, "appraisal/scoring/draw.html", {"year": year, "form": form, "drawn": drawn, "seed": seed})


# --- 民主评议 ----------------------------------------------------------------------------------------------------


@login_required
def reviews(request, pk: int):
    """Each branch's 民主评议 progress against the 优秀 limit; a secretary goes straight to their own branch."""
    year = _year(request, pk)
    villages = _visible_villages(request, year)
    if role_of(request.user) == Role.BRANCH_SECRETARY:
        own = villages.first()
        if own is not None:
            return redirect("appraisal:village-reviews", pk=year.pk, village_pk=own.pk)
    return render(
        request,
        "appraisal/scoring/reviews_index.html",
        {
            "year": year,
            "rows": selectors.review_summaries(year, villages),
            "share": scoring.share_text(year.excellent_share),
        },
    )


@login_required
@repeat_safe
def village_reviews(request, pk: int, village_pk: int):
    """A branch's 民主评议: every member's grade in one form, the 优秀 limit shown; a refused save keeps the input."""
    year = _year(request, pk)
    village = _village(request, year, village_pk)
    may_write = may_grade(request.user, village) and not year.is_locked
    members = selectors.review_sheet(village, year.year)
    status = 200
    if request.method == "POST":
        if not may_grade(request.user, village):
            raise PermissionDenied
        form = ReviewsForm(request.POST, members=members)
        if form.is_valid():
            reviews_url = reverse("appraisal:village-reviews", args=[year.pk, village.pk])

            def save_grades() -> Result:
                scoring.reviews_save(village=village, year=year, grades=form.grades(), acting_user=request.user)
                return Result(reviews_url, _("The 民主评议 grades of %(v)s are saved.") % {"v": village.name})

            try:
                return submit_once(request, save_grades, check_url=reviews_url)
            except ValidationError as exc:
                add_service_errors(form, exc)
        status = 400
    else:
        form = ReviewsForm(members=members)
    graded = sum(1 for m in members if m.grade)
    excellent = sum(1 for m in members if m.grade == scoring.Grade.EXCELLENT)
    return render(
        request,
        "appraisal/scoring/reviews.html",
        {
            "year": year,
            "village": village,
            "form": form,
            "may_write": may_write,
            "share": scoring.share_text(year.excellent_share),
            "graded": graded,
            "excellent": excellent,
            "entitled": len(members),
            "allowed": scoring.excellent_allowed(len(members), year.excellent_share),
        },
        status=status,
    )


# --- the branches' year-end appraisal ---------------------------------------------------------------------------


@login_required
def branches(request, pk: int):
    """Every branch in reach with the township's points, its groups' part and the weighted total, ranked."""
    year = _year(request, pk)
    rows = selectors.branch_table(year, _visible_villages(request, year))
    return render(
        request,
        "appraisal/scoring/branches.html",
        {
            "year": year,
            "rows": rows,
            "weight": year.group_work_weight,
            "township_weight": scoring.HUNDRED - year.group_work_weight,
            "any_stale": any(r.stale for r in rows),
            "may_run": may_run_appraisal(request.user, year) and not year.is_locked,
        },
    )


@login_required
@repeat_safe
def branch_enter(request, pk: int, village_pk: int):
    year = _year(request, pk)
    village = _village(request, year, village_pk)
    if not may_run_appraisal(request.user):
        raise PermissionDenied
    current = year.branch_appraisals.filter(village=village).first()
    if request.method == "POST":
        form = BranchForm(request.POST)
        if form.is_valid():
            branches_url = reverse("appraisal:branches", args=[year.pk])

            def enter_branch() -> Result:
                row = scoring.branch_appraisal_enter(
                    year=year, village=village, acting_user=request.user, **form.cleaned_data
                )
                text = _("%(v)s: township %(t)s, party groups %(g)s, total %(s)s.") % {
                    "v": village.name,
                    "t": row.township_points,
                    "g": row.group_points,
                    "s": row.total,
                }
                return Result(branches_url, text)

            try:
                return submit_once(request, enter_branch, check_url=branches_url)
            except ValidationError as exc:
                add_service_errors(form, exc)
    else:
        form = BranchForm(
            initial={"township_points": current.township_points, "notes": current.notes} if current else None
        )
    live = scoring.village_group_points(year, [village.pk]).get(village.pk)
    return render(
        request,
        "appraisal/scoring/branch_form.html",
        {
            "year": year,
            "village": village,
            "dues": selectors.dues_lines(year, [village]).get(village.pk),
            "orglife": selectors.orglife_lines(year, [village]).get(village.pk),
            "form": form,
            "current": current,
            "group_points": live[0] if live else None,
            "groups_scored": live[1] if live else 0,
            "weight": year.group_work_weight,
        },
    )


@login_required
@require_POST
@repeat_safe
def branches_refresh(request, pk: int):
    year = _staff_year(request, pk)
    branches_url = reverse("appraisal:branches", args=[year.pk])

    def refresh() -> Result:
        n = scoring.branch_appraisals_refresh(year=year, acting_user=request.user)
        return Result(branches_url, _("Updated %(n)d branches with their party groups' current scores.") % {"n": n})

    try:
        return submit_once(request, refresh, check_url=branches_url)
    except ValidationError as exc:
        _refuse(request, exc)
    return redirect(branches_url)


@login_required
@transaction.atomic  # the rows read and the EXPORT event in one transaction (a savepoint only when nested)
def branches_xlsx(request, pk: int):
    year = _year(request, pk)
    table = selectors.branch_table(year, _visible_villages(request, year))
    content = exporting_scores.branches_workbook(year, table)
    record(Action.EXPORT, request=request, obj=year, rows=len(table), export="branch_appraisal")
    name = _("%(t)s %(y)d branch year-end appraisal.xlsx") % {"t": year.township.name, "y": year.year}
    name = draft_filename(name, year.state != AppraisalYear.State.DECIDED)
    return xlsx_response(content, name, f"branch-appraisal-{year.year}-{year.pk}.xlsx")
