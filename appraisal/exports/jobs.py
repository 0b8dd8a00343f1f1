"""The award report (表彰奖励名单) for a county viewer (or the administrator) made as a job (audit/jobs.py): the county
reads every township's reports, so it asks for them off the request, with a progress bar and a file kept for it for a
day; a township's own staff still download their report at once."""

from __future__ import annotations

from typing import BinaryIO

from django.urls import reverse

from appraisal.exports.award_report import award_report_workbook, report_filename, report_for, report_rows
from appraisal.models import AppraisalYear
from audit.events import Action, record
from audit.jobs import JobError, Kind, Progress, Scope, register
from audit.models import Job
from township.scoping import Role, assignment_of

AWARD_REPORT = "award_report"
SCOPE_CHANGED = "您已经看不到这个乡镇的这一年度了（可见范围变更），不能再生成这份名单。请回到评优表彰页面重新下载。"


def reach_key(user) -> str | None:
    """The person's reach as a key: "all" for the administrator, "county_viewer:3" for a county viewer."""
    if user.is_superuser:
        return "all"
    a = assignment_of(user)
    if a is None or a.role != Role.COUNTY_VIEWER:
        return None
    return f"{a.role}:{a.county_id}"


def award_report_is_large(user) -> bool:
    """Whose award reports are made as jobs: the county's and the administrator's (they read every township's)."""
    return user.has_perm("awards.report") and reach_key(user) is not None


def award_scope(user, params: dict) -> Scope | None:
    """The year's report, while the person may read award reports and still sees the year's township."""
    reach = reach_key(user)
    if reach is None or not user.has_perm("awards.report"):
        return None
    year = AppraisalYear.objects.visible_to(user).select_related("township").filter(pk=params.get("year")).first()
    if year is None:
        return None
    return Scope(key=f"{reach}:year:{year.pk}", title=f"{year.township.name}{year.year}年度")


def award_run(job: Job, stream: BinaryIO, progress: Progress) -> str:
    scope = award_scope(job.user, job.params)
    if scope is None or scope.key != job.scope:
        raise JobError(SCOPE_CHANGED)
    year = AppraisalYear.objects.select_related("township").get(pk=job.params["year"])
    report = report_for(year)
    total = report_rows(report)
    progress(0, total)
    award_report_workbook(year, stream, report=report)
    record(Action.EXPORT, user=job.user, obj=year, rows=total, export="award_report", job=str(job.pk))
    progress(total, total)
    return report_filename(year)


def register_kinds() -> None:
    register(
        Kind(
            name=AWARD_REPORT,
            label="表彰奖励名单",
            scope_of=award_scope,
            run=award_run,
            back_url=lambda params: reverse("reports:award-report-job", args=[params["year"]]),
        )
    )
