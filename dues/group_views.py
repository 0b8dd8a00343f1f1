"""The party group's dues pages: the group leader collects from their own group's members (组长收缴) and records each
payment; the branch receipts it in the same book. A leader reaches only their own group (another group of the village
answers 403, another village's 404); the branch and the township may use these pages too (`dues.collect`)."""

from __future__ import annotations

import contextlib
import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from audit.submissions import Result, repeat_safe
from core import clock, periods
from dues.forms import PaymentForm
from dues.selectors import group_book, group_members, schedule_for
from dues.services import payment_record
from dues.views import payment_message, write_once
from groups.models import PartyGroup
from township.scoping import get_visible_or_404


def _group(request, pk: int) -> PartyGroup:
    group = get_visible_or_404(PartyGroup, request.user, pk=pk, shape=lambda qs: qs.select_related("village"))
    if not request.user.has_perm("dues.collect", group):
        raise PermissionDenied
    return group


@login_required
def group(request, pk: int):
    """The group's members this year, month by month: what each still owes, a click to record what they pay."""
    g = _group(request, pk)
    year = clock.this_year()
    return render(
        request,
        "dues/group.html",
        {"group": g, "village": g.village, "book": group_book(g, year), "year": year},
    )


@login_required
@repeat_safe
def group_pay(request, pk: int):
    """The leader records a payment of one of their group's members (only those are offered and accepted)."""
    g = _group(request, pk)
    village = g.village
    members = group_members(g)
    frequency = schedule_for(village.township_id).township_rule_for(clock.this_month()).frequency
    back = reverse("dues:group", args=[g.pk])
    if request.method == "POST":
        form = PaymentForm(request.POST, village=village, members=members, frequency=frequency)
        if form.is_valid():

            def save() -> Result:
                payment = payment_record(village=village, acting_user=request.user, **form.cleaned_data)
                return Result(back, payment_message(payment))

            if done := write_once(request, form, save, check_url=back):
                return done
    else:
        initial = {"first_month": clock.this_month()}
        member_id = request.GET.get("member", "")
        if member_id.isdigit():
            initial["member"] = int(member_id)
        with contextlib.suppress(ValueError):
            initial["first_month"] = periods.month_of(datetime.date.fromisoformat(request.GET.get("month", "")))
        form = PaymentForm(village=village, members=members, frequency=frequency, initial=initial)
    return render(
        request,
        "dues/payment_form.html",
        {"village": village, "party_group": g, "form": form, "year": clock.this_year()},
    )
