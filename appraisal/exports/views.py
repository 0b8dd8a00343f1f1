"""/reports/: the township's year-end workbooks (表彰奖励名单) for download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from appraisal.exports.award_report import award_report_workbook, report_filename, report_for, report_rows
from appraisal.exports.jobs import AWARD_REPORT, award_report_is_large, reach_key
from appraisal.models import AppraisalYear
from audit.events import Action, record
from audit.job_views import job_started
from audit.models import Job
from audit.submissions import repeat_safe
from core.xlsx import xlsx_response
from township.scoping import get_visible_or_404


def may_see_township_reports(user) -> bool:
    """The award report is the township's: its staff and the county viewers read it; branches do not."""
    return user.has_perm("awards.report")


@login_required
@transaction.atomic  # the rows read and the EXPORT event in one transaction (a savepoint only when nested)
def award_report(request, year_pk: int):
    if not may_see_township_reports(request.user):
        raise Http404
    year = get_visible_or_404(AppraisalYear, request.user, shape=lambda qs: qs.select_related("township"), pk=year_pk)
    if award_report_is_large(request.user):  # the county's: made as a job (award_report_job)
        return redirect("reports:award-report-job", year.pk)
    report = report_for(year)
    content = award_report_workbook(year, report=report)
    record(Action.EXPORT, request=request, obj=year, rows=report_rows(report), export="award_report")
    return xlsx_response(content, report_filename(year), f"award-report-{year.year}-{year.pk}.xlsx")


@login_required
@repeat_safe
def award_report_job(request, year_pk: int):
    """The award report made off the request, for the county (and the administrator): a button that starts the job,
    and the person's reports of this year made in the last day. A township's staff download theirs at once."""
    if not may_see_township_reports(request.user) or not award_report_is_large(request.user):
        raise Http404
    year = get_visible_or_404(AppraisalYear, request.user, shape=lambda qs: qs.select_related("township"), pk=year_pk)
    if request.method == "POST":
        return job_started(request, AWARD_REPORT, {"year": year.pk})
    mine = Job.objects.filter(user=request.user, kind=AWARD_REPORT, scope=f"{reach_key(request.user)}:year:{year.pk}")
    jobs = mine.order_by("-created_at")[:5]
    draft = "" if year.state == AppraisalYear.State.DECIDED else "本年度尚未决定，生成的是草稿。"
    context = {
        "heading": f"{year.township.name}{year.year}年度表彰奖励名单",
        "intro": "在后台生成：点下面的按钮后会显示进度，生成好了就可以下载。文件只有您本人可以下载，保留一天。" + draft,
        "button": "生成表彰奖励名单（Excel）",
        "jobs": jobs,
        "back_url": reverse("awards:year", args=[year.pk]),
    }
    return render(request, "audit/job_start.html", context)
