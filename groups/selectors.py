"""Reads about party groups: the judgement warnings shown where people work (never blocks).

A fixed number of queries however many villages and groups are in scope: counts are aggregated in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from groups.models import Coverage, GroupPost, PartyGroup, VillagerGroup, role_rank
from members.models import PartyMember, numbers_of
from members.standing.models import IN_PARTY
from township.models import Village


@dataclass(frozen=True)
class Warning:
    kind: str  # size | no_leader | uncovered | too_many_villager_groups | member_without_group
    village: str
    subject: str
    message: str
    url: str = ""


def _count_of(queryset) -> Coalesce:
    """A correlated COUNT(*) of the rows `queryset` selects for each party group (`party_group=OuterRef("pk")`)."""
    counted = queryset.order_by().values("party_group").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def party_groups_with_counts(party_groups: QuerySet[PartyGroup]) -> QuerySet[PartyGroup]:
    """Annotate active member count, leader count, deputy count and villager groups covered.

    Each count is its own small subquery on an indexed (party group, ended on) lookup: joining posts and coverages
    at once would multiply their rows (every post times every coverage) before counting."""
    posts = GroupPost.objects.filter(party_group=OuterRef("pk"), ended_on__isnull=True)
    return party_groups.annotate(
        # members in the party today (the status the standing history keeps): a suspended member keeps a post but
        # is not counted, as on the standing page
        member_count=_count_of(posts.filter(member__status__in=IN_PARTY)),
        leader_count=_count_of(posts.filter(role=GroupPost.Role.LEADER)),
        deputy_count=_count_of(posts.filter(role=GroupPost.Role.DEPUTY)),
        villager_group_count=_count_of(Coverage.objects.current().filter(party_group=OuterRef("pk"))),
    )


def party_groups_with_people(party_groups: QuerySet[PartyGroup]) -> QuerySet[PartyGroup]:
    """Party groups with their counts, `officers` (leader, then deputies by seat) and `covered` (the villager groups
    they cover now, by number) read in two prefetch queries, whatever the number of groups."""
    officers = (
        GroupPost.objects.filter(ended_on__isnull=True)
        .exclude(role=GroupPost.Role.MEMBER)
        .select_related("member")
        .defer(*numbers_of("member"))  # officers are shown by name: their ID and phone numbers are not decrypted
        .order_by(role_rank(), "seat")
    )
    covered = Coverage.objects.current().select_related("villager_group").order_by("villager_group__number")
    return party_groups_with_counts(party_groups).prefetch_related(
        Prefetch("posts", queryset=officers, to_attr="officers"),
        Prefetch("coverages", queryset=covered, to_attr="covered"),
    )


def warnings_for(villages: QuerySet[Village], groups=None) -> list[Warning]:
    """Every warning for the given villages, grouped by kind, in village order.

    `groups`: the villages' active party groups, already read with `party_groups_with_counts` and their village and
    township (a page that lists them passes them in rather than reading them twice)."""
    found: list[Warning] = []
    if groups is None:
        groups = (
            party_groups_with_counts(PartyGroup.objects.filter(village__in=villages, dissolved_on__isnull=True))
            .select_related("village__township")
            .order_by("village__name", "name")
        )
    for g in groups:
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
    uncovered = _uncovered(villages).select_related("village").order_by("village__name", "number")
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
        _loose(villages)
        .select_related("village")
        .only("name", "village__name")  # the encrypted ID and phone numbers are not needed (nor decrypted)
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


def _uncovered(villages: QuerySet[Village]) -> QuerySet[VillagerGroup]:
    """Villager groups no active party group looks after."""
    covered = Coverage.objects.current().filter(villager_group=OuterRef("pk"))
    return VillagerGroup.objects.filter(village__in=villages, abolished_on__isnull=True).exclude(Exists(covered))


def _loose(villages: QuerySet[Village]) -> QuerySet[PartyMember]:
    """Members today (by the standing history: not suspended, not left) in no party group."""
    post = GroupPost.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)
    # those without a post first (an index probe each), then the standing history of the few left: asked of every
    # member of a county, the history's look-ups came first and cost ~15,000 buffer reads
    without_post = PartyMember.objects.filter(village__in=villages).exclude(Exists(post)).values("pk")
    return PartyMember.objects.filter(pk__in=without_post).in_party_on()


def warning_count(villages: QuerySet[Village]) -> int:
    """How many warnings `warnings_for` lists, counted in the database (four queries, no rows fetched): the county
    overview shows only the number, for hundreds of villages.

    The same counts as `party_groups_with_counts`, grouped rather than correlated: its per-group subqueries, each
    referred to twice by the filters here, cost ~38,000 buffer reads for a county's 725 groups and an estimate high
    enough to set off PostgreSQL's JIT compiler (~80-120 ms of the county overview). The posts are joined and
    grouped once; the villager groups covered are counted on their own (joined with the posts they would multiply
    them)."""
    rules = "village__township__"
    groups = PartyGroup.objects.filter(village__in=villages, dissolved_on__isnull=True)
    current = Q(posts__ended_on__isnull=True)
    # the villages' members in the party, as one set the posts are matched against (a post is held by a member of
    # the group's own village: GroupPost.clean): not one look-up in the members' table per post
    in_party = PartyMember.objects.filter(village__in=villages, status__in=IN_PARTY)
    counts = groups.annotate(
        member_count=Count("posts", filter=current & Q(posts__member__in=in_party)),
        leader_count=Count("posts", filter=current & Q(posts__role=GroupPost.Role.LEADER)),
    ).aggregate(
        size=Count(
            "pk",
            filter=Q(member_count__lt=F(rules + "group_size_min")) | Q(member_count__gt=F(rules + "group_size_max")),
        ),
        no_leader=Count("pk", filter=Q(leader_count=0)),
    )
    too_many = (
        Coverage.objects.current()
        .filter(party_group__in=groups)
        .values("party_group")
        .annotate(n=Count("pk"))
        .filter(n__gt=F("party_group__" + rules + "villager_groups_per_party_group"))
    )
    return sum(counts.values()) + too_many.count() + _uncovered(villages).count() + _loose(villages).count()
