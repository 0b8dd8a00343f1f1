"""The branch's 工作台 reads half a year of attendance and of the dues book, not the whole history: its to-do items
(members to talk with, members flagged for the committee, members behind with their dues) must name the same members
as the full reads behind the organisational-life and arrears pages. The suite's day is 15 June 2027: last month is
May, the six-month horizon December 2026."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from dues.selectors import FLAG_MONTHS, arrears_for, dues_for, schedule_for
from dues.services import excuse_record
from orglife.meetings.models import Kind, Presence
from orglife.meetings.selectors import member_life
from orglife.meetings.services import Mark, meeting_record
from tests.dues.conftest import month, pay


def _meeting(org, day, marks):
    return meeting_record(
        village=org.a1, kind=Kind.LECTURE, held_on=day, topic="党课", acting_user=None, marks=list(marks)
    )


def test_the_to_do_list_flags_the_same_members_as_the_whole_attendance_history(org):
    m = org.a1_g1_members
    _meeting(org, datetime.date(2025, 3, 1), [Mark(member=m[4], presence=Presence.PRESENT)])  # long ago
    _meeting(org, datetime.date(2026, 11, 30), [Mark(member=m[2], presence=Presence.PRESENT)])  # a day before
    _meeting(org, datetime.date(2026, 12, 1), [Mark(member=m[1], presence=Presence.REMOTE)])  # the horizon's first day
    _meeting(
        org,
        datetime.date(2027, 2, 10),
        [Mark(member=m[3], presence=Presence.ABSENT, reason="sick"), Mark(member=m[4], presence=Presence.ABSENT,
                                                                         reason="personal")],
    )  # fmt: skip
    _meeting(org, datetime.date(2027, 6, 1), [Mark(member=m[0], presence=Presence.PRESENT)])  # this month

    full = {r.member.name: r for r in member_life(org.a1)}
    recent = {r.member.name: r for r in member_life(org.a1, group_names=False, flags_only=True)}
    assert set(full) == set(recent)
    for name in full:
        assert (recent[name].talk_due, recent[name].flagged) == (full[name].talk_due, full[name].flagged), name
    # each edge as the full history judges it
    assert not full["罗紫党员1"].talk_due and not full["罗紫党员1"].flagged
    assert full["罗紫党员2"].months_without == 6 - 1 and full["罗紫党员2"].talk_due  # seen in December: five months
    assert full["罗紫党员3"].months_without == 6 and full["罗紫党员3"].flagged  # seen on 30 November: six
    assert full["罗紫党员4"].talk_due and not full["罗紫党员4"].flagged  # never seen, but away ill
    assert full["罗紫党员5"].flagged and full["罗紫党员5"].last_attended == datetime.date(2025, 3, 1)
    assert recent["罗紫党员5"].last_attended is None  # before the horizon: not read for the to-do list


def _pay_all_but(member, unpaid: set[datetime.date], township_id):
    """Pay every assessed month of 2026 and up to May 2027 except those in `unpaid`."""
    months = [month(k, 2026) for k in range(1, 13)] + [month(k) for k in range(1, 6)]
    owed = dues_for([member], months[0], months[-1], schedule_for(township_id))
    for m in months:
        if m not in unpaid:
            pay(member, m, owed.outstanding(member.pk, m), day=datetime.date(2027, 6, 14))


def test_the_to_do_list_counts_the_same_arrears_as_two_years_of_the_book(org, assessed):
    m = org.a1_g1_members
    every = {month(k, 2026) for k in range(1, 13)} | {month(k) for k in range(1, 6)}
    _pay_all_but(m[0], set(), org.ta.pk)  # paid up
    _pay_all_but(m[1], every - {month(11, 2026)}, org.ta.pk)  # unpaid December to May: six in a row
    _pay_all_but(m[2], {month(3), month(4), month(5)}, org.ta.pk)  # three: a reminder only
    # m[3] pays nothing, with January and February 2027 excused: the unexcused run is March to May
    excuse_record(member=m[3], first_month=month(1), last_month=month(2), reason="在外务工，已联系", acting_user=None)
    # m[4] pays nothing, excused long before the half year: flagged
    excuse_record(member=m[4], first_month=month(1, 2026), last_month=month(3, 2026), reason="住院", acting_user=None)

    full = {a.member.name: a for a in arrears_for(org.a1)}
    half = {a.member.name: a for a in arrears_for(org.a1, group_names=False, months=FLAG_MONTHS)}
    assert set(full) == set(half) == {"罗紫党员2", "罗紫党员3", "罗紫党员4", "罗紫党员5"}
    for name in full:
        assert half[name].flagged == full[name].flagged, name
        assert half[name].in_a_row == min(full[name].in_a_row, FLAG_MONTHS), name
    assert [n for n in sorted(full) if full[n].flagged] == ["罗紫党员2", "罗紫党员5"]
    assert full["罗紫党员4"].in_a_row == 17 and full["罗紫党员4"].in_a_row_unexcused == 3
    with pytest.raises(ValueError):
        arrears_for(org.a1, months=FLAG_MONTHS - 1)  # too short a read would miss the committee's six


def test_the_dashboard_item_names_the_members_the_arrears_page_lists(org, assessed, secretary_a1, login):
    m = org.a1_g1_members
    _pay_all_but(m[1], {month(k) for k in range(1, 6)}, org.ta.pk)  # five months: reminded, not flagged
    client = login(secretary_a1)
    listed = arrears_for(org.a1)
    todo = {t.key: t for t in client.get(reverse("village", args=[org.a1.pk])).context["todo"]}["dues_arrears"]
    assert todo.count == len(listed)
    flagged = sum(a.flagged for a in listed)
    assert f"其中{flagged}名已连续{FLAG_MONTHS}个月未交" in todo.text
    page = client.get(todo.url).content.decode()
    for a in listed:
        assert a.member.name in page
