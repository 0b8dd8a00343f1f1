"""Writes of the committee's contact points and visits. Keyword-only, one transaction each, the acting user checked
against the capability table (`visits.write`) and recorded; errors are keyed by the form field they belong to."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from activity.concerns.services import concern_record
from activity.models import Concern
from core import clock
from core.stamp import stamp, user_or_none
from core.words import day_cn
from groups.models import PartyGroup, VillagerGroup
from members.models import PartyMember
from orglife.visits.models import ContactPoint, Visit, VisitProblem
from township.capabilities import require
from township.models import Assignment, Township, Village

VISIT_SOURCE = "（乡党委委员联系点走访时发现）"


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def committee_members(township: Township):
    """The township committee's members who hold contact points: the township's staff accounts."""
    return (
        get_user_model()
        .objects.filter(assignment__role=Assignment.Role.TOWNSHIP_STAFF, assignment__township=township, is_active=True)
        .order_by("first_name", "username")
    )


def name_of(user) -> str:
    return user.get_full_name() or user.username


def places_of(user, day: datetime.date) -> dict[int, set[int] | None]:
    """The places assigned to a committee member on `day`: village id → the party group ids assigned there, or None
    for the whole village."""
    places: dict[int, set[int] | None] = {}
    for village_id, group_id in (
        ContactPoint.objects.on(day).filter(member=user).values_list("village_id", "party_group_id")
    ):
        if group_id is None:
            places[village_id] = None
        elif places.get(village_id, set()) is not None:
            places.setdefault(village_id, set()).add(group_id)
    return places


@transaction.atomic
def contact_point_assign(
    *, member, village: Village, party_group: PartyGroup | None = None, started_on: datetime.date, acting_user=None
) -> ContactPoint:
    """Assign a committee member a village, or one of its party groups, as a contact point from a date."""
    require(acting_user, "visits.write", village)
    errors = _Errors()
    if not committee_members(village.township).filter(pk=member.pk).exists():
        errors.add("member", "只能给本乡党委委员（乡镇工作人员账号）安排联系点：请重新选择。")
    if party_group is not None and party_group.village_id != village.pk:
        errors.add("party_group", f"{party_group.name}不是{village.name}的党小组：请选本村的党小组，或留空联系整个村。")
    if party_group is not None and party_group.dissolved_on is not None and party_group.dissolved_on <= started_on:
        errors.add("party_group", f"{party_group.name}在{day_cn(started_on)}已撤销：请选现有的党小组。")
    same = ContactPoint.objects.not_ended_by(started_on).filter(member=member, village=village, party_group=party_group)
    if member.pk and same.exists():
        errors.add("village" if party_group is None else "party_group", "这个联系点已经安排给这名委员了。")
    errors.raise_any()
    point = ContactPoint(
        member=member,
        village=village,
        party_group=party_group,
        started_on=started_on,
        assigned_by=user_or_none(acting_user),
    )
    point.full_clean()
    stamp(point, acting_user).save()
    return point


@transaction.atomic
def contact_point_end(*, point: ContactPoint, ended_on: datetime.date, acting_user=None) -> ContactPoint:
    """End a contact point: `ended_on` is the first day it no longer holds."""
    require(acting_user, "visits.write", point.village)
    point = ContactPoint.objects.select_for_update().get(pk=point.pk)
    errors = _Errors()
    if point.ended_on is not None:
        errors.add("ended_on", "这个联系点已经结束。")
    elif ended_on < point.started_on:
        errors.add("ended_on", f"这个联系点从{day_cn(point.started_on)}开始：截止日期不能更早。")
    errors.raise_any()
    point.ended_on = ended_on
    stamp(point, acting_user).save(update_fields=["ended_on"])
    return point


@transaction.atomic
def visit_record(
    *,
    visitor,
    village: Village,
    party_groups: Sequence[PartyGroup] = (),
    visited_on: datetime.date,
    met: str,
    learned: str,
    problems: Sequence[str] = (),
    acting_user=None,
) -> Visit:
    """Log a committee member's visit to one of their contact points, with the problems taken up there.

    The visit must be to a place assigned to the visitor on that day: the village (any of its party groups), or the
    party groups assigned to them in it. Nobody logs a visit for someone else: the visitor is the acting user.
    """
    require(acting_user, "visits.write", village)
    if acting_user is not None and visitor.pk != acting_user.pk:
        raise ValidationError({"village": "走访只能由走访的委员本人登记。"})
    errors = _Errors()
    met, learned = (met or "").strip(), (learned or "").strip()
    if visited_on > clock.today():
        errors.add("visited_on", "走访日期不能晚于今天：走访之后再登记。")
    places = places_of(visitor, visited_on)
    if village.pk not in places:
        errors.add(
            "village",
            f"{village.name}不是您在{day_cn(visited_on)}的联系点：只能登记自己联系点的走访；"
            "联系点由乡党委在“联系点安排”中调整。",
        )
    else:
        allowed = places[village.pk]
        for group in party_groups:
            if group.village_id != village.pk:
                errors.add("party_groups", f"{group.name}不是{village.name}的党小组：请只选本村的党小组。")
            elif allowed is not None and group.pk not in allowed:
                errors.add("party_groups", f"{group.name}不是您的联系点：您在{village.name}只联系指定的党小组。")
            elif not group.existed_in(visited_on, visited_on):
                errors.add("party_groups", f"{group.name}在{day_cn(visited_on)}还没有成立或已经撤销。")
        if allowed is not None and not party_groups:
            errors.add("party_groups", "您在这个村联系的是指定的党小组：请选走访了哪个党小组。")
    if not met:
        errors.add("met", "请写明见了谁，如：党小组长谢明德和3户群众。")
    if not learned:
        errors.add("learned", "请写明了解到的思想、学习、工作和生活情况。")
    errors.raise_any()
    visit = Visit(
        visitor=visitor,
        village=village,
        visited_on=visited_on,
        met=met,
        learned=learned,
        recorded_by=user_or_none(acting_user),
    )
    visit.full_clean()
    stamp(visit, acting_user).save()
    visit.party_groups.set(party_groups)
    for text in problems:
        if text and text.strip():
            problem = VisitProblem(visit=visit, description=text.strip())
            problem.full_clean()
            stamp(problem, acting_user).save()
    return visit


@transaction.atomic
def visit_problem_follow_up(
    *, problem: VisitProblem, follow_up: str, resolved_on: datetime.date | None = None, acting_user=None
) -> VisitProblem:
    """Write down how a problem taken up on a visit was followed up, and the day it was solved (if it was)."""
    require(acting_user, "visits.write", problem.visit.village)
    problem = VisitProblem.objects.select_for_update().select_related("visit").get(pk=problem.pk)
    errors = _Errors()
    follow_up = (follow_up or "").strip()
    if not follow_up:
        errors.add("follow_up", "请写明跟进了什么、结果如何。")
    if resolved_on is not None:
        if resolved_on > clock.today():
            errors.add("resolved_on", "解决日期不能晚于今天。")
        elif resolved_on < problem.visit.visited_on:
            errors.add("resolved_on", f"问题是{day_cn(problem.visit.visited_on)}走访时发现的：解决日期不能更早。")
    errors.raise_any()
    problem.follow_up, problem.resolved_on = follow_up, resolved_on
    stamp(problem, acting_user).save(update_fields=["follow_up", "resolved_on"])
    return problem


@transaction.atomic
def visit_problem_to_concern(
    *,
    problem: VisitProblem,
    villager_group: VillagerGroup,
    raised_through: PartyMember,
    category: str,
    due_on: datetime.date | None = None,
    acting_user=None,
) -> Concern:
    """Turn a problem taken up on a visit into a concern relayed to the township, in the one 党情民意 queue."""
    require(acting_user, "visits.write", problem.visit.village)
    problem = VisitProblem.objects.select_for_update().select_related("visit__village").get(pk=problem.pk)
    errors = _Errors()
    if problem.concern_id is not None:
        errors.add("category", "这个问题已经转为党情民意，不要重复登记。")
    if villager_group.village_id != problem.visit.village_id:
        errors.add("villager_group", f"请选{problem.visit.village.name}的村民小组。")
    if raised_through.village_id != problem.visit.village_id:
        errors.add("raised_through", f"请选{problem.visit.village.name}的党员。")
    errors.raise_any()
    concern = concern_record(
        villager_group=villager_group,
        raised_through=raised_through,
        raised_on=problem.visit.visited_on,
        category=category,
        content=f"{problem.description}{VISIT_SOURCE}",
        handling=Concern.Handling.TOWNSHIP,
        due_on=due_on,
        acting_user=acting_user,
    )
    problem.concern = concern
    stamp(problem, acting_user).save(update_fields=["concern"])
    return concern
