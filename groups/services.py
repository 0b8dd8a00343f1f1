"""Writes that touch several rows of the party-group records: elections, joining and leaving, coverage.

Each service is keyword-only, runs in one transaction, takes the acting user (recorded in the audit history), and
raises ValidationError with a Chinese message on input that breaks a rule, so every caller answers in words.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.stamp import stamp
from core.words import day_cn
from groups.models import Coverage, ElectionCandidate, GroupPost, LeaderElection, PartyGroup, VillagerGroup
from members.models import PartyMember
from township.capabilities import require

Role = GroupPost.Role
Office = ElectionCandidate.Office


def _save(obj, user):
    obj.full_clean()
    stamp(obj, user).save()
    return obj


def _end(post: GroupPost, on: datetime.date, user) -> None:
    if on < post.started_on:
        raise ValidationError(
            _("%(who)s has held the current post since %(start)s; the date cannot be earlier than that.")
            % {"who": post.member.name, "start": day_cn(post.started_on)}
        )
    post.ended_on = on
    stamp(post, user).save(update_fields=["ended_on"])


def _locked_group(party_group: PartyGroup) -> PartyGroup:
    """Lock the party group's row so two changes to its posts run one after the other."""
    return PartyGroup.objects.select_for_update().select_related("village__township").get(pk=party_group.pk)


@transaction.atomic
def member_join_group(
    *, member: PartyMember, party_group: PartyGroup, started_on: datetime.date, acting_user=None
) -> GroupPost:
    """Make a member of the branch an ordinary member of a party group from a date."""
    require(acting_user, "groups.write", party_group)
    group = _locked_group(party_group)
    if member.village_id != group.village_id:
        raise ValidationError(_("Only members of the party group's own village branch can join it."))
    current = GroupPost.objects.current().filter(member=member).select_related("party_group").first()
    if current is not None:
        if current.party_group_id == group.pk:
            raise ValidationError(_("%(who)s is already in this party group.") % {"who": member.name})
        raise ValidationError(
            _("%(who)s is already in %(group)s. A member is in one party group at a time: use “move” instead.")
            % {"who": member.name, "group": current.party_group.name}
        )
    return _save(GroupPost(party_group=group, member=member, role=Role.MEMBER, started_on=started_on), acting_user)


@transaction.atomic
def member_leave_group(*, post: GroupPost, ended_on: datetime.date, acting_user=None) -> GroupPost:
    """End a member's post (leaving the group, or the end of a leader's or deputy's term)."""
    require(acting_user, "groups.write", post.party_group)
    post = GroupPost.objects.select_for_update().select_related("member").get(pk=post.pk)
    if post.ended_on is not None:
        raise ValidationError(_("This post has already ended."))
    _end(post, ended_on, acting_user)
    return post


@transaction.atomic
def member_move_group(
    *, member: PartyMember, party_group: PartyGroup, moved_on: datetime.date, acting_user=None
) -> GroupPost:
    """Move a member to another party group of the same branch: the old post ends the day the new one starts."""
    require(acting_user, "groups.write", party_group)
    current = GroupPost.objects.current().select_for_update().filter(member=member).select_related("member").first()
    if current is not None:
        if current.party_group_id == party_group.pk:
            raise ValidationError(_("%(who)s is already in this party group.") % {"who": member.name})
        _end(current, moved_on, acting_user)
    return member_join_group(member=member, party_group=party_group, started_on=moved_on, acting_user=acting_user)


@transaction.atomic
def coverage_assign(
    *, party_group: PartyGroup, villager_group: VillagerGroup, started_on: datetime.date, acting_user=None
) -> Coverage:
    """Put a villager group in a party group's care from a date, ending the care of the previous party group."""
    require(acting_user, "groups.write", party_group)
    group = _locked_group(party_group)
    if villager_group.village_id != group.village_id:
        raise ValidationError(_("A party group can only look after villager groups of its own village."))
    current = Coverage.objects.current().select_for_update().filter(villager_group=villager_group).first()
    if current is not None:
        if current.party_group_id == group.pk:
            raise ValidationError(_("This party group already looks after %(vg)s.") % {"vg": villager_group.name})
        if started_on < current.started_on:
            raise ValidationError(
                _("The current coverage started on %(d)s; the new one cannot start earlier.")
                % {"d": day_cn(current.started_on)}
            )
        current.ended_on = started_on
        stamp(current, acting_user).save(update_fields=["ended_on"])
    return _save(Coverage(party_group=group, villager_group=villager_group, started_on=started_on), acting_user)


@dataclass(frozen=True)
class CandidateVotes:
    member: PartyMember
    office: str  # ElectionCandidate.Office
    votes: int


def more_than(part: int, whole: int, share: Fraction) -> bool:
    """Whether part is strictly more than share × whole (exact, no floating point)."""
    return part * share.denominator > whole * share.numerator


def _share_text(share: Fraction) -> str:
    return _("more than %(n)d/%(d)d") % {"n": share.numerator, "d": share.denominator}


@transaction.atomic
def election_record(
    *,
    party_group: PartyGroup,
    held_on: datetime.date,
    members_present: int,
    candidates: Sequence[CandidateVotes],
    acting_user=None,
    members_entitled: int | None = None,
    notes: str = "",
) -> LeaderElection:
    """Record a party group's election and, if it meets the township's rules, appoint the leader and deputies.

    Rules (per township): more than the quorum share of the group's members present; a candidate is elected with more
    than the majority share of the votes of those present; the leader must be elected, deputies (at most two) are the
    deputy candidates elected, most votes first. A failed election is recorded with its reason and appoints nobody.
    A valid one ends the previous leader's and deputies' posts on the election day (they stay ordinary members) and
    starts the new posts that day.
    """
    require(acting_user, "groups.write", party_group)
    group = _locked_group(party_group)
    township = group.village.township
    on_roll = {p.member_id: p for p in GroupPost.objects.on(held_on).filter(party_group=group).select_related("member")}
    # Only full members vote and stand (党章第七条): probationary members are on the roll but not entitled.
    voters = [p for p in on_roll.values() if may_vote(p.member)]
    entitled = len(voters) if members_entitled is None else members_entitled
    _check_election_input(group, held_on, entitled, members_present, candidates, on_roll)

    quorum, majority = township.election_quorum, township.election_majority
    election = LeaderElection(
        party_group=group,
        held_on=held_on,
        members_entitled=entitled,
        members_present=members_present,
        rules=_("quorum %(q)s of members; majority %(m)s of those present")
        % {"q": _share_text(quorum), "m": _share_text(majority)},
        notes=notes,
        recorded_by=acting_user if getattr(acting_user, "pk", None) else None,
        method=LeaderElection.Method.ELECTED,
        decided_by=f"{group.name}全体正式党员",
    )
    reason = ""
    leader: CandidateVotes | None = None
    deputies: list[CandidateVotes] = []
    if not more_than(members_present, entitled, quorum):
        reason = _("Only %(p)d of %(e)d members were present; the rule needs %(rule)s of the members.") % {
            "p": members_present,
            "e": entitled,
            "rule": _share_text(quorum),
        }
    else:
        ranked = sorted((c for c in candidates if c.office == Office.LEADER), key=lambda c: -c.votes)
        top = ranked[0]
        if len(ranked) > 1 and ranked[1].votes == top.votes:
            reason = _("The leader candidates %(a)s and %(b)s have the same number of votes; hold a second round.") % {
                "a": top.member.name,
                "b": ranked[1].member.name,
            }
        elif not more_than(top.votes, members_present, majority):
            reason = _(
                "%(who)s received %(v)d of %(p)d votes; a leader needs %(rule)s of the votes of those present."
            ) % {
                "who": top.member.name,
                "v": top.votes,
                "p": members_present,
                "rule": _share_text(majority),
            }
        else:
            leader = top
            passing = sorted(
                (c for c in candidates if c.office == Office.DEPUTY and more_than(c.votes, members_present, majority)),
                key=lambda c: -c.votes,
            )
            cut = GroupPost.MAX_DEPUTIES
            if len(passing) > cut and passing[cut - 1].votes == passing[cut].votes:
                reason = _("Deputy candidates are tied for the last seat (%(v)d votes each); hold a second round.") % {
                    "v": passing[cut].votes
                }
                leader = None
            else:
                deputies = passing[:cut]

    election.outcome = LeaderElection.Outcome.FAILED if reason else LeaderElection.Outcome.PASSED
    election.failure_reason = reason
    _save(election, acting_user)
    elected_ids = {c.member.pk for c in ([leader] if leader else []) + deputies}
    for c in candidates:
        stamp(
            ElectionCandidate(
                election=election, member=c.member, office=c.office, votes=c.votes, elected=c.member.pk in elected_ids
            ),
            acting_user,
        ).save()
    if leader is not None:
        _appoint(group, held_on, leader, deputies, on_roll, election, acting_user)
    return election


PROBATIONARY_CANNOT_STAND = (
    "%(who)s是预备党员：预备党员没有表决权、选举权和被选举权（党章第七条），不能当选或被委派为组长、副组长。"
    "请改选一名正式党员。"
)


def may_vote(member: PartyMember) -> bool:
    """Whether a member votes and stands in the party's elections: full members only (党章第七条)."""
    return member.status == PartyMember.Status.FULL


def _check_election_input(group, held_on, entitled, present, candidates, on_roll) -> None:
    """Reject input that cannot describe a real election (as opposed to an election that failed its rules)."""
    if not on_roll:
        raise ValidationError(
            _("The party group has no members on %(d)s; add its members before recording an election.")
            % {"d": day_cn(held_on)}
        )
    if entitled < 1:
        raise ValidationError(
            f"{day_cn(held_on)}这个党小组没有正式党员，预备党员不能选举：请由支部委派组长。"
        )
    if present > entitled:
        raise ValidationError(
            _("%(p)d members present, but only %(e)d are entitled to vote: check both numbers.")
            % {"p": present, "e": entitled}
        )
    if not any(c.office == Office.LEADER for c in candidates):
        raise ValidationError(_("Enter at least one candidate for leader."))
    seen = set()
    for c in candidates:
        if c.member.pk in seen:
            raise ValidationError(
                _("%(who)s is listed twice; a member stands once per election.") % {"who": c.member.name}
            )
        seen.add(c.member.pk)
        if c.member.pk not in on_roll:
            raise ValidationError(
                _("%(who)s is not a member of this party group on %(d)s; only its members can be elected.")
                % {"who": c.member.name, "d": day_cn(held_on)}
            )
        if not may_vote(c.member):
            raise ValidationError(PROBATIONARY_CANNOT_STAND % {"who": c.member.name}, code="probationary")
        if c.votes < 0 or c.votes > present:
            raise ValidationError(
                _("%(who)s has %(v)d votes, but only %(p)d members were present.")
                % {"who": c.member.name, "v": c.votes, "p": present}
            )
    if held_on > clock.today():
        raise ValidationError(_("An election cannot be recorded before it is held (the date is in the future)."))
    if group.established_on > held_on:
        raise ValidationError(_("The election date is before the party group was established."))


def _appoint(group, held_on, leader, deputies, on_roll, election, user) -> None:
    """Outgoing leader and deputies become ordinary members and the winners take their posts, from the election day.

    A post that started on the election day itself (a group founded and electing on one day) changes in place, so the
    history has no zero-length posts; any older post is ended and a new one started.
    """
    winners = {leader.member.pk: Role.LEADER, **{d.member.pk: Role.DEPUTY for d in deputies}}
    changing = [
        p
        for p in GroupPost.objects.current().select_for_update().filter(party_group=group)
        if p.role != Role.MEMBER or p.member_id in winners
    ]
    same_day = {}
    for post in changing:  # first free every leader and deputy seat
        if post.started_on == held_on:
            post.role, post.seat = Role.MEMBER, None
            stamp(post, user).save(update_fields=["role", "seat"])
            same_day[post.member_id] = post
        else:
            _end(post, held_on, user)
            if post.member_id not in winners:
                stamp(
                    GroupPost(party_group=group, member=post.member, role=Role.MEMBER, started_on=held_on), user
                ).save()
    seats = iter(range(1, GroupPost.MAX_DEPUTIES + 1))
    for member_id, role in winners.items():
        post = same_day.get(member_id) or GroupPost(
            party_group=group, member=on_roll[member_id].member, started_on=held_on
        )
        post.role, post.election = role, election
        post.seat = next(seats) if role == Role.DEPUTY else None
        stamp(post, user).save()


@transaction.atomic
def leader_appoint(
    *,
    party_group: PartyGroup,
    decided_on: datetime.date,
    leader: PartyMember,
    deputies: Sequence[PartyMember] = (),
    decided_by: str,
    document_number: str,
    notes: str = "",
    acting_user=None,
) -> LeaderElection:
    """The branch appoints a party group's leader and deputies (支部工作条例) instead of the group electing them.

    Recorded beside the elections, as the way the posts came about: who decided (the branch committee), when, and
    the decision's document number. The appointees must be full members of the group on that day; one or two
    deputies at most. The outgoing leader and deputies stay ordinary members, exactly as after an election.
    Errors are keyed by the form field they belong to.
    """
    require(acting_user, "groups.write", party_group)
    group = _locked_group(party_group)
    on_roll = {
        p.member_id: p for p in GroupPost.objects.on(decided_on).filter(party_group=group).select_related("member")
    }
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    decided_by, document_number = (decided_by or "").strip(), (document_number or "").strip()
    if not decided_by:
        refuse("decided_by", "请写明作出决定的机关，如：中共罗紫村支部委员会。")
    if not document_number:
        refuse("document_number", "请写明支部决定的文号，如：罗紫支〔2027〕3号。")
    if decided_on > clock.today():
        refuse("decided_on", "决定日期不能晚于今天：请填写支部作出决定的日期。")
    elif decided_on < group.established_on:
        refuse("decided_on", "决定日期早于党小组成立日期：请核对日期。")
    if len(deputies) > GroupPost.MAX_DEPUTIES:
        refuse("deputies", "党小组设副组长一至两名：请少选一名。")
    people = [("leader", leader)] + [("deputies", d) for d in deputies]
    seen: set[int] = set()
    for field, member in people:
        if member.pk in seen:
            refuse(field, f"{member.name}已被选为组长或另一名副组长：一人只任一职。")
        seen.add(member.pk)
        if member.pk not in on_roll:
            refuse(field, f"{member.name}在{day_cn(decided_on)}不是本党小组成员：只能委派本组党员。")
        elif not may_vote(member):
            refuse(field, PROBATIONARY_CANNOT_STAND % {"who": member.name})
    if errors:
        raise ValidationError(errors)
    record = _save(
        LeaderElection(
            party_group=group,
            method=LeaderElection.Method.APPOINTED,
            held_on=decided_on,
            decided_by=decided_by,
            document_number=document_number,
            members_entitled=sum(1 for p in on_roll.values() if may_vote(p.member)),
            members_present=0,
            outcome=LeaderElection.Outcome.PASSED,
            rules="支部委派（中国共产党支部工作条例）",
            notes=notes,
            recorded_by=acting_user if getattr(acting_user, "pk", None) else None,
        ),
        acting_user,
    )
    chosen = CandidateVotes(member=leader, office=Office.LEADER, votes=0)
    named = [CandidateVotes(member=d, office=Office.DEPUTY, votes=0) for d in deputies]
    for c in [chosen, *named]:
        stamp(
            ElectionCandidate(election=record, member=c.member, office=c.office, votes=None, elected=True), acting_user
        ).save()
    _appoint(group, decided_on, chosen, named, on_roll, record, acting_user)
    return record
