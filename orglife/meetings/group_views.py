"""The party group's 党小组会 recorded from its monthly report: one form for the meeting and each member's attendance,
pre-filled with the group and the month, that comes back to the report when saved. The report then lists the meeting
as its 党小组会 activity (`orglife.meetings.report_link`): entered once, counted once.

Who may: whoever enters the group's report (`orglife.group_meeting`); a group leader answers 404 for another group.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from audit.submissions import Result, repeat_safe, submit_once
from core import clock, periods
from core.words import day_cn, month_cn
from groups.models import PartyGroup
from orglife.meetings import rules, services
from orglife.meetings.forms import MeetingForm
from orglife.meetings.models import Kind
from township.scoping import get_visible_or_404


def _group(request, pk: int) -> PartyGroup:
    group = get_visible_or_404(PartyGroup, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township"))
    if not request.user.has_perm("orglife.group_meeting", group):
        if request.user.has_perm("reports.read", group):
            raise PermissionDenied  # may read the group's month, not record in it
        raise Http404  # a group leader's reach is their own group
    return group


@login_required
@repeat_safe
def group_meeting_new(request, group_pk: int, month: datetime.date):
    """Record the group's 党小组会 of the month with attendance (出席 by default, a member away 缺席·外出务工),
    then back to the report."""
    group = _group(request, group_pk)
    if month > clock.this_month() or month < periods.month_of(group.established_on):
        raise Http404
    village = group.village
    report_url = reverse("activity:report", kwargs={"group_pk": group.pk, "month": month})
    closed = services.month_closed(village=village, party_group=group, day=month)
    if closed:
        messages.error(request, closed)
        return redirect(report_url)
    start, end = periods.month_range(month)
    today = clock.today()
    day = today if start <= today <= end else end
    members = services.expected_members(village=village, kind=Kind.GROUP, day=day, party_group=group)
    options = {
        "kind": Kind.GROUP,
        "members": members,
        "expected_ids": {m.pk for m in members},
        "away": services.away_on(members, day),
    }
    if request.method == "POST":
        form = MeetingForm(request.POST, **options)
        if form.is_valid():
            held_on = form.cleaned_data["held_on"]
            if not start <= held_on <= end:
                form.add_error(
                    "held_on",
                    f"这是{month_cn(month)}的党小组会：日期请填{day_cn(start)}到{day_cn(end)}之间的一天"
                    "（别的月份的会议请从那个月的报告登记）。",
                )
        if form.is_valid():

            def save() -> Result:
                m = services.meeting_record(
                    village=village,
                    kind=Kind.GROUP,
                    party_group=group,
                    acting_user=request.user,
                    **form.service_data(),
                )
                return Result(
                    report_url, f"已登记党小组会（{m.held_on.month}月{m.held_on.day}日），本月报告已列出这次会议。"
                )

            try:
                return submit_once(request, save, check_url=report_url)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
    else:
        form = MeetingForm(initial={"held_on": day, "study_hours": rules.DEFAULT_STUDY_HOURS[Kind.GROUP]}, **options)
    return render(
        request,
        "orglife/meetings/group_meeting_form.html",
        {"group": group, "month": month, "form": form, "report_url": report_url},
    )
