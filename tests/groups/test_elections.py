"""groups.services.election_record: the township's quorum and majority decide; a failed election appoints nobody."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from core import clock
from groups.models import ElectionCandidate, GroupPost, LeaderElection
from groups.services import CandidateVotes, election_record
from tests.factories import PartyGroupFactory, PartyMemberFactory, TownshipFactory, VillageFactory, join

Role = GroupPost.Role
LEADER, DEPUTY = ElectionCandidate.Office.LEADER, ElectionCandidate.Office.DEPUTY
JOINED = datetime.date(2023, 1, 1)
FIRST = datetime.date(2024, 1, 10)
SECOND = datetime.date(2025, 1, 10)


@pytest.fixture
def township(db):
    return TownshipFactory()


@pytest.fixture
def group(township):
    g = PartyGroupFactory(village=VillageFactory(township=township), name="一组")
    g.people = PartyMemberFactory.create_batch(5, village=g.village)
    join(g.people, g, JOINED)
    return g


def vote(member, office, votes) -> CandidateVotes:
    return CandidateVotes(member=member, office=office, votes=votes)


def record(group, present, *candidates, held_on=FIRST, **kwargs) -> LeaderElection:
    return election_record(
        party_group=group, held_on=held_on, members_present=present, candidates=list(candidates), **kwargs
    )


def active_posts(group) -> dict[str, str]:
    """{member name: role} of the group's posts in force now."""
    return {
        p.member.name: p.role for p in GroupPost.objects.current().filter(party_group=group).select_related("member")
    }


def snapshot(group):
    return sorted(
        GroupPost.objects.filter(party_group=group).values_list("member_id", "role", "started_on", "ended_on")
    )


def test_it_appoints_the_leader_and_deputies_of_a_valid_election(group):
    a, b, c, d, e = group.people
    election = record(group, 4, vote(a, LEADER, 3), vote(b, DEPUTY, 4), vote(c, DEPUTY, 3))
    assert election.outcome == LeaderElection.Outcome.PASSED
    assert election.failure_reason == ""
    assert election.members_entitled == 5
    assert election.rules
    assert active_posts(group) == {
        a.name: Role.LEADER,
        b.name: Role.DEPUTY,
        c.name: Role.DEPUTY,
        d.name: Role.MEMBER,
        e.name: Role.MEMBER,
    }
    officers = GroupPost.objects.current().filter(party_group=group).exclude(role=Role.MEMBER)
    assert {p.started_on for p in officers} == {FIRST}
    assert {p.election_id for p in officers} == {election.pk}
    assert sorted(p.seat for p in officers if p.role == Role.DEPUTY) == [1, 2]
    assert set(election.candidates.filter(elected=True).values_list("member__name", flat=True)) == {
        a.name,
        b.name,
        c.name,
    }


def test_it_keeps_each_members_history_when_appointed(group):
    a = group.people[0]
    record(group, 5, vote(a, LEADER, 5))
    history = list(
        GroupPost.objects.filter(member=a).order_by("started_on").values_list("role", "started_on", "ended_on")
    )
    assert history == [(Role.MEMBER, JOINED, FIRST), (Role.LEADER, FIRST, None)]


def test_it_ends_the_previous_leaders_post_and_keeps_them_as_a_member(group):
    a, b, c, *_ = group.people
    record(group, 5, vote(a, LEADER, 5), vote(b, DEPUTY, 5))
    record(group, 5, vote(c, LEADER, 4), held_on=SECOND)

    assert active_posts(group)[a.name] == Role.MEMBER
    assert active_posts(group)[b.name] == Role.MEMBER
    assert active_posts(group)[c.name] == Role.LEADER
    old_leader = GroupPost.objects.get(member=a, role=Role.LEADER)
    assert old_leader.ended_on == SECOND
    assert GroupPost.objects.get(member=a, ended_on__isnull=True).started_on == SECOND
    assert GroupPost.objects.get(member=b, role=Role.DEPUTY).ended_on == SECOND
    assert GroupPost.objects.filter(party_group=group, ended_on__isnull=True).count() == 5


def test_it_re_elects_the_sitting_leader(group):
    a = group.people[0]
    record(group, 5, vote(a, LEADER, 5))
    record(group, 5, vote(a, LEADER, 5), held_on=SECOND)
    assert active_posts(group)[a.name] == Role.LEADER
    assert GroupPost.objects.current().filter(party_group=group, role=Role.LEADER).count() == 1


def test_it_records_a_failed_election_without_quorum_and_appoints_nobody(group):
    a, b, *_ = group.people
    record(group, 5, vote(a, LEADER, 5))
    before = snapshot(group)

    election = record(group, 2, vote(b, LEADER, 2), held_on=SECOND)  # 2 of 5 is not more than half

    assert election.outcome == LeaderElection.Outcome.FAILED
    assert election.failure_reason
    assert LeaderElection.objects.filter(pk=election.pk).exists()
    assert not election.candidates.filter(elected=True).exists()
    assert election.candidates.get().votes == 2
    assert snapshot(group) == before
    assert active_posts(group)[a.name] == Role.LEADER


def test_it_fails_when_the_leader_lacks_a_majority_of_those_present(group):
    a, b, *_ = group.people
    election = record(group, 4, vote(a, LEADER, 2), vote(b, DEPUTY, 4))  # 2 of 4 is not more than half
    assert election.outcome == LeaderElection.Outcome.FAILED
    assert election.failure_reason
    assert set(active_posts(group).values()) == {Role.MEMBER}


def test_it_fails_on_a_tie_between_leader_candidates(group):
    a, b, *_ = group.people
    election = record(group, 5, vote(a, LEADER, 3), vote(b, LEADER, 3))
    assert election.outcome == LeaderElection.Outcome.FAILED
    assert set(active_posts(group).values()) == {Role.MEMBER}


def test_it_elects_the_leader_candidate_with_most_votes(group):
    a, b, *_ = group.people
    record(group, 5, vote(a, LEADER, 1), vote(b, LEADER, 4))
    assert active_posts(group)[b.name] == Role.LEADER
    assert active_posts(group)[a.name] == Role.MEMBER


def test_it_leaves_out_a_deputy_candidate_without_majority(group):
    a, b, c, *_ = group.people
    election = record(group, 4, vote(a, LEADER, 4), vote(b, DEPUTY, 3), vote(c, DEPUTY, 2))
    assert election.outcome == LeaderElection.Outcome.PASSED
    assert active_posts(group)[b.name] == Role.DEPUTY
    assert active_posts(group)[c.name] == Role.MEMBER


def test_it_elects_at_most_two_deputies_most_votes_first(group):
    a, b, c, d, _ = group.people
    election = record(group, 5, vote(a, LEADER, 5), vote(b, DEPUTY, 3), vote(c, DEPUTY, 5), vote(d, DEPUTY, 4))
    assert election.outcome == LeaderElection.Outcome.PASSED
    posts = active_posts(group)
    assert {n for n, r in posts.items() if r == Role.DEPUTY} == {c.name, d.name}
    assert posts[b.name] == Role.MEMBER
    assert GroupPost.objects.current().filter(party_group=group, role=Role.DEPUTY).count() == 2


@pytest.mark.parametrize(
    ("quorum", "present", "outcome"),
    [
        ((1, 2), 3, "passed"),  # default: 3 of 5 is more than half
        ((2, 3), 3, "failed"),  # 3 of 5 is not more than two thirds
        ((2, 3), 4, "passed"),
    ],
)
def test_the_townships_quorum_decides(group, township, quorum, present, outcome):
    township.election_quorum_numerator, township.election_quorum_denominator = quorum
    township.save()
    election = record(group, present, vote(group.people[0], LEADER, present))
    assert election.outcome == outcome
    assert (GroupPost.objects.current().filter(party_group=group, role=Role.LEADER).count() == 1) == (
        outcome == "passed"
    )


def test_the_townships_majority_decides(group, township):
    a = group.people[0]
    assert record(group, 5, vote(a, LEADER, 3)).outcome == "passed"  # 3 of 5 > 1/2
    township.election_majority_numerator, township.election_majority_denominator = 2, 3
    township.save()
    assert record(group, 5, vote(a, LEADER, 3), held_on=SECOND).outcome == "failed"  # 3 of 5 is not > 2/3


def test_it_records_who_recorded_the_election(group):
    from tests.factories import UserFactory, assign

    user = UserFactory()
    assign(user, "branch_secretary", village=group.village)
    election = record(group, 5, vote(group.people[0], LEADER, 5), acting_user=user)
    assert election.recorded_by == user
    assert GroupPost.objects.get(member=group.people[0], role=Role.LEADER).history.first().history_user == user


@pytest.mark.parametrize(
    "case",
    [
        "present_above_entitled",
        "votes_above_present",
        "negative_votes",
        "not_in_group",
        "no_leader_candidate",
        "future_date",
        "listed_twice",
        "before_group_established",
        "empty_group",
    ],
)
def test_it_rejects_input_that_cannot_describe_a_real_election(group, case):
    a, b, *_ = group.people
    outsider = PartyMemberFactory(village=group.village)
    kwargs = {"present": 4, "candidates": [vote(a, LEADER, 3)], "held_on": FIRST}
    if case == "present_above_entitled":
        kwargs["present"] = 6
    elif case == "votes_above_present":
        kwargs["candidates"] = [vote(a, LEADER, 5)]
    elif case == "negative_votes":
        kwargs["candidates"] = [vote(a, LEADER, 3), vote(b, DEPUTY, -1)]
    elif case == "not_in_group":
        kwargs["candidates"] = [vote(outsider, LEADER, 3)]
    elif case == "no_leader_candidate":
        kwargs["candidates"] = [vote(a, DEPUTY, 3)]
    elif case == "future_date":
        kwargs["held_on"] = clock.today() + datetime.timedelta(days=1)
    elif case == "listed_twice":
        kwargs["candidates"] = [vote(a, LEADER, 3), vote(a, DEPUTY, 3)]
    elif case == "before_group_established":
        kwargs["held_on"] = group.established_on - datetime.timedelta(days=1)
    elif case == "empty_group":
        group = PartyGroupFactory(village=group.village)
    with pytest.raises(ValidationError):
        election_record(
            party_group=group,
            held_on=kwargs["held_on"],
            members_present=kwargs["present"],
            candidates=kwargs["candidates"],
        )
    assert not LeaderElection.objects.exists()
    assert not ElectionCandidate.objects.exists()
    assert not GroupPost.objects.exclude(role=Role.MEMBER).exists()


def test_it_counts_only_members_in_the_group_on_the_election_day(group):
    late = PartyMemberFactory(village=group.village)
    join([late], group, datetime.date(2024, 6, 1))
    election = record(group, 3, vote(group.people[0], LEADER, 3))
    assert election.members_entitled == 5
    with pytest.raises(ValidationError):
        record(group, 3, vote(late, LEADER, 3))


def test_it_asks_for_a_second_round_when_deputies_tie_for_the_last_seat(group):
    a, b, c, d, _ = group.people
    election = record(group, 5, vote(a, LEADER, 5), vote(b, DEPUTY, 5), vote(c, DEPUTY, 4), vote(d, DEPUTY, 4))
    assert election.outcome == LeaderElection.Outcome.FAILED
    assert election.failure_reason
    assert set(active_posts(group).values()) == {Role.MEMBER}
