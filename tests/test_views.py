"""Branch pages: the home page, a party group's page and recording an election, each in the person's own reach."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import ElectionCandidate, GroupPost, LeaderElection
from tests.factories import PartyMemberFactory, join

Role = GroupPost.Role
HELD_ON = datetime.date(2025, 2, 1)


def home():
    return reverse("home")


def group_page(group):
    return reverse("groups:party-group", args=[group.pk])


def election_page(group):
    return reverse("groups:election-new", args=[group.pk])


def text(response) -> str:
    return response.content.decode()


def posts_snapshot():
    return sorted(GroupPost.objects.values_list("pk", "member_id", "role", "started_on", "ended_on"))


def election_data(client, group, *, present, held_on=HELD_ON, votes=None, notes=""):
    """The election form as the secretary fills it: `votes` maps a member to (office, votes)."""
    response = client.get(election_page(group))
    assert response.status_code == 200
    formset = response.context["formset"]
    data = {
        "held_on": held_on.isoformat(),
        "members_present": str(present),
        "notes": notes,
        f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-INITIAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-MIN_NUM_FORMS": "0",
        f"{formset.prefix}-MAX_NUM_FORMS": "1000",
    }
    chosen = {m.pk: ov for m, ov in (votes or {}).items()}
    for i, form in enumerate(formset.forms):
        member_id = form.initial["member_id"]
        office, n = chosen.get(member_id, ("", ""))
        data[f"{formset.prefix}-{i}-member_id"] = str(member_id)
        data[f"{formset.prefix}-{i}-office"] = office
        data[f"{formset.prefix}-{i}-votes"] = str(n)
    return data


# --- logged out --------------------------------------------------------------------------------------------------


def test_it_sends_an_anonymous_visitor_to_the_login_page(org, client):
    for path in (home(), group_page(org.a1_g1), election_page(org.a1_g1)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.post(election_page(org.a1_g1), {"held_on": "2025-01-01"}).status_code == 302
    assert not LeaderElection.objects.filter(held_on=datetime.date(2025, 1, 1)).exists()


def test_the_login_page_loads(org, client):
    assert client.get(reverse("login")).status_code == 200


# --- home: each person lands where they work (the pages themselves: tests/test_dashboards.py) ------------------


def test_the_home_page_sends_each_person_where_they_work(org, secretary_a1, township_staff, county_viewer, login):
    assert login(secretary_a1).get(home())["Location"] == reverse("village", args=[org.a1.pk])
    assert login(township_staff).get(home())["Location"] == reverse("township", args=[org.ta.pk])
    assert login(county_viewer).get(home())["Location"] == reverse("county", args=[org.county.pk])


def test_the_home_page_of_an_account_without_assignment_lists_nothing(org, login):
    from tests.factories import UserFactory

    response = login(UserFactory(username="nobody")).get(home())
    assert response.status_code == 200
    page = text(response)
    assert "罗紫村" not in page
    assert "白石村" not in page


# --- a party group's page ----------------------------------------------------------------------------------------


def test_the_group_page_shows_its_people_and_elections(org, secretary_a1, login):
    response = login(secretary_a1).get(group_page(org.a1_g1))
    assert response.status_code == 200
    page = text(response)
    for m in org.a1_g1_members:
        assert m.name in page
    assert "1社" in page and "2社" in page
    assert election_page(org.a1_g1) in page  # the secretary may record an election


@pytest.mark.parametrize(
    ("persona", "group"),
    [
        ("secretary_a1", "a2_g1"),
        ("secretary_a2", "a1_g1"),
        ("secretary_a1", "b1_g1"),
        ("township_staff", "b1_g1"),
        ("township_b_staff", "a1_g1"),
    ],
)
def test_a_foreign_group_page_is_answered_like_a_missing_one(org, persona, group, request, login):
    client = login(request.getfixturevalue(persona))
    response = client.get(group_page(getattr(org, group)))
    assert response.status_code == 404
    assert getattr(org, group).name not in text(response)
    assert client.get(reverse("groups:party-group", args=[10**9])).status_code == 404


def test_the_county_viewer_reads_a_group_page_without_the_election_link(org, county_viewer, login):
    response = login(county_viewer).get(group_page(org.b1_g1))
    assert response.status_code == 200
    assert election_page(org.b1_g1) not in text(response)


def test_the_group_page_queries_do_not_grow_with_members(org, secretary_a1, login, django_assert_max_num_queries):
    client = login(secretary_a1)
    client.get(group_page(org.a1_g1))
    with CaptureQueriesContext(connection) as small:
        client.get(group_page(org.a1_g1))
    join(PartyMemberFactory.create_batch(6, village=org.a1), org.a1_g1)
    with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as big:
        client.get(group_page(org.a1_g1))
    assert len(big) == len(small)


# --- recording an election ---------------------------------------------------------------------------------------


def test_the_election_page_opens_for_the_groups_own_secretary_and_staff(org, secretary_a1, township_staff, login):
    response = login(secretary_a1).get(election_page(org.a1_g1))
    assert response.status_code == 200
    page = text(response)
    for m in org.a1_g1_members:
        assert m.name in page
    assert login(township_staff).get(election_page(org.a1_g1)).status_code == 200


def test_the_election_page_of_another_village_is_not_found(org, secretary_a2, township_b_staff, login):
    assert login(secretary_a2).get(election_page(org.a1_g1)).status_code == 404
    assert login(township_b_staff).get(election_page(org.a1_g1)).status_code == 404


def test_the_election_page_is_forbidden_to_the_county_viewer(org, county_viewer, login):
    assert login(county_viewer).get(election_page(org.a1_g1)).status_code == 403


def test_a_group_leader_cannot_record_elections(org, login):
    from tests.factories import UserFactory, assign
    from township.models import Assignment

    leader = UserFactory(username="zuzhang")
    assign(leader, Assignment.Role.GROUP_LEADER, party_group=org.a1_g1)
    assert login(leader).get(election_page(org.a1_g1)).status_code == 403


def test_a_valid_election_is_recorded_and_appoints_the_leader(org, secretary_a1, login):
    client = login(secretary_a1)
    a, b, c, d, _ = org.a1_g1_members
    data = election_data(client, org.a1_g1, present=4, votes={c: ("leader", 4), d: ("deputy", 3)}, notes="换届")
    response = client.post(election_page(org.a1_g1), data)
    assert response.status_code == 302
    assert response["Location"] == group_page(org.a1_g1)

    election = LeaderElection.objects.get(party_group=org.a1_g1, held_on=HELD_ON)
    assert election.outcome == LeaderElection.Outcome.PASSED
    assert election.members_entitled == 5
    assert election.members_present == 4
    assert election.notes == "换届"
    assert election.recorded_by == secretary_a1
    assert set(ElectionCandidate.objects.filter(election=election).values_list("member__name", "votes")) == {
        (c.name, 4),
        (d.name, 3),
    }
    current = dict(GroupPost.objects.current().filter(party_group=org.a1_g1).values_list("member__name", "role"))
    assert current[c.name] == Role.LEADER
    assert current[d.name] == Role.DEPUTY
    assert current[a.name] == Role.MEMBER  # the former leader stays, as a member
    assert current[b.name] == Role.MEMBER
    assert GroupPost.objects.get(member=a, role=Role.LEADER).ended_on == HELD_ON

    page = text(client.get(response["Location"]))
    assert c.name in page


def test_a_failed_election_is_recorded_and_changes_no_post(org, secretary_a1, login):
    client = login(secretary_a1)
    before = posts_snapshot()
    c = org.a1_g1_members[2]
    data = election_data(client, org.a1_g1, present=2, votes={c: ("leader", 2)})  # no quorum
    response = client.post(election_page(org.a1_g1), data)
    assert response.status_code == 302
    election = LeaderElection.objects.get(party_group=org.a1_g1, held_on=HELD_ON)
    assert election.outcome == LeaderElection.Outcome.FAILED
    assert posts_snapshot() == before


def test_an_impossible_election_is_answered_with_the_typed_values_kept(org, secretary_a1, login):
    client = login(secretary_a1)
    before = posts_snapshot()
    c = org.a1_g1_members[2]
    data = election_data(client, org.a1_g1, present=9, votes={c: ("leader", 7)}, notes="人数填错了")
    response = client.post(election_page(org.a1_g1), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    page = text(response)
    assert 'value="9"' in page
    assert HELD_ON.isoformat() in page
    assert "人数填错了" in page
    assert 'value="7"' in page
    assert not LeaderElection.objects.filter(held_on=HELD_ON).exists()
    assert posts_snapshot() == before


@pytest.mark.parametrize(
    ("field", "value"), [("held_on", "2999-01-01"), ("held_on", "不是日期"), ("members_present", "-1")]
)
def test_a_malformed_election_form_is_answered_on_its_field(org, secretary_a1, login, field, value):
    client = login(secretary_a1)
    c = org.a1_g1_members[2]
    data = election_data(client, org.a1_g1, present=4, votes={c: ("leader", 4)})
    data[field] = value
    response = client.post(election_page(org.a1_g1), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not LeaderElection.objects.filter(party_group=org.a1_g1).exclude(pk=org.a1_election.pk).exists()


def test_a_candidate_without_votes_is_answered_on_the_row(org, secretary_a1, login):
    client = login(secretary_a1)
    c = org.a1_g1_members[2]
    data = election_data(client, org.a1_g1, present=4, votes={c: ("leader", "")})
    response = client.post(election_page(org.a1_g1), data)
    assert response.status_code == 200
    assert any("votes" in errors for errors in response.context["formset"].errors)
    assert LeaderElection.objects.filter(party_group=org.a1_g1).count() == 1


def test_a_post_for_another_villages_group_changes_nothing(org, secretary_a1, secretary_a2, login):
    c = org.a1_g1_members[2]
    data = election_data(login(secretary_a1), org.a1_g1, present=5, votes={c: ("leader", 5)})
    before = posts_snapshot()
    response = login(secretary_a2).post(election_page(org.a1_g1), data)
    assert response.status_code == 404
    assert not LeaderElection.objects.filter(held_on=HELD_ON).exists()
    assert posts_snapshot() == before


def test_a_post_by_the_county_viewer_changes_nothing(org, secretary_a1, county_viewer, login):
    c = org.a1_g1_members[2]
    data = election_data(login(secretary_a1), org.a1_g1, present=5, votes={c: ("leader", 5)})
    before = posts_snapshot()
    response = login(county_viewer).post(election_page(org.a1_g1), data)
    assert response.status_code == 403
    assert not LeaderElection.objects.filter(held_on=HELD_ON).exists()
    assert posts_snapshot() == before


def test_a_foreign_member_smuggled_into_the_form_is_ignored(org, secretary_a1, login):
    client = login(secretary_a1)
    c = org.a1_g1_members[2]
    data = election_data(client, org.a1_g1, present=5, votes={c: ("leader", 5)})
    outsider = org.a2_members[1]
    n = int(data["form-TOTAL_FORMS"])
    data.update(
        {
            f"form-{n}-member_id": str(outsider.pk),
            f"form-{n}-office": "deputy",
            f"form-{n}-votes": "5",
            "form-TOTAL_FORMS": str(n + 1),
        }
    )
    response = client.post(election_page(org.a1_g1), data)
    assert response.status_code == 302
    election = LeaderElection.objects.get(held_on=HELD_ON)
    assert not election.candidates.filter(member=outsider).exists()
    assert GroupPost.objects.current().get(member=outsider).party_group == org.a2_g1
