"""The monthly report pages: a village's month at a glance, and one party group's report for a month."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activity.closing import month_closed_reason
from activity.models import Activity, MonthlyReport, report_done, report_overdue
from activity.reports import services
from activity.reports.forms import ActivityForm, MonthCloseForm, ReopenForm, SummaryForm, VersionForm
from activity.todo import leader_todo
from audit.submissions import Result, repeat_safe, submit_once
from core import clock, periods
from groups.models import PartyGroup
from members.models import PartyMember
from township.models import Township, Village
from township.scoping import Role, assignment_of, get_visible_or_404, villages_for

Status = MonthlyReport.Status


# --- who may do what -------------------------------------------------------------------------------------------


def _may_edit(user, group: PartyGroup) -> bool:
    """Township staff and the branch secretary; a group leader for their own group where the branch allows it."""
    return user.has_perm("reports.write", group)


def _may_close(user, village: Village) -> bool:
    return user.has_perm("reports.close", village)


def _group_or_404(user, pk: int) -> PartyGroup:
    group = get_visible_or_404(PartyGroup, user, pk=pk, shape=lambda qs: qs.select_related("village__township"))
    if not user.has_perm("reports.read", group):
        raise Http404  # a group leader's reach is their own group
    return group


def _check_month(group: PartyGroup, month: datetime.date) -> None:
    if month > clock.this_month() or month < periods.month_of(group.established_on):
        raise Http404


# --- the village's month ---------------------------------------------------------------------------------------


@login_required
def village_month(request, village_pk: int, month: datetime.date):
    """Every party group of the village for the month, those not yet submitted first, with overdue marked."""
    village = get_visible_or_404(Village, request.user, pk=village_pk)
    village = Village.objects.select_related("township").get(pk=village.pk)
    if not request.user.has_perm("reports.read", village):
        raise Http404  # a group leader's reach is their own group's month
    today = clock.today()
    this_month = periods.month_of(today)
    if month > this_month:
        raise Http404
    report = MonthlyReport.objects.filter(party_group=OuterRef("pk"), month=month)
    groups = (
        PartyGroup.objects.overlapping(*periods.month_range(month))
        .filter(village=village)
        .annotate(
            report_pk=Subquery(report.values("pk")[:1]),
            report_status=Subquery(report.values("status")[:1]),
            report_activities=Subquery(report.values("activity_count")[:1]),
            report_submitted_at=Subquery(report.values("submitted_at")[:1]),
            done=Case(
                When(Q(report_status__in=MonthlyReport.DONE), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("done", "name")
    )
    due = periods.month_due(month, village.township.report_due_day)
    rows = []
    for g in groups:
        rows.append(
            {
                "group": g,
                "status": g.report_status,
                "status_label": Status(g.report_status).label if g.report_status else _("not started"),
                "activities": g.report_activities or 0,
                "submitted_at": g.report_submitted_at,
                "overdue": report_overdue(g.report_status, month, village.township.report_due_day, today),
            }
        )
    following = periods.next_month(month)
    return render(
        request,
        "activity/reports/village_month.html",
        {
            "village": village,
            "month": month,
            "rows": rows,
            "due": due,
            "done": sum(1 for r in rows if report_done(r["status"])),
            "prev_month": periods.previous_month(month),
            "next_month": following if following <= this_month else None,
            "may_close": _may_close(request.user, village),
            "may_close_month": _may_close(request.user, village) and month < this_month,
        },
    )


# --- closing a month for a village or the township in one step ---------------------------------------------------


def _month_close_page(request, *, place, villages, month, back_url, back_label):
    if month >= clock.this_month():
        raise Http404
    form = MonthCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def close() -> Result:
            done = services.month_close(
                place=place,
                villages=villages,
                month=month,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            return Result(back_url, f"{month.year}年{month.month}月的{len(done.to_close)}份报告已关闭。")

        try:
            return submit_once(request, close, check_url=back_url)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
    return render(
        request,
        "activity/reports/month_close.html",
        {
            "place": place,
            "month": month,
            "preview": services.month_preview(villages=villages, month=month),
            "form": form,
            "back_url": back_url,
            "back_label": back_label,
        },
    )


@login_required
@repeat_safe
def village_month_close(request, village_pk: int, month: datetime.date):
    """Close every submitted report of the village's month at once, after a preview of what is missing."""
    village = get_visible_or_404(Village, request.user, pk=village_pk)
    if not _may_close(request.user, village):
        raise PermissionDenied
    back = reverse("activity:village-month", args=[village.pk, month])
    villages = Village.objects.filter(pk=village.pk)
    return _month_close_page(
        request, place=village, villages=villages, month=month, back_url=back, back_label=village.name
    )


@login_required
@repeat_safe
def township_month_close(request, township_pk: int, month: datetime.date):
    """Close every submitted report of the township's month at once (township staff), after the same preview."""
    township = get_visible_or_404(Township, request.user, pk=township_pk)
    if not request.user.has_perm("reports.close", township):
        raise Http404  # a branch closes its own village's month, not the township's
    villages = villages_for(request.user).filter(township=township)
    back = reverse("township", args=[township.pk])
    return _month_close_page(
        request, place=township, villages=villages, month=month, back_url=back, back_label=township.name
    )


# --- one group's report ------------------------------------------------------------------------------------------


def _report_or_blank(group: PartyGroup, month: datetime.date) -> MonthlyReport:
    """The saved report (with who submitted it, which the page names), or an unsaved draft (version 0) until the first
    write creates it."""
    saved = MonthlyReport.objects.filter(party_group=group, month=month).select_related("submitted_by").order_by()
    return saved.first() or MonthlyReport(party_group=group, month=month, version=0)


def _saved_report(group, month, version, user) -> tuple[MonthlyReport, int]:
    """The report to write to, created on the first write; a blank page saved after another's first write conflicts."""
    report = services.report_for(party_group=group, month=month, acting_user=user)
    if version == 0 and report.version != 1:
        version = -1  # the person saw an empty report, but it has changed since: let the service say so
    elif version == 0:
        version = 1
    return report, version


def _report_context(request, group, month, report, **extra):
    activities, meetings = [], []
    if report.pk:
        activities = list(
            Activity.objects.filter(report=report)
            .select_related("villager_group", "orglife_meeting")  # a 党小组会 is changed in its meeting record
            .prefetch_related(Prefetch("participants", PartyMember.objects.without_numbers()))  # shown by name
        )
        # the month's 党小组会 is recorded once, in organisational life, and linked to this report: read it back
        # through the reverse relation (one query), so activity never imports the room above it
        meetings = list(report.orglife_meetings.order_by("held_on", "pk"))
    township = group.village.township
    year_closed = month_closed_reason(township.pk, month)
    editable = _may_edit(request.user, group) and report.status == Status.DRAFT and not year_closed  # submitted: final
    before, after = periods.previous_month(month), periods.next_month(month)
    return {
        "prev_month": before if before >= periods.month_of(group.established_on) else None,
        "next_month": after if after <= clock.this_month() else None,
        "group_link": request.user.has_perm("groups.read", group),
        "group": group,
        "month": month,
        "report": report,
        "activities": activities,
        "meetings": meetings,
        "may_record_meeting": _may_record_meeting(request.user, group),
        "meeting_link": request.user.has_perm("orglife.read", group.village),
        "meeting_write": request.user.has_perm("orglife.write", group.village),
        "due": periods.month_due(month, township.report_due_day),
        "overdue": report_overdue(report.status if report.pk else None, month, township.report_due_day, clock.today()),
        "editable": editable,
        "year_closed": year_closed,
        "may_close": _may_close(request.user, group.village) and report.status == Status.SUBMITTED,
        "may_reopen": _may_close(request.user, group.village) and report.status == Status.CLOSED and not year_closed,
        "may_withdraw": (
            _may_close(request.user, group.village) and report.status == Status.SUBMITTED and not year_closed
        ),
        "summary_form": extra.pop("summary_form", None)
        or SummaryForm(initial={"version": report.version, "summary": report.summary}),
        "reopenings": report.reopenings.select_related("reopened_by") if report.pk else [],
        "village_link": request.user.has_perm("reports.read", group.village),  # a leader's reach is their group
        "todo": _leader_todo(request.user, group, month),
        **extra,
    }


def _may_record_meeting(user, group: PartyGroup) -> bool:
    """Whoever enters the group's report records its 党小组会, once, in organisational life (with attendance)."""
    return user.has_perm("orglife.group_meeting", group)


def _leader_todo(user, group: PartyGroup, month: datetime.date):
    """The group leader's own to-do list, on their group's page of this month (their home)."""
    a = assignment_of(user)
    if a is None or a.role != Role.GROUP_LEADER or a.party_group_id != group.pk or month != clock.this_month():
        return []
    return leader_todo(group, clock.today(), may_report=_may_edit(user, group))


@login_required
def report_page(request, group_pk: int, month: datetime.date):
    group = _group_or_404(request.user, group_pk)
    _check_month(group, month)
    report = _report_or_blank(group, month)
    return render(request, "activity/reports/report.html", _report_context(request, group, month, report))


def _editable_group(request, group_pk, month):
    group = _group_or_404(request.user, group_pk)
    _check_month(group, month)
    if not _may_edit(request.user, group):
        raise PermissionDenied
    return group


def _activity_form(request, group, month, report, *, instance=None, data=None):
    start, end = periods.month_range(month)
    probe = report if report.pk else MonthlyReport(party_group=group, month=month)
    villager_groups = group.villager_groups_in(start, end).select_related("village")
    initial = {"version": report.version}
    if instance is None:
        today = clock.today()
        initial["held_on"] = today if start <= today <= end else end
    return ActivityForm(
        data,
        instance=instance,
        initial=initial,
        members=services.group_members_in_month(probe),
        villager_groups=villager_groups,
        report=probe,
    )


def _save_activity(request, group, month, form, activity=None):
    """Save the activity once (see `audit.submissions`): the redirect to the report, or None with the form's errors."""
    report_url = reverse("activity:report", kwargs={"group_pk": group.pk, "month": month})

    def save() -> Result:
        report, version = _saved_report(group, month, form.cleaned_data["version"], request.user)
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        services.activity_save(report=report, version=version, acting_user=request.user, activity=activity, **data)
        return Result(report_url, _("The activity is saved."))

    try:
        return submit_once(request, save, check_url=report_url)
    except services.ConflictError as exc:
        form.add_error(None, exc)
        form.data = form.data.copy()
        saved = MonthlyReport.objects.filter(party_group=group, month=month).first()
        form.data["version"] = saved.version if saved else 0  # saving again now is deliberate
        return None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


@login_required
@repeat_safe
def activity_add(request, group_pk: int, month: datetime.date):
    group = _editable_group(request, group_pk, month)
    report = _report_or_blank(group, month)
    year_closed = month_closed_reason(group.village.township_id, month)
    if report.status == Status.CLOSED or year_closed:
        messages.error(
            request,
            year_closed
            or _("This month is closed and cannot be changed. The branch can reopen it, giving a reason."),
        )
        return redirect("activity:report", group_pk=group.pk, month=month)
    form = _activity_form(request, group, month, report, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and (saved := _save_activity(request, group, month, form)):
        return saved
    return render(
        request,
        "activity/reports/activity_form.html",
        {
            "group": group,
            "month": month,
            "report": report,
            "form": form,
            "may_record_meeting": _may_record_meeting(request.user, group),
        },
    )


def _activity_or_404(request, pk):
    activity = get_visible_or_404(Activity, request.user, pk=pk)
    activity = Activity.objects.select_related("report__party_group__village__township").get(pk=activity.pk)
    group = activity.report.party_group
    _group_or_404(request.user, group.pk)
    if not _may_edit(request.user, group):
        raise PermissionDenied
    return activity


def _from_meeting(request, activity):
    """A 党小组会 kept from its meeting record is changed there, not here: back to the report, saying so."""
    if not services.is_from_meeting(activity):
        return None
    messages.error(request, services.MEETING_ACTIVITY_FIXED)
    return redirect("activity:report", group_pk=activity.report.party_group_id, month=activity.report.month)


@login_required
@repeat_safe
def activity_edit(request, pk: int):
    activity = _activity_or_404(request, pk)
    if fixed := _from_meeting(request, activity):
        return fixed
    report, group, month = activity.report, activity.report.party_group, activity.report.month
    form = _activity_form(request, group, month, report, instance=activity, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save_activity(request, group, month, form, activity)
        if saved:
            return saved
    return render(
        request,
        "activity/reports/activity_form.html",
        {"group": group, "month": month, "report": report, "form": form, "activity": activity},
    )


@login_required
@repeat_safe
def activity_delete(request, pk: int):
    """Delete an activity of a draft report: a page asks first (GET), the button on it deletes (POST)."""
    activity = _activity_or_404(request, pk)
    if fixed := _from_meeting(request, activity):
        return fixed
    report = activity.report
    if request.method != "POST":
        return render(request, "activity/reports/activity_delete.html", {"activity": activity, "report": report})
    form = VersionForm(request.POST)
    report_url = reverse("activity:report", kwargs={"group_pk": report.party_group_id, "month": report.month})

    def delete() -> Result:
        if not form.is_valid():
            raise ValidationError(_("The page was out of date; open the report again."))
        services.activity_delete(activity=activity, version=form.cleaned_data["version"], acting_user=request.user)
        return Result(report_url, _("The activity is deleted."))

    try:
        return submit_once(request, delete, check_url=report_url)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(report_url)


@login_required
@require_POST
@repeat_safe
def report_action(request, group_pk: int, month: datetime.date, action: str):
    """Save the summary, submit, or close a month (each names the version the person saw)."""
    if action not in {"summary", "submit", "close"}:
        raise Http404
    group = _group_or_404(request.user, group_pk)
    _check_month(group, month)
    if action == "close":
        if not _may_close(request.user, group.village):
            raise PermissionDenied
    elif not _may_edit(request.user, group):
        raise PermissionDenied
    form = SummaryForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _("The page was out of date; open the report again."))
            return redirect("activity:report", group_pk=group.pk, month=month)
        # a summary too long: said beside it, with what was typed kept
        report = _report_or_blank(group, month)
        context = _report_context(request, group, month, report, summary_form=form)
        return render(request, "activity/reports/report.html", context)
    report_url = reverse("activity:report", kwargs={"group_pk": group.pk, "month": month})

    def act() -> Result:
        if action == "close":
            report = MonthlyReport.objects.filter(party_group=group, month=month).first()
            if report is None:
                raise ValidationError(_("There is no submitted report to close."))
            services.report_close(report=report, version=form.cleaned_data["version"], acting_user=request.user)
            return Result(report_url, _("The month is closed."))
        report, version = _saved_report(group, month, form.cleaned_data["version"], request.user)
        summary = form.cleaned_data["summary"]
        if action == "submit":
            services.report_submit(report=report, version=version, summary=summary, acting_user=request.user)
            return Result(report_url, _("The report is submitted to the branch."))
        services.report_update_summary(report=report, version=version, summary=summary, acting_user=request.user)
        return Result(report_url, _("The summary is saved."))

    try:
        return submit_once(request, act, check_url=report_url)
    except ValidationError as exc:
        form.add_error(None, exc)
        if isinstance(exc, services.ConflictError):
            form.data = form.data.copy()
            form.data["version"] = MonthlyReport.objects.get(party_group=group, month=month).version
        report = _report_or_blank(group, month)
        return render(
            request,
            "activity/reports/report.html",
            _report_context(request, group, month, report, summary_form=form),
            status=200,
        )


@login_required
@repeat_safe
def report_withdraw(request, group_pk: int, month: datetime.date):
    """The branch takes a submitted report back to draft, giving a reason (kept on record)."""
    group = _group_or_404(request.user, group_pk)
    report = MonthlyReport.objects.filter(party_group=group, month=month).select_related("party_group__village").first()
    if report is None:
        raise Http404
    if not _may_close(request.user, group.village):
        raise PermissionDenied
    form = ReopenForm(request.POST or None)
    form.fields["reason"].label = "撤回的理由"
    if request.method == "POST" and form.is_valid():
        report_url = reverse("activity:report", kwargs={"group_pk": group.pk, "month": month})

        def withdraw() -> Result:
            services.report_withdraw(report=report, reason=form.cleaned_data["reason"], acting_user=request.user)
            return Result(report_url, "报告已撤回为草稿，撤回的理由已留档。")

        try:
            return submit_once(request, withdraw, check_url=report_url)
        except ValidationError as exc:
            form.add_error("reason" if hasattr(exc, "error_dict") else None, exc.messages)
    return render(
        request,
        "activity/reports/reopen_form.html",
        {"group": group, "month": month, "report": report, "form": form, "withdraw": True},
    )


@login_required
@repeat_safe
def report_reopen(request, group_pk: int, month: datetime.date):
    group = _group_or_404(request.user, group_pk)
    report = MonthlyReport.objects.filter(party_group=group, month=month).select_related("party_group__village").first()
    if report is None:
        raise Http404
    if not _may_close(request.user, group.village):
        raise PermissionDenied
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_url = reverse("activity:report", kwargs={"group_pk": group.pk, "month": month})

        def reopen() -> Result:
            services.report_reopen(report=report, reason=form.cleaned_data["reason"], acting_user=request.user)
            return Result(report_url, _("The month is reopened; the reason is kept on record."))

        try:
            return submit_once(request, reopen, check_url=report_url)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(
        request, "activity/reports/reopen_form.html", {"group": group, "month": month, "report": report, "form": form}
    )


def report_url(group_pk: int, month: datetime.date) -> str:
    return reverse("activity:report", kwargs={"group_pk": group_pk, "month": month})
