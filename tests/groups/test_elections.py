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


# 党章第七条: probationary members neither vote nor stand.


def test_probationary_members_are_not_counted_as_entitled_to_vote(group):
    late = PartyMemberFactory(village=group.village, status="probationary")
    join([late], group, JOINED)
    election = record(group, 4, vote(group.people[0], LEADER, 4))
    assert election.members_entitled == 5  # the five full members; the probationary sixth is not entitled
    with pytest.raises(ValidationError):
        record(group, 6, vote(group.people[0], LEADER, 6), held_on=SECOND)  # six present of five entitled


def test_a_probationary_member_cannot_stand(group):
    late = PartyMemberFactory(village=group.village, status="probationary")
    join([late], group, JOINED)
    with pytest.raises(ValidationError, match="预备党员"):
        record(group, 5, vote(late, LEADER, 5))
    with pytest.raises(ValidationError, match="党章第七条"):
        record(group, 5, vote(group.people[0], LEADER, 5), vote(late, DEPUTY, 5))
    assert not LeaderElection.objects.exists()


def test_an_election_records_who_decided(group):
    election = record(group, 5, vote(group.people[0], LEADER, 5))
    assert election.method == LeaderElection.Method.ELECTED
    assert "全体正式党员" in election.decided_by


def test_the_branch_may_appoint_the_leader_and_deputies_with_its_decision(group):
    from groups.services import leader_appoint

    a, b, c, *_ = group.people
    record(group, 5, vote(a, LEADER, 5))
    appointment = leader_appoint(
        party_group=group,
        decided_on=SECOND,
        leader=b,
        deputies=[c],
        decided_by="中共测试村支部委员会",
        document_number="测支〔2025〕1号",
    )
    assert appointment.method == LeaderElection.Method.APPOINTED
    assert appointment.outcome == LeaderElection.Outcome.PASSED
    assert (appointment.decided_by, appointment.document_number, appointment.held_on) == (
        "中共测试村支部委员会",
        "测支〔2025〕1号",
        SECOND,
    )
    assert active_posts(group) == {
        a.name: Role.MEMBER,
        b.name: Role.LEADER,
        c.name: Role.DEPUTY,
        group.people[3].name: Role.MEMBER,
        group.people[4].name: Role.MEMBER,
    }
    assert set(appointment.candidates.values_list("votes", "elected")) == {(None, True)}
    assert GroupPost.objects.get(member=b, role=Role.LEADER).election == appointment


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("probationary", "leader"),
        ("outsider", "leader"),
        ("three_deputies", "deputies"),
        ("future", "decided_on"),
        ("no_number", "document_number"),
        ("twice", "deputies"),
    ],
)
def test_an_appointment_is_refused_beside_the_field(group, case, field):
    from groups.services import leader_appoint

    a, b, c, d, _ = group.people
    kwargs = {
        "party_group": group,
        "decided_on": SECOND,
        "leader": a,
        "deputies": [b],
        "decided_by": "中共测试村支部委员会",
        "document_number": "测支〔2025〕1号",
    }
    if case == "probationary":
        late = PartyMemberFactory(village=group.village, status="probationary")
        join([late], group, JOINED)
        kwargs["leader"] = late
    elif case == "outsider":
        kwargs["leader"] = PartyMemberFactory(village=group.village)
    elif case == "three_deputies":
        kwargs["deputies"] = [b, c, d]
    elif case == "future":
        kwargs["decided_on"] = clock.today() + datetime.timedelta(days=1)
    elif case == "no_number":
        kwargs["document_number"] = " "
    elif case == "twice":
        kwargs["deputies"] = [a]
    with pytest.raises(ValidationError) as caught:
        leader_appoint(**kwargs)
    assert field in caught.value.message_dict
    assert all("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message_dict[field][0][:2])
    assert not LeaderElection.objects.exists()
    assert set(active_posts(group).values()) == {Role.MEMBER}


def test_the_election_page_refuses_a_probationary_candidate_beside_their_row(org, secretary_a1, login):
    from django.urls import reverse

    group = org.a1_g2
    late = PartyMemberFactory(village=org.a1, name="罗紫预备党员", status="probationary")
    join([late], group, JOINED)
    client = login(secretary_a1)
    url = reverse("groups:election-new", args=[group.pk])
    page = client.get(url).content.decode()
    assert "预备党员" in page and "党章第七条" in page
    roll = list(
        GroupPost.objects.current().filter(party_group=group).select_related("member").order_by("member__name")
    )
    response = client.get(url)
    rows = response.context["rows"]
    data = {"held_on": FIRST.isoformat(), "members_present": "4", "form-TOTAL_FORMS": str(len(rows))}
    data["form-INITIAL_FORMS"] = str(len(rows))
    for i, (member, _f) in enumerate(rows):
        data[f"form-{i}-member_id"] = str(member.pk)
        if member == late:
            data[f"form-{i}-office"], data[f"form-{i}-votes"] = "leader", "4"
    response = client.post(url, data)
    assert response.status_code == 200
    late_form = next(f for m, f in response.context["rows"] if m == late)
    assert "党章第七条" in str(late_form.errors["office"])
    assert not LeaderElection.objects.filter(party_group=group).exists()
    assert len(roll) == 5


def test_the_appointment_page_records_the_branch_decision(org, secretary_a1, login):
    from django.urls import reverse

    group = org.a1_g2
    leader, deputy = org.a1_g2_members[0], org.a1_g2_members[1]
    client = login(secretary_a1)
    url = reverse("groups:appointment-new", args=[group.pk])
    assert "罗紫党员6" in client.get(url).content.decode()
    bad = client.post(url, {"decided_on": FIRST.isoformat(), "decided_by": "罗紫村支委会", "leader": leader.pk})
    assert bad.status_code == 200 and "文号" in str(bad.context["form"].errors["document_number"])
    response = client.post(
        url,
        {
            "decided_on": FIRST.isoformat(),
            "decided_by": "中共罗紫村支部委员会",
            "document_number": "罗紫支〔2024〕2号",
            "leader": leader.pk,
            "deputies": [deputy.pk],
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("groups:party-group", args=[group.pk])).content.decode()
    assert "支部委派" in page and "罗紫支〔2024〕2号" in page
