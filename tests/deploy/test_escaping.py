"""Text people type is shown as text: a member, a party group or a concern named like HTML is escaped on every
page and admin screen that shows it (the Content-Security-Policy is the second line; this is the first)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from activity.concerns.services import concern_record
from activity.models import Concern
from core import clock

MEMBER = "<script>alert(1)</script>"  # the names fit their columns (30 and 50 characters)
GROUP = '<img src=x onerror="alert(2)">'
CONCERN = '<svg onload="alert(3)">'


@pytest.fixture
def hostile(org, secretary_a1):
    """Village A1 with a member, its party group and a concern named like markup."""
    member = org.a1_g1_members[2]
    member.name = MEMBER
    member.save()
    org.a1_g1.name = GROUP
    org.a1_g1.save()
    concern = concern_record(
        villager_group=org.a1_vgs[0],
        raised_through=member,
        raised_on=clock.today() - datetime.timedelta(days=2),
        category=Concern.Category.INFRASTRUCTURE,
        content=CONCERN,
        handling=Concern.Handling.BRANCH,
        acting_user=secretary_a1,
    )
    return {"member": member, "concern": concern}


def assert_shown_as_text(response, *texts: str) -> None:
    assert response.status_code == 200, response.request["PATH_INFO"]
    page = response.content.decode()
    for text in texts:
        assert text not in page, f"{text} is live markup on {response.request['PATH_INFO']}"
        assert escape(text) in page, f"{text} is not shown on {response.request['PATH_INFO']}"


def test_the_secretarys_pages_show_markup_as_text(org, hostile, secretary_a1, login):
    client = login(secretary_a1)
    month = clock.this_month()
    assert_shown_as_text(client.get(reverse("groups:party-group", args=[org.a1_g1.pk])), MEMBER, GROUP)
    assert_shown_as_text(client.get(reverse("village", args=[org.a1.pk])), GROUP)
    assert_shown_as_text(client.get(reverse("activity:report", args=[org.a1_g1.pk, month])), GROUP)
    assert_shown_as_text(client.get(reverse("activity:activity-new", args=[org.a1_g1.pk, month])), MEMBER)
    assert_shown_as_text(client.get(reverse("concerns:list")), CONCERN)
    assert_shown_as_text(client.get(reverse("concerns:detail", args=[hostile["concern"].pk])), CONCERN, MEMBER)


def test_the_admin_lists_show_markup_as_text(org, hostile, township_staff, login):
    client = login(township_staff)
    assert_shown_as_text(client.get(reverse("admin:members_partymember_changelist")), MEMBER)
    assert_shown_as_text(client.get(reverse("admin:groups_partygroup_changelist")), GROUP)
    assert_shown_as_text(client.get(reverse("admin:groups_grouppost_changelist")), MEMBER, GROUP)
    assert_shown_as_text(client.get(reverse("admin:activity_concern_change", args=[hostile["concern"].pk])), CONCERN)
