"""党情民意 services and selectors: recording, relaying, answering, and the queues and counts read from them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from activity.concerns.forms import ConcernForm
from activity.concerns.services import (
    concern_answer,
    concern_branch_queue,
    concern_counts_by_category,
    concern_open_counts_by_village,
    concern_record,
    concern_relay,
    concern_township_queue,
)
from activity.models import Concern, concern_overdue
from core import clock
from groups.standing.services import standing_record
from tests.clock import EDGE_INSTANTS
from tests.factories import leave, suspend
from township.models import Village

Handling = Concern.Handling
Category = Concern.Category


today = clock.today


def ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def record(vg, member, *, days_ago=10, user=None, **kw) -> Concern:
    """A concern raised `days_ago` days ago; by default relayed to the branch."""
    values = {
        "villager_group": vg,
        "raised_through": member,
        "raised_on": ago(days_ago),
        "category": Category.INFRASTRUCTURE,
        "content": "社道路塌方，出行不便",
        "handling": Handling.BRANCH,
        "acting_user": user,
    }
    values.update(kw)
    return concern_record(**values)


def error_fields(exc_info) -> set[str]:
    return set(exc_info.value.message_dict)


# --- recording ---------------------------------------------------------------------------------------------------


def test_it_sets_village_and_covering_party_group_from_the_villager_group(org, secretary_a1):
    c = record(org.a1_vgs[2], org.a1_g1_members[0], user=secretary_a1)
    c.refresh_from_db()
    assert c.village == org.a1
    assert c.party_group == org.a1_g2  # 3社 is looked after by the 3、4社 group
    assert c.recorded_by == secretary_a1
    assert c.history.get().history_user == secretary_a1


def test_it_resolves_a_concern_answered_on_the_spot_the_same_day(org):
    member = org.a1_g1_members[0]
    c = record(
        org.a1_vgs[0],
        member,
        handling=Handling.ON_SPOT,
        category=Category.POLICY,
        answer="讲解了低保申请条件",
        due_on=ago(1),
    )
    assert c.resolved_on == c.raised_on
    assert c.answered_by == member.name
    assert c.due_on is None and c.relayed_on is None
    assert not c.is_overdue(today())


def test_it_leaves_an_unanswered_on_the_spot_concern_open_without_a_due_date(org):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.ON_SPOT)
    assert c.resolved_on is None and c.due_on is None
    assert not c.is_overdue(today() + datetime.timedelta(days=365))


@pytest.mark.parametrize(("handling", "days"), [(Handling.BRANCH, 15), (Handling.TOWNSHIP, 30)])
def test_it_gives_a_relayed_concern_a_default_due_date(org, handling, days):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], handling=handling, days_ago=3)
    assert c.relayed_on == ago(3)
    assert c.due_on == ago(3) + datetime.timedelta(days=days)


def test_it_keeps_a_due_date_that_is_given(org):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, due_on=ago(2))
    assert c.due_on == ago(2)
    assert c.is_overdue(today())


def test_it_refuses_a_due_date_before_the_concern_was_raised(org):
    with pytest.raises(ValidationError) as exc:
        record(org.a1_vgs[0], org.a1_g1_members[0], due_on=ago(11))
    assert error_fields(exc) == {"due_on"}
    assert not Concern.objects.exists()


def test_it_refuses_a_member_of_another_village(org):
    with pytest.raises(ValidationError) as exc:
        record(org.a1_vgs[0], org.a2_members[0])
    assert "raised_through" in error_fields(exc)
    assert not Concern.objects.exists()


def test_it_refuses_a_member_who_had_left_the_branch(org):
    member = leave(org.a1_loose, ago(30))
    with pytest.raises(ValidationError) as exc:
        record(org.a1_vgs[0], member)
    assert error_fields(exc) == {"raised_through"}


def test_a_suspended_member_is_not_offered_and_is_again_once_restored(org, secretary_a1):
    member = suspend(org.a1_loose, ago(30))
    offered = ConcernForm(user=secretary_a1, village=org.a1).fields["raised_through"].queryset
    assert member not in offered and org.a1_g1_members[0] in offered
    with pytest.raises(ValidationError) as exc:
        record(org.a1_vgs[0], member)
    assert "停止" in " ".join(exc.value.message_dict["raised_through"])
    standing_record(member=member, kind="restored", on=ago(1), decision="乡党委批复", acting_user=None)
    assert member in ConcernForm(user=secretary_a1, village=org.a1).fields["raised_through"].queryset
    record(org.a1_vgs[0], member, days_ago=0)  # a member again from the day of restoration


def test_it_refuses_a_concern_raised_in_the_future(org):
    with pytest.raises(ValidationError) as exc:
        record(org.a1_vgs[0], org.a1_g1_members[0], days_ago=-1)
    assert error_fields(exc) == {"raised_on"}


def test_it_refuses_an_answer_when_recording_a_relayed_concern(org):
    with pytest.raises(ValidationError) as exc:
        record(org.a1_vgs[0], org.a1_g1_members[0], answer="已答复")
    assert error_fields(exc) == {"answer"}


def test_it_refuses_empty_content(org):
    with pytest.raises(ValidationError) as exc:
        record(org.a1_vgs[0], org.a1_g1_members[0], content="   ")
    assert error_fields(exc) == {"content"}


def test_it_records_a_dispute_settled_by_mediation_on_the_spot(org):
    c = record(
        org.a1_vgs[0],
        org.a1_g1_members[0],
        handling=Handling.ON_SPOT,
        category=Category.DISPUTE,
        answer="两家和好如初",
        settled_by_mediation=True,
    )
    assert c.settled_by_mediation and c.resolved_on == c.raised_on


def test_it_refuses_settled_by_mediation_for_what_is_not_a_dispute(org):
    with pytest.raises(ValidationError) as exc:
        record(
            org.a1_vgs[0],
            org.a1_g1_members[0],
            handling=Handling.ON_SPOT,
            answer="已解决",
            settled_by_mediation=True,
        )
    assert error_fields(exc) == {"settled_by_mediation"}


# --- relaying ----------------------------------------------------------------------------------------------------


def test_it_relays_a_branch_concern_to_the_township_with_a_new_due_date(org, secretary_a1):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], days_ago=20)
    c = concern_relay(concern=c, to=Handling.TOWNSHIP, acting_user=secretary_a1)
    c.refresh_from_db()
    assert c.handling == Handling.TOWNSHIP
    assert c.relayed_on == today()
    assert c.due_on == today() + datetime.timedelta(days=30)
    assert c.history.order_by("-history_date").first().history_user == secretary_a1


def test_it_relays_with_the_due_date_given(org, secretary_a1):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.ON_SPOT)
    c = concern_relay(
        concern=c, to=Handling.BRANCH, due_on=today() + datetime.timedelta(days=3), acting_user=secretary_a1
    )
    assert (c.handling, c.due_on) == (Handling.BRANCH, today() + datetime.timedelta(days=3))


@pytest.mark.parametrize(
    ("start", "to"),
    [(Handling.BRANCH, Handling.BRANCH), (Handling.TOWNSHIP, Handling.BRANCH), (Handling.BRANCH, Handling.ON_SPOT)],
)
def test_it_only_relays_upwards(org, start, to):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], handling=start)
    with pytest.raises(ValidationError) as exc:
        concern_relay(concern=c, to=to, acting_user=None)
    assert error_fields(exc) == {"to"}
    c.refresh_from_db()
    assert c.handling == start


def test_it_refuses_to_relay_a_resolved_concern(org):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.ON_SPOT, answer="已解决")
    with pytest.raises(ValidationError) as exc:
        concern_relay(concern=c, to=Handling.TOWNSHIP, acting_user=None)
    assert exc.value.code == "resolved"


def test_it_refuses_a_relay_due_date_before_the_relay(org):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], days_ago=20)
    with pytest.raises(ValidationError) as exc:
        concern_relay(concern=c, to=Handling.TOWNSHIP, due_on=ago(1), acting_user=None)
    assert error_fields(exc) == {"due_on"}
    c.refresh_from_db()
    assert c.handling == Handling.BRANCH


def test_it_refuses_a_relay_dated_before_the_concern_or_in_the_future(org):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], days_ago=20)
    for day in (ago(21), today() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            concern_relay(concern=c, to=Handling.TOWNSHIP, relayed_on=day, acting_user=None)
        assert error_fields(exc) == {"relayed_on"}


# --- answering ---------------------------------------------------------------------------------------------------


def test_it_resolves_a_concern_with_its_answer(org, township_staff):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, days_ago=40, due_on=ago(10))
    assert c.is_overdue(today())
    c = concern_answer(
        concern=c, answer="已安排修复", answered_by="乡村建办", resolved_on=ago(2), acting_user=township_staff
    )
    c.refresh_from_db()
    assert (c.answer, c.answered_by, c.resolved_on) == ("已安排修复", "乡村建办", ago(2))
    assert not c.is_overdue(today())
    assert c.age_in_days(today()) == 38
    assert c.history.order_by("-history_date").first().history_user == township_staff


@pytest.mark.parametrize(("resolved_days_ago", "field"), [(11, "resolved_on"), (-1, "resolved_on")])
def test_it_refuses_a_resolution_before_the_concern_or_in_the_future(org, resolved_days_ago, field):
    c = record(org.a1_vgs[0], org.a1_g1_members[0], days_ago=10)
    with pytest.raises(ValidationError) as exc:
        concern_answer(
            concern=c, answer="答复", answered_by="支部", resolved_on=ago(resolved_days_ago), acting_user=None
        )
    assert error_fields(exc) == {field}
    c.refresh_from_db()
    assert c.resolved_on is None


def test_it_accepts_a_resolution_on_the_day_raised_and_today(org):
    first = record(org.a1_vgs[0], org.a1_g1_members[0], days_ago=10)
    second = record(org.a1_vgs[0], org.a1_g1_members[0], days_ago=10)
    assert concern_answer(concern=first, answer="答", answered_by="支部", resolved_on=ago(10), acting_user=None)
    assert concern_answer(concern=second, answer="答", answered_by="支部", resolved_on=today(), acting_user=None)


def test_it_needs_the_answer_and_who_gave_it(org):
    c = record(org.a1_vgs[0], org.a1_g1_members[0])
    with pytest.raises(ValidationError) as exc:
        concern_answer(concern=c, answer=" ", answered_by="", resolved_on=today(), acting_user=None)
    assert error_fields(exc) == {"answer", "answered_by"}


def test_it_refuses_to_answer_twice(org):
    c = record(org.a1_vgs[0], org.a1_g1_members[0])
    concern_answer(concern=c, answer="第一次", answered_by="支部", resolved_on=today(), acting_user=None)
    with pytest.raises(ValidationError) as exc:
        concern_answer(concern=c, answer="第二次", answered_by="支部", resolved_on=today(), acting_user=None)
    assert exc.value.code == "resolved"
    c.refresh_from_db()
    assert c.answer == "第一次"


def test_it_marks_a_mediated_dispute_as_settled_and_refuses_it_for_other_categories(org):
    dispute = record(org.a1_vgs[0], org.a1_g1_members[0], category=Category.DISPUTE)
    other = record(org.a1_vgs[0], org.a1_g1_members[0], category=Category.HOT)
    concern_answer(
        concern=dispute,
        answer="两家和好",
        answered_by="祝龙贵",
        resolved_on=today(),
        settled_by_mediation=True,
        acting_user=None,
    )
    dispute.refresh_from_db()
    assert dispute.settled_by_mediation
    with pytest.raises(ValidationError) as exc:
        concern_answer(
            concern=other,
            answer="答",
            answered_by="支部",
            resolved_on=today(),
            settled_by_mediation=True,
            acting_user=None,
        )
    assert error_fields(exc) == {"settled_by_mediation"}


# --- queues ------------------------------------------------------------------------------------------------------


@pytest.fixture
def queue(org):
    """Concerns in A1, A2 (township A) and B1, in every state, created out of order."""
    m1, m2, mb = org.a1_g1_members[0], org.a2_members[0], org.b1_members[0]
    c = {}
    c["a1_township_recent"] = record(org.a1_vgs[0], m1, handling=Handling.TOWNSHIP, days_ago=5)
    c["a2_township_overdue_new"] = record(org.a2_vgs[0], m2, handling=Handling.TOWNSHIP, days_ago=20, due_on=ago(1))
    c["a1_township_old"] = record(org.a1_vgs[1], m1, handling=Handling.TOWNSHIP, days_ago=25)
    c["a1_township_overdue_old"] = record(org.a1_vgs[0], m1, handling=Handling.TOWNSHIP, days_ago=60, due_on=ago(30))
    c["a1_township_resolved_early"] = record(org.a1_vgs[0], m1, handling=Handling.TOWNSHIP, days_ago=90)
    concern_answer(
        concern=c["a1_township_resolved_early"], answer="答", answered_by="乡", resolved_on=ago(80), acting_user=None
    )
    c["a1_township_resolved_late"] = record(org.a1_vgs[0], m1, handling=Handling.TOWNSHIP, days_ago=95)
    concern_answer(
        concern=c["a1_township_resolved_late"], answer="答", answered_by="乡", resolved_on=ago(3), acting_user=None
    )
    c["a1_branch"] = record(org.a1_vgs[0], m1, handling=Handling.BRANCH, days_ago=8)
    c["a1_branch_overdue"] = record(org.a1_vgs[0], m1, handling=Handling.BRANCH, days_ago=30, due_on=ago(2))
    c["a1_on_spot_open"] = record(org.a1_vgs[0], m1, handling=Handling.ON_SPOT, days_ago=40)
    c["a1_on_spot_done"] = record(org.a1_vgs[0], m1, handling=Handling.ON_SPOT, days_ago=7, answer="已答复")
    c["a2_branch"] = record(org.a2_vgs[0], m2, handling=Handling.BRANCH, days_ago=3)
    c["b1_township"] = record(org.b1_vgs[0], mb, handling=Handling.TOWNSHIP, days_ago=100, due_on=ago(50))
    return {v.pk: k for k, v in c.items()}


def names(qs, queue) -> list[str]:
    return [queue[c.pk] for c in qs]


def test_the_database_and_the_concern_agree_on_which_are_overdue(org, queue):
    overdue = {c for c in Concern.objects.all() if c.is_overdue(today())}
    assert set(Concern.objects.filter(concern_overdue(today()))) == overdue
    assert {queue[c.pk] for c in overdue} == {
        "a2_township_overdue_new",
        "a1_township_overdue_old",
        "a1_branch_overdue",
        "b1_township",
    }


def test_the_township_queue_is_relayed_concerns_open_then_overdue_then_oldest(org, queue):
    qs = concern_township_queue(Village.objects.filter(township=org.ta), today=today())
    assert names(qs, queue) == [
        "a1_township_overdue_old",
        "a2_township_overdue_new",
        "a1_township_old",
        "a1_township_recent",
        # the resolved follow, the latest resolved first
        "a1_township_resolved_late",
        "a1_township_resolved_early",
    ]
    assert [c.overdue for c in qs][:3] == [True, True, False]


def test_the_branch_queue_is_the_villages_open_concerns_in_the_same_order(org, queue):
    qs = concern_branch_queue(Village.objects.filter(pk=org.a1.pk), today=today())
    assert names(qs, queue) == [
        "a1_township_overdue_old",
        "a1_branch_overdue",
        "a1_on_spot_open",
        "a1_township_old",
        "a1_branch",
        "a1_township_recent",
    ]


def test_the_queues_read_in_a_fixed_number_of_queries(org, queue, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(concern_township_queue(Village.objects.filter(township=org.ta), today=today()))
        assert {c.village.name for c in rows} == {"罗紫村", "井阳村"}
        assert all(c.raised_through.name and c.villager_group.name for c in rows)


def test_it_counts_concerns_by_category_since_a_date_in_one_query(org, queue, django_assert_num_queries):
    m1 = org.a1_g1_members[0]
    record(org.a1_vgs[0], m1, category=Category.DISPUTE, days_ago=2)
    record(org.a1_vgs[0], m1, category=Category.DISPUTE, days_ago=200)  # before the period
    villages = Village.objects.filter(township=org.ta)
    with django_assert_num_queries(1):
        counts = concern_counts_by_category(villages, ago(30))
    assert [label for label, _n in counts] == [str(label) for _v, label in Category.choices]
    by_label = dict(counts)
    assert by_label[str(Category.INFRASTRUCTURE.label)] == 7  # raised within 30 days in township A
    assert by_label[str(Category.DISPUTE.label)] == 1
    assert by_label[str(Category.OTHER.label)] == 0
    assert sum(n for _l, n in concern_counts_by_category(villages, ago(1000))) == 13  # B1 is not counted


def test_it_counts_open_and_overdue_concerns_per_village_in_one_query(org, queue, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = concern_open_counts_by_village(Village.objects.filter(township__county=org.county), today=today())
    got = {r.village.name: (r.open, r.overdue) for r in rows}
    assert got == {"罗紫村": (6, 2), "井阳村": (2, 1), "白石村": (1, 1)}


# --- demo data ---------------------------------------------------------------------------------------------------


def test_the_demo_concerns_tell_the_surveys_stories_and_build_once(db):
    from seeding.demo import build as demo
    from seeding.demo import concerns as demo_concerns

    demo.build()
    demo.ensure_accounts("Demo-password-1")
    demo_concerns.build()
    rows = list(Concern.objects.select_related("village", "recorded_by"))
    demo_concerns.build()  # a second run adds nothing
    assert Concern.objects.count() == len(rows) >= 60

    as_of = demo_concerns.AS_OF
    assert all(demo_concerns.START <= c.raised_on <= demo_concerns.END for c in rows)
    assert all(c.resolved_on is None or c.resolved_on <= demo_concerns.END for c in rows)
    assert {c.category for c in rows} == set(Category.values)
    assert {c.handling for c in rows} == set(Handling.values)
    resolved = [c for c in rows if c.resolved_on]
    assert len(resolved) > len(rows) * 0.6  # most are resolved, each with its answer
    assert all(c.answer and c.answered_by for c in resolved)
    assert sum(c.is_overdue(as_of) for c in rows) >= 3
    assert any(c.resolved_on is None and not c.is_overdue(as_of) and c.handling != Handling.ON_SPOT for c in rows)
    luozi = [c for c in rows if c.village.name == "罗紫村"]
    assert {c.recorded_by.username for c in luozi} == {"luozi"}
    assert any(c.is_overdue(as_of) for c in luozi)

    dispute = Concern.objects.get(villager_name__contains="张永志")
    assert "杨秀兰" in dispute.villager_name
    assert (dispute.category, dispute.handling, dispute.settled_by_mediation) == (Category.DISPUTE, "on_spot", True)
    assert dispute.raised_through.name == "祝龙贵" and dispute.resolved_on == datetime.date(2025, 12, 9)
    assert "和好" in dispute.answer
    tang = Concern.objects.get(villager_name="汤光华")
    assert (tang.category, tang.villager_group.name, tang.village.name) == (Category.LIVELIHOOD, "4社", "罗紫村")
    assert tang.resolved_on and "5万元" in tang.answer
    # the history is dated to the days the steps were taken
    assert dispute.history.get().history_date.date() == datetime.date(2025, 12, 9)


# --- at the edges: midnight in Beijing around the new year, and the leap day -------------------------------------


@pytest.mark.parametrize("now", EDGE_INSTANTS)
def test_it_dates_concerns_and_their_deadlines_by_the_day_in_beijing_at_the_edges(now, org):
    day = now.date()  # the instants are given in Beijing time
    member = org.a1_g1_members[0]
    relayed = record(org.a1_vgs[0], member, days_ago=0)  # raised and relayed to the branch today
    assert (relayed.raised_on, relayed.relayed_on, relayed.due_on) == (day, day, day + datetime.timedelta(days=15))
    with pytest.raises(ValidationError) as exc_info:
        record(org.a1_vgs[0], member, days_ago=-1)  # tomorrow
    assert error_fields(exc_info) == {"raised_on"}
    due_today = record(org.a1_vgs[1], member, days_ago=20, due_on=day)
    due_yesterday = record(org.a1_vgs[1], member, days_ago=20, due_on=day - datetime.timedelta(days=1))
    assert not due_today.is_overdue(today()) and due_yesterday.is_overdue(today())
    assert set(Concern.objects.filter(concern_overdue(today()))) == {due_yesterday}
    concern_answer(concern=due_today, answer="已答复", answered_by="支部", resolved_on=day, acting_user=None)
    with pytest.raises(ValidationError):
        concern_answer(
            concern=due_yesterday,
            answer="已答复",
            answered_by="支部",
            resolved_on=day + datetime.timedelta(days=1),
            acting_user=None,
        )
