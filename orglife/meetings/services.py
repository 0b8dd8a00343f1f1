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
from core.stamp import stamp, user_or_none
from core.words import day_cn
from groups.models import GroupPost, PartyGroup
from members.away.models import AwaySpell
from members.models import PartyMember
from orglife.committee.services import committee_members_on
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
    """The branch's members on a day, by the standing history: joined by then, not yet left, not suspended."""
    return PartyMember.objects.filter(village=village).in_party_on(day).without_numbers()


def expected_members(*, village, kind: str, day: datetime.date, party_group=None) -> QuerySet[PartyMember]:
    """Who is expected (应到) by default: a party group's members for a 党小组会, else every member of the branch
    (a 支委会 offers the same list, each marked 不应到 by default: the branch ticks its committee members)."""
    members = members_on(village, day)
    if kind == Kind.GROUP and party_group is not None:
        in_group = GroupPost.objects.on(day).filter(party_group=party_group).values("member_id")
        members = members.filter(pk__in=in_group)
    return members.order_by("name", "pk")


def away_on(members, day: datetime.date) -> dict[int, str]:
    """The members of `members` away (流动党员) on `day`, by id, with the city they are in."""
    spells = AwaySpell.objects.filter(member__in=[m.pk for m in members], since__lte=day).filter(
        Q(returned_on__isnull=True) | Q(returned_on__gt=day)
    )
    return dict(spells.values_list("member_id", "city"))


def month_closed(*, village, party_group, day: datetime.date) -> str | None:
    """Why a meeting cannot be dated in this month, or None: a decided appraisal year closes its months; a party
    group's month is closed with its monthly report, and while that report is submitted (final until withdrawn); a
    branch's month once every report of the village is closed."""
    month = periods.month_of(day)
    reason = month_closed_reason(village.township_id, month)
    if reason:
        return reason
    reports = MonthlyReport.objects.filter(month=month, party_group__village=village)
    if party_group is not None:
        reports = reports.filter(party_group=party_group)
    statuses = set(reports.values_list("status", flat=True))
    if statuses and statuses == {MonthlyReport.Status.CLOSED}:
        name = f"{month.year}年{month.month}月"
        return f"{name}已关闭，不能再补记这个月的会议：请支部先重新打开这个月（写明理由），再登记。"
    if party_group is not None and statuses == {MonthlyReport.Status.SUBMITTED}:
        # a submitted report is final: its 党小组会 activity would change under the township's eyes
        return (
            f"{party_group.name}{month.year}年{month.month}月的月度报告已提交，不能再补记这个月的会议："
            "请先在报告页撤回报告（写明理由），再登记，然后重新提交。"
        )
    return None


def _check_people(village, errors: dict, **people) -> None:
    for field, member in people.items():
        if member is not None and member.village_id != village.pk:
            errors[field] = f"{member.name}不是本支部的党员：请从本支部党员中选择。"


def _check_meeting(
    *,
    village,
    kind: str,
    held_on: datetime.date,
    party_group,
    host,
    recorder,
    talk_with,
    marks: list[Mark],
    backfill: bool,
) -> dict[str, str]:
    """The rules a meeting's fields and attendance follow, recorded or corrected: errors keyed by the form's fields."""
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
    foreign = [m.member.name for m in marks if m.member.village_id != village.pk]
    if foreign:
        errors["attendance"] = f"{'、'.join(foreign)}不是本支部的党员，不能登记出席：请只登记本支部党员。"
    no_reason = [m.member.name for m in marks if m.presence == Presence.ABSENT and not m.reason]
    if no_reason:
        errors["attendance"] = f"请为缺席的{'、'.join(no_reason)}选择缺席原因（病假、外出务工、事假或其他）。"
    if kind == Kind.COMMITTEE and "attendance" not in errors and "held_on" not in errors:
        committee = {m.pk: m.name for m in committee_members_on(village, held_on)}
        if committee:  # a branch that has recorded its committee: 应到 is the committee in office that day
            marked = {m.member.pk for m in marks}
            outside = [m.member.name for m in marks if m.member.pk not in committee]
            missing = [name for pk, name in committee.items() if pk not in marked]
            if outside:
                errors["attendance"] = (
                    f"{'、'.join(outside)}在{day_cn(held_on)}不是支部委员：支委会的应到是当天在任的支部委员，"
                    "请只登记他们的出席情况（委员名单在“支部委员会成员”里改）。"
                )
            elif missing:
                errors["attendance"] = f"支部委员{'、'.join(missing)}还没有出席情况：请给每位在任委员选出席或缺席原因。"
    return errors


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
    A 支委会 of a branch that has recorded its committee expects exactly the committee in office that day.
    `backfill` lets a system action (no acting user: the demo builder, an import run on the server) record meetings
    of months already closed; a person never can."""
    report_link.require_may_record(acting_user, village=village, kind=kind, party_group=party_group)
    if backfill and acting_user is not None:
        raise PermissionDenied
    marks = [] if kind == Kind.TALK else list(marks)
    errors = _check_meeting(
        village=village,
        kind=kind,
        held_on=held_on,
        party_group=party_group,
        host=host,
        recorder=recorder,
        talk_with=talk_with,
        marks=marks,
        backfill=backfill,
    )
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


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    held_on: datetime.date,
    topic: str,
    acting_user,
    place: str = "",
    host: PartyMember | None = None,
    recorder: PartyMember | None = None,
    talk_with: PartyMember | None = None,
    content: str = "",
    decisions: str = "",
    study_hours: Decimal | None = None,
    marks: list[Mark] = (),
) -> Meeting:
    """Correct a recorded meeting's fields and attendance under the rules it was recorded by: neither its old nor its
    new date may lie in a closed month or the future. 应到/实到 follow the new attendance; the votes of a 党员大会
    are recounted and refused when they would exceed the members now attending. Each change is kept in the history
    with who made it and when."""
    require(acting_user, "orglife.write", meeting.village)
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("village", "party_group").get(pk=meeting.pk)
    )
    village, kind = meeting.village, meeting.kind
    marks = [] if kind == Kind.TALK else list(marks)
    errors = _check_meeting(
        village=village,
        kind=kind,
        held_on=held_on,
        party_group=meeting.party_group,
        host=host,
        recorder=recorder,
        talk_with=talk_with,
        marks=marks,
        backfill=False,
    )
    closed = month_closed(village=village, party_group=meeting.party_group, day=meeting.held_on)
    if closed and "held_on" not in errors:
        errors["held_on"] = closed.replace("补记", "修改").replace("再登记", "再修改")
    if errors:
        raise ValidationError(errors)
    month = periods.month_of(held_on)
    if kind == Kind.THEME_DAY and periods.month_of(meeting.held_on) != month:
        meeting.theme = MonthlyTheme.objects.filter(township_id=village.township_id, month=month).first()
    if kind == Kind.GROUP and periods.month_of(meeting.held_on) != month:
        meeting.report = MonthlyReport.objects.filter(party_group=meeting.party_group, month=month).first()
        if meeting.report is None:
            meeting.report = report_for(party_group=meeting.party_group, month=held_on, acting_user=acting_user)
    for name, value in {
        "held_on": held_on,
        "place": place,
        "host": host,
        "recorder": recorder,
        "talk_with": talk_with if kind == Kind.TALK else None,
        "topic": topic,
        "content": content,
        "decisions": decisions,
        "study_hours": meeting.study_hours if study_hours is None else study_hours,
    }.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    stamp(meeting, acting_user).save()
    _attendance_set(meeting, marks, acting_user)
    _votes_recount(meeting, acting_user)
    report_link.activity_sync(meeting, acting_user=acting_user)  # a 党小组会's report activity says the same
    return meeting


def _attendance_set(meeting: Meeting, marks: list[Mark], acting_user) -> None:
    """Make the meeting's attendance rows say what `marks` says, row by row so the history keeps each change."""
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    wanted = {m.member.pk: m for m in marks}
    for member_id, row in rows.items():
        if member_id not in wanted:
            stamp(row, acting_user).delete()
    for member_id, mark in wanted.items():
        reason = mark.reason if mark.presence == Presence.ABSENT else ""
        row = rows.get(member_id)
        if row is None:
            row = Attendance(meeting=meeting, member=mark.member)
        elif (row.presence, row.reason) == (mark.presence, reason):
            continue
        row.presence, row.reason = mark.presence, reason
        stamp(row, acting_user).save()


def _votes_recount(meeting: Meeting, acting_user) -> None:
    """Recount the votes of a 党员大会 against its corrected attendance; more votes than attending are refused."""
    votes = list(Vote.objects.filter(meeting=meeting))
    if not votes:
        return
    entitled, attending = vote_counts(meeting)
    over = [v for v in votes if v.votes_for + v.votes_against + v.abstaining > attending]
    if over:
        names = "、".join(f"“{v.subject}”{v.votes_for + v.votes_against + v.abstaining}票" for v in over)
        raise ValidationError(
            {
                "attendance": f"改后到会的有表决权党员只有{attending}人，少于已登记的表决票数（{names}）："
                "请核对出席情况（预备党员没有表决权）。"
            }
        )
    for v in votes:
        valid = rules.vote_valid(entitled=entitled, attending=attending)
        if (v.entitled, v.attending, v.is_valid) != (entitled, attending, valid):
            v.entitled, v.attending, v.is_valid = entitled, attending, valid
            stamp(v, acting_user).save()


def meeting_delete_blocker(meeting: Meeting) -> str | None:
    """Why a meeting may not be deleted, with what to do instead, or None: a 党小组会 its monthly report counts, or
    a meeting of a closed month."""
    if meeting.report_id is not None:
        report = meeting.report
        return (
            f"这次会议是{meeting.party_group.name}{report.month.year}年{report.month.month}月月度报告里的党小组会（同一次会议只登记一次），"
            "不能删除：登记有误请点“修改”更正日期、出席和内容。"
        )
    closed = month_closed(village=meeting.village, party_group=meeting.party_group, day=meeting.held_on)
    if closed:
        return closed.replace("补记", "删除").replace("再登记", "再删除")
    return None


@transaction.atomic
def meeting_delete(*, meeting: Meeting, reason: str, acting_user) -> None:
    """Delete a meeting recorded by mistake, with its attendance and votes; the reason is kept in the history with
    who deleted it and when. A 党小组会 its monthly report counts, or a meeting of a closed month, stays."""
    require(acting_user, "orglife.write", meeting.village)
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("village", "party_group", "report")
        .get(pk=meeting.pk)
    )
    reason = (reason or "").strip()
    blocker = meeting_delete_blocker(meeting)
    if blocker:
        raise ValidationError({"reason": blocker})
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明删除的理由（至少4个字），如：重复登记、日期记错已另行登记。"})
    note = f"删除：{reason}"[:100]
    for row in [*Attendance.objects.filter(meeting=meeting), *Vote.objects.filter(meeting=meeting)]:
        row._change_reason = note
        stamp(row, acting_user).delete()
    meeting._change_reason = note
    stamp(meeting, acting_user).delete()


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


__all__ = [
    "AbsenceReason",
    "Mark",
    "meeting_delete",
    "meeting_record",
    "meeting_update",
    "settings_save",
    "theme_publish",
    "vote_record",
]
