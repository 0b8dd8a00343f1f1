"""Writing a member's standing: the one service that appends to the history (and keeps the member's cached status and
left_on), and the branch's handling of a 不合格 grade, which may end in 劝退 or 除名.

It lives in the groups room because a member who leaves also leaves their party group: the post ends the day the
member leaves, so that a group's count and the history agree.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from core import clock, periods
from core.stamp import stamp, user_or_none
from groups.models import GroupPost
from members.models import AnnualReview, PartyMember
from members.standing.models import IN_PARTY, ReviewHandling, StandingChange
from members.standing.selectors import MAX_EXTENSION_YEARS, PROBATION_YEARS, probation_due
from township.capabilities import require

Kind = StandingChange.Kind
State = PartyMember.Status
EXPULSIONS = {Kind.STRUCK_OFF, Kind.EXPELLED, Kind.PERSUADED, Kind.LAPSED}  # 出党
LEAVING = EXPULSIONS | {Kind.TRANSFER_OUT, Kind.DIED, Kind.CANCELLED, Kind.LEFT}
NEEDS_DECISION = EXPULSIONS | {Kind.CONFIRMED, Kind.EXTENDED, Kind.CANCELLED, Kind.SUSPENDED, Kind.RESTORED}
TRANSFERS = {Kind.TRANSFER_IN, Kind.TRANSFER_OUT}
# The kinds a person records (the old `left_on` move is the migration's only).
RECORDABLE = [k for k in Kind if k != Kind.LEFT]


def _d(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _latest(member: PartyMember) -> StandingChange | None:
    return StandingChange.objects.filter(member=member).order_by("-on", "-pk").first()


def _state_after(kind: str, member: PartyMember, latest: StandingChange | None, on: datetime.date, until) -> str:
    """The state the change leads to, or a ValidationError saying why it cannot follow the member's standing."""
    now = State.LEFT if latest is None and kind in (Kind.JOINED, Kind.TRANSFER_IN) else member.status
    name = member.name
    if now == State.LEFT and kind not in (Kind.JOINED, Kind.TRANSFER_IN):
        when = f"已于{_d(member.left_on)}" if member.left_on else "已"
        raise ValidationError({"kind": f"{name}{when}离开本支部，不能再登记“{Kind(kind).label}”。请先登记转入。"})
    if kind == Kind.JOINED:
        if latest is not None or member.status != State.PROBATIONARY:
            raise ValidationError({"kind": f"{name}已有党籍记录，不能再登记入党。转入本支部的党员请登记“转入”。"})
        if on != member.joined_on:
            raise ValidationError({"on": f"入党日期应与党员信息中的入党日期（{_d(member.joined_on)}）一致。"})
        return State.PROBATIONARY
    if kind == Kind.TRANSFER_IN:
        if now != State.LEFT:
            raise ValidationError({"kind": f"{name}现在就在本支部，不能登记转入。"})
        return member.status if latest is None and member.status in IN_PARTY else State.FULL
    if kind in (Kind.CONFIRMED, Kind.EXTENDED, Kind.CANCELLED):
        if now != State.PROBATIONARY:
            raise ValidationError({"kind": f"{name}不是预备党员，不能登记“{Kind(kind).label}”。"})
        first_due = periods.add_years(member.joined_on, PROBATION_YEARS)
        if kind == Kind.CONFIRMED:
            if on < first_due:
                raise ValidationError(
                    {"on": f"预备期满一年（{_d(first_due)}）后才能转正；{name}的入党日期是{_d(member.joined_on)}。"}
                )
            return State.FULL
        if kind == Kind.EXTENDED:
            longest = periods.add_years(first_due, MAX_EXTENSION_YEARS)
            if until is None:
                raise ValidationError({"probation_until": "请填写延长后的预备期满日期。"})
            if until <= first_due or until > longest:
                raise ValidationError(
                    {
                        "probation_until": f"延长预备期最长一年：预备期满日期应在{_d(first_due)}之后、"
                        f"不晚于{_d(longest)}。"
                    }
                )
            return State.PROBATIONARY
        return State.LEFT  # 取消预备资格
    if kind == Kind.SUSPENDED:
        if now not in IN_PARTY:
            raise ValidationError({"kind": f"{name}现在已停止党籍，不能重复登记。"})
        return State.SUSPENDED
    if kind == Kind.RESTORED:
        if now != State.SUSPENDED:
            raise ValidationError({"kind": f"{name}的党籍没有被停止，不需要恢复。"})
        return latest.state_before if latest is not None and latest.state_before in IN_PARTY else State.FULL
    if kind == Kind.TRANSFER_OUT and now == State.SUSPENDED:
        raise ValidationError({"kind": f"{name}的党籍已停止，须先恢复党籍才能转出组织关系。"})
    return State.LEFT  # 转出, 去世, 出党


@transaction.atomic
def standing_record(
    *,
    member: PartyMember,
    kind: str,
    on: datetime.date,
    decision: str = "",
    document_no: str = "",
    organisation: str = "",
    letter_no: str = "",
    probation_until: datetime.date | None = None,
    notes: str = "",
    acting_user,
) -> StandingChange:
    """Append one change to a member's standing, in date order, and bring the member's cached status, left_on and
    party-group post in line with it. Refused (ValidationError by field, in Chinese) when it breaks the order."""
    member = PartyMember.objects.select_for_update().select_related("village").get(pk=member.pk)
    require(acting_user, "members.write", member.village)
    if kind not in RECORDABLE:
        raise ValidationError({"kind": "请选择党籍变动的类别。"})
    errors: dict[str, str] = {}
    if on > clock.today():
        errors["on"] = "日期不能晚于今天：变动生效后再登记。"
    elif on < member.joined_on and kind != Kind.TRANSFER_IN:
        errors["on"] = f"日期不能早于{member.name}的入党日期（{_d(member.joined_on)}）。"
    if kind in NEEDS_DECISION and not decision.strip():
        errors["decision"] = "请填写作出这一决定的会议或批复，如：支部大会决议、乡党委批复。"
    if kind in TRANSFERS:
        if not organisation.strip():
            errors["organisation"] = "组织关系转接须填写对方党组织的全称。"
        if not letter_no.strip():
            errors["letter_no"] = "组织关系转接须填写介绍信编号。"
    if errors:
        raise ValidationError(errors)
    latest = _latest(member)
    if latest is not None and on < latest.on:
        raise ValidationError(
            {
                "on": f"党籍变动按时间顺序登记：{member.name}最近一次变动是{_d(latest.on)}的"
                f"“{latest.get_kind_display()}”，日期不能早于它。"
            }
        )
    after = _state_after(kind, member, latest, on, probation_until)
    if kind == Kind.JOINED:
        probation_until = periods.add_years(on, PROBATION_YEARS)
    elif kind != Kind.EXTENDED:
        probation_until = None
    before = State.LEFT if latest is None and kind in (Kind.JOINED, Kind.TRANSFER_IN) else member.status
    change = StandingChange(
        member=member,
        kind=kind,
        on=on,
        state_before=before,
        state_after=after,
        decision=decision.strip(),
        document_no=document_no.strip(),
        organisation=organisation.strip(),
        letter_no=letter_no.strip(),
        probation_until=probation_until,
        notes=notes.strip(),
        recorded_by=user_or_none(acting_user),
        recorded_at=clock.now(),
    )
    change.full_clean()
    change.save()
    member.status = after
    member.left_on = on if after == State.LEFT else None
    stamp(member, acting_user).save(update_fields=["status", "left_on"])
    if after == State.LEFT:
        for post in GroupPost.objects.current().filter(member=member).select_for_update():
            post.ended_on = max(on, post.started_on)
            stamp(post, acting_user).save(update_fields=["ended_on"])
    return change


def due_on(member: PartyMember) -> datetime.date | None:
    """A probationary member's 转正 due date (a year after joining, or the end of the extension)."""
    if member.status != State.PROBATIONARY:
        return None
    ext = (
        StandingChange.objects.filter(member=member, probation_until__isnull=False)
        .order_by("-on", "-pk")
        .values_list("probation_until", flat=True)
        .first()
    )
    return probation_due(member.joined_on, ext)


# --- 不合格 after 民主评议 ------------------------------------------------------------------------------------------

MAX_CORRECTION_DAYS = 366
Measure = ReviewHandling.Measure


@transaction.atomic
def handling_record(
    *,
    review: AnnualReview,
    measure: str,
    decided_on: datetime.date,
    deadline: datetime.date | None = None,
    decision: str = "",
    document_no: str = "",
    acting_user,
) -> ReviewHandling:
    """The branch decides how a member graded 不合格 is handled: 限期改正 (deadline up to a year), 劝退 or 除名 (which
    also end the member's standing, in the history)."""
    review = AnnualReview.objects.select_for_update().select_related("member__village").get(pk=review.pk)
    require(acting_user, "members.write", review.member.village)
    if review.grade != AnnualReview.Grade.UNQUALIFIED:
        raise ValidationError({"measure": "只有民主评议定为“不合格”的党员才需要登记处置。"})
    if ReviewHandling.objects.filter(review=review).exists():
        raise ValidationError({"measure": "这一年的不合格等次已登记过处置；限期改正的，请登记改正结果。"})
    errors: dict[str, str] = {}
    if decided_on > clock.today():
        errors["decided_on"] = "决定日期不能晚于今天。"
    if measure == Measure.CORRECT:
        if deadline is None:
            errors["deadline"] = "限期改正须填写改正期限。"
        elif deadline <= decided_on or (deadline - decided_on).days > MAX_CORRECTION_DAYS:
            errors["deadline"] = "改正期限应在决定日期之后，最长一年。"
    else:
        deadline = None
        if not decision.strip():
            errors["decision"] = "劝退、除名须填写支部大会决议等决定。"
    if errors:
        raise ValidationError(errors)
    handling = ReviewHandling(
        review=review,
        measure=measure,
        decided_on=decided_on,
        deadline=deadline,
        decision=decision.strip(),
        document_no=document_no.strip(),
        recorded_by=user_or_none(acting_user),
    )
    handling.full_clean()
    handling.save()
    if measure != Measure.CORRECT:
        kind = Kind.PERSUADED if measure == Measure.PERSUADE else Kind.STRUCK_OFF
        standing_record(
            member=review.member,
            kind=kind,
            on=decided_on,
            decision=decision,
            document_no=document_no,
            notes=f"{review.year}年民主评议不合格后的处置",
            acting_user=acting_user,
        )
    return handling


@transaction.atomic
def handling_follow_up(
    *, handling: ReviewHandling, result: str, result_on: datetime.date, notes: str = "", acting_user
) -> ReviewHandling:
    """The result of a 限期改正 when the deadline comes (or earlier): corrected, or not corrected."""
    handling = ReviewHandling.objects.select_for_update().select_related("review__member__village").get(pk=handling.pk)
    require(acting_user, "members.write", handling.review.member.village)
    if not handling.is_open:
        raise ValidationError({"result": "这项处置不是待跟进的限期改正，或已登记过结果。"})
    if result not in ReviewHandling.Result.values:
        raise ValidationError({"result": "请选择改正结果。"})
    if result_on > clock.today():
        raise ValidationError({"result_on": "结果日期不能晚于今天。"})
    if result_on < handling.decided_on:
        raise ValidationError({"result_on": f"结果日期不能早于决定日期（{_d(handling.decided_on)}）。"})
    handling.result, handling.result_on, handling.result_notes = result, result_on, notes.strip()
    handling.save(update_fields=["result", "result_on", "result_notes"])
    return handling
