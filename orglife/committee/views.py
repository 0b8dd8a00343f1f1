"""The branch committee page (支部委员会成员): who holds which post from when to when, adding a member's term and
ending one. Objects come through the person's reach (`get_visible_or_404`: another village's answers 404); inside
the reach, reading needs `orglife.read` and writing `orglife.write` (403 otherwise)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activity.concerns.forms import add_service_errors
from audit.submissions import Result, repeat_safe, submit_once
from core import clock
from core.words import day_cn
from members.models import PartyMember
from orglife.committee.forms import EndForm, SeatForm
from orglife.committee.models import CommitteeSeat
from orglife.committee.services import POST_ORDER, committee_seat_add, committee_seat_end
from township.models import Village
from township.scoping import get_visible_or_404


def _seat_form(village: Village, data=None) -> SeatForm:
    members = PartyMember.objects.filter(village=village, left_on__isnull=True).order_by("name", "pk")
    return SeatForm(data, members=members)


def _page(request, village: Village, form, end_forms=None):
    today = clock.today()
    seats = list(CommitteeSeat.objects.filter(village=village).select_related("member"))
    current = sorted(
        (s for s in seats if s.started_on <= today and (s.ended_on is None or s.ended_on > today)),
        key=lambda s: (POST_ORDER[s.post], s.member.name),
    )
    others = [s for s in seats if s not in current]
    end_forms = end_forms or {}
    rows = [(s, end_forms.get(s.pk) or EndForm(prefix=f"e{s.pk}", initial={"ended_on": today})) for s in current]
    return render(
        request,
        "orglife/committee/village.html",
        {
            "village": village,
            "rows": rows,
            "others": others,
            "form": form,
            "year": today.year,
            "may_write": request.user.has_perm("orglife.write", village),
        },
    )


@login_required
@repeat_safe
def committee(request, pk: int):
    """The branch's committee today and its past terms; recording a member's term."""
    village = get_visible_or_404(Village, request.user, pk=pk, shape=lambda qs: qs.select_related("township"))
    if not request.user.has_perm("orglife.read", village):
        raise PermissionDenied
    form = None
    if request.user.has_perm("orglife.write", village):
        if request.method == "POST":
            form = _seat_form(village, request.POST)
            if form.is_valid():
                here = reverse("orglife:committee", args=[village.pk])

                def save() -> Result:
                    seat = committee_seat_add(village=village, acting_user=request.user, **form.cleaned_data)
                    text = f"已登记：{seat.member.name}自{day_cn(seat.started_on)}任{seat.get_post_display()}。"
                    return Result(here, text)

                try:
                    return submit_once(request, save, check_url=here)
                except ValidationError as exc:
                    add_service_errors(form, exc)
        else:
            form = _seat_form(village)
    elif request.method == "POST":
        raise PermissionDenied
    return _page(request, village, form)


@login_required
@require_POST
@repeat_safe
def seat_end(request, pk: int):
    seat = get_visible_or_404(
        CommitteeSeat, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township", "member")
    )
    village = seat.village
    if not request.user.has_perm("orglife.write", village):
        raise PermissionDenied
    form = EndForm(request.POST, prefix=f"e{seat.pk}")
    here = reverse("orglife:committee", args=[village.pk])
    if form.is_valid():

        def save() -> Result:
            committee_seat_end(seat=seat, acting_user=request.user, **form.cleaned_data)
            return Result(here, f"已登记{seat.member.name}离任{seat.get_post_display()}。")

        try:
            return submit_once(request, save, check_url=here)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _page(request, village, _seat_form(village), {seat.pk: form})
