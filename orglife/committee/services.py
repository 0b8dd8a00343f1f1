"""Writes and reads of the branch committee (支部委员会成员): a member of the branch takes a post on the committee
for a term, and leaves it. Keyword-only, one transaction each, the acting user checked against `orglife.write` (the
branch's secretary or the township's staff) and recorded in the history."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from core import clock
from core.stamp import stamp, user_or_none
from core.words import day_cn
from members.models import PartyMember
from orglife.committee.models import CommitteeSeat
from township.capabilities import require
from township.models import Village

# The order posts are listed in, the secretary first.
POST_ORDER = {value: i for i, value in enumerate(CommitteeSeat.Post.values)}


def _term(start: datetime.date, until: datetime.date | None) -> str:
    return f"{day_cn(start)}起" + (f"至{day_cn(until)}" if until else "")


def committee_on(village, day: datetime.date) -> list[CommitteeSeat]:
    """The committee in office on `day`, the secretary first (one query)."""
    seats = list(CommitteeSeat.objects.on(day).filter(village=village).select_related("member"))
    return sorted(seats, key=lambda s: (POST_ORDER[s.post], s.member.name, s.member_id))


def committee_members_on(village, day: datetime.date) -> QuerySet[PartyMember]:
    """The members sitting on the committee on `day` (each once, whatever posts they hold): the 支委会's 应到."""
    seats = CommitteeSeat.objects.on(day).filter(village=village).values("member_id")
    return PartyMember.objects.filter(pk__in=seats).order_by("name", "pk")


@transaction.atomic
def committee_seat_add(
    *,
    village: Village,
    member: PartyMember,
    post: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    acting_user=None,
) -> CommitteeSeat:
    """A member of the branch takes a post on its committee from a date (until a date, or on). The same member's
    terms in the same post never overlap."""
    require(acting_user, "orglife.write", village)
    Village.objects.select_for_update().filter(pk=village.pk).first()  # one writer of a branch's committee at a time
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if member.village_id != village.pk:
        add("member", f"{member.name}不是{village.name}党支部的党员：支部委员只能从本支部党员中选。")
    elif member.left_on is not None and member.left_on <= started_on:
        add("member", f"{member.name}已于{day_cn(member.left_on)}离开本支部：请另选一名党员。")
    elif member.joined_on and member.joined_on > started_on:
        add("started_on", f"{member.name}{day_cn(member.joined_on)}才入党：任职日期不能早于这一天。")
    if post not in CommitteeSeat.Post.values:
        add("post", "请从列表中选择职务。")
    if ended_on is not None and ended_on <= started_on:
        add("ended_on", "离任日期要晚于任职日期：离任日期是不再担任的第一天；还在任就留空。")
    if not errors:
        last = ended_on - datetime.timedelta(days=1) if ended_on else datetime.date.max
        clash = (
            CommitteeSeat.objects.filter(village=village, member=member, post=post)
            .overlapping(started_on, last)
            .first()
        )
        if clash is not None:
            add(
                "started_on",
                f"{member.name}{_term(clash.started_on, clash.ended_on)}已任{clash.get_post_display()}："
                "同一名党员同一职务的任期不能重叠。请改任职日期，或先给原来那一任填上离任日期。",
            )
    if errors:
        raise ValidationError(errors)
    seat = CommitteeSeat(
        village=village,
        member=member,
        post=post,
        started_on=started_on,
        ended_on=ended_on,
        recorded_by=user_or_none(acting_user),
    )
    seat.full_clean()
    stamp(seat, acting_user).save()
    return seat


@transaction.atomic
def committee_seat_end(*, seat: CommitteeSeat, ended_on: datetime.date, acting_user=None) -> CommitteeSeat:
    """A member leaves the committee post: `ended_on` is the first day no longer held."""
    require(acting_user, "orglife.write", seat.village)
    seat = CommitteeSeat.objects.select_for_update().get(pk=seat.pk)
    if seat.ended_on is not None:
        raise ValidationError({"ended_on": f"已于{day_cn(seat.ended_on)}离任。"})
    if ended_on <= seat.started_on:
        raise ValidationError({"ended_on": f"任职日期是{day_cn(seat.started_on)}：离任日期要更晚。"})
    if ended_on > clock.today() + datetime.timedelta(days=366):
        raise ValidationError({"ended_on": "离任日期太远了：请填实际离任（或任期届满）的日期。"})
    seat.ended_on = ended_on
    stamp(seat, acting_user).save(update_fields=["ended_on"])
    return seat


__all__ = ["committee_members_on", "committee_on", "committee_seat_add", "committee_seat_end"]
