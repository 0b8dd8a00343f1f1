"""The monthly report pages through the test client: the village's month, a group's report, adding, submitting,
closing and reopening; who may see and change what (the isolation matrix); query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import Activity, MonthlyReport, ReportReopening
from activity.reports import services
from core import clock, periods
from groups.models import GroupPost
from groups.services import member_leave_group
from members.models import PartyMember
from tests.clock import months_ago
from tests.conftest import TOWNSHIP_B_NAMES
from tests.factories import PartyGroupFactory, PartyMemberFactory, UserFactory, assign, join
from township.models import Assignment

Status = MonthlyReport.Status


this_month = clock.this_month


def text(response) -> str:
    return response.content.decode()


def village_month_url(village, month):
    return reverse("activity:village-month", kwargs={"village_pk": village.pk, "month": month})


def report_url(group, month):
    return reverse("activity:report", kwargs={"group_pk": group.pk, "month": month})


def new_url(group, month):
    return reverse("activity:activity-new", kwargs={"group_pk": group.pk, "month": month})


def action_url(group, month, action):
    return reverse("activity:report-action", kwargs={"group_pk": group.pk, "month": month, "action": action})


def reopen_url(group, month):
    return reverse("activity:report-reopen", kwargs={"group_pk": group.pk, "month": month})


def edit_url(activity):
    return reverse("activity:activity-edit", args=[activity.pk])


def delete_url(activity):
    return reverse("activity:activity-delete", args=[activity.pk])


def activity_data(
    version, held_on, *, kind="visit", content="走访了三户困难户", participants=None, villager_group=None
):
    if participants is None:  # an activity needs at least one participant: 罗紫一二社党小组's first member
        participants = PartyMember.objects.filter(name="罗紫党员1")
    return {
        "version": str(version),
        "kind": kind,
        "held_on": held_on.isoformat(),
        "villager_group": str(villager_group.pk) if villager_group else "",
        "participants": [str(m.pk) for m in participants],
        "households_reached": "3",
        "non_party_present": "2",
        "content": content,
        "outcome": "解决了用水问题",
    }


def snapshot():
    """Everything about reports a user could notice changing."""
    return (
        sorted(
            MonthlyReport.objects.values_list(
                "pk", "party_group_id", "month", "status", "version", "summary", "activity_count"
            )
        ),
        sorted(Activity.objects.values_list("pk", "report_id", "kind", "held_on", "content")),
        sorted(Activity.participants.through.objects.values_list("activity_id", "partymember_id")),
        sorted(ReportReopening.objects.values_list("pk", "report_id", "reason")),
    )


def record(group, month, user, *, content="入户走访", participants=()) -> Activity:
    """An activity recorded through the service, at the report's current version."""
    report = services.report_for(party_group=group, month=month, acting_user=user)
    return services.activity_save(
        report=report,
        version=report.version,
        acting_user=user,
        kind=Activity.Kind.VISIT,
        held_on=month,
        content=content,
        participants=participants,
    )


def submit(group, month, user) -> MonthlyReport:
    record(group, month, user)
    report = MonthlyReport.objects.get(party_group=group, month=month)
    return services.report_submit(report=report, version=report.version, acting_user=user)


def close(group, month, user) -> MonthlyReport:
    report = submit(group, month, user)
    return services.report_close(report=report, version=report.version, acting_user=user)


@pytest.fixture
def group_leader(org):
    """罗紫党员1, leader of 罗紫一二社党小组, with an account of their own."""
    user = UserFactory(username="luozi_zuzhang")
    assign(user, Assignment.Role.GROUP_LEADER, party_group=org.a1_g1)
    return user


# --- the village's month -----------------------------------------------------------------------------------------


def test_it_lists_the_groups_not_submitted_first_and_marks_the_overdue(org, secretary_a1, login):
    month = months_ago(2)
    submit(org.a1_g1, month, secretary_a1)  # the first by name, so only the status can put it last
    client = login(secretary_a1)
    response = client.get(village_month_url(org.a1, month))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["group"] for r in rows] == [org.a1_g2, org.a1_g1]
    assert [r["overdue"] for r in rows] == [True, False]
    assert [r["status"] for r in rows] == [None, Status.SUBMITTED]
    assert rows[1]["activities"] == 1
    page = text(response)
    assert page.index("罗紫三四社党小组") < page.index("罗紫一二社党小组")
    assert page.count('class="overdue"') == 1
    assert "井阳一二社党小组" not in page
    assert client.get(report_url(org.a1_g2, month)).context["overdue"] is True
    assert client.get(report_url(org.a1_g1, month)).context["overdue"] is False


def test_it_does_not_mark_the_current_month_overdue(org, secretary_a1, login):
    response = login(secretary_a1).get(village_month_url(org.a1, this_month()))
    assert response.status_code == 200
    assert [r["overdue"] for r in response.context["rows"]] == [False, False]
    assert 'class="overdue"' not in text(response)


def test_it_shows_the_due_day_of_the_township(org, secretary_a1, login):
    org.ta.report_due_day = 10
    org.ta.save()
    response = login(secretary_a1).get(village_month_url(org.a1, months_ago(1)))
    assert response.context["due"] == this_month().replace(day=10)
    assert f"{this_month().year}年{this_month().month}月10日" in text(response)


def test_it_answers_404_for_a_future_month(org, secretary_a1, login):
    next_month = periods.next_month(this_month())
    client = login(secretary_a1)
    assert client.get(village_month_url(org.a1, next_month)).status_code == 404
    assert client.get(report_url(org.a1_g1, next_month)).status_code == 404
    assert client.get(f"/activity/group/{org.a1_g1.pk}/2025-13/").status_code == 404
    assert not MonthlyReport.objects.exists()


# --- a group's report --------------------------------------------------------------------------------------------


def test_it_shows_a_report_with_its_activities(org, secretary_a1, login):
    record(org.a1_g1, this_month(), secretary_a1, content="宣讲惠农政策", participants=org.a1_g1_members[:2])
    response = login(secretary_a1).get(report_url(org.a1_g1, this_month()))
    assert response.status_code == 200
    page = text(response)
    assert "宣讲惠农政策" in page
    assert "罗紫党员1" in page and "罗紫党员2" in page
    assert response.context["editable"] is True
    assert new_url(org.a1_g1, this_month()) in page
    assert village_month_url(org.a1, this_month()) in page


def test_it_shows_a_month_not_yet_started_without_creating_it(org, secretary_a1, login):
    response = login(secretary_a1).get(report_url(org.a1_g1, months_ago(1)))
    assert response.status_code == 200
    assert response.context["report"].pk is None
    assert not MonthlyReport.objects.exists()


def test_it_adds_an_activity(org, secretary_a1, login):
    client = login(secretary_a1)
    month = months_ago(1)
    form_page = client.get(new_url(org.a1_g1, month))
    assert form_page.status_code == 200
    version = form_page.context["form"]["version"].value()
    data = activity_data(
        version,
        month + datetime.timedelta(days=3),
        kind="mediation",
        content="调解宅基地纠纷",
        participants=org.a1_g1_members[:2],
        villager_group=org.a1_vgs[1],
    )
    response = client.post(new_url(org.a1_g1, month), data)
    assert response.status_code == 302
    assert response["Location"] == report_url(org.a1_g1, month)
    activity = Activity.objects.get()
    assert (activity.kind, activity.content, activity.villager_group) == ("mediation", "调解宅基地纠纷", org.a1_vgs[1])
    assert set(activity.participants.all()) == set(org.a1_g1_members[:2])
    report = MonthlyReport.objects.get()
    assert (report.party_group, report.month, report.status) == (org.a1_g1, month, Status.DRAFT)
    assert report.activity_count == 1
    page = text(client.get(response["Location"]))
    assert "调解宅基地纠纷" in page


def test_it_offers_the_members_of_the_group_in_that_month(org, secretary_a1, login):
    month = months_ago(2)
    left = PartyMemberFactory(village=org.a1, name="罗紫离组党员")
    join([left], org.a1_g1)
    member_leave_group(
        post=GroupPost.objects.get(member=left, ended_on__isnull=True), ended_on=month - datetime.timedelta(days=3)
    )
    newcomer = PartyMemberFactory(village=org.a1, name="罗紫新党员")
    join([newcomer], org.a1_g1, on=month + datetime.timedelta(days=14))
    response = login(secretary_a1).get(new_url(org.a1_g1, month))
    offered = set(response.context["form"].fields["participants"].queryset)
    assert newcomer in offered
    assert left not in offered
    assert not offered & set(org.a1_g2_members)
    page = text(response)
    assert "罗紫新党员" in page
    assert "罗紫离组党员" not in page


def test_it_keeps_what_was_typed_and_shows_the_error_beside_the_date(org, secretary_a1, login):
    client = login(secretary_a1)
    month = months_ago(1)
    outside = month - datetime.timedelta(days=2)
    data = activity_data(0, outside, content="这段话不能丢")
    response = client.post(new_url(org.a1_g1, month), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"held_on"}
    page = text(response)
    assert "这段话不能丢" in page
    assert outside.isoformat() in page
    assert not Activity.objects.exists()


def test_it_keeps_what_was_typed_and_shows_the_error_beside_the_kind(org, secretary_a1, login):
    client = login(secretary_a1)
    month = months_ago(1)
    outside = month - datetime.timedelta(days=2)
    data = activity_data(0, outside, kind="", content="这段话不能丢")
    response = client.post(new_url(org.a1_g1, month), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert {"kind", "held_on"} <= set(form.errors)
    page = text(response)
    assert "这段话不能丢" in page
    assert outside.isoformat() in page
    assert page.count('class="errorlist') >= 2
    assert not Activity.objects.exists()
    assert not MonthlyReport.objects.exists()


def test_it_refuses_a_participant_of_another_group_beside_the_participants(org, secretary_a1, login):
    data = activity_data(0, this_month(), participants=[org.a1_g2_members[0]])
    response = login(secretary_a1).post(new_url(org.a1_g1, this_month()), data)
    assert response.status_code == 200
    assert "participants" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_it_refuses_a_stale_page_keeping_the_input(org, secretary_a1, township_staff, login):
    month = this_month()
    record(org.a1_g1, month, secretary_a1, content="书记先记的")
    client = login(township_staff)
    stale = client.get(new_url(org.a1_g1, month)).context["form"]["version"].value()
    record(org.a1_g1, month, secretary_a1, content="书记又记的")  # saved while the page was open
    before = snapshot()

    response = client.post(new_url(org.a1_g1, month), activity_data(stale, month, content="乡里晚到的记录"))
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["conflict"]
    page = text(response)
    assert "乡里晚到的记录" in page
    assert snapshot() == before

    # Saving again from the re-shown page is a deliberate choice: it goes through.
    again = activity_data(form["version"].value(), month, content="乡里晚到的记录")
    assert client.post(new_url(org.a1_g1, month), again).status_code == 302
    assert Activity.objects.filter(content="乡里晚到的记录").count() == 1


def test_it_refuses_a_blank_page_opened_before_someone_else_started_the_month(org, secretary_a1, township_staff, login):
    month = this_month()
    client = login(township_staff)
    assert client.get(new_url(org.a1_g1, month)).context["form"]["version"].value() == 0
    record(org.a1_g1, month, secretary_a1, content="书记先记的")
    before = snapshot()
    response = client.post(new_url(org.a1_g1, month), activity_data(0, month, content="乡里晚到的记录"))
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["conflict"]
    assert "乡里晚到的记录" in text(response)
    assert snapshot() == before


def test_it_refuses_a_stale_summary_keeping_the_input(org, secretary_a1, township_staff, login):
    month = this_month()
    record(org.a1_g1, month, secretary_a1)
    client = login(township_staff)
    stale = MonthlyReport.objects.get().version
    record(org.a1_g1, month, secretary_a1, content="又一次走访")
    before = snapshot()
    response = client.post(action_url(org.a1_g1, month, "summary"), {"version": stale, "summary": "乡里写的总结"})
    assert response.status_code == 200
    assert [e.code for e in response.context["summary_form"].errors.as_data()["__all__"]] == ["conflict"]
    assert "乡里写的总结" in text(response)
    assert snapshot() == before


def test_it_edits_and_deletes_an_activity(org, secretary_a1, login):
    month = this_month()
    activity = record(org.a1_g1, month, secretary_a1, content="原来的记录")
    client = login(secretary_a1)
    version = client.get(edit_url(activity)).context["form"]["version"].value()
    response = client.post(edit_url(activity), activity_data(version, month, content="改过的记录"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.content == "改过的记录"
    version = MonthlyReport.objects.get().version
    assert client.post(delete_url(activity), {"version": version}).status_code == 302
    assert not Activity.objects.exists()
    assert MonthlyReport.objects.get().activity_count == 0


def test_it_submits_and_closes_a_month(org, secretary_a1, login):
    month = months_ago(1)
    client = login(secretary_a1)
    record(org.a1_g1, month, secretary_a1)
    version = client.get(report_url(org.a1_g1, month)).context["summary_form"]["version"].value()
    response = client.post(action_url(org.a1_g1, month, "submit"), {"version": version, "summary": "本月完成走访"})
    assert response.status_code == 302
    report = MonthlyReport.objects.get()
    assert (report.status, report.summary, report.submitted_by) == (Status.SUBMITTED, "本月完成走访", secretary_a1)

    page = client.get(report_url(org.a1_g1, month))
    assert page.context["may_close"] is True
    response = client.post(action_url(org.a1_g1, month, "close"), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.closed_by) == (Status.CLOSED, secretary_a1)
    page = client.get(report_url(org.a1_g1, month))
    assert page.context["editable"] is False
    assert page.context["may_reopen"] is True
    assert new_url(org.a1_g1, month) not in text(page)


def test_it_refuses_to_submit_an_empty_month_by_post(org, secretary_a1, login):
    month = months_ago(1)
    response = login(secretary_a1).post(action_url(org.a1_g1, month, "submit"), {"version": 0, "summary": ""})
    assert response.status_code == 200
    assert [e.code for e in response.context["summary_form"].errors.as_data()["__all__"]] == ["empty"]
    assert not MonthlyReport.objects.filter(status=Status.SUBMITTED).exists()


def test_it_submits_a_month_with_only_a_summary_by_post(org, secretary_a1, login):
    month = months_ago(1)
    response = login(secretary_a1).post(
        action_url(org.a1_g1, month, "submit"), {"version": 0, "summary": "本月农忙，未集中活动"}
    )
    assert response.status_code == 302
    assert MonthlyReport.objects.get().status == Status.SUBMITTED


def test_it_saves_nothing_added_to_a_closed_month(org, secretary_a1, login):
    month = months_ago(1)
    report = close(org.a1_g1, month, secretary_a1)
    activity = Activity.objects.get()
    before = snapshot()
    client = login(secretary_a1)
    response = client.post(new_url(org.a1_g1, month), activity_data(report.version, month, content="补记"))
    assert response.status_code == 302
    response = client.post(edit_url(activity), activity_data(report.version, month, content="改掉"))
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["closed"]
    client.post(delete_url(activity), {"version": report.version})
    client.post(action_url(org.a1_g1, month, "summary"), {"version": report.version, "summary": "补充"})
    assert snapshot() == before


def test_it_reopens_a_month_by_post(org, secretary_a1, township_staff, login):
    month = months_ago(1)
    close(org.a1_g1, month, secretary_a1)
    client = login(township_staff)
    assert client.get(reopen_url(org.a1_g1, month)).status_code == 200
    response = client.post(reopen_url(org.a1_g1, month), {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert MonthlyReport.objects.get().status == Status.CLOSED

    response = client.post(reopen_url(org.a1_g1, month), {"reason": "漏记一次走访，需补录"})
    assert response.status_code == 302
    report = MonthlyReport.objects.get()
    assert report.status == Status.DRAFT
    reopening = ReportReopening.objects.get()
    assert (reopening.reopened_by, reopening.reason) == (township_staff, "漏记一次走访，需补录")
    page = text(client.get(report_url(org.a1_g1, month)))
    assert "漏记一次走访，需补录" in page

    response = client.post(new_url(org.a1_g1, month), activity_data(report.version, month, content="补录的走访"))
    assert response.status_code == 302
    assert Activity.objects.filter(content="补录的走访").exists()


# --- who may see and change what ---------------------------------------------------------------------------------


@pytest.fixture
def a1_months(org, secretary_a1):
    """罗紫一二社党小组: this month a draft with an activity, last month submitted, two months ago closed."""
    cur, prev, old = this_month(), months_ago(1), months_ago(2)
    activity = record(org.a1_g1, cur, secretary_a1, content="罗紫的走访")
    submit(org.a1_g1, prev, secretary_a1)
    close(org.a1_g1, old, secretary_a1)
    return cur, prev, old, activity


def reads(org, months):
    cur, _prev, _old, _activity = months
    return [village_month_url(org.a1, cur), report_url(org.a1_g1, cur)]


def writes(org, months):
    """Every write of the report pages as (method, url, data)."""
    cur, prev, old, activity = months
    version = MonthlyReport.objects.get(party_group=org.a1_g1, month=cur).version
    data = activity_data(version, cur, content="外人写的")
    return [
        ("get", new_url(org.a1_g1, cur), None),
        ("post", new_url(org.a1_g1, cur), data),
        ("get", edit_url(activity), None),
        ("post", edit_url(activity), data),
        ("post", delete_url(activity), {"version": version}),
        ("post", action_url(org.a1_g1, cur, "summary"), {"version": version, "summary": "外人写的"}),
        ("post", action_url(org.a1_g1, cur, "submit"), {"version": version, "summary": "外人写的"}),
        ("post", action_url(org.a1_g1, prev, "close"), {"version": 99}),
        ("get", reopen_url(org.a1_g1, old), None),
        ("post", reopen_url(org.a1_g1, old), {"reason": "外人要改这个月"}),
    ]


def send(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


def test_the_matrix_opens_for_the_villages_own_secretary(org, secretary_a1, a1_months, login):
    """The URLs below are real: the secretary of 罗紫村 gets each page (so a 404 for others is the scope at work)."""
    client = login(secretary_a1)
    for url in reads(org, a1_months):
        assert client.get(url).status_code == 200, url
    for method, url, data in writes(org, a1_months):
        assert send(client, method, url, data).status_code in (200, 302), (method, url)


@pytest.mark.parametrize("persona", ["secretary_a2", "township_b_staff"])
def test_it_answers_404_outside_the_reach(org, a1_months, persona, request, login):
    client = login(request.getfixturevalue(persona))
    before = snapshot()
    for url in reads(org, a1_months):
        assert client.get(url).status_code == 404, url
    for method, url, data in writes(org, a1_months):
        response = send(client, method, url, data)
        assert response.status_code == 404, (method, url)
    assert snapshot() == before


def test_the_county_viewer_reads_but_may_not_write(org, county_viewer, a1_months, login):
    client = login(county_viewer)
    before = snapshot()
    for url in reads(org, a1_months):
        assert client.get(url).status_code == 200, url
    assert client.get(report_url(org.a1_g1, a1_months[2])).status_code == 200
    for method, url, data in writes(org, a1_months):
        assert send(client, method, url, data).status_code == 403, (method, url)
    assert snapshot() == before
    page = text(client.get(report_url(org.a1_g1, a1_months[0])))
    assert new_url(org.a1_g1, a1_months[0]) not in page
    assert action_url(org.a1_g1, a1_months[0], "submit") not in page


def test_the_other_secretarys_pages_show_nothing_of_township_b(org, secretary_a1, login):
    page = text(login(secretary_a1).get(village_month_url(org.a1, this_month())))
    for name in TOWNSHIP_B_NAMES:
        assert name not in page


# --- a party group leader ----------------------------------------------------------------------------------------


def test_a_group_leader_adds_to_their_own_report_when_the_village_allows(org, group_leader, login):
    org.a1.leaders_may_report = True
    org.a1.save()
    month = this_month()
    client = login(group_leader)
    response = client.get(report_url(org.a1_g1, month))
    assert response.status_code == 200
    assert response.context["editable"] is True
    assert response.context["may_close"] is False
    assert village_month_url(org.a1, month) not in text(response)  # no link to a page that is 404 for them
    assert client.get(new_url(org.a1_g1, month)).status_code == 200
    response = client.post(new_url(org.a1_g1, month), activity_data(0, month, content="组长记的学习"))
    assert response.status_code == 302
    assert Activity.objects.get().content == "组长记的学习"
    report = MonthlyReport.objects.get()
    response = client.post(action_url(org.a1_g1, month, "submit"), {"version": report.version, "summary": ""})
    assert response.status_code == 302
    assert MonthlyReport.objects.get().status == Status.SUBMITTED
    before = snapshot()
    assert client.post(action_url(org.a1_g1, month, "close"), {"version": report.version + 1}).status_code == 403
    assert snapshot() == before


def test_a_group_leader_only_reads_when_the_village_does_not_allow(org, group_leader, secretary_a1, login):
    assert org.a1.leaders_may_report is False
    month = this_month()
    record(org.a1_g1, month, secretary_a1)
    version = MonthlyReport.objects.get().version
    client = login(group_leader)
    response = client.get(report_url(org.a1_g1, month))
    assert response.status_code == 200
    assert response.context["editable"] is False
    before = snapshot()
    assert client.get(new_url(org.a1_g1, month)).status_code == 403
    assert client.post(new_url(org.a1_g1, month), activity_data(version, month)).status_code == 403
    activity = Activity.objects.get()
    assert client.post(edit_url(activity), activity_data(version, month)).status_code == 403
    assert client.post(delete_url(activity), {"version": version}).status_code == 403
    for action in ("summary", "submit"):
        assert (
            client.post(action_url(org.a1_g1, month, action), {"version": version, "summary": "x"}).status_code == 403
        )
    assert snapshot() == before


def test_a_group_leader_may_not_close_or_reopen(org, group_leader, secretary_a1, login):
    org.a1.leaders_may_report = True
    org.a1.save()
    submit(org.a1_g1, months_ago(1), secretary_a1)
    close(org.a1_g1, months_ago(2), secretary_a1)
    version = MonthlyReport.objects.get(month=months_ago(1)).version
    client = login(group_leader)
    before = snapshot()
    assert client.post(action_url(org.a1_g1, months_ago(1), "close"), {"version": version}).status_code == 403
    assert client.get(reopen_url(org.a1_g1, months_ago(2))).status_code == 403
    assert client.post(reopen_url(org.a1_g1, months_ago(2)), {"reason": "组长想改一下"}).status_code == 403
    assert snapshot() == before


def test_a_group_leader_gets_404_beyond_their_group(org, group_leader, secretary_a1, login):
    org.a1.leaders_may_report = True
    org.a1.save()
    month = this_month()
    other = record(org.a1_g2, month, secretary_a1, content="三四社的走访")
    version = MonthlyReport.objects.get().version
    client = login(group_leader)
    before = snapshot()
    assert client.get(report_url(org.a1_g2, month)).status_code == 404
    assert client.get(village_month_url(org.a1, month)).status_code == 404
    assert client.get(new_url(org.a1_g2, month)).status_code == 404
    assert client.post(new_url(org.a1_g2, month), activity_data(version, month)).status_code == 404
    assert client.get(edit_url(other)).status_code == 404
    assert client.post(edit_url(other), activity_data(version, month)).status_code == 404
    assert client.post(delete_url(other), {"version": version}).status_code == 404
    assert client.post(action_url(org.a1_g2, month, "submit"), {"version": version}).status_code == 404
    assert client.get(report_url(org.a2_g1, month)).status_code == 404
    assert snapshot() == before


# --- query counts ------------------------------------------------------------------------------------------------


def _more_groups(org, user, n: int, month):
    for i in range(n):
        group = PartyGroupFactory(village=org.a1, name=f"罗紫扩展{i}党小组")
        members = PartyMemberFactory.create_batch(3, village=org.a1)
        join(members, group)
        record(group, month, user, content=f"扩展{i}的走访", participants=members[:2])
        if i % 2:
            submit(group, month, user)


def test_the_village_month_page_runs_a_fixed_number_of_queries(org, secretary_a1, login, django_assert_max_num_queries):
    month = months_ago(1)
    record(org.a1_g1, month, secretary_a1)
    client = login(secretary_a1)
    client.get(village_month_url(org.a1, month))
    with CaptureQueriesContext(connection) as small:
        client.get(village_month_url(org.a1, month))
    _more_groups(org, secretary_a1, 6, month)
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as big:
        response = client.get(village_month_url(org.a1, month))
    assert len(response.context["rows"]) == 8
    assert "罗紫扩展5党小组" in text(response)
    assert len(big) == len(small)


def test_the_report_page_runs_a_fixed_number_of_queries(org, secretary_a1, login, django_assert_max_num_queries):
    month = months_ago(1)
    record(org.a1_g1, month, secretary_a1, participants=org.a1_g1_members[:1])
    client = login(secretary_a1)
    client.get(report_url(org.a1_g1, month))
    with CaptureQueriesContext(connection) as small:
        client.get(report_url(org.a1_g1, month))
    for i in range(8):
        record(org.a1_g1, month, secretary_a1, content=f"第{i}次走访", participants=org.a1_g1_members[: i % 4 + 1])
    # one of them reads the 党小组会 linked to the report (organisational life), whatever the number of activities
    with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as big:
        response = client.get(report_url(org.a1_g1, month))
    assert len(response.context["activities"]) == 9
    assert "第7次走访" in text(response)
    assert len(big) == len(small)


def test_a_submitted_report_names_its_submitter_read_with_the_report(org, secretary_a1, login):
    """Who submitted the month comes in the report's own query: the submitted page asks no more than the draft did."""
    month = months_ago(1)
    client = login(secretary_a1)
    record(org.a1_g1, month, secretary_a1)
    with CaptureQueriesContext(connection) as draft:
        client.get(report_url(org.a1_g1, month))
    version = MonthlyReport.objects.get().version
    client.post(action_url(org.a1_g1, month, "submit"), {"version": version, "summary": "本月完成走访"})
    with CaptureQueriesContext(connection) as submitted:
        page = client.get(report_url(org.a1_g1, month))
    assert f"{secretary_a1.get_full_name() or secretary_a1.username}于" in text(page)
    assert len(submitted.captured_queries) <= len(draft.captured_queries)
