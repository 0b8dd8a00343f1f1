"""Counts of members on a day, by village and by party group, from the standing history."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery

from groups.models import GroupPost
from members.models import PartyMember
from members.standing.selectors import state_at

State = PartyMember.Status


@dataclass
class Counts:
    full: int = 0
    probationary: int = 0
    suspended: int = 0

    @property
    def members(self) -> int:
        return self.full + self.probationary


@dataclass
class CountsOn:
    day: datetime.date
    by_village: dict[int, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_group: dict[int | None, Counts] = field(default_factory=lambda: defaultdict(Counts))

    @property
    def total(self) -> Counts:
        t = Counts()
        for c in self.by_village.values():
            t.full, t.probationary, t.suspended = (
                t.full + c.full,
                t.probationary + c.probationary,
                t.suspended + c.suspended,
            )
        return t


def counts_on(day: datetime.date, villages) -> CountsOn:
    """Members, full and probationary (and those suspended), by village and by the party group they were in on
    `day` (None: in no group). One query, whatever the number of members."""
    post = GroupPost.objects.filter(member=OuterRef("pk")).on(day).order_by("-started_on").values("party_group")[:1]
    rows = (
        PartyMember.objects.filter(village__in=villages)
        .annotate(state_on=state_at(day), group_on=Subquery(post))
        .order_by()
        .values("village", "group_on", "state_on")
        .annotate(n=Count("pk"))
    )
    out = CountsOn(day)
    for r in rows:
        for c in (out.by_village[r["village"]], out.by_group[r["group_on"]]):
            if r["state_on"] == State.FULL:
                c.full += r["n"]
            elif r["state_on"] == State.PROBATIONARY:
                c.probationary += r["n"]
            elif r["state_on"] == State.SUSPENDED:
                c.suspended += r["n"]
    return out
