"""党情民意 pages: the queue (branch or township), recording a concern, its page with relaying and answering.

Thin views: scoped getter → form → service (`activity.concerns.services`) → message and redirect. A concern outside the
person's reach answers 404; inside it, a person who may not write gets 403 and nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activity.concerns.forms import AnswerForm, ConcernFilterForm, ConcernForm, RelayForm, add_service_errors
from activity.concerns.services import concern_answer, concern_record, concern_relay, for_listing, queue_order
from activity.models import Concern, concern_open, concern_overdue
from audit.submissions import Result, repeat_safe, submit_once
from core import clock
from core.words import day_cn
from township.changes import kept_html
from township.models import Village
from township.scoping import Role, get_visible_or_404, role_of, villages_for

PAGE_SIZE = 25
Handling = Concern.Handling
F = ConcernFilterForm


def may_write(user, place=None) -> bool:
    """Branch secretaries and township staff record and handle concerns; county viewers and group leaders do not."""
    return user.has_perm("concerns.write", place)


def _require_write(user, place=None) -> None:
    if not may_write(user, place):
        raise PermissionDenied


def _works_in_one_village(user) -> bool:
    return role_of(user) in {Role.BRANCH_SECRETARY, Role.GROUP_LEADER}


def _filters(today):
    return {
        F.OPEN: concern_open(),
        F.TOWNSHIP: Q(handling=Handling.TOWNSHIP),
        F.OVERDUE: concern_overdue(today),
        F.RESOLVED: Q(resolved_on__isnull=False),
        F.ALL: Q(),
    }


@login_required
def concern_list(request):
    """A secretary's branch queue (open concerns by default); the township's queue for staff and the county."""
    user = request.user
    today = clock.today()
    villages = villages_for(user)
    one_village = _works_in_one_village(user)
    form = ConcernFilterForm(request.GET, villages=villages)
    data = form.cleaned_data if form.is_valid() else {}
    show = data.get("show") or (F.OPEN if one_village else F.TOWNSHIP)
    village = data.get("village")
    group = request.GET.get("group", "")
    group = group if group.isdigit() and len(group) < 10 else ""
    q = (data.get("q") or "").strip()
    asked = request.GET.get("page") or "1"
    asked = asked if asked.isdigit() and len(asked) < 7 else "1"  # as the paginator reads it: anything else is page 1
    # the links of the tabs and the pager carry what the queue was narrowed by (and nothing else the address had)
    keep = QueryDict(mutable=True)
    for key, value in (("q", q), ("village", village.pk if village else ""), ("group", group)):
        if value:
            keep[key] = value
    keep["show"] = show

    def context() -> dict:
        base = Concern.objects.filter(village__in=villages.values("pk"))
        if village:
            base = base.filter(village=village)
        if group:  # a party group's own concerns (a leader's to-do list links here); the reach is already applied
            base = base.filter(party_group_id=int(group))
        if q:
            base = base.filter(
                Q(content__icontains=q)
                | Q(villager_name__icontains=q)
                | Q(raised_through__name__icontains=q)
                | Q(answer__icontains=q)
                | Q(answered_by__icontains=q)
            )
        filters = _filters(today)
        counts = base.aggregate(**{key: Count("pk", filter=cond) for key, cond in filters.items()})
        rows = for_listing(queue_order(base.filter(filters[show]), today))
        page = Paginator(rows, PAGE_SIZE).get_page(asked)
        for c in page.object_list:
            c.age = c.age_in_days(today)
        tabs = []
        for key, label in F.SHOW_CHOICES:
            link = keep.copy()
            link["show"] = key
            tabs.append({"key": key, "label": label, "count": counts[key], "query": link.urlencode()})
        return {"show": show, "tabs": tabs, "page": page, "query": keep.urlencode(), "many_villages": not one_village}

    # the tabs with their counts, the page of concerns and the pager: kept until a concern (the villages' day's work)
    # or the villages' data (a renamed group or member) changes, or the day ends (township/changes.py); the person's
    # reach is in the villages counted. A search is rendered each time: its words are seldom asked again.
    parts = ("activity/concerns/_tabs.html", "activity/concerns/_queue.html")
    if q:
        values = context()
        tabs, queue = (render_to_string(part, values) for part in parts)
    else:
        name = f"concerns:{today}:{show}:{village.pk if village else ''}:{group}:{asked}:{int(one_village)}"
        tabs, queue = kept_html(list(villages.values_list("pk", flat=True)), name, parts, context, work=True)
    return render(
        request,
        "activity/concerns/list.html",
        {
            "form": form,
            "show": show,
            "tabs": tabs,
            "queue": queue,
            "many_villages": not one_village,
            "may_write": may_write(user),
        },
    )


@login_required
@repeat_safe
def concern_new(request):
    """Record a concern. A secretary records in their village; township staff first choose the village."""
    _require_write(request.user)
    village = _village_for_new(request)
    if village is None:
        villages = villages_for(request.user).select_related("township").order_by("township__name", "name")
        return render(request, "activity/concerns/pick_village.html", {"villages": villages})
    if request.method == "POST":
        form = ConcernForm(request.POST, user=request.user, village=village)
        if form.is_valid():

            def record_concern() -> Result:
                concern = concern_record(**form.cleaned_data, acting_user=request.user)
                return Result(reverse("concerns:detail", args=[concern.pk]), _saved_message(concern))

            try:
                return submit_once(request, record_concern, check_url=reverse("concerns:list"))
            except ValidationError as exc:
                add_service_errors(form, exc)
    else:
        form = ConcernForm(user=request.user, village=village)
    return render(request, "activity/concerns/form.html", {"form": form, "village": village})


def _village_for_new(request) -> Village | None:
    """The secretary's own village; for someone with several, the one chosen (?village=…) within their reach."""
    if _works_in_one_village(request.user):
        return villages_for(request.user).first()
    chosen = request.GET.get("village", "")
    if not chosen:
        return None
    if not chosen.isdigit():
        raise Http404
    return get_visible_or_404(Village, request.user, pk=int(chosen))


def _saved_message(concern: Concern) -> str:
    if concern.resolved_on:
        return _("The concern is recorded and resolved on the spot.")
    if concern.handling == Handling.ON_SPOT:
        return _("The concern is recorded. Answer it on this page once it is dealt with.")
    return _("The concern is recorded (%(to)s); the answer is due by %(d)s.") % {
        "to": concern.get_handling_display(),
        "d": day_cn(concern.due_on),
    }


def _get(request, pk: int) -> Concern:
    """The concern, through the person's reach (outside it: 404, like a missing one), with what its page shows."""
    qs = Concern.objects.visible_to(request.user).select_related(
        "village__township", "villager_group", "party_group", "raised_through", "recorded_by"
    )
    try:
        return qs.get(pk=pk)
    except Concern.DoesNotExist as exc:
        raise Http404 from exc


def _detail(request, concern: Concern, *, relay_form=None, answer_form=None):
    today = clock.today()
    writable = may_write(request.user) and concern.resolved_on is None
    may_relay = writable and concern.handling != Handling.TOWNSHIP
    if may_relay and relay_form is None:
        relay_form = RelayForm(concern=concern)
    if writable and answer_form is None:
        answer_form = AnswerForm(concern=concern, user=request.user)
    return render(
        request,
        "activity/concerns/detail.html",
        {
            "concern": concern,
            "overdue": concern.is_overdue(today),
            "age": concern.age_in_days(today),
            "timeline": timeline(concern),
            "relay_form": relay_form if may_relay else None,
            "answer_form": answer_form if writable else None,
        },
    )


@login_required
def concern_detail(request, pk: int):
    return _detail(request, _get(request, pk))


@login_required
@require_POST
@repeat_safe
def concern_relay_view(request, pk: int):
    concern = _get(request, pk)
    _require_write(request.user)
    if concern.resolved_on is not None or concern.handling == Handling.TOWNSHIP:
        messages.error(
            request, _("This concern cannot be relayed further: it is resolved or already with the township.")
        )
        return redirect("concerns:detail", pk=concern.pk)
    form = RelayForm(request.POST, concern=concern)
    if form.is_valid():

        def relay() -> Result:
            relayed = concern_relay(concern=concern, acting_user=request.user, **form.cleaned_data)
            done = _("Done: %(to)s; the answer is due by %(d)s.") % {
                "to": relayed.get_handling_display(),
                "d": day_cn(relayed.due_on),
            }
            return Result(reverse("concerns:detail", args=[relayed.pk]), done)

        try:
            return submit_once(request, relay, check_url=reverse("concerns:detail", args=[concern.pk]))
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _detail(request, concern, relay_form=form)


@login_required
@require_POST
@repeat_safe
def concern_answer_view(request, pk: int):
    concern = _get(request, pk)
    _require_write(request.user)
    if concern.resolved_on is not None:
        messages.error(request, _("This concern is already resolved."))
        return redirect("concerns:detail", pk=concern.pk)
    form = AnswerForm(request.POST, concern=concern, user=request.user)
    if form.is_valid():
        detail_url = reverse("concerns:detail", args=[concern.pk])

        def answer() -> Result:
            concern_answer(concern=concern, acting_user=request.user, **form.cleaned_data)
            return Result(detail_url, _("The answer is recorded and the concern is resolved."))

        try:
            return submit_once(request, answer, check_url=detail_url)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _detail(request, concern, answer_form=form)


# --- the concern's history -----------------------------------------------------------------------------------------


def _who(row) -> str:
    user = row.history_user
    return (user.get_full_name() or user.get_username()) if user else "系统"  # an import or a command


def timeline(concern: Concern) -> list[dict]:
    """What happened to the concern and who did it, from its history rows (one query)."""
    rows = concern.history.select_related("history_user").order_by("history_date", "history_id")
    events: list[dict] = []
    prev = None
    for row in rows:
        event = {"who": _who(row), "at": row.history_date, "row": row}
        kinds = []
        if prev is None:
            kinds.append("recorded")
        elif row.handling != prev.handling:
            kinds.append("relayed")
        if row.resolved_on and (prev is None or not prev.resolved_on):
            kinds.append("answered")
        events += [{**event, "kind": kind} for kind in kinds or ["changed"]]
        prev = row
    return events
