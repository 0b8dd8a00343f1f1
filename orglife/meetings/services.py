"""Writes of orglife.meetings: recording a meeting with its attendance, a vote at a 支部党员大会, the township's
settings and its monthly theme. Each checks the capability, refuses bad input field by field (ValidationError keyed by
the form's field names) and writes in one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from activity.closing import month_closed_reason
from activity.models import MonthlyReport
from activity.reports.services import report_for
from core import clock, periods
from core.stamp import user_or_none
from groups.models import GroupPost, PartyGroup
from members.models import PartyMember
from orglife.meetings import report_link, rules
from orglife.meetings.models import (
    AbsenceReason,
    Attendance,
    Kind,
    Meeting,
    MonthlyTheme,
    OrgLifeSettings,
    Presence,
    Vote,
)
from township.capabilities import require


@dataclass(frozen=True)
class Mark:
    """One member's attendance as the form gives it."""

    member: PartyMember
    presence: str
    reason: str = ""


def members_on(village, day: datetime.date) -> QuerySet[PartyMember]:
    """The branch's members on a day: joined by then and not yet left."""
    return PartyMember.objects.filter(village=village, joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=day)
    )


def expected_members(*, village, kind: str, day: datetime.date, party_group=None) -> QuerySet[PartyMember]:
    """Who is expected (应到) by default: a party group's members for a 党小组会, else every member of the branch
    (a 支委会 offers the same list, each marked 不应到 by default: the branch ticks its committee members)."""
    members = members_on(village, day)
    if kind == Kind.GROUP and party_group is not None:
        in_group = GroupPost.objects.on(day).filter(party_group=party_group).values("member_id")
        members = members.filter(pk__in=in_group)
    return members.order_by("name", "pk")


def month_closed(*, village, party_group, day: datetime.date) -> str | None:
    """Why a meeting cannot be dated in this month, or None: a decided appraisal year closes its months; a party
    group's month is closed with its monthly report; a branch's month once every report of the village is closed."""
    month = periods.month_of(day)
    reason = month_closed_reason(village.township_id, month)
    if reason:
        return reason
    reports = MonthlyReport.objects.filter(month=month, party_group__village=village)
    if party_group is not None:
        reports = reports.filter(party_group=party_group)
    statuses = set(reports.values_list("status", flat=True))
    if statuses and statuses == {MonthlyReport.Status.CLOSED}:
        return f"{month:%Y年%m月}已关闭，不能再补记这个月的会议：请支部先重新打开这个月（写明理由），再登记。"
    return None


def _check_people(village, errors: dict, **people) -> None:
    for field, member in people.items():
        if member is not None and member.village_id != village.pk:
            errors[field] = f"{member.name}不是本支部的党员：请从本支部党员中选择。"


@transaction.atomic
def meeting_record(
    *,
    village,
    kind: str,
    held_on: datetime.date,
    topic: str,
    acting_user,
    party_group: PartyGroup | None = None,
    place: str = "",
    host: PartyMember | None = None,
    recorder: PartyMember | None = None,
    talk_with: PartyMember | None = None,
    content: str = "",
    decisions: str = "",
    study_hours: Decimal | None = None,
    marks: list[Mark] = (),
    backfill: bool = False,
) -> Meeting:
    """Record one meeting (or 谈心谈话) with its attendance; 应到 is the members marked, 实到 those present or remote.
    A 主题党日 links to the township's theme of its month; a 党小组会 to its group's monthly report (entered once).
    `backfill` lets a system action (no acting user: the demo builder, an import run on the server) record meetings
    of months already closed; a person never can."""
    report_link.require_may_record(acting_user, village=village, kind=kind, party_group=party_group)
    if backfill and acting_user is not None:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if held_on > clock.today():
        errors["held_on"] = "会议日期不能晚于今天：请填已经开过的会议的日期。"
    elif not backfill:
        closed = month_closed(village=village, party_group=party_group, day=held_on)
        if closed:
            errors["held_on"] = closed
    if party_group is not None and party_group.village_id != village.pk:
        errors["party_group"] = "这个党小组不属于本支部：请从本支部的党小组中选择。"
    if kind == Kind.GROUP and party_group is None:
        errors["party_group"] = "党小组会要选是哪个党小组开的。"
    _check_people(village, errors, host=host, recorder=recorder, talk_with=talk_with)
    if kind == Kind.TALK:
        if host is None:
            errors["host"] = "请选择谈话人。"
        if talk_with is None:
            errors["talk_with"] = "请选择谈话对象。"
        elif host is not None and talk_with.pk == host.pk:
            errors["talk_with"] = "谈心谈话是两个人之间的：谈话对象不能是谈话人自己，请另选一名党员。"
        marks = []
    foreign = [m.member.name for m in marks if m.member.village_id != village.pk]
    if foreign:
        errors["attendance"] = f"{'、'.join(foreign)}不是本支部的党员，不能登记出席：请只登记本支部党员。"
    no_reason = [m.member.name for m in marks if m.presence == Presence.ABSENT and not m.reason]
    if no_reason:
        errors["attendance"] = f"请为缺席的{'、'.join(no_reason)}选择缺席原因（病假、外出务工、事假或其他）。"
    if errors:
        raise ValidationError(errors)
    theme = None
    if kind == Kind.THEME_DAY:
        theme = MonthlyTheme.objects.filter(township_id=village.township_id, month=periods.month_of(held_on)).first()
    report = None
    if kind == Kind.GROUP:
        report = MonthlyReport.objects.filter(party_group=party_group, month=periods.month_of(held_on)).first()
        if report is None and not backfill:
            report = report_for(party_group=party_group, month=held_on, acting_user=acting_user)
    meeting = Meeting(
        village=village,
        party_group=party_group if kind == Kind.GROUP else None,
        kind=kind,
        held_on=held_on,
        place=place,
        host=host,
        recorder=recorder,
        talk_with=talk_with if kind == Kind.TALK else None,
        topic=topic,
        content=content,
        decisions=decisions,
        study_hours=rules.DEFAULT_STUDY_HOURS[kind] if study_hours is None else study_hours,
        theme=theme,
        report=report,
        recorded_by=user_or_none(acting_user),
    )
    meeting.full_clean()
    meeting.save()
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member=m.member,
            presence=m.presence,
            reason=m.reason if m.presence == Presence.ABSENT else "",
        )
        for m in marks
    )
    report_link.activity_sync(meeting, acting_user=acting_user, system=backfill)
    return meeting


def vote_counts(meeting: Meeting) -> tuple[int, int]:
    """(entitled, attending): the full members expected at the meeting, and those of them present or remote.
    Probationary members attend but do not vote (党章第七条)."""
    rows = Attendance.objects.filter(meeting=meeting, member__status=PartyMember.Status.FULL)
    entitled = rows.count()
    attending = rows.exclude(presence=Presence.ABSENT).count()
    return entitled, attending


@transaction.atomic
def vote_record(
    *, meeting: Meeting, subject: str, votes_for: int, votes_against: int, abstaining: int, acting_user
) -> Vote:
    """Record a vote at a 支部党员大会: entitled and attending are counted, not typed; more votes than attending
    full members are refused."""
    require(acting_user, "orglife.write", meeting.village)
    if meeting.kind != Kind.ASSEMBLY:
        raise ValidationError({"subject": "只有支部党员大会才进行表决：请在支部党员大会的记录下登记。"})
    entitled, attending = vote_counts(meeting)
    total = votes_for + votes_against + abstaining
    if total > attending:
        raise ValidationError(
            {
                "votes_for": f"赞成、反对、弃权合计{total}票，多于到会的有表决权党员{attending}人："
                "请核对票数（预备党员没有表决权，不计票）。"
            }
        )
    return Vote.objects.create(
        meeting=meeting,
        subject=subject,
        entitled=entitled,
        attending=attending,
        votes_for=votes_for,
        votes_against=votes_against,
        abstaining=abstaining,
        is_valid=rules.vote_valid(entitled=entitled, attending=attending),
        recorded_by=user_or_none(acting_user),
    )


@transaction.atomic
def settings_save(*, township, acting_user, **values) -> OrgLifeSettings:
    """Keep the township's frequencies and study-hours target."""
    require(acting_user, "orglife.settings", township)
    current, _created = OrgLifeSettings.objects.get_or_create(township=township)
    for field, value in values.items():
        setattr(current, field, value)
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def theme_publish(*, township, month: datetime.date, title: str, materials: str = "", acting_user) -> MonthlyTheme:
    """Publish the month's 主题党日 theme; branches' 主题党日 of that month already recorded link to it."""
    require(acting_user, "orglife.settings", township)
    month = periods.month_of(month)
    if MonthlyTheme.objects.filter(township=township, month=month).exists():
        raise ValidationError({"month": "这个月已经发布了主题：一个月只有一个主题，请换一个月份。"})
    theme = MonthlyTheme.objects.create(
        township=township, month=month, title=title, materials=materials, published_by=user_or_none(acting_user)
    )
    first, last = periods.month_range(month)
    Meeting.objects.filter(
        village__township=township, kind=Kind.THEME_DAY, held_on__range=(first, last), theme__isnull=True
    ).update(theme=theme)
    return theme


__all__ = ["AbsenceReason", "Mark", "meeting_record", "vote_record", "settings_save", "theme_publish"]
