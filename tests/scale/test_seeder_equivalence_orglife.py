"""`seed_scale` writes organisational life as the orglife services do: replayed through them, the same meetings,
attendance, committees, themes and 党小组会 activities come out.

One township is seeded for a year on a pinned day; its committee seats, monthly themes, meetings with their
attendance, and the monthly reports' 党小组会 activities (with their participants) are noted and deleted, then
recorded again through `committee_seat_add`, `theme_publish` and `meeting_record` (a back-fill: no acting user, as
the demo builder records closed months), with the same inputs: day, topic, content, decisions, host, recorder, each
member's presence and reason. The service links a 党小组会 to its month's report and writes the report's activity
from the meeting (`orglife.meetings.report_link`); a 主题党日 to the township's theme of its month; it gives the
study hours by kind. Everything must equal what the seeder wrote, and 应到 must be whom the services expect: a party
group's members for a 党小组会, the committee in office for a 支委会, every member of the branch otherwise.

Change how the seeder links a meeting to its report or activity, what the activity says, who it counts as present,
what it reaches, or the study hours, and a test here fails.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction

from activity.models import Activity
from orglife.committee.models import CommitteeSeat
from orglife.committee.services import committee_members_on, committee_seat_add
from orglife.meetings.models import Attendance, Kind, Meeting, MonthlyTheme
from orglife.meetings.services import Mark, expected_members, meeting_record, theme_publish
from seeding.scale import seed_scale
from seeding.scale.plan import at
from township.models import Township

DAY = datetime.date(2026, 4, 20)
PARTICIPANTS = Activity.participants.through


def orglife_of(township: Township) -> dict:
    """The township's organisational life by natural keys (days, ids of villages, groups, members and reports)."""
    meetings = Meeting.objects.filter(village__township=township)
    attendance: dict[int, set] = {}
    for meeting_id, member_id, presence, reason in Attendance.objects.filter(meeting__in=meetings).values_list(
        "meeting_id", "member_id", "presence", "reason"
    ):
        attendance.setdefault(meeting_id, set()).add((member_id, presence, reason))
    activities = Activity.objects.filter(report__party_group__village__township=township, kind=Activity.Kind.MEETING)
    participants: dict[int, set] = {}
    for activity_id, member_id in PARTICIPANTS.objects.filter(activity__in=activities).values_list(
        "activity_id", "partymember_id"
    ):
        participants.setdefault(activity_id, set()).add(member_id)
    activity_of = {
        a.pk: (
            a.report_id, a.held_on, a.content, a.outcome, a.households_reached, a.non_party_present,
            a.villager_group_id, a.is_emergency, frozenset(participants.get(a.pk, ())),
        )
        for a in activities
    }  # fmt: skip
    return {
        "meetings": {
            (m.kind, m.village_id, m.party_group_id, m.held_on, m.talk_with_id): (
                m.topic,
                m.content,
                m.decisions,
                m.place,
                m.host_id,
                m.recorder_id,
                m.study_hours,
                m.theme.month if m.theme else None,
                m.report_id,
                activity_of.get(m.activity_id),
                frozenset(attendance.get(m.pk, ())),
            )
            for m in meetings.select_related("theme")
        },  # fmt: skip
        "activities": sorted(activity_of.values(), key=lambda a: (a[0], a[1])),
        "committee": sorted(
            CommitteeSeat.objects.filter(village__township=township).values_list(
                "village_id", "member_id", "post", "started_on", "ended_on"
            )
        ),
        "themes": sorted(MonthlyTheme.objects.filter(township=township).values_list("month", "title", "materials")),
    }


def forget_the_orglife(township: Township) -> None:
    """Delete what the seeder wrote for organisational life, and the reports' 党小组会 activities that are its
    meetings (in bulk, as they came)."""
    meetings = Meeting.objects.filter(village__township=township)
    activities = Activity.objects.filter(pk__in=list(meetings.values_list("activity_id", flat=True)))
    for queryset in (
        Attendance.objects.filter(meeting__in=meetings),
        meetings,
        PARTICIPANTS.objects.filter(activity__in=activities),
        activities,
        CommitteeSeat.objects.filter(village__township=township),
        MonthlyTheme.objects.filter(township=township),
    ):
        queryset._raw_delete(queryset.db)


def inputs_of(township: Township) -> dict:
    """What people would enter: the committee, the themes and each meeting's form with its attendance marks."""
    meetings = list(
        Meeting.objects.filter(village__township=township)
        .select_related("village", "party_group", "host", "recorder", "talk_with")
        .order_by("held_on", "pk")
    )
    marks: dict[int, list[Mark]] = {}
    for a in Attendance.objects.filter(meeting__in=meetings).select_related("member").order_by("pk"):
        marks.setdefault(a.meeting_id, []).append(Mark(member=a.member, presence=a.presence, reason=a.reason))
    return {
        "committee": list(
            CommitteeSeat.objects.filter(village__township=township).select_related("village", "member").order_by("pk")
        ),
        "themes": list(MonthlyTheme.objects.filter(township=township).order_by("month")),
        "meetings": [(m, marks.get(m.pk, [])) for m in meetings],
    }


def replay(township: Township, inputs: dict, staff) -> None:
    for seat in inputs["committee"]:
        committee_seat_add(
            village=seat.village, member=seat.member, post=seat.post, started_on=seat.started_on, acting_user=None
        )
    for theme in inputs["themes"]:
        theme_publish(
            township=township, month=theme.month, title=theme.title, materials=theme.materials, acting_user=staff
        )
    for m, marks in inputs["meetings"]:
        meeting_record(
            village=m.village,
            kind=m.kind,
            held_on=m.held_on,
            topic=m.topic,
            party_group=m.party_group,
            place=m.place,
            host=m.host,
            recorder=m.recorder,
            talk_with=m.talk_with,
            content=m.content,
            decisions=m.decisions,
            marks=marks,
            acting_user=None,
            backfill=True,
        )


@pytest.fixture(scope="module")
def both(django_db_setup, django_db_blocker):
    """(what the seeder wrote, what the services made of the same inputs); rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_scale(townships=1, years=1, password="Scale-Test-Pass-1", seed=3, today=DAY)
        township = Township.objects.get()
        seeded = orglife_of(township)
        expected = _expected_vs_marked(township)
        inputs = inputs_of(township)
        forget_the_orglife(township)
        staff = get_user_model().objects.get(username="t0001")
        with time_machine.travel(at(DAY, 12), tick=False):
            replay(township, inputs, staff)
        replayed = orglife_of(township)
        yield seeded, replayed, expected
        transaction.set_rollback(True)


def _expected_vs_marked(township: Township) -> list[tuple]:
    """(meeting, whom the services expect, whom the seeder marked) for each meeting with attendance."""
    out = []
    marked: dict[int, set] = {}
    for meeting_id, member_id in Attendance.objects.filter(meeting__village__township=township).values_list(
        "meeting_id", "member_id"
    ):
        marked.setdefault(meeting_id, set()).add(member_id)
    for m in Meeting.objects.filter(village__township=township).exclude(kind=Kind.TALK).select_related("village"):
        if m.kind == Kind.COMMITTEE:
            wanted = committee_members_on(m.village, m.held_on)
        else:
            wanted = expected_members(village=m.village, kind=m.kind, day=m.held_on, party_group=m.party_group)
        out.append((str(m), set(wanted.values_list("pk", flat=True)), marked.get(m.pk, set())))
    return out


def test_every_group_meeting_activity_is_its_meeting_and_says_what_the_service_writes(both, db):
    seeded, replayed, _ = both
    assert seeded["activities"] == replayed["activities"]
    assert len(seeded["activities"]) > 300  # ~36 groups × 12 months, most meeting
    assert {a[4] for a in seeded["activities"]} == {0}  # a meeting reaches no households
    group_meetings = [v for k, v in seeded["meetings"].items() if k[0] == Kind.GROUP]
    assert len(group_meetings) == len(seeded["activities"])
    assert all(v[8] is not None and v[9] is not None for v in group_meetings)  # linked to report and activity


def test_meetings_and_attendance_are_what_the_service_records(both, db):
    seeded, replayed, _ = both
    assert seeded["meetings"] == replayed["meetings"]
    kinds = {k[0] for k in seeded["meetings"]}
    assert kinds == set(Kind.values)
    absent = [a for v in seeded["meetings"].values() for a in v[10] if a[1] == "absent"]
    assert absent and all(a[2] for a in absent)  # someone missed a meeting, each with a reason


def test_committees_and_themes_are_what_the_services_keep(both, db):
    seeded, replayed, _ = both
    assert seeded["committee"] == replayed["committee"]
    assert seeded["themes"] == replayed["themes"]
    assert len(seeded["committee"]) >= 3 * 8 and len(seeded["themes"]) == 11


def test_each_meeting_expects_whom_the_services_expect(both, db):
    _, _, expected = both
    wrong = [(name, want, got) for name, want, got in expected if want != got]
    assert not wrong, wrong[:3]
    assert len(expected) > 400
