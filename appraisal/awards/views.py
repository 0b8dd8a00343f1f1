"""The award pages (/awards/): a year's ranked candidates with their evidence and the nominations, the township's
decision within the quotas, deciding and locking the year, reopening it, the reserve lists, and the county's list
of recommendations.

Reach: the year through `township.scoping` (another township's year answers 404) and, inside it, only the villages
in the person's reach. Branch secretaries nominate in their own village; township staff decide; county viewers read
(403 on any write, nothing changes); group leaders have no award pages (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisal.awards import services as svc
from appraisal.awards.forms import DecideForm, NominateForm, ReasonForm, RecommendForm
from appraisal.models import AppraisalYear, Award, ReserveCandidate, YearReopening
from appraisal.rules import year_progress
from audit.submissions import Result, repeat_safe, submit_once
from core.templatetags.humanize_cn import yuan
from groups.models import PartyGroup
from members.models import PartyMember
from township.scoping import get_visible_or_404, villages_for

Kind, Status, State = Award.Kind, Award.Status, AppraisalYear.State
PAGE_SIZE = 50


# --- access ---------------------------------------------------------------------------------------------------------


def _check_reader(user) -> None:
    """Award pages are for township staff, secretaries and the county; a group leader has none of them."""
    if not user.has_perm("awards.read"):
        raise Http404


def _year(request, pk: int) -> AppraisalYear:
    _check_reader(request.user)
    return get_visible_or_404(
        AppraisalYear, request.user, shape=lambda qs: qs.select_related("township", "decided_by"), pk=pk
    )


def _reach(user, year: AppraisalYear):
    return villages_for(user).filter(township_id=year.township_id)


def may_nominate(user) -> bool:
    return user.has_perm("awards.nominate")


def is_township(user, year: AppraisalYear) -> bool:
    return user.has_perm("awards.decide", year.township)


def _township_year(request, pk: int) -> AppraisalYear:
    """The year, for a page only its township decides on: 404 outside reach, 403 inside it for anyone else."""
    year = _year(request, pk)
    if not is_township(request.user, year):
        raise PermissionDenied
    return year


def _year_url(year: AppraisalYear, kind: str | None = None) -> str:
    url = reverse("awards:year", args=[year.pk])
    return f"{url}?kind={kind}" if kind and kind != Kind.ADVANCED_GROUP else url


def _service_error(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _add_errors(form, exc: ValidationError, field_by_code: dict[str, str]) -> None:
    """Put a service's error next to the field it concerns (above the form otherwise)."""
    field = field_by_code.get(getattr(exc, "code", None))
    if getattr(exc, "code", None) == "quota":
        field = exc.params["kind"]
    form.add_error(field if field in form.fields else None, exc)


# --- the year -------------------------------------------------------------------------------------------------------


@login_required
def index(request):
    """The appraisal years in reach, newest first."""
    _check_reader(request.user)
    years = (
        AppraisalYear.objects.visible_to(request.user).select_related("township").order_by("township__name", "-year")
    )
    page = Paginator(years, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appraisal/awards/index.html", {"page": page})


def _matches(candidate, query: str) -> bool:
    names = [candidate.village.name]
    names.append(candidate.party_group.name if isinstance(candidate, svc.GroupCandidate) else candidate.member.name)
    return any(query in n for n in names)


@login_required
def year(request, pk: int):
    """A year's ranked candidates of one kind with their evidence, its nominations and awards, and the next step."""
    y = _year(request, pk)
    if y.depends_on_id:
        y.depends_on = YearReopening.objects.select_related("year", "reopened_by").get(pk=y.depends_on_id)
    kind = request.GET.get("kind")
    kind = kind if kind in svc.DECIDABLE_KINDS else Kind.ADVANCED_GROUP
    villages = _reach(request.user, y)
    query = request.GET.get("q", "").strip()
    candidates = svc.ranked_candidates(y, kind, villages)
    if query:
        candidates = [c for c in candidates if _matches(c, query)]
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    in_reach = Award.objects.filter(year=y, village__in=villages).select_related(
        "village", "party_group", "member", "nominated_by", "decided_by"
    )
    nominations = in_reach.filter(kind=kind).order_by(
        Case(When(status=Status.DECIDED, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "village__name",
        "party_group__name",
        "member__name",
    )
    township = is_township(request.user, y)
    query_string = "&".join(part for part in (f"kind={kind}", f"q={query}" if query else "") if part)
    return render(
        request,
        "appraisal/awards/year.html",
        {
            "year": y,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "summary": svc.year_summary(y, villages),
            "page": page,
            "query": query,
            "query_string": query_string,
            "nominations": nominations,
            "bonuses": in_reach.filter(kind=Kind.STREAK_BONUS).order_by("village__name", "member__name"),
            "reopenings": y.reopenings.select_related("reopened_by") if township or _is_county(request.user) else [],
            "may_nominate": may_nominate(request.user) and y.state == State.NOMINATING,
            "progress": year_progress(y),
            "is_township": township,
        },
    )


def _confirm(request, *, title: str, what: str, button: str, back: str):
    """The page that asks before something is withdrawn or deleted; its button posts to the same address."""
    return render(
        request, "appraisal/awards/confirm.html", {"title": title, "what": what, "button": button, "back": back}
    )


def _is_county(user) -> bool:
    return user.has_perm("county.read")


# --- nominations ----------------------------------------------------------------------------------------------------


def _nominee(request, y: AppraisalYear, kind: str, target: str):
    if not target.isdigit():
        raise Http404
    if kind == Kind.ADVANCED_GROUP:
        return get_visible_or_404(PartyGroup, request.user, pk=int(target), village__township_id=y.township_id)
    return get_visible_or_404(PartyMember, request.user, pk=int(target), village__township_id=y.township_id)


@login_required
@repeat_safe
def nominate(request, pk: int):
    """Nominate one group, leader or member, with the reason (the evidence is filled in)."""
    y = _year(request, pk)
    if not may_nominate(request.user):
        raise PermissionDenied
    params = request.POST if request.method == "POST" else request.GET
    kind = params.get("kind", "")
    if kind not in svc.DECIDABLE_KINDS:
        raise Http404
    nominee = _nominee(request, y, kind, params.get("target", ""))
    candidate = next((c for c in svc.CANDIDATES[kind](y, _reach(request.user, y)) if c.target_id == nominee.pk), None)
    if request.method == "POST":
        form = NominateForm(request.POST)
        if form.is_valid():
            target = {"party_group": nominee} if kind == Kind.ADVANCED_GROUP else {"member": nominee}

            def nominate_one() -> Result:
                svc.award_nominate(
                    year=y, kind=kind, reason=form.cleaned_data["reason"], acting_user=request.user, **target
                )
                done = _("%(who)s is nominated as “%(what)s”. The township decides.") % {
                    "who": getattr(nominee, "name", nominee),
                    "what": Kind(kind).label,
                }
                return Result(_year_url(y, kind), done)

            try:
                return submit_once(request, nominate_one, check_url=_year_url(y, kind))
            except ValidationError as exc:
                _add_errors(form, exc, {"reason": "reason"})
    else:
        form = NominateForm(initial={"reason": svc.evidence_text(y, candidate) if candidate else ""})
    return render(
        request,
        "appraisal/awards/nominate.html",
        {
            "year": y,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "nominee": nominee,
            "candidate": candidate,
            "form": form,
            "open": y.state == State.NOMINATING,
            "back": _year_url(y, kind),
        },
    )


@login_required
@repeat_safe
def withdraw(request, pk: int):
    """Withdraw a nomination: a page asks first (GET), its button withdraws (POST)."""
    _check_reader(request.user)
    award = get_visible_or_404(Award, request.user, pk=pk)
    if not may_nominate(request.user):
        raise PermissionDenied
    if request.method != "POST":
        award = Award.objects.select_related("year__township", "village", "party_group", "member").get(pk=award.pk)
        who = award.party_group.name if award.party_group_id else award.member.name
        return _confirm(
            request,
            title="撤回这项提名吗？",
            what=f"{award.village.name} · {who} · {award.get_kind_display()}",
            button="撤回提名",
            back=_year_url(award.year, award.kind),
        )
    year_url = _year_url(award.year, award.kind)

    def withdraw_one() -> Result:
        svc.award_withdraw(award=award, acting_user=request.user)
        return Result(year_url, _("The nomination is withdrawn."))

    try:
        return submit_once(request, withdraw_one, check_url=year_url)
    except ValidationError as exc:
        _service_error(request, exc)
    return redirect(year_url)


# --- the township's decision ----------------------------------------------------------------------------------------


@login_required
@require_POST
@repeat_safe
def start_nominating(request, pk: int):
    y = _township_year(request, pk)

    def start() -> Result:
        svc.year_start_nominating(year=y, acting_user=request.user)
        return Result(_year_url(y), _("Nominations are open: the branches can now nominate."))

    try:
        return submit_once(request, start, check_url=_year_url(y))
    except ValidationError as exc:
        _service_error(request, exc)
    return redirect(_year_url(y))


@login_required
@repeat_safe
def decide(request, pk: int):
    """The township's decision: a checkbox for every nomination, within each kind's quota, and the 公示 dates."""
    y = _township_year(request, pk)
    all_nominations = list(
        Award.objects.filter(year=y, kind__in=svc.DECIDABLE_KINDS)
        .select_related("village", "party_group", "member", "nominated_by")
        .order_by("village__name", "party_group__name", "member__name")
    )
    by_kind: dict[str, list[Award]] = {k: [] for k in svc.DECIDABLE_KINDS}
    for a in all_nominations:
        by_kind[a.kind].append(a)
    initial = {k: [a.pk for a in v if a.status == Status.DECIDED] for k, v in by_kind.items()}
    initial |= {
        "publicity_starts_on": y.publicity_starts_on,
        "publicity_ends_on": y.publicity_ends_on,
        "version": y.decision_version,
    }
    if request.method == "POST":
        form = DecideForm(request.POST, nominations=by_kind)
        if form.is_valid():
            chosen = {pk for k in svc.DECIDABLE_KINDS for pk in form.cleaned_data[k]}

            def decide_awards() -> Result:
                svc.award_decide(
                    year=y,
                    awards=[a for a in all_nominations if a.pk in chosen],
                    acting_user=request.user,
                    publicity=(form.cleaned_data["publicity_starts_on"], form.cleaned_data["publicity_ends_on"]),
                    reasons=form.reasons(),
                    version=form.cleaned_data["version"],
                )
                done = _("The decision is saved: %(n)d awards decided. Decide and lock the year when it is final.")
                record = y.decision_records.first()
                warnings = list(record.warnings) if record else []
                if warnings:
                    return Result(_year_url(y), " ".join([done % {"n": len(chosen)}, *warnings]), messages.WARNING)
                return Result(_year_url(y), done % {"n": len(chosen)})

            try:
                return submit_once(request, decide_awards, check_url=_year_url(y))
            except ValidationError as exc:
                if getattr(exc, "code", None) == "conflict":
                    _service_error(request, exc)  # someone else decided first: show what they decided
                    return redirect(reverse("awards:decide", args=[y.pk]))
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    _add_errors(form, exc, {"publicity": "publicity_ends_on"})
    else:
        form = DecideForm(initial=initial, nominations=by_kind)
    standings = svc.nomination_standings(y, all_nominations)
    ticked = {int(pk) for k in svc.DECIDABLE_KINDS for pk in form.checked(k) if str(pk).isdigit()}
    review = svc.decision_review(y, all_nominations, ticked, standings)
    kinds = [
        {
            "kind": k,
            "label": Kind(k).label,
            "field": form[k],
            "rows": [
                {
                    "award": a,
                    "candidate": standings.get(a.pk),
                    "evidence": _evidence_url(y, a, standings.get(a.pk)),
                    "reason": form[f"reason_{a.pk}"],
                    "tied": a.pk in review.ties[k],
                    "needs": review.messages.get(a.pk, ""),
                }
                for a in sorted(by_kind[k], key=lambda a: _rank_key(standings.get(a.pk)))
            ],
            "checked": form.checked(k),
            "quota": svc.quota_of(y, k),
            "amount": svc.amount_of(y, k),
            "decided": len(initial[k]),
            "tie": bool(review.ties[k]),
        }
        for k in svc.DECIDABLE_KINDS
    ]
    return render(
        request,
        "appraisal/awards/decide.html",
        {
            "year": y,
            "form": form,
            "kinds": kinds,
            "open": y.state == State.NOMINATING,
            "warnings": review.warnings,
            "same_person_allowed": y.township.leader_and_member_award_same_year,
        },
    )


def _rank_key(candidate) -> tuple:
    rank = getattr(candidate, "rank", None)
    return (rank is None, rank or 0)


def _evidence_url(y: AppraisalYear, award: Award, candidate) -> str:
    """Where the evidence behind a nomination's score is: its party group's year page, or the branch's 民主评议."""
    group = award.party_group or getattr(candidate, "party_group", None)
    if group is not None:
        return reverse("appraisal:group", args=[y.pk, group.pk])
    return reverse("appraisal:village-reviews", args=[y.pk, award.village_id])


@login_required
@repeat_safe
def lock(request, pk: int):
    """Decide and lock the year, after a page that shows what it decides and what the streak rule will give."""
    y = _township_year(request, pk)
    if request.method == "POST":

        def decide_year() -> Result:
            decision = svc.year_decide(year=y, acting_user=request.user)
            # the bonuses' names are read inside the transaction: nothing after the commit can fail the page
            text = _("The %(y)d appraisal is decided and locked.") % {"y": y.year}
            if decision.bonuses:
                text += " " + _("Streak bonuses: %(who)s.") % {
                    "who": "、".join(f"{b.member.name}（{yuan(b.amount)}）" for b in decision.bonuses)
                }
            return Result(_year_url(y), text)

        try:
            return submit_once(request, decide_year, check_url=_year_url(y))
        except ValidationError as exc:
            _service_error(request, exc)
            return redirect(reverse("awards:lock", args=[y.pk]))
    ready = y.state == State.NOMINATING
    return render(
        request,
        "appraisal/awards/lock.html",
        {
            "year": y,
            "summary": svc.year_summary(y),
            "streaks": svc.streak_outcomes(y) if ready else [],
            "undecided": Award.objects.filter(year=y, status=Status.NOMINATED).count(),
            "ready": ready,
        },
    )


@login_required
@repeat_safe
def reopen(request, pk: int):
    """Reopen a decided year, with the reason; the page says what the reopening removes."""
    y = _township_year(request, pk)
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():

            def reopen_year() -> Result:
                svc.year_reopen(year=y, reason=form.cleaned_data["reason"], acting_user=request.user)
                text = _("The %(y)d appraisal is reopened; decide it again when done.") % {"y": y.year}
                later = svc.later_decided_years(y)
                if not later:
                    return Result(_year_url(y), text)
                warning = _(
                    "Later years already decided (%(years)s) counted this year in their streaks; reopen "
                    "them too if the change matters to a streak."
                ) % {"years": "、".join(map(str, later))}
                return Result(_year_url(y), f"{text} {warning}", messages.WARNING)

            try:
                return submit_once(request, reopen_year, check_url=_year_url(y))
            except ValidationError as exc:
                _add_errors(form, exc, {"reason": "reason"})
    else:
        form = ReasonForm()
    bonuses, reserve_entries, preview = [], [], []
    if y.is_locked:
        bonuses, reserve_entries = svc.made_by_decision(y)
        bonuses = bonuses.select_related("member", "village")
        reserve_entries = reserve_entries.select_related("member", "village")
        preview = svc.reopen_preview(y)
    return render(
        request,
        "appraisal/awards/reopen.html",
        {
            "year": y,
            "form": form,
            "decided": y.is_locked,
            "bonuses": bonuses,
            "reserve": reserve_entries,
            "later": svc.later_decided_years(y),
            "preview": preview,
        },
    )


@login_required
@repeat_safe
def review(request, pk: int):
    """A later decided year after an earlier one was reopened: what its streak results would change, and the
    township's re-decision with a reason (kept with every row before and after)."""
    y = _township_year(request, pk)
    reopening = y.depends_on
    earlier = AppraisalYear.objects.get(pk=reopening.year_id) if reopening else None
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():

            def redecide() -> Result:
                svc.year_redecide_dependent(year=y, reason=form.cleaned_data["reason"], acting_user=request.user)
                return Result(_year_url(y), _("The %(y)d streak results are re-decided.") % {"y": y.year})

            try:
                return submit_once(request, redecide, check_url=reverse("awards:review", args=[y.pk]))
            except ValidationError as exc:
                _add_errors(form, exc, {"reason": "reason"})
    else:
        form = ReasonForm()
    changes = svc.dependent_changes(y) if reopening and y.is_locked else None
    records = y.decision_records.select_related("decided_by", "depends_on__year")[:20]
    return render(
        request,
        "appraisal/awards/review.html",
        {"year": y, "form": form, "reopening": reopening, "earlier": earlier, "changes": changes, "records": records},
    )


# --- the reserve lists ----------------------------------------------------------------------------------------------


@login_required
def reserve(request, pk: int):
    """The year's reserve lists: the village three-post reserve and the recommendations to the county, with reasons."""
    y = _year(request, pk)
    entries = (
        ReserveCandidate.objects.filter(year=y, village__in=_reach(request.user, y))
        .select_related("member", "village", "added_by")
        .order_by("village__name", "member__name")
    )
    by_list = {value: [] for value in ReserveCandidate.List.values}
    for e in entries:
        by_list[e.list].append(e)
    return render(
        request,
        "appraisal/awards/reserve.html",
        {
            "year": y,
            "village_list": by_list[ReserveCandidate.List.VILLAGE_THREE_POSTS],
            "county_list": by_list[ReserveCandidate.List.COUNTY_RECOMMENDED],
            "may_recommend": is_township(request.user, y) and not y.is_locked,
        },
    )


@login_required
@repeat_safe
def recommend(request, pk: int):
    """Recommend an outstanding leader or member to the county as a reserve township cadre."""
    y = _township_year(request, pk)
    members = svc.recommendable_members(y, _reach(request.user, y))
    if request.method == "POST":
        form = RecommendForm(request.POST, members=members)
        if form.is_valid():

            def recommend_one() -> Result:
                entry = svc.recommend_to_county(year=y, acting_user=request.user, **form.cleaned_data)
                done = _("%(m)s is recommended to the county.") % {"m": entry.member.name}
                return Result(reverse("awards:reserve", args=[y.pk]), done)

            try:
                return submit_once(request, recommend_one, check_url=reverse("awards:reserve", args=[y.pk]))
            except ValidationError as exc:
                _add_errors(form, exc, {"reason": "reason", "not_eligible": "member", "duplicate": "member"})
    else:
        form = RecommendForm(members=members)
    return render(request, "appraisal/awards/recommend.html", {"year": y, "form": form, "locked": y.is_locked})


@login_required
@repeat_safe
def reserve_remove(request, pk: int):
    """Take back a recommendation to the county: a page asks first (GET), its button takes it back (POST)."""
    _check_reader(request.user)
    entry = get_visible_or_404(ReserveCandidate, request.user, pk=pk)
    entry = ReserveCandidate.objects.select_related("year", "village", "member").get(pk=entry.pk)
    if not request.user.has_perm("awards.decide", entry.village.township):
        raise PermissionDenied
    if request.method != "POST":
        return _confirm(
            request,
            title="撤回这项推荐吗？",
            what=f"{entry.village.name} · {entry.member.name} · {entry.year.year}年",
            button="撤回推荐",
            back=reverse("awards:reserve", args=[entry.year_id]),
        )
    reserve_url = reverse("awards:reserve", args=[entry.year_id])

    def withdraw_recommendation() -> Result:
        svc.recommendation_withdraw(entry=entry, acting_user=request.user)
        return Result(reserve_url, _("The recommendation is withdrawn."))

    try:
        return submit_once(request, withdraw_recommendation, check_url=reserve_url)
    except ValidationError as exc:
        _service_error(request, exc)
    return redirect(reserve_url)


@login_required
def county(request):
    """The recommendations to the county as reserve township cadres, in the person's reach (read-only)."""
    _check_reader(request.user)
    entries = (
        ReserveCandidate.objects.visible_to(request.user)
        .filter(list=ReserveCandidate.List.COUNTY_RECOMMENDED)
        .select_related("member", "village__township", "year", "added_by")
        .order_by("-year__year", "village__township__name", "village__name", "member__name")
    )
    chosen_year = request.GET.get("year", "")
    if chosen_year.isdigit():
        entries = entries.filter(year__year=int(chosen_year))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "appraisal/awards/county.html",
        {"page": page, "chosen_year": chosen_year, "query_string": f"year={chosen_year}" if chosen_year else ""},
    )
