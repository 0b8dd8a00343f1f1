"""Landing page: the villages in the user's reach, their party groups and the warnings to look at."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render

from groups.models import Coverage, GroupPost, PartyGroup, role_rank
from groups.selectors import party_groups_with_counts, warnings_for
from township.admin_base import may_view
from township.scoping import assignment_of, villages_for


@login_required
def home(request):
    villages = villages_for(request.user)
    groups = (
        party_groups_with_counts(PartyGroup.objects.filter(dissolved_on__isnull=True))
        .prefetch_related(
            Prefetch(
                "posts",
                queryset=GroupPost.objects.filter(ended_on__isnull=True)
                .exclude(role=GroupPost.Role.MEMBER)
                .select_related("member")
                .order_by(role_rank(), "seat"),
                to_attr="officers",
            ),
            Prefetch(
                "coverages",
                queryset=Coverage.objects.filter(ended_on__isnull=True)
                .select_related("villager_group")
                .order_by("villager_group__number"),
                to_attr="covered",
            ),
        )
        .order_by("name")
    )
    village_list = (
        villages.select_related("township")
        .annotate(n_members=Count("members", filter=Q(members__left_on__isnull=True), distinct=True))
        .prefetch_related(Prefetch("party_groups", queryset=groups, to_attr="active_groups"))
        .order_by("township__name", "name")
    )
    return render(
        request,
        "township/home.html",
        {
            "assignment": assignment_of(request.user),
            "villages": village_list,
            "warnings": warnings_for(villages),
            "show_admin": request.user.is_staff and may_view(request.user),
        },
    )
