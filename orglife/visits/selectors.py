"""Reads of the committee's visits: a quarter's visits in a person's reach, and the party groups nobody visited."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch

from core import periods
from groups.models import PartyGroup
from orglife.visits.models import ContactPoint, Visit, VisitProblem


def quarter_from(text: str, today: datetime.date) -> tuple[int, int]:
    """'2027-2' → (2027, 2); anything else, or a quarter not yet begun, → today's quarter."""
    try:
        year, quarter = (int(part) for part in text.split("-"))
    except (ValueError, AttributeError):
        return today.year, periods.quarter_of(today)
    if not (year >= 2000 and 1 <= quarter <= 4) or not periods.quarter_begun(year, quarter, today):
        return today.year, periods.quarter_of(today)
    return year, quarter


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def visits_in(user, first: datetime.date, last: datetime.date):
    """The visits in the person's reach between two days, with what each page row shows (a fixed number of queries)."""
    return (
        Visit.objects.visible_to(user)
        .filter(visited_on__gte=first, visited_on__lte=last)
        .select_related("village", "visitor")
        .prefetch_related(
            Prefetch("party_groups", queryset=PartyGroup.objects.order_by("name")),
            Prefetch("problems", queryset=VisitProblem.objects.order_by("pk")),
        )
    )


def unvisited_groups(user, first: datetime.date, last: datetime.date) -> list[PartyGroup]:
    """Party groups in reach that existed in the period and that no committee member's visit named in it."""
    visited = Visit.party_groups.through.objects.filter(
        visit__visited_on__gte=first, visit__visited_on__lte=last
    ).values("partygroup_id")
    return list(
        PartyGroup.objects.visible_to(user)
        .overlapping(first, last)
        .exclude(pk__in=visited)
        .select_related("village__township")
        .order_by("village__township__name", "village__name", "name")
    )


def contact_points_in(user, day: datetime.date):
    """The contact points in force on a day in the person's reach, with their member, village and group."""
    return (
        ContactPoint.objects.visible_to(user)
        .on(day)
        .select_related("member", "village", "party_group")
        .order_by("member__first_name", "member__username", "village__name", "party_group__name")
    )
