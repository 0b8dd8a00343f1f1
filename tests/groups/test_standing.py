"""A member's standing over time: the order rules, the cached status, counts on a day from the history, and the
dashboards agreeing with them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import clock, periods
from groups.models import GroupPost
from groups.selectors import party_groups_with_counts
from groups.standing.selectors import counts_on
from groups.standing.services import standing_record
from members.models import PartyMember
from members.standing.models import StandingChange
from members.standing.selectors import members_in_party_on, overdue_probations, standing_on
from tests.factories import PartyMemberFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()
D = datetime.date
Kind = StandingChange.Kind
State = PartyMember.Status


def errors(exc) -> dict:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


@pytest.fixture
def probationer(org):
    """A probationary member of village A1 who joined two years ago, in party group 1."""
    m = PartyMemberFactory(
        village=org.a1, name="罗紫预备党员", status=State.PROBATIONARY, joined_on=TODAY.replace(year=TODAY.year - 2)
    )
    GroupPost.objects.create(party_group=org.a1_g1, member=m, role="member", started_on=m.joined_on)
    return m


def test_it_records_joining_and_confirmation_in_order(probationer, secretary_a1):
    standing_record(
        member=probationer,
        kind=Kind.JOINED,
        on=probationer.joined_on,
        decision="支部大会决议",
        acting_user=secretary_a1,
    )
    due = periods.add_years(probationer.joined_on, 1)
    assert overdue_probations(PartyMember.objects.filter(pk=probationer.pk), TODAY)[0].due == due
    change = standing_record(
        member=probationer,
        kind=Kind.CONFIRMED,
        on=due,
        decision="支部大会决议",
        document_no="罗支〔2026〕3号",
        acting_user=secretary_a1,
    )
    probationer.refresh_from_db()
    assert probationer.status == State.FULL and change.recorded_by == secretary_a1
    assert standing_on(probationer, due - datetime.timedelta(days=1)) == State.PROBATIONARY
    assert standing_on(probationer, due) == State.FULL
    assert overdue_probations(PartyMember.objects.filter(pk=probationer.pk), TODAY) == []


def test_it_refuses_confirmation_before_a_year_of_probation(probationer, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        standing_record(
            member=probationer,
            kind=Kind.CONFIRMED,
            on=probationer.joined_on + datetime.timedelta(days=100),
            decision="支部大会决议",
            acting_user=secretary_a1,
        )
    assert "预备期满一年" in errors(exc)["on"]


def test_it_refuses_confirmation_before_joining(probationer, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        standing_record(
            member=probationer,
            kind=Kind.CONFIRMED,
            on=probationer.joined_on - datetime.timedelta(days=1),
            decision="支部大会决议",
            acting_user=secretary_a1,
        )
    assert "不能早于" in errors(exc)["on"]


def test_it_refuses_confirming_a_full_member(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        standing_record(
            member=org.a1_g1_members[0], kind=Kind.CONFIRMED, on=TODAY, decision="决议", acting_user=secretary_a1
        )
    assert "不是预备党员" in errors(exc)["kind"]


def test_an_extension_is_at_most_a_year(probationer, secretary_a1):
    first_due = periods.add_years(probationer.joined_on, 1)
    with pytest.raises(ValidationError) as exc:
        standing_record(
            member=probationer,
            kind=Kind.EXTENDED,
            on=first_due,
            decision="支部大会决议",
            probation_until=periods.add_years(first_due, 1) + datetime.timedelta(days=1),
            acting_user=secretary_a1,
        )
    assert "最长一年" in errors(exc)["probation_until"]
    until = first_due + datetime.timedelta(days=180)
    standing_record(
        member=probationer,
        kind=Kind.EXTENDED,
        on=first_due,
        decision="支部大会决议",
        probation_until=until,
        acting_user=secretary_a1,
    )
    [late] = overdue_probations(PartyMember.objects.filter(pk=probationer.pk), TODAY)
    assert late.due == until


def test_cancelling_a_probation_ends_membership_and_the_group_post(probationer, secretary_a1):
    on = TODAY - datetime.timedelta(days=10)
    standing_record(member=probationer, kind=Kind.CANCELLED, on=on, decision="支部大会决议", acting_user=secretary_a1)
    probationer.refresh_from_db()
    assert probationer.status == State.LEFT and probationer.left_on == on
    assert GroupPost.objects.get(member=probationer).ended_on == on


def test_a_transfer_out_needs_the_organisation_and_the_letter(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        standing_record(member=org.a1_g1_members[2], kind=Kind.TRANSFER_OUT, on=TODAY, acting_user=secretary_a1)
    assert set(errors(exc)) == {"organisation", "letter_no"}


def test_it_refuses_a_transfer_out_of_someone_who_already_left(org, secretary_a1):
    m = org.a1_g1_members[2]
    out = dict(organisation="中共成都市某街道工委", letter_no="川组转2027001", acting_user=secretary_a1)
    standing_record(member=m, kind=Kind.TRANSFER_OUT, on=TODAY - datetime.timedelta(days=30), **out)
    with pytest.raises(ValidationError) as exc:
        standing_record(member=m, kind=Kind.TRANSFER_OUT, on=TODAY, **out)
    assert "离开本支部" in errors(exc)["kind"]
    with pytest.raises(ValidationError) as exc:
        standing_record(member=m, kind=Kind.DIED, on=TODAY, acting_user=secretary_a1)
    assert "离开本支部" in errors(exc)["kind"]
    assert StandingChange.objects.filter(member=m).count() == 1


def test_changes_are_recorded_in_date_order(org, secretary_a1):
    m = org.a1_g1_members[3]
    standing_record(
        member=m,
        kind=Kind.SUSPENDED,
        on=TODAY - datetime.timedelta(days=5),
        decision="党委决定",
        acting_user=secretary_a1,
    )
    with pytest.raises(ValidationError) as exc:
        standing_record(
            member=m,
            kind=Kind.RESTORED,
            on=TODAY - datetime.timedelta(days=10),
            decision="党委决定",
            acting_user=secretary_a1,
        )
    assert "时间顺序" in errors(exc)["on"]


def test_suspension_and_restoration(org, secretary_a1):
    m = org.a1_g1_members[3]
    standing_record(member=m, kind=Kind.SUSPENDED, on=D(2026, 3, 1), decision="乡党委决定", acting_user=secretary_a1)
    m.refresh_from_db()
    assert m.status == State.SUSPENDED and m.left_on is None
    with pytest.raises(ValidationError):  # a suspended member is restored before transferring out
        standing_record(
            member=m,
            kind=Kind.TRANSFER_OUT,
            on=D(2026, 4, 1),
            organisation="某党委",
            letter_no="1",
            acting_user=secretary_a1,
        )
    standing_record(member=m, kind=Kind.RESTORED, on=D(2026, 9, 1), decision="乡党委决定", acting_user=secretary_a1)
    m.refresh_from_db()
    assert m.status == State.FULL
    assert [standing_on(m, d) for d in (D(2026, 2, 28), D(2026, 3, 1), D(2026, 9, 1))] == [
        State.FULL,
        State.SUSPENDED,
        State.FULL,
    ]


def test_expulsion_needs_a_decision(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        standing_record(member=org.a1_g1_members[4], kind=Kind.EXPELLED, on=TODAY, acting_user=secretary_a1)
    assert "decision" in errors(exc)


def test_no_change_in_the_future(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        standing_record(
            member=org.a1_g1_members[4], kind=Kind.DIED, on=TODAY + datetime.timedelta(days=1), acting_user=secretary_a1
        )
    assert "晚于今天" in errors(exc)["on"]


def test_another_branch_cannot_change_a_members_standing(org, secretary_a2):
    with pytest.raises(PermissionDenied):
        standing_record(member=org.a1_g1_members[4], kind=Kind.DIED, on=TODAY, acting_user=secretary_a2)
    assert not StandingChange.objects.exists()


def test_a_transfer_in_counts_from_its_date(org, secretary_a1):
    m = PartyMemberFactory(village=org.a1, name="转入党员", joined_on=D(1990, 7, 1))
    standing_record(
        member=m,
        kind=Kind.TRANSFER_IN,
        on=D(2026, 5, 10),
        organisation="中共青川县某镇委员会",
        letter_no="青组转2026015",
        acting_user=secretary_a1,
    )
    assert standing_on(m, D(2026, 5, 9)) == State.LEFT
    assert standing_on(m, D(2026, 5, 10)) == State.FULL


# --- counts on a day --------------------------------------------------------------------------------------------


@pytest.fixture
def changes(org, probationer, secretary_a1):
    """Village A1 through a year: a death in group 1, a transfer out of group 2, a confirmation, a suspension."""
    g1, g2 = org.a1_g1_members, org.a1_g2_members
    standing_record(member=g1[4], kind=Kind.DIED, on=D(2026, 8, 20), acting_user=secretary_a1)
    standing_record(
        member=g2[3],
        kind=Kind.TRANSFER_OUT,
        on=D(2026, 11, 3),
        organisation="中共广州市某街道工委",
        letter_no="粤组转001",
        acting_user=secretary_a1,
    )
    standing_record(
        member=probationer, kind=Kind.CONFIRMED, on=D(2026, 12, 1), decision="支部大会决议", acting_user=secretary_a1
    )
    standing_record(
        member=g1[3], kind=Kind.SUSPENDED, on=D(2027, 2, 1), decision="乡党委决定", acting_user=secretary_a1
    )
    return org


@pytest.mark.parametrize(
    ("day", "full", "probationary", "suspended", "g1", "g2"),
    [
        (D(2025, 6, 14), 10, 0, 0, 5, 4),  # before the probationer joined (2025-06-15)
        (D(2026, 1, 1), 10, 1, 0, 6, 4),
        (D(2026, 8, 20), 9, 1, 0, 5, 4),  # the death counts from its day
        (D(2026, 11, 3), 8, 1, 0, 5, 3),
        (D(2026, 12, 1), 9, 0, 0, 5, 3),
        (D(2027, 2, 1), 8, 0, 1, 4, 3),
    ],
)
def test_counts_on_a_day_come_from_the_history(changes, day, full, probationary, suspended, g1, g2):
    org = changes
    counts = counts_on(day, [org.a1])
    c = counts.by_village[org.a1.pk]
    assert (c.full, c.probationary, c.suspended) == (full, probationary, suspended)
    assert counts.by_group[org.a1_g1.pk].members == g1
    assert counts.by_group[org.a1_g2.pk].members == g2
    assert members_in_party_on(day).filter(village=org.a1).count() == c.members


def test_counts_by_village_read_in_one_query(changes, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = counts_on(TODAY, [changes.a1, changes.a2])
    assert counts.by_village[changes.a2.pk].members == 4


def test_todays_counts_agree_with_the_dashboards_and_the_groups(changes, secretary_a1, township_staff, login):
    org = changes
    today = counts_on(TODAY, [org.a1])
    page = login(secretary_a1).get(reverse("village", args=[org.a1.pk]))
    assert (
        f"{today.by_village[org.a1.pk].members}名党员" in page.content.decode()
        or str(today.by_village[org.a1.pk].members) in page.content.decode()
    )
    assert page.context["village"].n_members == today.by_village[org.a1.pk].members
    groups = {g.pk: g.member_count for g in party_groups_with_counts(org.a1.party_groups.all())}
    # a group counts its members in the party, as the standing page does: the suspended member keeps a post but is
    # not counted, and the ones who left hold none
    assert today.by_group[org.a1_g1.pk].suspended
    assert groups[org.a1_g1.pk] == today.by_group[org.a1_g1.pk].members
    assert groups[org.a1_g2.pk] == today.by_group[org.a1_g2.pk].members
    staff = login(township_staff).get(reverse("standing:township", args=[org.ta.pk]))
    rows = dict((v.pk, c) for v, c in staff.context["rows"])
    assert rows[org.a1.pk].members == page.context["village"].n_members


@pytest.mark.parametrize("day", [D(2026, 8, 19), D(2026, 8, 20), D(2026, 12, 31)])
def test_the_village_dashboard_counts_the_history_on_the_day_it_is_opened(changes, day, secretary_a1, login, frozen_at):
    frozen_at(
        datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    )
    page = login(secretary_a1).get(reverse("village", args=[changes.a1.pk]))
    assert page.context["village"].n_members == counts_on(day, [changes.a1]).by_village[changes.a1.pk].members


def test_the_old_left_on_dates_move_into_the_history(org):
    """The data migration's function, run on members whose leaving is only a left_on date."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("members.migrations.0006_standing_history")
    m = org.a1_g2_members[2]
    PartyMember.objects.filter(pk=m.pk).update(left_on=D(2024, 3, 5), status=State.PROBATIONARY)
    migration.left_on_into_history(apps, None)
    m.refresh_from_db()
    [c] = StandingChange.objects.filter(member=m)
    assert (c.kind, c.on, c.state_before, c.state_after) == (Kind.LEFT, D(2024, 3, 5), State.PROBATIONARY, State.LEFT)
    assert m.status == State.LEFT and m.left_on == D(2024, 3, 5)
    assert standing_on(m, D(2024, 3, 4)) == State.PROBATIONARY and standing_on(m, D(2024, 3, 5)) == State.LEFT
    migration.history_back_to_left_on(apps, None)
    m.refresh_from_db()
    assert m.status == State.PROBATIONARY and m.left_on == D(2024, 3, 5)
