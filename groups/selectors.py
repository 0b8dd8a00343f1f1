"""Reads about party groups: the judgement warnings shown where people work (never blocks).

A fixed number of queries however many villages and groups are in scope: counts are aggregated in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from groups.models import Coverage, GroupPost, PartyGroup, VillagerGroup
from members.models import PartyMember
from township.models import Village


@dataclass(frozen=True)
class Warning:
    kind: str  # size | no_leader | uncovered | too_many_villager_groups | member_without_group
    village: str
    subject: str
    message: str
    url: str = ""


def party_groups_with_counts(party_groups: QuerySet[PartyGroup]) -> QuerySet[PartyGroup]:
    """Annotate active member count, leader count, deputy count and villager groups covered."""
    active = Q(posts__ended_on__isnull=True)
    return party_groups.annotate(
        member_count=Count("posts", filter=active, distinct=True),
        leader_count=Count("posts", filter=active & Q(posts__role=GroupPost.Role.LEADER), distinct=True),
        deputy_count=Count("posts", filter=active & Q(posts__role=GroupPost.Role.DEPUTY), distinct=True),
        villager_group_count=Count("coverages", filter=Q(coverages__ended_on__isnull=True), distinct=True),
    )


def warnings_for(villages: QuerySet[Village]) -> list[Warning]:
    """Every warning for the given villages, grouped by kind, in village order."""
    found: list[Warning] = []
    groups = party_groups_with_counts(
        PartyGroup.objects.filter(village__in=villages, dissolved_on__isnull=True)
    ).select_related("village__township")
    for g in groups.order_by("village__name", "name"):
        t = g.village.township
        if not t.group_size_min <= g.member_count <= t.group_size_max:
            found.append(
                Warning(
                    "size",
                    g.village.name,
                    g.name,
                    _("%(g)s has %(n)d members, outside the usual %(lo)d–%(hi)d.")
                    % {"g": g.name, "n": g.member_count, "lo": t.group_size_min, "hi": t.group_size_max},
                )
            )
        if g.leader_count == 0:
            found.append(
                Warning(
                    "no_leader", g.village.name, g.name, _("%(g)s has no leader: hold an election.") % {"g": g.name}
                )
            )
        if g.villager_group_count > t.villager_groups_per_party_group:
            found.append(
                Warning(
                    "too_many_villager_groups",
                    g.village.name,
                    g.name,
                    _("%(g)s looks after %(n)d villager groups; the usual is %(u)d.")
                    % {"g": g.name, "n": g.villager_group_count, "u": t.villager_groups_per_party_group},
                )
            )
    uncovered = (
        VillagerGroup.objects.filter(village__in=villages, abolished_on__isnull=True)
        .exclude(Exists(Coverage.objects.filter(villager_group=OuterRef("pk"), ended_on__isnull=True)))
        .select_related("village")
        .order_by("village__name", "number")
    )
    for vg in uncovered:
        found.append(
            Warning(
                "uncovered",
                vg.village.name,
                vg.name,
                _("%(vg)s is not looked after by any party group.") % {"vg": vg.name},
            )
        )
    loose = (
        PartyMember.objects.filter(village__in=villages, left_on__isnull=True)
        .exclude(Exists(GroupPost.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)))
        .select_related("village")
        .order_by("village__name", "name")
    )
    for m in loose:
        found.append(
            Warning(
                "member_without_group",
                m.village.name,
                m.name,
                _("Party member %(m)s is in no party group.") % {"m": m.name},
            )
        )
    return found
