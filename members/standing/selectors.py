"""Reading standing: a member's state on a day, counts on a day, probations due — all from the standing history.

A change takes effect on its date: a member transferred out on 3 May is not counted on 3 May (as a party-group post
ended on a day is no longer held that day).
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from core import periods
from members.models import PartyMember
from members.standing.models import IN_PARTY, StandingChange, StandingRules

State = PartyMember.Status
PROBATION_YEARS = 1  # 《中国共产党章程》第七条：预备期为一年
MAX_EXTENSION_YEARS = 1  # 同条：延长预备期不能超过一年


def state_at(day: datetime.date, member_ref: str = "pk", prefix: str = ""):
    """An expression for the member's state on `day` (a PartyMember queryset's annotation, or through `prefix` a
    related one's): the state after their latest change on or before the day; before their first change, the state
    before it; with no change recorded, their cached state from the day they joined."""
    changes = StandingChange.objects.filter(member=OuterRef(member_ref))
    latest = changes.filter(on__lte=day).order_by("-on", "-pk").values("state_after")[:1]
    first = changes.order_by("on", "pk").values("state_before")[:1]
    return Case(
        When(Q(**{f"{prefix}joined_on__gt": day}), then=Value(State.LEFT)),
        # most members have no change recorded: one index probe answers for them, and the two ordered look-ups
        # below run only for the others (the same answer: with no change both are NULL and the cached state wins)
        When(~Exists(changes), then=F(f"{prefix}status")),
        default=Coalesce(Subquery(latest), Subquery(first), F(f"{prefix}status")),
        output_field=CharField(),
    )


def members_in_party_on(day: datetime.date, members: QuerySet[PartyMember] | None = None) -> QuerySet[PartyMember]:
    """The members (probationary or full) on `day`."""
    members = PartyMember.objects.all() if members is None else members
    return members.in_party_on(day)


def in_party_count_subquery(day: datetime.date, village_ref: str = "pk", *, through: str = "village", villages=None):
    """A subquery counting the members on `day` of a village (or, with `through="village__township"`, of a
    township's `villages`), for annotating villages or townships: the one count every dashboard shows, so that a
    township's equals the sum of its villages' (no extra query, whatever the number of rows)."""
    members = PartyMember.objects.filter(**{through: OuterRef(village_ref)})
    if villages is not None:
        members = members.filter(village__in=villages)
    counted = members_in_party_on(day, members).order_by().values(through).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def probation_due(joined_on: datetime.date, extended_until: datetime.date | None) -> datetime.date:
    """The day a probation is due to end: a year after joining, or the end of its extension."""
    return extended_until or periods.add_years(joined_on, PROBATION_YEARS)


def probationers(members: QuerySet[PartyMember]) -> QuerySet[PartyMember]:
    """Current probationary members with `extended_until` (the latest extension's end, or None)."""
    ext = (
        StandingChange.objects.filter(member=OuterRef("pk"), probation_until__isnull=False)
        .order_by("-on", "-pk")
        .values("probation_until")[:1]
    )
    return members.filter(status=State.PROBATIONARY).annotate(extended_until=Subquery(ext))


def overdue_probations(members: QuerySet[PartyMember], today: datetime.date) -> list[PartyMember]:
    """Probationary members whose probation is past due (转正 not yet decided), each with `due`, oldest first."""
    out = []
    for m in probationers(members).select_related("village").order_by("joined_on", "pk"):
        m.due = probation_due(m.joined_on, m.extended_until)
        if m.due < today:
            out.append(m)
    return sorted(out, key=lambda m: (m.due, m.pk))


def standing_on(member: PartyMember, day: datetime.date) -> str:
    """One member's state on `day` (one query)."""
    return PartyMember.objects.filter(pk=member.pk).annotate(s=state_at(day)).values_list("s", flat=True).get()


def probationary_may_be_excellent(township_id: int) -> bool:
    """The township's setting (default no: a probationary member is not proposed as 优秀党员)."""
    return StandingRules.objects.filter(township_id=township_id, probationary_may_be_excellent=True).exists()


def with_changes_in_order(members: QuerySet[PartyMember]) -> QuerySet[PartyMember]:
    """Members with `changes_in_order`, their standing history by date (one more query, whatever their number), for
    `spans_in_party` over many members."""
    ordered = StandingChange.objects.order_by("on", "pk").only("member_id", "on", "state_before", "state_after")
    return members.prefetch_related(Prefetch("standing_changes", queryset=ordered, to_attr="changes_in_order"))


def spans_in_party(member: PartyMember) -> list[tuple[datetime.date, datetime.date | None]]:
    """The periods the member was a member (probationary or full), as [first day, day it ended) with None for still:
    the same answer as `state_at` on every day, read from `changes_in_order` (`with_changes_in_order`), or from one
    query when not read yet. A suspension (停止党籍) ends a period and its restoration starts another."""
    changes = getattr(member, "changes_in_order", None)
    if changes is None:
        changes = list(StandingChange.objects.filter(member=member).order_by("on", "pk"))
        member.changes_in_order = changes
    state = changes[0].state_before if changes else member.status
    start = member.joined_on if state in IN_PARTY else None
    spans: list[tuple[datetime.date, datetime.date | None]] = []
    for c in changes:
        now_in = c.state_after in IN_PARTY
        if start is not None and not now_in:
            if c.on > start:
                spans.append((start, c.on))
            start = None
        elif start is None and now_in:
            start = max(c.on, member.joined_on)
    if start is not None:
        spans.append((start, None))
    return spans


def in_party_between(member: PartyMember, first: datetime.date, end: datetime.date) -> bool:
    """Whether the member was a member on some day from `first` up to (not including) `end`."""
    return any(start < end and (stop is None or stop > first) for start, stop in spans_in_party(member))
