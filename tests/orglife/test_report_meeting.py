"""The monthly report page shows the 党小组会 recorded for it in organisational life (entered once, linked), and
offers to record it when none is linked yet."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orglife.meetings.models import Kind, Presence
from orglife.meetings.services import Mark, meeting_record

MONTH = datetime.date(2027, 6, 1)  # the suite is frozen at 2027-06-15


def report_url(group) -> str:
    return reverse("activity:report", args=[group.pk, MONTH])


def group_meeting(org, user, topic="学习防汛要求"):
    return meeting_record(
        village=org.a1,
        kind=Kind.GROUP,
        party_group=org.a1_g1,
        held_on=datetime.date(2027, 6, 10),
        topic=topic,
        acting_user=user,
        marks=[Mark(member=m, presence=Presence.PRESENT, reason="") for m in org.a1_g1_members],
    )


def test_the_report_page_links_the_months_group_meeting(org, secretary_a1, login):
    m = group_meeting(org, secretary_a1)
    page = login(secretary_a1).get(report_url(org.a1_g1)).content.decode()
    assert reverse("orglife:meeting", args=[m.pk]) in page
    assert "学习防汛要求" in page
    assert "登记本月党小组会" not in page


def test_the_secretary_is_offered_to_record_the_meeting_when_none_is_linked(org, secretary_a1, login):
    page = login(secretary_a1).get(report_url(org.a1_g1)).content.decode()
    assert "本月的党小组会还没有登记" in page
    assert "登记本月党小组会" in page
    assert reverse("orglife:group-meeting-new", args=[org.a1_g1.pk, MONTH]) in page


def test_a_group_leader_who_may_not_record_sees_no_record_link(org, group_leader, login):
    page = login(group_leader).get(report_url(org.a1_g1)).content.decode()
    assert "本月的党小组会还没有登记" in page
    assert "登记本月党小组会" not in page


def test_the_linked_meetings_cost_one_fixed_query(org, secretary_a1, login):
    group_meeting(org, secretary_a1)
    client = login(secretary_a1)
    client.get(report_url(org.a1_g1))
    with CaptureQueriesContext(connection) as small:
        client.get(report_url(org.a1_g1))
    for i in range(3):
        group_meeting(org, secretary_a1, topic=f"补充学习{i}")
    with CaptureQueriesContext(connection) as big:
        page = client.get(report_url(org.a1_g1)).content.decode()
    assert "补充学习2" in page
    assert len(big) == len(small)
