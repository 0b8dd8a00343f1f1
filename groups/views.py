"""Branch pages for a party group: its people and elections, and recording a new election."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.submissions import Result, repeat_safe, submit_once
from core.words import day_cn
from groups.forms import AppointmentForm, CandidateFormSet, ElectionForm
from groups.models import Coverage, ElectionCandidate, GroupPost, LeaderElection, PartyGroup, role_rank
from groups.services import PROBATIONARY_CANNOT_STAND, CandidateVotes, election_record, leader_appoint, may_vote
from members.models import PartyMember
from township.scoping import get_visible_or_404


@login_required
def party_group_detail(request, pk: int):
    group = get_visible_or_404(PartyGroup, request.user, pk=pk)
    posts = (
        GroupPost.objects.filter(party_group=group)
        .select_related("member", "election")
        .order_by("ended_on", "role", "seat", "member__name")
    )
    current = [p for p in posts if p.ended_on is None]
    elections = (
        LeaderElection.objects.filter(party_group=group)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("candidates", queryset=ElectionCandidate.objects.select_related("member")))
    )
    return render(
        request,
        "groups/party_group_detail.html",
        {
            "group": group,
            "current": sorted(current, key=lambda p: ["leader", "deputy", "member"].index(p.role)),
            "past": [p for p in posts if p.ended_on is not None],
            "coverages": Coverage.objects.filter(party_group=group).select_related("villager_group"),
            "elections": elections,
            "may_write": _may_manage(request.user, group),
        },
    )


def _may_manage(user, group: PartyGroup) -> bool:
    """Township staff and the branch secretary keep a group's posts; county viewers and group leaders do not."""
    return user.has_perm("groups.write", group)


@login_required
@repeat_safe
def election_new(request, pk: int):
    group = get_visible_or_404(PartyGroup, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township"))
    if not _may_manage(request.user, group):
        raise PermissionDenied
    roll = list(
        GroupPost.objects.current()
        .filter(party_group=group)
        .select_related("member")
        .order_by(role_rank(), "member__name")
    )
    members = {p.member_id: p.member for p in roll}
    initial = [{"member_id": p.member_id} for p in roll]
    if request.method == "POST":
        form = ElectionForm(request.POST)
        formset = CandidateFormSet(request.POST, initial=initial)
        formset.is_valid()
        for f in formset.forms:  # 党章第七条: a probationary member cannot stand; said beside their row
            member = members.get(f.initial.get("member_id"))
            if member is not None and not may_vote(member) and f.cleaned_data.get("office"):
                f.add_error("office", PROBATIONARY_CANNOT_STAND % {"who": member.name})
        if form.is_valid() and formset.is_valid():
            candidates = [
                CandidateVotes(member=members[row["member_id"]], office=row["office"], votes=row["votes"])
                for row in formset.cleaned_data
                if row.get("office") and row.get("member_id") in members
            ]
            group_url = reverse("groups:party-group", args=[group.pk])

            def record_election() -> Result:
                election = election_record(
                    party_group=group,
                    held_on=form.cleaned_data["held_on"],
                    members_present=form.cleaned_data["members_present"],
                    candidates=candidates,
                    notes=form.cleaned_data["notes"],
                    acting_user=request.user,
                )
                if election.outcome == LeaderElection.Outcome.PASSED:
                    text = _("The election is recorded and the new posts start on %(d)s.") % {
                        "d": day_cn(election.held_on)
                    }
                    return Result(group_url, text)
                text = _("The election is recorded as failed: %(r)s") % {"r": election.failure_reason}
                return Result(group_url, text, messages.WARNING)

            try:
                return submit_once(request, record_election, check_url=group_url)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
    else:
        form = ElectionForm()
        formset = CandidateFormSet(initial=initial)
    rows = [(members.get(f.initial.get("member_id")), f) for f in formset.forms]
    entitled = sum(1 for p in roll if may_vote(p.member))
    return render(
        request,
        "groups/election_form.html",
        {
            "group": group,
            "form": form,
            "formset": formset,
            "rows": rows,
            "entitled": entitled,
            "probationary": len(roll) - entitled,
        },
    )


@login_required
@repeat_safe
def appointment_new(request, pk: int):
    """The branch appoints the group's leader and deputies (支部工作条例), recorded with its decision."""
    group = get_visible_or_404(PartyGroup, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township"))
    if not _may_manage(request.user, group):
        raise PermissionDenied
    full = PartyMember.objects.filter(
        pk__in=GroupPost.objects.current().filter(party_group=group).values("member_id"),
        status=PartyMember.Status.FULL,
    ).order_by("name", "pk")
    if request.method == "POST":
        form = AppointmentForm(request.POST, members=full)
        if form.is_valid():
            data = form.cleaned_data
            group_url = reverse("groups:party-group", args=[group.pk])

            def appoint() -> Result:
                leader_appoint(
                    party_group=group,
                    decided_on=data["decided_on"],
                    leader=data["leader"],
                    deputies=data["deputies"],
                    decided_by=data["decided_by"],
                    document_number=data["document_number"],
                    notes=data["notes"],
                    acting_user=request.user,
                )
                return Result(group_url, "支部委派已记录，新任组长、副组长自决定之日起任职。")

            try:
                return submit_once(request, appoint, check_url=group_url)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
    else:
        form = AppointmentForm(members=full, initial={"decided_by": group.village.branch_name})
    return render(request, "groups/appointment_form.html", {"group": group, "form": form})
