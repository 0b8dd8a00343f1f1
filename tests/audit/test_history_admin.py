"""History rows are evidence: a past version can be read in the admin but never written back ("revert"), by anyone."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core import clock
from core.stamp import stamp
from groups.ledger.services import fund_entry_post
from groups.models import FundEntry


def version_url(obj, version) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version.history_id])


@pytest.mark.parametrize("persona", ["township_staff", "superuser"])
def test_a_past_version_of_a_village_is_never_written_back(persona, request, org, login):
    village = org.a1
    first = village.history.earliest()
    village.secretary_name = "现任书记"
    stamp(village, None).save()
    client = login(request.getfixturevalue(persona))
    url = version_url(village, first)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["revert_disabled"] is True
    data = {"township": org.ta.pk, "name": village.name, "branch_name": village.branch_name, "secretary_name": "旧"}
    assert client.post(url, data).status_code == 403
    village.refresh_from_db()
    assert village.secretary_name == "现任书记"


def test_a_read_only_ledger_entry_cannot_be_rewritten_through_its_history(org, secretary_a1, county_viewer, login):
    entry = fund_entry_post(
        villager_group=org.a1_vgs[0],
        entry_date=clock.today() - datetime.timedelta(days=1),
        direction="income",
        amount=Decimal("500.00"),
        category="subsidy",
        purpose="河堰补助",
        acting_user=secretary_a1,
    )
    url = version_url(entry, entry.history.earliest())
    client = login(county_viewer)
    assert client.get(url).status_code == 200
    data = {
        "villager_group": entry.villager_group_id, "entry_date": entry.entry_date.isoformat(),
        "direction": "expense", "amount": "99999", "category": "other", "purpose": "改写",
    }  # fmt: skip
    assert client.post(url, data).status_code == 403
    assert FundEntry.objects.get(pk=entry.pk).amount == Decimal("500.00")


def test_a_past_version_of_a_member_shows_masked_numbers(org, township_staff, login):
    member = org.a1_g1_members[0]
    response = login(township_staff).get(version_url(member, member.history.earliest()))
    text = response.content.decode()
    assert member.id_number not in text and member.phone not in text
    assert member.id_number_masked in text


def test_no_history_table_has_an_admin_page_of_its_own():
    from django.contrib import admin

    from audit.selectors import history_models

    registered = set(admin.site._registry)
    assert not {history for _model, history in history_models().values()} & registered
