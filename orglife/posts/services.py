"""Writes of the posts for members without office (无职党员设岗定责). Keyword-only, one transaction each, the acting
user checked against `posts.write` and recorded; errors are keyed by the form field they belong to."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from activity.models import Activity
from core import clock, periods
from core.stamp import stamp, user_or_none
from core.words import day_cn
from groups.models import GroupPost, VillagerGroup
from members.models import PartyMember
from members.standing.selectors import standing_on
from orglife.posts.models import DutyAssignment, DutyCredit, DutyPost
from township.capabilities import require
from township.models import Village


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def _period_text(start: datetime.date, until: datetime.date | None) -> str:
    return f"{day_cn(start)}起" + (f"至{day_cn(until)}" if until else "")


def offices_of(members: Iterable[PartyMember], day: datetime.date) -> dict[int, list[str]]:
    """The offices each member holds on `day` — party-group leader or deputy, branch secretary — which a post for
    members without office is not meant for (flagged where the branch assigns, never refused). Two queries at most."""
    members = list(members)
    offices: dict[int, list[str]] = {m.pk: [] for m in members}
    officers = (
        GroupPost.objects.on(day)
        .filter(member__in=[m.pk for m in members])
        .exclude(role=GroupPost.Role.MEMBER)
        .select_related("party_group")
    )
    for post in officers:
        offices[post.member_id].append(f"{post.party_group.name}{post.get_role_display()}")
    secretaries = {v.pk: v.secretary_name for v in Village.objects.filter(pk__in={m.village_id for m in members})}
    for m in members:
        if secretaries.get(m.village_id) and secretaries[m.village_id] == m.name:
            offices[m.pk].append("村党支部书记")
    return offices


@transaction.atomic
def post_define(
    *,
    village: Village,
    kind: str,
    title: str,
    duties: str,
    villager_group: VillagerGroup | None = None,
    households: str = "",
    acting_user=None,
) -> DutyPost:
    """The branch sets a post for its members without office."""
    require(acting_user, "posts.write", village)
    errors = _Errors()
    title, duties, households = (title or "").strip(), (duties or "").strip(), (households or "").strip()
    if villager_group is not None and villager_group.village_id != village.pk:
        errors.add("villager_group", f"请选{village.name}的村民小组。")
    if kind == DutyPost.Kind.HOUSEHOLDS and not households:
        errors.add("households", "联系农户岗要写明联系哪几户，如：张永志、杨秀兰、唐德明。")
    if not title:
        errors.add("title", "请给岗位起个名称，如：3社联系农户岗。")
    elif DutyPost.objects.filter(village=village, title=title).exists():
        errors.add("title", "本支部已有同名岗位：请换一个名称。")
    if not duties:
        errors.add("duties", "请写明这个岗位做什么。")
    errors.raise_any()
    post = DutyPost(
        village=village,
        kind=kind,
        title=title,
        duties=duties,
        villager_group=villager_group,
        households=households,
        created_by=user_or_none(acting_user),
    )
    post.full_clean()
    stamp(post, acting_user).save()
    return post


@transaction.atomic
def post_assign(
    *,
    post: DutyPost,
    member: PartyMember,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    acting_user=None,
) -> DutyAssignment:
    """Put a member of the branch on a post from a date (until a date, or on). The same member's periods on the same
    post never overlap; a member who holds an office is allowed but flagged (`offices_of`)."""
    require(acting_user, "posts.write", post.village)
    post = DutyPost.objects.select_for_update().select_related("village").get(pk=post.pk)
    errors = _Errors()
    if member.village_id != post.village_id:
        errors.add("member", f"{member.name}不是{post.village.name}党支部的党员：只能安排本支部的党员上岗。")
    else:
        state = standing_on(member, started_on)  # the one definition of a member on a day
        if state == PartyMember.Status.LEFT:
            errors.add("member", f"{member.name}{day_cn(started_on)}不是本支部的党员（尚未入党或已离开）。")
        elif state == PartyMember.Status.SUSPENDED:
            errors.add("member", f"{member.name}{day_cn(started_on)}的党籍处于停止状态，不能安排上岗。")
    if started_on > clock.today():
        errors.add("started_on", "上岗日期不能晚于今天：上岗之后再登记。")
    if ended_on is not None and ended_on <= started_on:
        errors.add("ended_on", "离岗日期要晚于上岗日期；只干一天就填上岗的第二天。")
    if not errors:
        last = ended_on - datetime.timedelta(days=1) if ended_on else datetime.date.max
        clash = (
            DutyAssignment.objects.filter(post=post, member=member)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=started_on), started_on__lte=last)
            .first()
        )
        if clash is not None:
            errors.add(
                "started_on",
                f"{member.name}{_period_text(clash.started_on, clash.ended_on)}已在这个岗位上：同一名党员在同一岗位的"
                "时间不能重叠。请改上岗日期，或先给原来那次填上离岗日期。",
            )
    errors.raise_any()
    assignment = DutyAssignment(
        post=post, member=member, started_on=started_on, ended_on=ended_on, assigned_by=user_or_none(acting_user)
    )
    assignment.full_clean()
    stamp(assignment, acting_user).save()
    return assignment


@transaction.atomic
def assignment_end(*, assignment: DutyAssignment, ended_on: datetime.date, acting_user=None) -> DutyAssignment:
    """A member leaves a post: `ended_on` is the first day no longer held."""
    require(acting_user, "posts.write", assignment.post.village)
    assignment = DutyAssignment.objects.select_for_update().get(pk=assignment.pk)
    errors = _Errors()
    if assignment.ended_on is not None:
        errors.add("ended_on", "已经离岗了。")
    elif ended_on <= assignment.started_on:
        errors.add("ended_on", f"上岗日期是{day_cn(assignment.started_on)}：离岗日期要更晚。")
    elif ended_on > clock.today() + datetime.timedelta(days=1):
        errors.add("ended_on", "离岗日期不能晚于明天：离岗之后再登记。")
    errors.raise_any()
    assignment.ended_on = ended_on
    stamp(assignment, acting_user).save(update_fields=["ended_on"])
    return assignment


def creditable_activities(assignment: DutyAssignment):
    """The monthly reports' activities the member took part in while holding the post, not yet credited to it."""
    last = assignment.ended_on - datetime.timedelta(days=1) if assignment.ended_on else clock.today()
    return (
        Activity.objects.filter(
            participants=assignment.member,
            report__party_group__village_id=assignment.post.village_id,
            held_on__gte=assignment.started_on,
            held_on__lte=last,
        )
        .exclude(pk__in=DutyCredit.objects.filter(assignment=assignment).values("activity_id"))
        .select_related("report__party_group")
        .order_by("-held_on", "-pk")
    )


@transaction.atomic
def duty_credit(*, assignment: DutyAssignment, activity: Activity, note: str = "", acting_user=None) -> DutyCredit:
    """Credit an activity of the month to the post a member did it in: the member took part, while on the post."""
    require(acting_user, "posts.write", assignment.post.village)
    errors = _Errors()
    activity = Activity.objects.select_related("report__party_group").get(pk=activity.pk)
    if activity.report.party_group.village_id != assignment.post.village_id:
        errors.add("activity", "只能记本支部党小组的活动。")
    elif not periods.in_force_on(assignment.started_on, assignment.ended_on, activity.held_on):
        errors.add("activity", f"这项活动在{day_cn(activity.held_on)}，不在{assignment.member.name}在岗期间。")
    elif not activity.participants.filter(pk=assignment.member_id).exists():
        errors.add("activity", f"{assignment.member.name}没有参加这项活动：先在月度报告里把他加为参加党员。")
    elif DutyCredit.objects.filter(assignment=assignment, activity=activity).exists():
        errors.add("activity", "这项活动已记在这个岗位上。")
    errors.raise_any()
    credit = DutyCredit(
        assignment=assignment, activity=activity, note=(note or "").strip(), credited_by=user_or_none(acting_user)
    )
    credit.full_clean()
    stamp(credit, acting_user).save()
    return credit
