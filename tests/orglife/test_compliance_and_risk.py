"""The township's compliance table and the members at risk, on records made through the services."""

from __future__ import annotations

import datetime

from orglife.meetings.models import Kind, Presence
from orglife.meetings.selectors import compliance, member_life
from orglife.meetings.services import Mark, meeting_record
from township.models import Village


def hold(org, kind, day, marks=(), village=None):
    return meeting_record(
        village=village or org.a1, kind=kind, held_on=day, topic="会议", acting_user=None, marks=list(marks)
    )


def test_a_branch_without_a_quarters_assembly_is_missing_it(org):
    hold(org, Kind.ASSEMBLY, datetime.date(2027, 2, 10))
    table = compliance(Village.objects.filter(township=org.ta), period="year", year=2027, n=1)
    cells = {row.village.name: row.cells[Kind.ASSEMBLY] for row in table.rows}
    # the first quarter has ended; the second (to 30 June) is still under way on 15 June
    assert (cells["罗紫村"].done, cells["罗紫村"].due, cells["罗紫村"].missing) == (1, 1, 0)
    assert (cells["井阳村"].done, cells["井阳村"].due, cells["井阳村"].missing) == (0, 1, 1)
    assert cells["井阳村"].pending == 1
    # a month's table judges a quarterly kind over its quarter; 党小组会 count per party group
    may = compliance(Village.objects.filter(township=org.ta), period="month", year=2027, n=5)
    a1 = next(r for r in may.rows if r.village.name == "罗紫村")
    assert a1.cells[Kind.GROUP].due == 2 and a1.cells[Kind.GROUP].missing == 2


def test_members_without_attendance_are_listed_for_a_talk_and_after_six_months_flagged(org):
    m = org.a1_g1_members
    hold(org, Kind.LECTURE, datetime.date(2026, 11, 5), [Mark(member=x, presence=Presence.PRESENT) for x in m])
    feb = [
        Mark(member=m[0], presence=Presence.PRESENT),
        Mark(member=m[1], presence=Presence.REMOTE),
        Mark(member=m[2], presence=Presence.ABSENT, reason="sick"),
        Mark(member=m[3], presence=Presence.ABSENT, reason="personal"),
    ]
    hold(org, Kind.LECTURE, datetime.date(2027, 2, 10), feb)
    june = [
        Mark(member=m[1], presence=Presence.PRESENT),
        Mark(member=m[2], presence=Presence.ABSENT, reason="sick"),
        Mark(member=m[3], presence=Presence.ABSENT, reason="personal"),
    ]
    hold(org, Kind.LECTURE, datetime.date(2027, 6, 1), june)
    life = {r.member.name: r for r in member_life(org.a1)}
    assert life["罗紫党员1"].months_without == 3 and life["罗紫党员1"].talk_due
    assert life["罗紫党员2"].months_without == 0 and not life["罗紫党员2"].talk_due
    # six months without attending, but ill: listed for a talk, not flagged
    assert life["罗紫党员3"].months_without == 6 and not life["罗紫党员3"].flagged and life["罗紫党员3"].talk_due
    assert life["罗紫党员4"].flagged
    assert life["罗紫党员2"].hours == 8  # two 党课 of 4 学时 each in 2027
