"""党情民意 pages: the queues, recording a concern, relaying and answering it — each inside the person's reach."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import activity.concerns.admin  # noqa: F401 - registers the admin (activity/admin.py imports it too)
from activity.concerns.services import concern_answer, concern_record
from activity.models import Concern
from core import clock
from tests.clock import beijing
from tests.factories import UserFactory, assign
from tests.kept import kept_values, reads_when_counted, tables_read
from township import changes
from township.models import Assignment

Handling = Concern.Handling
Category = Concern.Category
LIST = "/concerns/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


today = clock.today


def ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def detail(c) -> str:
    return reverse("concerns:detail", args=[c.pk])


def relay(c) -> str:
    return reverse("concerns:relay", args=[c.pk])


def answer(c) -> str:
    return reverse("concerns:answer", args=[c.pk])


def text(response) -> str:
    return response.content.decode()


def make(vg, member, *, days_ago=10, user=None, **kw) -> Concern:
    values = {
        "villager_group": vg,
        "raised_through": member,
        "raised_on": ago(days_ago),
        "category": Category.INFRASTRUCTURE,
        "content": f"社道路塌方 {days_ago}",
        "handling": Handling.BRANCH,
        "acting_user": user,
    }
    values.update(kw)
    return concern_record(**values)


def snapshot():
    return sorted(
        Concern.objects.values_list("pk", "handling", "due_on", "relayed_on", "answer", "resolved_on", "content")
    )


@pytest.fixture
def luozi_concern(org, secretary_a1):
    """罗紫村's concern with the branch, raised 20 days ago, due in 5 days."""
    return make(
        org.a1_vgs[0],
        org.a1_g1_members[0],
        days_ago=20,
        due_on=today() + datetime.timedelta(days=5),
        content="罗紫村1社水渠堵塞",
        user=secretary_a1,
    )


@pytest.fixture
def group_leader(org):
    user = UserFactory(username="zuzhang")
    assign(user, Assignment.Role.GROUP_LEADER, party_group=org.a1_g1)
    return user


def new_concern_data(vg, member, **kw) -> dict:
    data = {
        "villager_group": str(vg.pk),
        "raised_through": str(member.pk),
        "villager_name": "张大爷",
        "raised_on": ago(2).isoformat(),
        "category": Category.LIVELIHOOD,
        "content": "想发展养殖，缺少资金和技术",
        "handling": Handling.BRANCH,
        "due_on": "",
        "answer": "",
    }
    data.update(kw)
    return data


# --- logged out --------------------------------------------------------------------------------------------------


def test_it_sends_an_anonymous_visitor_to_the_login_page(client, luozi_concern):
    for path in (LIST, reverse("concerns:new"), detail(luozi_concern)):
        assert client.get(path)["Location"].startswith(reverse("login"))
    before = snapshot()
    assert client.post(relay(luozi_concern), {"relay-to": "township"}).status_code == 302
    assert snapshot() == before


# --- the queue ---------------------------------------------------------------------------------------------------


def test_the_secretary_sees_the_branch_queue_of_their_village_only(org, login, secretary_a1, luozi_concern):
    make(org.a2_vgs[0], org.a2_members[0], content="井阳村的事")
    make(org.b1_vgs[0], org.b1_members[0], content="白石村的事")
    make(org.a1_vgs[1], org.a1_g1_members[1], content="已经解决的事", handling=Handling.ON_SPOT, answer="已答复")
    response = login(secretary_a1).get(LIST)
    assert response.status_code == 200
    page = text(response)
    assert "罗紫村1社水渠堵塞" in page
    assert "已经解决的事" not in page  # the branch queue holds the open ones
    assert "井阳村的事" not in page and "白石村的事" not in page
    assert response.context["show"] == "open"
    assert reverse("concerns:new") in page


def test_the_township_sees_relayed_concerns_across_its_villages(org, login, township_staff, luozi_concern):
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, content="罗紫村报乡的事")
    make(org.a2_vgs[0], org.a2_members[0], handling=Handling.TOWNSHIP, content="井阳村报乡的事")
    make(org.b1_vgs[0], org.b1_members[0], handling=Handling.TOWNSHIP, content="白石村报乡的事")
    page = text(login(township_staff).get(LIST))
    assert "罗紫村报乡的事" in page and "井阳村报乡的事" in page
    assert "罗紫村1社水渠堵塞" not in page  # with the branch, not relayed to the township
    assert "白石村报乡的事" not in page
    everything = text(login(township_staff).get(LIST, {"show": "all"}))
    assert "罗紫村1社水渠堵塞" in everything and "白石村报乡的事" not in everything


def test_the_county_viewer_reads_every_township_and_cannot_record(org, login, county_viewer):
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, content="罗紫村报乡的事")
    make(org.b1_vgs[0], org.b1_members[0], handling=Handling.TOWNSHIP, content="白石村报乡的事")
    response = login(county_viewer).get(LIST)
    page = text(response)
    assert response.status_code == 200
    assert "罗紫村报乡的事" in page and "白石村报乡的事" in page
    assert reverse("concerns:new") not in page


def test_it_shows_age_in_days_and_overdue_in_warn(org, login, secretary_a1):
    make(org.a1_vgs[0], org.a1_g1_members[0], days_ago=40, due_on=ago(3), content="逾期未答复")
    make(org.a1_vgs[0], org.a1_g1_members[0], days_ago=4, content="新近反映")
    response = login(secretary_a1).get(LIST, **EN)
    page = text(response)
    assert "40 days old" in page and "4 days old" in page
    rows = page.split("<tbody>")[1].split("</tr>")
    overdue_row = next(r for r in rows if "逾期未答复" in r)
    fresh_row = next(r for r in rows if "新近反映" in r)
    assert 'class="overdue"' in overdue_row and 'class="warn' in overdue_row
    assert 'class="warn' not in fresh_row
    assert page.index("逾期未答复") < page.index("新近反映")  # overdue first


def test_it_filters_overdue_and_resolved_and_searches(org, login, secretary_a1):
    make(org.a1_vgs[0], org.a1_g1_members[0], days_ago=40, due_on=ago(3), content="逾期的渠道问题")
    make(org.a1_vgs[0], org.a1_g1_members[0], days_ago=4, content="新的低保问题")
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.ON_SPOT, answer="讲清楚了", content="已答复的医保问题")
    client = login(secretary_a1)
    overdue = client.get(LIST, {"show": "overdue"})
    assert [c.content for c in overdue.context["page"].object_list] == ["逾期的渠道问题"]
    resolved = client.get(LIST, {"show": "resolved"})
    assert [c.content for c in resolved.context["page"].object_list] == ["已答复的医保问题"]
    found = client.get(LIST, {"show": "all", "q": "低保"})
    assert [c.content for c in found.context["page"].object_list] == ["新的低保问题"]
    counts = {t["key"]: t["count"] for t in found.context["tabs"]}
    assert counts["all"] == 1  # the tab counts follow the search


def test_the_township_can_narrow_to_one_of_its_villages_but_not_another_township(org, login, township_staff):
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, content="罗紫村报乡的事")
    make(org.a2_vgs[0], org.a2_members[0], handling=Handling.TOWNSHIP, content="井阳村报乡的事")
    make(org.b1_vgs[0], org.b1_members[0], handling=Handling.TOWNSHIP, content="白石村报乡的事")
    client = login(township_staff)
    one = client.get(LIST, {"village": org.a2.pk})
    assert [c.content for c in one.context["page"].object_list] == ["井阳村报乡的事"]
    foreign = client.get(LIST, {"village": org.b1.pk})
    assert "village" in foreign.context["form"].errors
    assert "白石村报乡的事" not in text(foreign)


def test_the_list_is_paginated(org, login, secretary_a1):
    for k in range(30):
        make(org.a1_vgs[0], org.a1_g1_members[0], days_ago=k + 1, content=f"第{k}件")
    client = login(secretary_a1)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert "page=2" in text(first)


def list_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST, params or {}).status_code == 200
    return len(ctx.captured_queries)


# --- the queue kept between visits (township/changes.py) -------------------------------------------------------------


def test_the_townships_kept_queue_shows_a_new_concern_an_answer_and_a_rename_at_once(
    org, login, township_staff, secretary_a2
):
    client = login(township_staff)
    first = make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, content="罗紫村报乡的事")
    assert "罗紫村报乡的事" in text(client.get(LIST))
    with CaptureQueriesContext(connection) as kept:
        page = text(client.get(LIST))
    assert "activity_concern" not in tables_read(kept.captured_queries)  # nothing changed: the kept queue
    assert "罗紫村报乡的事" in page and "上报乡党委（1）" in page

    make(org.a2_vgs[0], org.a2_members[0], handling=Handling.TOWNSHIP, user=secretary_a2, content="井阳村报乡的事")
    page = text(client.get(LIST))
    assert "井阳村报乡的事" in page and "上报乡党委（2）" in page

    concern_answer(concern=first, answer="已协调水利站", answered_by="乡农业服务中心", resolved_on=today(),
                   acting_user=township_staff)  # fmt: skip
    page = text(client.get(LIST))
    assert "已办结（1）" in page and "已办结</span>" in page.split("罗紫村报乡的事")[1].split("</tr>")[0]

    Concern.objects.filter(pk=first.pk).update(content="改过的反映内容")  # plain SQL, past the services
    assert "改过的反映内容" in text(client.get(LIST))
    org.a2_members[0].__class__.objects.filter(pk=org.a2_members[0].pk).update(name="改名的党员")
    assert "改名的党员" in text(client.get(LIST))


def test_a_secretary_never_gets_the_townships_kept_queue(org, login, township_staff, secretary_a1):
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, content="罗紫村报乡的事")
    make(org.a2_vgs[0], org.a2_members[0], handling=Handling.TOWNSHIP, content="井阳村报乡的事")
    township = text(login(township_staff).get(LIST, {"show": "township"}))
    assert "罗紫村报乡的事" in township and "井阳村报乡的事" in township
    branch = text(login(secretary_a1).get(LIST, {"show": "township"}))
    assert "罗紫村报乡的事" in branch and "井阳村报乡的事" not in branch and "上报乡党委（1）" in branch


def test_the_kept_queue_counts_its_ages_afresh_after_midnight_in_beijing(org, login, secretary_a1, frozen_at):
    frozen_at(beijing(2027, 6, 30, 23, 50))
    make(org.a1_vgs[0], org.a1_g1_members[0], days_ago=3, content="水渠堵塞")
    client = login(secretary_a1)
    assert "已反映3天" in text(client.get(LIST))
    assert "已反映3天" in text(client.get(LIST))  # kept
    frozen_at(beijing(2027, 7, 1, 0, 10))
    page = text(client.get(LIST))
    assert "已反映4天" in page and "已反映3天" not in page


def test_the_tabs_carry_what_the_queue_was_narrowed_by_and_nothing_else(org, login, township_staff):
    make(org.a2_vgs[0], org.a2_members[0], handling=Handling.TOWNSHIP, content="井阳村报乡的事")
    client = login(township_staff)
    page = text(client.get(LIST, {"village": org.a2.pk, "show": "all", "from": "<script>"}))
    tabs = page.split('<ul class="concern-tabs">')[1].split("</ul>")[0]
    assert f"village={org.a2.pk}" in tabs and "from" not in tabs and "script" not in tabs
    again = text(client.get(LIST, {"village": org.a2.pk, "show": "all"}))  # the kept tabs, for the same narrowing
    assert again.split('<ul class="concern-tabs">')[1].split("</ul>")[0] == tabs


def test_nothing_of_the_person_is_kept_with_the_queue(org, login, township_staff, monkeypatch):
    rendered = kept_values(monkeypatch)
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, content="罗紫村报乡的事")
    login(township_staff).get(LIST)
    assert len(rendered) == 2 and "罗紫村报乡的事" in rendered[1]
    for html in rendered:
        assert "csrfmiddlewaretoken" not in html and township_staff.username not in html
        assert org.a1_g1_members[0].id_number not in html


def test_what_the_kept_queue_reads_is_every_table_counted(org, login, township_staff, monkeypatch):
    computed = reads_when_counted(monkeypatch)
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, content="罗紫村报乡的事")
    assert login(township_staff).get(LIST).status_code == 200
    tables = tables_read(q for _key, queries in computed for q in queries)
    assert {"activity_concern", "township_village", "groups_villagergroup", "members_partymember"} <= tables
    assert tables <= set(changes.tables()) | set(changes.work_tables())


@pytest.mark.parametrize("persona", ["secretary_a1", "township_staff", "county_viewer"])
def test_the_list_runs_a_fixed_number_of_queries(org, login, persona, request, django_assert_max_num_queries):
    user = request.getfixturevalue(persona)
    client = login(user)
    client.get(LIST)  # a first visit makes the villages' change-count rows (township/changes.py)
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP)
    few = list_queries(client, {"show": "all"})
    for k in range(20):
        vg = org.a1_vgs[k % 4] if k % 2 else org.a2_vgs[k % 2]
        member = org.a1_g1_members[0] if vg.village == org.a1 else org.a2_members[0]
        make(vg, member, handling=Handling.TOWNSHIP, days_ago=k + 1, villager_name=f"村民{k}")
    many = list_queries(client, {"show": "all"})
    assert many == few
    assert list_queries(client, {"show": "all"}) < many  # nothing changed since: the queue is kept
    with django_assert_max_num_queries(6):  # a search is counted each time (and the villages listed to narrow by)
        client.get(LIST, {"show": "all", "q": "村民"})


# --- recording a concern -----------------------------------------------------------------------------------------


def test_the_secretary_records_a_concern_from_their_village_choices(org, login, secretary_a1):
    client = login(secretary_a1)
    response = client.get(reverse("concerns:new"))
    form = response.context["form"]
    assert set(form.fields["villager_group"].queryset) == set(org.a1_vgs)
    assert set(form.fields["raised_through"].queryset) == {*org.a1_g1_members, *org.a1_g2_members, org.a1_loose}
    response = client.post(reverse("concerns:new"), new_concern_data(org.a1_vgs[2], org.a1_g2_members[0]))
    c = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(c)
    assert (c.village, c.party_group, c.recorded_by) == (org.a1, org.a1_g2, secretary_a1)
    assert c.due_on == ago(2) + datetime.timedelta(days=15)
    followed = client.get(response["Location"])
    assert [m.level_tag for m in followed.context["messages"]] == ["success"]


def test_a_concern_answered_on_the_spot_is_saved_resolved(org, login, secretary_a1):
    data = new_concern_data(
        org.a1_vgs[0],
        org.a1_g1_members[0],
        handling=Handling.ON_SPOT,
        category=Category.DISPUTE,
        answer="问情况、讲法规、明事理，两家和好",
        settled_by_mediation="on",
    )
    login(secretary_a1).post(reverse("concerns:new"), data)
    c = Concern.objects.get()
    assert c.resolved_on == ago(2) and c.settled_by_mediation
    assert c.answered_by == org.a1_g1_members[0].name


def test_the_form_keeps_what_was_typed_and_puts_errors_beside_fields(org, login, secretary_a1):
    data = new_concern_data(org.a1_vgs[0], org.a1_g1_members[0], content="村口路灯坏了很久", due_on=ago(5).isoformat())
    response = login(secretary_a1).post(reverse("concerns:new"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"due_on"}
    page = text(response)
    assert "村口路灯坏了很久" in page and "张大爷" in page and ago(5).isoformat() in page
    assert not Concern.objects.exists()
    missing = login(secretary_a1).post(reverse("concerns:new"), {**data, "content": "", "due_on": ""})
    assert set(missing.context["form"].errors) == {"content"}
    assert not Concern.objects.exists()


def test_the_secretary_cannot_record_in_another_village(org, login, secretary_a1):
    data = new_concern_data(org.a2_vgs[0], org.a2_members[0])
    response = login(secretary_a1).post(reverse("concerns:new"), data)
    assert set(response.context["form"].errors) == {"villager_group", "raised_through"}
    mixed = login(secretary_a1).post(reverse("concerns:new"), new_concern_data(org.a1_vgs[0], org.a2_members[0]))
    assert set(mixed.context["form"].errors) == {"raised_through"}
    assert not Concern.objects.exists()


def test_township_staff_first_choose_a_village_of_their_township(org, login, township_staff):
    client = login(township_staff)
    picker = client.get(reverse("concerns:new"))
    assert set(picker.context["villages"]) == {org.a1, org.a2}
    form = client.get(reverse("concerns:new"), {"village": org.a2.pk}).context["form"]
    assert set(form.fields["villager_group"].queryset) == set(org.a2_vgs)
    url = f"{reverse('concerns:new')}?village={org.a2.pk}"
    response = client.post(url, new_concern_data(org.a2_vgs[1], org.a2_members[1], handling=Handling.TOWNSHIP))
    c = Concern.objects.get()
    assert response["Location"] == detail(c)
    assert (c.village, c.handling, c.recorded_by) == (org.a2, Handling.TOWNSHIP, township_staff)
    # a villager group of another of its villages is not a choice on this village's form
    wrong = client.post(url, new_concern_data(org.a1_vgs[0], org.a1_g1_members[0]))
    assert set(wrong.context["form"].errors) == {"villager_group", "raised_through"}
    assert Concern.objects.count() == 1


def test_township_b_staff_get_404_for_a_village_of_township_a(org, login, township_b_staff):
    client = login(township_b_staff)
    url = f"{reverse('concerns:new')}?village={org.a1.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, new_concern_data(org.a1_vgs[0], org.a1_g1_members[0])).status_code == 404
    assert client.get(reverse("concerns:new"), {"village": "x"}).status_code == 404
    assert not Concern.objects.exists()


@pytest.mark.parametrize("persona", ["county_viewer", "group_leader"])
def test_read_only_people_cannot_record(org, login, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("concerns:new")).status_code == 403
    url = f"{reverse('concerns:new')}?village={org.a1.pk}"
    assert client.post(url, new_concern_data(org.a1_vgs[0], org.a1_g1_members[0])).status_code == 403
    assert not Concern.objects.exists()


# --- the concern's page: isolation matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretary_a2", "township_b_staff"])
def test_outsiders_get_404_on_every_url_and_nothing_changes(luozi_concern, login, persona, request):
    client = login(request.getfixturevalue(persona))
    before = snapshot()
    assert client.get(detail(luozi_concern)).status_code == 404
    assert client.post(relay(luozi_concern), {"relay-to": "township", "relay-relayed_on": today()}).status_code == 404
    post = {"answer-answer": "别村答复", "answer-answered_by": "外人", "answer-resolved_on": today().isoformat()}
    assert client.post(answer(luozi_concern), post).status_code == 404
    assert client.get(relay(luozi_concern)).status_code in (404, 405)
    assert snapshot() == before
    assert "罗紫村1社水渠堵塞" not in text(client.get(LIST, {"show": "all"}))


def test_a_missing_concern_answers_404_too(login, secretary_a1, luozi_concern):
    assert login(secretary_a1).get(reverse("concerns:detail", args=[luozi_concern.pk + 1000])).status_code == 404


@pytest.mark.parametrize("persona", ["county_viewer", "group_leader"])
def test_read_only_people_see_the_page_but_get_403_on_writes(luozi_concern, login, persona, request):
    client = login(request.getfixturevalue(persona))
    response = client.get(detail(luozi_concern))
    assert response.status_code == 200
    assert response.context["relay_form"] is None and response.context["answer_form"] is None
    before = snapshot()
    assert client.post(relay(luozi_concern), {"relay-to": "township", "relay-relayed_on": today()}).status_code == 403
    post = {"answer-answer": "答复", "answer-answered_by": "县", "answer-resolved_on": today().isoformat()}
    assert client.post(answer(luozi_concern), post).status_code == 403
    assert snapshot() == before


def test_relay_and_answer_need_post(login, secretary_a1, luozi_concern):
    client = login(secretary_a1)
    assert client.get(relay(luozi_concern)).status_code == 405
    assert client.get(answer(luozi_concern)).status_code == 405


# --- relaying and answering --------------------------------------------------------------------------------------


def test_the_secretary_relays_to_the_township_and_the_township_sees_it(
    org, login, secretary_a1, township_staff, luozi_concern
):
    client = login(secretary_a1)
    page = client.get(detail(luozi_concern))
    assert [v for v, _l in page.context["relay_form"].fields["to"].choices] == ["township"]
    response = client.post(relay(luozi_concern), {"relay-to": "township", "relay-relayed_on": today().isoformat()})
    assert response.status_code == 302 and response["Location"] == detail(luozi_concern)
    luozi_concern.refresh_from_db()
    assert luozi_concern.handling == Handling.TOWNSHIP
    assert luozi_concern.due_on == today() + datetime.timedelta(days=30)
    followed = client.get(detail(luozi_concern), **EN)
    assert [m.level_tag for m in followed.context["messages"]] == ["success"]
    assert followed.context["relay_form"] is None  # with the township: nothing further up
    assert "Relayed by luozi" in text(followed)
    assert "罗紫村1社水渠堵塞" in text(login(township_staff).get(LIST))


def test_a_bad_relay_keeps_the_input_and_changes_nothing(login, secretary_a1, luozi_concern):
    before = snapshot()
    bad_due = ago(1).isoformat()
    response = login(secretary_a1).post(
        relay(luozi_concern), {"relay-to": "township", "relay-relayed_on": today().isoformat(), "relay-due_on": bad_due}
    )
    assert response.status_code == 200
    assert set(response.context["relay_form"].errors) == {"due_on"}
    assert bad_due in text(response)
    assert snapshot() == before


def test_the_township_answers_and_the_history_shows_who_did_what(
    org, login, secretary_a1, township_staff, luozi_concern
):
    login(secretary_a1).post(relay(luozi_concern), {"relay-to": "township", "relay-relayed_on": today().isoformat()})
    client = login(township_staff)
    response = client.post(
        answer(luozi_concern),
        {
            "answer-answer": "乡水利站已派人疏通",
            "answer-answered_by": "乡水利站",
            "answer-resolved_on": today().isoformat(),
        },
    )
    assert response["Location"] == detail(luozi_concern)
    luozi_concern.refresh_from_db()
    assert (luozi_concern.answered_by, luozi_concern.resolved_on) == ("乡水利站", today())
    page = client.get(detail(luozi_concern), **EN)
    body = text(page)
    assert "Recorded by luozi" in body and "Relayed by luozi" in body
    assert "answered by 乡水利站" in body and "Entered by xiang" in body
    assert page.context["answer_form"] is None
    # answering again (a stale page) changes nothing
    before = snapshot()
    again = client.post(
        answer(luozi_concern),
        {"answer-answer": "另一个答复", "answer-answered_by": "x", "answer-resolved_on": today().isoformat()},
    )
    assert again.status_code == 302 and snapshot() == before


def test_a_bad_answer_keeps_the_input_beside_its_field(login, township_staff, luozi_concern):
    before = snapshot()
    response = login(township_staff).post(
        answer(luozi_concern),
        {"answer-answer": "已协调解决", "answer-answered_by": "乡党委", "answer-resolved_on": ago(30).isoformat()},
    )
    assert response.status_code == 200
    assert set(response.context["answer_form"].errors) == {"resolved_on"}
    assert "已协调解决" in text(response)
    assert snapshot() == before


def test_the_mediation_box_is_offered_for_disputes_only(org, login, secretary_a1, luozi_concern):
    dispute = make(org.a1_vgs[0], org.a1_g1_members[0], category=Category.DISPUTE)
    client = login(secretary_a1)
    assert "settled_by_mediation" not in client.get(detail(luozi_concern)).context["answer_form"].fields
    assert "settled_by_mediation" in client.get(detail(dispute)).context["answer_form"].fields
    client.post(
        answer(dispute),
        {
            "answer-answer": "两家和好如初",
            "answer-answered_by": "祝龙贵",
            "answer-resolved_on": today().isoformat(),
            "answer-settled_by_mediation": "on",
        },
    )
    dispute.refresh_from_db()
    assert dispute.settled_by_mediation


def test_the_detail_page_runs_a_fixed_number_of_queries(org, login, township_staff, luozi_concern):
    client = login(township_staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(detail(luozi_concern)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    c = Concern.objects.get(pk=luozi_concern.pk)
    for k in range(5):  # more history rows
        c.villager_name = f"村民{k}"
        c.save()
    concern_answer(concern=c, answer="答", answered_by="乡", resolved_on=today(), acting_user=township_staff)
    assert count() <= few


# --- admin -------------------------------------------------------------------------------------------------------


ADMIN_LIST = "/admin/activity/concern/"


def test_the_admin_lists_the_townships_concerns_only_in_fixed_queries(org, login, township_staff):
    make(org.a1_vgs[0], org.a1_g1_members[0], handling=Handling.TOWNSHIP, content="罗紫村报乡的事")
    foreign = make(org.b1_vgs[0], org.b1_members[0], handling=Handling.TOWNSHIP, content="白石村报乡的事")
    client = login(township_staff)
    response = client.get(ADMIN_LIST)
    assert response.status_code == 200
    assert [c.content for c in response.context["cl"].result_list] == ["罗紫村报乡的事"]
    assert client.get(f"{ADMIN_LIST}{foreign.pk}/change/").status_code in (302, 404)  # Django's "doesn't exist"
    with CaptureQueriesContext(connection) as ctx:
        client.get(ADMIN_LIST)
    few = len(ctx.captured_queries)
    for k in range(10):
        make(org.a1_vgs[k % 4], org.a1_g1_members[0], days_ago=k + 1)
    with CaptureQueriesContext(connection) as ctx:
        client.get(ADMIN_LIST)
    assert len(ctx.captured_queries) == few


def test_the_county_viewer_reads_the_admin_list_but_cannot_change(org, login, county_viewer, luozi_concern):
    client = login(county_viewer)
    assert client.get(ADMIN_LIST).status_code == 200
    before = snapshot()
    response = client.post(f"{ADMIN_LIST}{luozi_concern.pk}/change/", {"content": "县里改的", "handling": "township"})
    assert response.status_code == 403
    assert snapshot() == before


def test_township_staff_add_a_concern_in_the_admin_with_village_and_group_set_by_the_server(org, login, township_staff):
    client = login(township_staff)
    data = {
        "villager_group": org.a1_vgs[3].pk,
        "raised_through": org.a1_g2_members[0].pk,
        "villager_name": "",
        "raised_on": ago(3).isoformat(),
        "category": Category.OTHER,
        "content": "在管理后台补录的事",
        "handling": Handling.BRANCH,
        "relayed_on": ago(3).isoformat(),
        "due_on": today().isoformat(),
        "answer": "",
        "answered_by": "",
        "resolved_on": "",
    }
    response = client.post(f"{ADMIN_LIST}add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    c = Concern.objects.get()
    assert (c.village, c.party_group, c.recorded_by) == (org.a1, org.a1_g2, township_staff)
    foreign = client.post(f"{ADMIN_LIST}add/", {**data, "villager_group": org.b1_vgs[0].pk})
    assert "villager_group" in foreign.context["adminform"].form.errors
    assert Concern.objects.count() == 1


def test_the_due_date_help_is_in_the_language_of_each_request_whatever_language_first_loaded_the_forms(
    org, secretary_a1
):
    """The help under 答复期限 names the default days; formatted where the form class was defined, it kept the
    language of whichever request first imported the module (an English browser's, say) for every later visitor."""
    import importlib

    from django.utils import translation

    import activity.concerns.forms as concern_forms

    try:
        with translation.override("en"):
            importlib.reload(concern_forms)  # the module first loaded during an English request
        concern = Concern(village=org.a1, handling=Concern.Handling.BRANCH)
        with translation.override("zh-hans"):
            relay = concern_forms.RelayForm(concern=concern)
            assert relay.fields["due_on"].help_text.startswith("不填时，上报支部的默认")
        with translation.override("en"):
            assert concern_forms.RelayForm(concern=concern).fields["due_on"].help_text.startswith("Leave empty for")
        with translation.override("zh-hans"):
            form = concern_forms.ConcernForm(user=secretary_a1, village=org.a1)
            assert form.fields["due_on"].help_text.startswith("仅上报的党情民意需要填写。不填时")
    finally:
        importlib.reload(concern_forms)
