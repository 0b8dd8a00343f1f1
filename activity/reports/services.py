"""Monthly reports: create, record activities, submit, close, reopen — with optimistic locking.

Every write names the report version it was read at. If someone else saved the report since, the write is refused
with a ConflictError (a ValidationError, so forms show it) and nothing changes; the page keeps what the person typed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.closing import ensure_month_open
from activity.models import Activity, MonthlyReport, ReportReopening
from audit.events import Action, record
from core import clock, periods
from core.stamp import stamp, user_or_none
from core.words import day_cn, month_cn
from groups.models import GroupPost, PartyGroup, VillagerGroup
from members.models import PartyMember
from township.capabilities import require

Status = MonthlyReport.Status


class ConflictError(ValidationError):
    """The report changed since the person opened it."""


def report_for(*, party_group: PartyGroup, month: datetime.date, acting_user=None) -> MonthlyReport:
    """The group's report for a month, created as a draft the first time it is opened (not for future months)."""
    month = periods.month_of(month)
    if month > clock.this_month():
        raise ValidationError(_("A report cannot be opened for a month that has not begun."))
    if month < periods.month_of(party_group.established_on):
        raise ValidationError(_("The party group was not yet established in that month."))
    report = MonthlyReport.objects.filter(party_group=party_group, month=month).first()
    if report is None:
        ensure_month_open(party_group.village.township_id, month)  # a decided year takes no new reports
        with transaction.atomic():
            report, _created = MonthlyReport.objects.get_or_create(
                party_group=party_group, month=month, defaults={"updated_by": user_or_none(acting_user)}
            )
    return report


def _lock(
    report: MonthlyReport, version: int | None, *, allow=(Status.DRAFT,), year_open: bool = True
) -> MonthlyReport:
    """Lock the report row, check it is still at the version the person saw and in a state that allows the change,
    and (`year_open`) that no decided appraisal year has closed its month."""
    current = MonthlyReport.objects.select_for_update().select_related("party_group__village").get(pk=report.pk)
    if year_open:
        ensure_month_open(current.party_group.village.township_id, current.month)
    if version is not None and current.version != version:
        who = current.updated_by.get_full_name() or current.updated_by.username if current.updated_by else _("someone")
        raise ConflictError(
            _(
                "%(who)s changed this report at %(when)s, after you opened it. Your input is kept below: "
                "check the report as it is now, then save again."
            )
            % {"who": who, "when": clock.local(current.updated_at).strftime("%H:%M")},
            code="conflict",
        )
    if current.status not in allow:
        if current.status == Status.CLOSED:
            raise ValidationError(
                _("This month is closed and cannot be changed. The branch can reopen it, giving a reason."),
                code="closed",
            )
        if current.status == Status.SUBMITTED:
            raise ValidationError(
                "这份报告已提交，不能再改动或删除。确需修改时，由支部书记说明理由撤回，报告回到草稿。",
                code="submitted",
            )
        raise ValidationError(
            _("This report is %(s)s; that change is not possible now.") % {"s": current.get_status_display()}
        )
    return current


def _bump(report: MonthlyReport, user, **changes) -> MonthlyReport:
    for name, value in changes.items():
        setattr(report, name, value)
    report.version += 1  # the row is locked (select_for_update), so this cannot lose a concurrent bump
    report.updated_by = user_or_none(user)
    report.activity_count = report.activities.count()
    stamp(report, user).save()
    return report


def held_on_error(report: MonthlyReport, held_on: datetime.date) -> str | None:
    """Why `held_on` cannot be the date of an activity in the report's month, or None (forms show it early)."""
    start, end = report.month_range()
    if not start <= held_on <= end:
        return _("The date must be inside %(m)s (%(a)s to %(b)s).") % {
            "m": month_cn(report.month),
            "a": day_cn(start),
            "b": day_cn(end),
        }
    if held_on > clock.today():
        return _("The date cannot be in the future.")
    return None


def _check_activity(report: MonthlyReport, held_on, participants, villager_group) -> None:
    errors = {}
    if held_on and (error := held_on_error(report, held_on)):
        errors["held_on"] = error
    allowed = set(group_members_in_month(report).values_list("pk", flat=True))
    strangers = [m.name for m in participants if m.pk not in allowed]
    if strangers:
        errors["participants"] = _("Not members of this party group in that month: %(names)s.") % {
            "names": "、".join(strangers)
        }
    if villager_group is not None and villager_group.village_id != report.party_group.village_id:
        errors["villager_group"] = _("Choose a villager group of this village.")
    if errors:
        raise ValidationError(errors)


def group_members_in_month(report: MonthlyReport):
    """Members who held a post in the group at any time during the report's month and were in the party then (a
    member whose membership was suspended (停止党籍) all month takes part in no party activity)."""
    start, end = report.month_range()
    overlapping = GroupPost.objects.overlapping(start, end).filter(
        member=OuterRef("pk"), party_group_id=report.party_group_id
    )
    return PartyMember.objects.filter(Exists(overlapping)).in_party_during(start, end).order_by("name")


@transaction.atomic
def activity_save(
    *,
    report: MonthlyReport,
    version: int,
    acting_user,
    kind: str,
    held_on: datetime.date,
    content: str,
    participants: Iterable[PartyMember] = (),
    villager_group: VillagerGroup | None = None,
    households_reached: int = 0,
    non_party_present: int = 0,
    outcome: str = "",
    is_emergency: bool = False,
    activity: Activity | None = None,
) -> Activity:
    """Add an activity to the month, or change one; the report's version moves on. A 党小组会 is not typed here: it
    is recorded once in organisational life, with attendance, and its activity kept from there."""
    require(acting_user, "reports.write", report.party_group)
    if activity is not None and activity.pk and is_from_meeting(activity):
        raise ValidationError(MEETING_ACTIVITY_FIXED)
    if kind == Activity.Kind.MEETING:
        raise ValidationError({"kind": MEETING_NOT_HERE})
    report = _lock(report, version)
    participants = list(participants)
    _check_activity(report, held_on, participants, villager_group)
    if activity is None:
        activity = Activity(report=report)
    elif activity.report_id != report.pk:
        raise ValidationError(_("This activity belongs to another report."))
    for name, value in {
        "kind": kind,
        "held_on": held_on,
        "content": content,
        "villager_group": villager_group,
        "households_reached": households_reached,
        "non_party_present": non_party_present,
        "outcome": outcome,
        "is_emergency": is_emergency,
    }.items():
        setattr(activity, name, value)
    activity.full_clean(exclude=["report"])
    stamp(activity, acting_user).save()
    activity.participants.set(participants)
    _bump(report, acting_user)
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, version: int, acting_user) -> MonthlyReport:
    require(acting_user, "reports.write", activity.report.party_group)
    if is_from_meeting(activity):
        raise ValidationError(MEETING_ACTIVITY_FIXED)
    report = _lock(activity.report, version)
    stamp(activity, acting_user).delete()
    return _bump(report, acting_user)


# --- the month's 党小组会, kept from its organisational-life record ----------------------------------------------

MEETING_NOT_HERE = (
    "党小组会不在这里填写：请点“登记本月党小组会（含出勤）”，在组织生活里登记一次（含每名党员的出席情况），"
    "本报告会自动列出这次会议。"
)
MEETING_ACTIVITY_FIXED = (
    "这项党小组会是从组织生活的会议记录生成的，不能在月度报告里修改或删除：请到这次会议的记录里修改，报告会随之更新。"
)


def is_from_meeting(activity: Activity) -> bool:
    """Whether the activity is the report's copy of a 党小组会 recorded in organisational life (the room above keeps
    the link, `Meeting.activity`; it is read here through the reverse relation, never by importing that room)."""
    return Activity.objects.filter(pk=activity.pk, orglife_meeting__isnull=False).exists()


@transaction.atomic
def meeting_activity_save(
    *,
    report: MonthlyReport,
    held_on: datetime.date,
    content: str,
    outcome: str = "",
    participants: Iterable[PartyMember] = (),
    activity: Activity | None = None,
    acting_user,
    system: bool = False,
) -> Activity:
    """Write the report's 党小组会 activity from its meeting (organisational life calls this in the same transaction
    as the meeting): a draft report takes it; a submitted report is final (the branch withdraws it first), and a closed
    month or a decided year refuses it, unless `system` (the demo builder, a migration-like back-fill run on the
    server with no acting user)."""
    if system and acting_user is not None:
        raise ValidationError("只有系统补录才能跳过月份检查。")
    if not system:
        require(acting_user, "orglife.group_meeting", report.party_group)
    allow = tuple(Status) if system else (Status.DRAFT,)
    report = _lock(report, None, allow=allow, year_open=not system)
    moved_from = None
    if activity is None:
        activity = Activity(report=report, kind=Activity.Kind.MEETING)
    elif activity.report_id != report.pk:  # the meeting's date moved it to another month
        moved_from = _lock(activity.report, None, allow=allow, year_open=not system)
        activity.report = report
    activity.kind = Activity.Kind.MEETING
    activity.held_on = held_on
    activity.content = content[:2000] or "党小组会"
    activity.outcome = outcome[:2000]
    activity.full_clean(exclude=["report"])
    stamp(activity, acting_user).save()
    activity.participants.set(list(participants))
    _bump(report, acting_user)
    if moved_from is not None:
        _bump(moved_from, acting_user)
    return activity


@transaction.atomic
def report_update_summary(*, report: MonthlyReport, version: int, summary: str, acting_user) -> MonthlyReport:
    require(acting_user, "reports.write", report.party_group)
    report = _lock(report, version)
    return _bump(report, acting_user, summary=summary)


@transaction.atomic
def report_submit(*, report: MonthlyReport, version: int, acting_user, summary: str | None = None) -> MonthlyReport:
    """Draft → submitted. A month needs at least one activity, or a summary saying why there was none."""
    require(acting_user, "reports.write", report.party_group)
    report = _lock(report, version, allow=(Status.DRAFT,))
    if summary is not None:
        report.summary = summary
    if not report.activities.exists() and not report.summary.strip():
        raise ValidationError(
            _("Record at least one activity, or write in the summary why the group had none this month."),
            code="empty",
        )
    return _bump(
        report,
        acting_user,
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=user_or_none(acting_user),
    )


@transaction.atomic
def report_close(*, report: MonthlyReport, acting_user, version: int | None = None) -> MonthlyReport:
    """Submitted → closed: the month is final."""
    require(acting_user, "reports.close", report.party_group)
    report = _lock(report, version, allow=(Status.SUBMITTED,), year_open=False)  # closing only makes it final
    return _bump(
        report, acting_user, status=Status.CLOSED, closed_at=timezone.now(), closed_by=user_or_none(acting_user)
    )


@transaction.atomic
def report_withdraw(*, report: MonthlyReport, reason: str, acting_user) -> MonthlyReport:
    """Submitted → draft, by the branch (the secretary or the township), with the reason kept on record: a submitted
    report is never deleted or changed in place."""
    require(acting_user, "reports.close", report.party_group)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明撤回的理由（至少几个字）。"})
    report = _lock(report, None, allow=(Status.SUBMITTED,))
    ReportReopening.objects.create(report=report, reason=f"撤回已提交的报告：{reason}", reopened_by=acting_user)
    record(Action.REPORT_WITHDRAWN, user=user_or_none(acting_user), obj=report, reason=reason)
    return _bump(report, acting_user, status=Status.DRAFT, submitted_at=None, submitted_by=None)


@transaction.atomic
def report_reopen(*, report: MonthlyReport, reason: str, acting_user) -> MonthlyReport:
    """Closed → draft, with the reason kept on record."""
    require(acting_user, "reports.close", report.party_group)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("Say why the month is reopened (at least a few words).")})
    report = _lock(report, None, allow=(Status.CLOSED,))
    ReportReopening.objects.create(report=report, reason=reason, reopened_by=acting_user)
    record(Action.MONTH_REOPENED, user=user_or_none(acting_user), obj=report, reason=reason)
    return _bump(report, acting_user, status=Status.DRAFT, closed_at=None, closed_by=None)


# --- closing a whole month for a village or a township ---------------------------------------------------------


@dataclass
class MonthPreview:
    """What closing a month would do: the submitted reports it closes, those closed already, and the gaps (party
    groups whose report is not in, each with why)."""

    month: datetime.date
    to_close: list[MonthlyReport] = field(default_factory=list)
    closed: list[MonthlyReport] = field(default_factory=list)
    gaps: list[tuple[PartyGroup, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.to_close) + len(self.closed) + len(self.gaps)


def month_preview(*, villages, month: datetime.date) -> MonthPreview:
    """The party groups of the villages that existed in the month, sorted into to close / closed / missing (two
    queries)."""
    month = periods.month_of(month)
    groups = list(
        PartyGroup.objects.overlapping(*periods.month_range(month))
        .filter(village__in=villages)
        .select_related("village")
        .order_by("village__name", "name")
    )
    reports = {
        r.party_group_id: r
        for r in MonthlyReport.objects.filter(party_group__in=[g.pk for g in groups], month=month)
    }
    preview = MonthPreview(month=month)
    for g in groups:
        r = reports.get(g.pk)
        if r is None:
            preview.gaps.append((g, "未开始：还没有打开报告"))
        elif r.status == Status.DRAFT:
            preview.gaps.append(
                (g, f"草稿，尚未提交（已记{r.activity_count}项活动）")
            )
        elif r.status == Status.SUBMITTED:
            r.party_group = g
            preview.to_close.append(r)
        else:
            preview.closed.append(r)
    return preview


@transaction.atomic
def month_close(*, place, villages, month: datetime.date, reason: str = "", acting_user) -> MonthPreview:
    """Close every submitted report of the month in a village or a township at once. Closing while some party groups
    have not submitted needs a reason, kept on record with the groups that were missing."""
    require(acting_user, "reports.close", place)
    month = periods.month_of(month)
    if month >= clock.this_month():
        raise ValidationError("月份结束后才能关闭。", code="not_over")
    preview = month_preview(villages=villages, month=month)
    reason = (reason or "").strip()
    if preview.gaps and len(reason) < 4:
        raise ValidationError(
            {
                "reason": f"有{len(preview.gaps)}个党小组尚未提交：请写明为什么不等它们就关闭本月（至少几个字）。"
            }
        )
    if not preview.to_close:
        raise ValidationError("本月没有可以关闭的已提交报告。", code="nothing")
    for report in preview.to_close:
        report_close(report=report, acting_user=acting_user)
    record(
        Action.MONTH_CLOSED,
        user=user_or_none(acting_user),
        obj=place,
        rows=len(preview.to_close),
        month=month.isoformat(),
        reason=reason,
        missing=[f"{g.village.name}{g.name}：{why}" for g, why in preview.gaps],
    )
    return preview
