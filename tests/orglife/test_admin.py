"""Organisational life in the admin: read only, in Chinese, within the user's reach; 谈心谈话 not shown."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orglife.meetings.models import Kind, Meeting, MonthlyTheme, OrgLifeSettings, Presence
from orglife.meetings.services import Mark, meeting_record
from orglife.posts.models import DutyAssignment, DutyPost
from orglife.visits.models import ContactPoint, Visit

MODELS = [Meeting, MonthlyTheme, OrgLifeSettings, ContactPoint, Visit, DutyPost, DutyAssignment]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def meeting(org, user, *, village=None, kind=Kind.LECTURE, topic="党课：学习党章", members=None, **extra):
    village = village or org.a1
    members = org.a1_g1_members if members is None else members
    return meeting_record(
        village=village, kind=kind, held_on=datetime.date(2027, 6, 10), topic=topic, acting_user=user,
        marks=[Mark(member=m, presence=Presence.PRESENT, reason="") for m in members], **extra,
    )  # fmt: skip


def test_every_orglife_model_is_in_the_admin_and_only_read(township_staff):
    request = RequestFactory().get("/admin/")
    request.user = township_staff
    for model in MODELS:
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request), model
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model


def test_township_staff_see_their_townships_meetings_and_no_talks(org, township_staff, township_b_staff, login):
    mine = meeting(org, township_staff)
    talk = meeting(
        org, township_staff, kind=Kind.TALK, topic="谈心：家里困难", members=[],
        host=org.a1_g1_members[0], talk_with=org.a1_g1_members[1],
    )  # fmt: skip
    client = login(township_staff)
    page = client.get(url(Meeting, "changelist")).content.decode()
    assert "党课：学习党章" in page and "应到" in page and "实到" in page
    assert "谈心：家里困难" not in page
    assert client.get(url(Meeting, "change", talk.pk)).status_code in (302, 404)
    assert client.get(url(Meeting, "history", talk.pk)).status_code == 404
    change = client.get(url(Meeting, "change", mine.pk))
    assert change.status_code == 200 and "出席" in change.content.decode()
    other = login(township_b_staff)
    assert "党课：学习党章" not in other.get(url(Meeting, "changelist")).content.decode()
    assert other.get(url(Meeting, "change", mine.pk)).status_code in (302, 404)


def test_every_orglife_changelist_answers_for_staff_and_county(org, township_staff, county_viewer, login):
    meeting(org, township_staff)
    for user in (township_staff, county_viewer):
        client = login(user)
        for model in MODELS:
            assert client.get(url(model, "changelist")).status_code == 200, model


def test_the_meeting_changelist_runs_a_fixed_number_of_queries(org, township_staff, login):
    meeting(org, township_staff)
    client = login(township_staff)
    client.get(url(Meeting, "changelist"))
    with CaptureQueriesContext(connection) as small:
        client.get(url(Meeting, "changelist"))
    for i in range(5):
        meeting(org, township_staff, topic=f"党课{i}", members=org.a1_g1_members[: i + 1])
    with CaptureQueriesContext(connection) as big:
        client.get(url(Meeting, "changelist"))
    assert len(big) == len(small)
