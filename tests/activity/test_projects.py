"""Collective projects (/projects/ and the admin): scoped lists, linked fund entries, and a form whose village comes
from the villager group and whose fund entries are that villager group's own."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import Project
from groups.ledger.services import fund_entry_post
from groups.models import FundEntry
from tests.factories import UserFactory, assign
from township.models import Assignment

DAY = datetime.date(2025, 4, 6)


def text(response) -> str:
    return response.content.decode()


def income(vg, amount="2150.00", purpose="河堰转包收入", day=DAY):
    return fund_entry_post(
        villager_group=vg,
        entry_date=day,
        direction=FundEntry.Direction.INCOME,
        amount=Decimal(amount),
        category=FundEntry.Category.CONTRACTING,
        counterparty="承包人",
        purpose=purpose,
        acting_user=None,
    )


def make_project(vg, name="5社河堰", entries=(), **extra):
    project = Project.objects.create(
        village=vg.village,
        villager_group=vg,
        name=name,
        location=extra.pop("location", "河堰"),
        started_on=extra.pop("started_on", datetime.date(2025, 2, 20)),
        investment=extra.pop("investment", Decimal("980.00")),
        income=extra.pop("income", Decimal("2150.00")),
        local_jobs=extra.pop("local_jobs", 0),
        **extra,
    )
    project.fund_entries.set(entries)
    return project


def snapshot():
    return sorted(
        (p.pk, p.name, p.village_id, p.villager_group_id, p.investment, tuple(e.pk for e in p.fund_entries.all()))
        for p in Project.objects.prefetch_related("fund_entries")
    )


def form_data(vg, **changes):
    data = {
        "villager_group": str(vg.pk),
        "name": "嘉陵江边碎石厂",
        "location": "嘉陵江边河滩地",
        "started_on": "2025-03-15",
        "finished_on": "",
        "investment": "218,000.00",
        "income": "6000",
        "local_jobs": "8",
        "description": "返乡青年祝高友投资",
    }
    data.update(changes)
    return data


@pytest.fixture
def weir(org):
    vg = org.a1_vgs[0]
    return make_project(vg, entries=[income(vg)])


@pytest.fixture
def group_leader(org):
    user = UserFactory(username="zuzhang")
    assign(user, Assignment.Role.GROUP_LEADER, party_group=org.a1_g1)
    return user


# --- list and detail --------------------------------------------------------------------------------------------


def test_the_list_shows_the_secretarys_projects_only(org, weir, secretary_a1, login):
    make_project(org.a2_vgs[0], name="井阳水渠")
    make_project(org.b1_vgs[0], name="白石公路")
    response = login(secretary_a1).get(reverse("projects:list"))
    assert response.status_code == 200
    page = text(response)
    assert "5社河堰" in page and "980.00" in page and "2,150.00" in page
    assert "井阳水渠" not in page and "白石公路" not in page
    assert reverse("projects:new") in page


def test_township_staff_see_their_townships_projects_and_can_search(org, weir, township_staff, login):
    make_project(org.a2_vgs[0], name="井阳水渠", location="井阳2社")
    make_project(org.b1_vgs[0], name="白石公路")
    client = login(township_staff)
    page = text(client.get(reverse("projects:list")))
    assert "5社河堰" in page and "井阳水渠" in page and "白石公路" not in page
    found = text(client.get(reverse("projects:list"), {"q": "井阳"}))
    assert "井阳水渠" in found and "5社河堰" not in found


def test_the_list_is_paginated_and_its_queries_do_not_grow(org, weir, township_staff, login):
    client = login(township_staff)
    client.get(reverse("projects:list"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("projects:list"))
    vg = org.a1_vgs[1]
    entries = [income(vg, "10.00", purpose=f"收入{k}") for k in range(3)]
    for k in range(30):
        make_project(vg, name=f"项目{k:02d}", entries=entries)
    with CaptureQueriesContext(connection) as big:
        response = client.get(reverse("projects:list"))
    assert len(big) == len(small)
    assert response.context["page"].paginator.num_pages == 2
    assert client.get(reverse("projects:list"), {"page": 2}).status_code == 200


def test_the_detail_shows_the_project_and_its_fund_entries(org, weir, secretary_a1, login):
    response = login(secretary_a1).get(reverse("projects:detail", args=[weir.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "5社河堰" in page and "河堰转包收入" in page and "2,150.00" in page
    entry = weir.fund_entries.get()
    assert reverse("funds:entry", args=[entry.pk]) in page
    assert reverse("projects:edit", args=[weir.pk]) in page


def test_the_detail_queries_do_not_grow_with_entries(org, weir, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("projects:detail", args=[weir.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    weir.fund_entries.add(*[income(weir.villager_group, "1.00", purpose=f"第{k}笔") for k in range(20)])
    with CaptureQueriesContext(connection) as big:
        client.get(url)
    assert len(big) == len(small)


# --- the form ---------------------------------------------------------------------------------------------------


def test_it_creates_a_project_with_the_village_and_party_group_from_the_villager_group(org, secretary_a1, login):
    vg = org.a1_vgs[3]  # 4社, looked after by 罗紫三四社党小组
    fee = income(vg, "6000.00", purpose="场地使用费")
    client = login(secretary_a1)
    assert client.get(reverse("projects:new")).status_code == 200
    data = form_data(vg, fund_entries=[str(fee.pk)], village=str(org.a2.pk), party_group=str(org.a2_g1.pk))
    response = client.post(reverse("projects:new"), data)
    assert response.status_code == 302
    project = Project.objects.get(name="嘉陵江边碎石厂")
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.village == org.a1  # from the villager group, not the posted village
    assert project.party_group == org.a1_g2
    assert project.investment == Decimal("218000.00") and project.income == Decimal("6000.00")
    assert project.local_jobs == 8
    assert list(project.fund_entries.all()) == [fee]
    assert project.history.first().history_user == secretary_a1


def test_the_form_offers_only_the_chosen_villager_groups_entries(org, secretary_a1, login):
    vg, other = org.a1_vgs[0], org.a1_vgs[1]
    own, foreign = income(vg, purpose="本社收入"), income(other, purpose="别社收入")
    client = login(secretary_a1)
    page = text(client.get(reverse("projects:new"), {"villager_group": vg.pk}))
    assert "本社收入" in page and "别社收入" not in page
    before = snapshot()
    response = client.post(reverse("projects:new"), form_data(vg, fund_entries=[str(own.pk), str(foreign.pk)]))
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["fund_entries"]] == ["invalid_choice"]
    assert snapshot() == before


def test_showing_another_villager_groups_entries_saves_nothing_and_keeps_the_input(org, secretary_a1, login):
    other = org.a1_vgs[1]
    income(other, purpose="别社收入")
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("projects:new"), {**form_data(other, name="还没保存", investment=""), "refresh": "1"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "别社收入" in page and "还没保存" in page
    assert 'class="errorlist' not in page
    assert snapshot() == before


def test_a_villager_group_out_of_reach_cannot_be_chosen(org, secretary_a1, login):
    before = snapshot()
    response = login(secretary_a1).post(reverse("projects:new"), form_data(org.a2_vgs[0]))
    assert response.status_code == 200
    assert "villager_group" in response.context["form"].errors
    assert snapshot() == before
    page = text(login(secretary_a1).get(reverse("projects:new")))
    assert "井阳村" not in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"investment": "1e3"}, "investment"),
        ({"income": "-5"}, "income"),
        ({"finished_on": "2025-01-01"}, "finished_on"),
        ({"name": ""}, "name"),
        ({"started_on": "不知道"}, "started_on"),
    ],
)
def test_a_bad_project_form_is_answered_on_its_field_with_the_input_kept(org, secretary_a1, login, changes, field):
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("projects:new"), form_data(org.a1_vgs[0], description="别丢了", **changes)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "别丢了" in text(response)
    assert snapshot() == before


def test_it_edits_a_project_and_moves_it_with_its_villager_group(org, weir, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("projects:edit", args=[weir.pk])
    assert "河堰转包收入" in text(client.get(url))
    vg = org.a1_vgs[2]
    entry = income(vg, purpose="3社收入")
    response = client.post(url, form_data(vg, name="3社河堰", fund_entries=[str(entry.pk)]))
    assert response.status_code == 302
    weir.refresh_from_db()
    assert weir.villager_group == vg and weir.party_group == org.a1_g2 and weir.name == "3社河堰"
    assert list(weir.fund_entries.all()) == [entry]


# --- who may see and write --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretary_a2", "township_b_staff"])
def test_another_villages_project_is_answered_like_a_missing_one(org, weir, persona, request, login):
    client = login(request.getfixturevalue(persona))
    for url in (reverse("projects:detail", args=[weir.pk]), reverse("projects:edit", args=[weir.pk])):
        response = client.get(url)
        assert response.status_code == 404
        assert "5社河堰" not in text(response)
    before = snapshot()
    assert client.post(reverse("projects:edit", args=[weir.pk]), form_data(org.a1_vgs[0], name="改")).status_code == 404
    assert snapshot() == before
    assert "5社河堰" not in text(client.get(reverse("projects:list")))


@pytest.mark.parametrize("persona", ["county_viewer", "group_leader"])
def test_read_only_people_read_projects_but_cannot_write(org, weir, persona, request, login):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("projects:list")).status_code == 200
    page = text(client.get(reverse("projects:detail", args=[weir.pk])))
    assert "5社河堰" in page and reverse("projects:edit", args=[weir.pk]) not in page
    before = snapshot()
    assert client.get(reverse("projects:new")).status_code == 403
    assert client.post(reverse("projects:new"), form_data(org.a1_vgs[0])).status_code == 403
    assert client.get(reverse("projects:edit", args=[weir.pk])).status_code == 403
    assert client.post(reverse("projects:edit", args=[weir.pk]), form_data(org.a1_vgs[0], name="改")).status_code == 403
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(weir, client):
    for url in (reverse("projects:list"), reverse("projects:detail", args=[weir.pk]), reverse("projects:new")):
        assert client.get(url).status_code == 302


# --- admin ------------------------------------------------------------------------------------------------------


def test_the_admin_lists_and_adds_projects_in_the_staff_members_reach(org, weir, township_staff, login):
    client = login(township_staff)
    response = client.get(reverse("admin:activity_project_changelist"))
    assert response.status_code == 200
    assert "5社河堰" in text(response)
    add = client.get(reverse("admin:activity_project_add"))
    assert add.status_code == 200
    choices = add.context["adminform"].form.fields["villager_group"].queryset
    assert set(choices.values_list("village__township", flat=True)) == {org.ta.pk}
    vg = org.a2_vgs[0]
    entry = income(vg, purpose="井阳收入")
    data = {
        **form_data(vg, name="井阳水渠"),
        "fund_entries": [str(entry.pk)],
        "_save": "Save",
    }
    response = client.post(reverse("admin:activity_project_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(name="井阳水渠")
    assert project.village == org.a2 and project.party_group == org.a2_g1
    assert list(project.fund_entries.all()) == [entry]


def test_the_admin_refuses_a_villager_group_of_another_township(org, township_b_staff, login):
    before = snapshot()
    response = login(township_b_staff).post(
        reverse("admin:activity_project_add"), {**form_data(org.a1_vgs[0]), "_save": "Save"}
    )
    assert response.status_code == 200
    assert "villager_group" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_the_admin_changelist_queries_do_not_grow(org, weir, township_staff, login):
    client = login(township_staff)
    url = reverse("admin:activity_project_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for k in range(15):
        make_project(org.a1_vgs[k % 4], name=f"项目{k}")
    with CaptureQueriesContext(connection) as big:
        client.get(url)
    assert len(big) == len(small)
