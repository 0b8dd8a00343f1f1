"""A link the admin writes into a read-only field (the related object's page) opens for the person who sees it: where
they may not open that page (an account, for township staff; anything outside their reach) the name is written
without a link, instead of a link to a 403 or 404 page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from activity.concerns.services import concern_record
from activity.models import Concern
from activity.reports.services import report_for, report_submit
from core import clock

READONLY = re.compile(r'<div class="readonly">(.*?)</div>', re.S)
LINK = re.compile(r'href="([^"]+)"')


def readonly_links(html: str) -> list[str]:
    return [href for block in READONLY.findall(html) for href in LINK.findall(block)]


@pytest.fixture
def records(org, secretary_a1):
    concern = concern_record(
        villager_group=org.a1_vgs[0], raised_through=org.a1_g1_members[0], raised_on=clock.today(),
        category=Concern.Category.INFRASTRUCTURE, content="社道路塌方", handling=Concern.Handling.BRANCH,
        acting_user=secretary_a1,
    )  # fmt: skip
    month = clock.this_month().replace(day=1) - datetime.timedelta(days=1)
    report = report_for(party_group=org.a1_g1, month=month.replace(day=1), acting_user=secretary_a1)
    report = report_submit(report=report, version=report.version, acting_user=secretary_a1, summary="本月开展走访。")
    return {Concern: concern, type(report): report}


@pytest.mark.parametrize("persona", ["township_staff", "county_viewer", "superuser"])
def test_every_link_in_a_read_only_field_opens(persona, records, request, login):
    user = request.getfixturevalue(persona)
    client = login(user)
    followed = 0
    for model, obj in records.items():
        page = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]))
        assert page.status_code == 200, model
        for href in readonly_links(page.content.decode()):
            assert client.get(href).status_code == 200, (model, href)
            followed += 1
    assert followed, "no read-only link to follow"


def test_township_staff_read_the_recorder_as_a_name(records, township_staff, secretary_a1, login):
    concern = records[Concern]
    page = login(township_staff).get(reverse("admin:activity_concern_change", args=[concern.pk])).content.decode()
    blocks = " ".join(READONLY.findall(page))
    assert secretary_a1.username in blocks or secretary_a1.get_full_name() in blocks
    assert reverse("admin:auth_user_change", args=[secretary_a1.pk]) not in page
    assert reverse("admin:groups_partygroup_change", args=[concern.party_group_id]) in page  # in reach: a link
