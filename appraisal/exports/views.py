"""/reports/: the township's year-end workbooks (表彰奖励名单) for download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404

from appraisal.exports.award_report import award_report_workbook, report_filename, report_for, report_rows
from appraisal.models import AppraisalYear
from audit.events import Action, record
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
    report = report_for(year)
    content = award_report_workbook(year, report=report)
    record(Action.EXPORT, request=request, obj=year, rows=report_rows(report), export="award_report")
    return xlsx_response(content, report_filename(year), f"award-report-{year.year}-{year.pk}.xlsx")
