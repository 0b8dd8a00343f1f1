"""工作台: each role's home lists what is due, each item a count with a sentence made from it and a link; the
dashboard's sentences agree with the numbers beside them."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.concerns.services import concern_answer, concern_record
from activity.models import Concern
from activity.reports import services
from appraisal.awards.services import year_decide, year_start_nominating
from appraisal.scoring.services import appraisal_year_open
from core import clock, periods
from tests.factories import PartyGroupFactory, PartyMemberFactory, elect, join


def _submit(group, month):
    report = services.report_for(party_group=group, month=month, acting_user=None)
    return services.report_submit(report=report, version=report.version, summary="本月开展了走访", acting_user=None)


def _items(response) -> dict:
    return {t.key: t for t in response.context["todo"]}


def _three_of_four(org):
    """Village A1 with four party groups this month, three of which have submitted."""
    extra = [PartyGroupFactory(village=org.a1, name=f"罗紫新{k}党小组") for k in (1, 2)]
    month = clock.this_month()
    for group in (org.a1_g1, org.a1_g2, extra[0]):
        _submit(group, month)
    return month


def test_a_village_with_three_of_four_reports_says_so(org, township_staff, secretary_a1, login):
    month = _three_of_four(org)
    label = f"{month.year}年{month.month}月"
    page = login(secretary_a1).get(reverse("village", args=[org.a1.pk]))
    todo = _items(page)["reports_this_month"]
    assert todo.count == 1 and todo.text == f"1个党小组尚未提交{label}的报告"
    assert todo.url == reverse("activity:village-month", args=[org.a1.pk, month])
    html = page.content.decode()
    assert "3/4" in html and todo.text in html
    assert "所有党小组都已提交" not in html

    township = login(township_staff).get(reverse("township", args=[org.ta.pk]))
    html = township.content.decode()
    row = next(r for r in township.context["rows"] if r["village"] == org.a1)
    missing = sum(r["groups"] - r["cur_done"] for r in township.context["rows"])
    assert (row["cur_done"], row["groups"]) == (3, 4)
    assert _items(township)["reports_this_month"].count == missing == 2  # A1's one and A2's one
    assert f"{missing}个党小组尚未提交{label}的报告" in html
    assert "所有党小组都已提交" not in html
    assert "None: every party group has submitted" not in html


def test_when_every_group_has_submitted_the_sentence_says_so(org, secretary_a1, login):
    month = clock.this_month()
    for group in (org.a1_g1, org.a1_g2):
        _submit(group, month)
    todo = _items(login(secretary_a1).get(reverse("village", args=[org.a1.pk])))["reports_this_month"]
    assert todo.count == 0 and todo.text.startswith("所有党小组都已提交")


def test_the_township_lists_overdue_concerns_the_year_to_decide_and_terms_ending(org, township_staff, login):
    today = clock.today()
    concern_record(
        villager_group=org.a1_vgs[0],
        raised_through=org.a1_g1_members[0],
        raised_on=today - datetime.timedelta(days=40),
        due_on=today - datetime.timedelta(days=5),
        category=Concern.Category.INFRASTRUCTURE,
        content="机耕道垮塌",
        handling=Concern.Handling.BRANCH,
        acting_user=None,
    )
    last_year = appraisal_year_open(township=org.ta, year=today.year - 1, acting_user=None)
    year_start_nominating(year=last_year, acting_user=None)
    old = PartyGroupFactory(village=org.a2, name="井阳老党小组", established_on=datetime.date(2015, 1, 1))
    members = [PartyMemberFactory(village=org.a2, name=f"井阳老党员{k}") for k in range(3)]
    join(members, old, on=datetime.date(2015, 1, 1))
    elect(old, today.replace(year=today.year - org.ta.leader_term_years), 3, members[0])

    items = _items(login(township_staff).get(reverse("township", args=[org.ta.pk])))
    assert items["concerns_overdue"].count == 1
    assert items["concerns_overdue"].url.endswith("?show=overdue")
    assert items["year_to_decide"].url == reverse("awards:year", args=[last_year.pk])
    assert items["elections_due"].count == 1
    assert items["elections_due"].url == reverse("groups:party-group", args=[old.pk])


def test_each_item_links_to_a_page_that_opens(org, township_staff, secretary_a1, login):
    _three_of_four(org)
    pages = [
        (secretary_a1, reverse("village", args=[org.a1.pk])),
        (township_staff, reverse("township", args=[org.ta.pk])),
    ]
    for user, url in pages:
        client = login(user)
        for t in client.get(url).context["todo"]:
            assert client.get(t.url.split("#")[0]).status_code == 200, (t.key, t.url)
            assert re.search(r"\d", t.text) or t.count == 0


def test_the_to_do_list_is_bounded(org, township_staff, login, django_assert_num_queries):
    """The same number of queries with three or nine party groups: one query per kind of item."""
    client = login(township_staff)
    url = reverse("township", args=[org.ta.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    n = len(small)  # read now: the next request empties the connection's log the context reads
    for k in range(6):
        _submit(PartyGroupFactory(village=org.a1, name=f"罗紫扩{k}党小组"), clock.this_month())
    client.get(url)  # the branches' figures kept until a village changes (township/changes.py): counted afresh here
    with django_assert_num_queries(n):
        assert client.get(url).status_code == 200


# --- the party-group leader: their own group ----------------------------------------------------------------------


def _concern(org, raised_on, due_on):
    return concern_record(
        villager_group=org.a1_vgs[0],  # covered by a1_g1, the leader's group
        raised_through=org.a1_g1_members[0],
        raised_on=raised_on,
        due_on=due_on,
        category=Concern.Category.INFRASTRUCTURE,
        content="机耕道垮塌",
        handling=Concern.Handling.BRANCH,
        acting_user=None,
    )


def _leader_home(client):
    """The leader's home: where `/` sends them, their group's month."""
    page = client.get("/", follow=True)
    assert page.status_code == 200
    return page, _items(page), page.content.decode()


def test_the_leader_home_lists_their_own_work_and_each_goes_when_done(org, group_leader, login):
    today, cur = clock.today(), clock.this_month()
    prev = periods.previous_month(cur)
    org.a1.leaders_may_report = True
    org.a1.save()
    org.ta.leader_term_years = 3  # elected 2024-01-10: the term ended 2027-01-10
    org.ta.save()
    concern = _concern(org, today - datetime.timedelta(days=30), today - datetime.timedelta(days=2))
    client = login(group_leader)

    page, items, html = _leader_home(client)
    assert page.context["group"] == org.a1_g1 and page.context["month"] == cur
    assert items["report_this_month"].count == 1
    assert items["report_this_month"].text.startswith(f"{cur.year}年{cur.month}月的报告尚未提交")
    assert items["report_this_month"].url == reverse("activity:report", args=[org.a1_g1.pk, cur])
    assert items["report_overdue"].text == f"{prev.year}年{prev.month}月的报告已逾期未交，请尽快补交"
    assert items["report_overdue"].url == reverse("activity:report", args=[org.a1_g1.pk, prev])
    assert items["concerns_open"].count == 1 and "其中1条已过答复期限" in items["concerns_open"].text
    assert items["election_due"].text == "你的组长任期（3年）已于2027年1月10日届满，请与支部书记商定换届选举"
    assert items["election_due"].url == reverse("groups:party-group", args=[org.a1_g1.pk])
    for t in items.values():
        assert t.text in html and client.get(t.url).status_code == 200, t.key
    listing = client.get(items["concerns_open"].url).content.decode()  # kept since the visit above: read its HTML
    shown = re.findall(r'<a class="said" href="([^"]+)"', listing)
    assert shown == [reverse("concerns:detail", args=[concern.pk])]  # the list shows what was counted
    assert "目前没有待办事项" not in html

    _submit(org.a1_g1, prev)
    _submit(org.a1_g1, cur)
    concern_answer(concern=concern, answer="已修复", answered_by="村委会", resolved_on=today, acting_user=None)
    elect(org.a1_g1, today, 5, org.a1_g1_members[0])
    page, items, html = _leader_home(client)
    assert set(items) == {"report_this_month", "concerns_open"}
    assert items["report_this_month"].count == 0 and items["report_this_month"].text.endswith("的报告已提交")
    assert items["concerns_open"].count == 0 and items["concerns_open"].text == "经本组反映的党情民意都已办结"
    assert "目前没有待办事项" in html


def test_where_the_branch_enters_the_reports_the_leader_is_told_so(org, group_leader, login):
    """Leaders who may not enter their month are not asked to submit it, and are told who does."""
    org.ta.leader_term_years = 5
    org.ta.save()
    _, items, html = _leader_home(login(group_leader))
    assert items["report_this_month"].count == 0 and "由支部书记录入" in items["report_this_month"].text
    assert items["report_overdue"].text.endswith("请告知支部书记补录")
    assert "election_due" not in items  # elected 2024-01-10 for five years


def test_the_leader_list_is_only_on_their_own_group_this_month(org, group_leader, secretary_a1, login):
    cur = clock.this_month()
    client = login(group_leader)
    assert not client.get(reverse("activity:report", args=[org.a1_g1.pk, periods.previous_month(cur)])).context["todo"]
    secretary = login(secretary_a1)
    assert not secretary.get(reverse("activity:report", args=[org.a1_g1.pk, cur])).context["todo"]


# --- the county viewer: the townships to follow up ------------------------------------------------------------------


def _close_months(groups, months):
    for g in groups:
        for m in months:
            report = _submit(g, m)
            services.report_close(report=report, acting_user=None)


def _decide(township, year):
    y = appraisal_year_open(township=township, year=year, acting_user=None)
    year_start_nominating(year=y, acting_user=None)
    year_decide(year=y, acting_user=None)
    return y


def test_the_county_lists_townships_to_follow_up_and_each_goes_when_done(org, county_viewer, login):
    today = clock.today()
    prev = periods.previous_month(clock.this_month())
    ended = [datetime.date(today.year, m, 1) for m in range(1, prev.month + 1)]  # 2027: January to May
    client = login(county_viewer)
    url = reverse("county", args=[org.county.pk])
    concern = _concern(org, today - datetime.timedelta(days=30), today - datetime.timedelta(days=2))

    page = client.get(url)
    items, html = _items(page), page.content.decode()
    rows = {r["township"]: r for r in page.context["rows"]}
    assert items["reports_overdue"].count == 4 == sum(r["groups"] - r["prev_done"] for r in rows.values())
    assert items["reports_overdue"].text == f"2个乡镇共4个党小组的{prev.year}年{prev.month}月报告已逾期，请督促"
    assert items["concerns_overdue"].count == 1 == sum(r["overdue"] for r in rows.values())
    assert items["months_not_closed"].text == f"2个乡镇有已结束的月份尚未关账（共{2 * len(ended)}个月），请督促关账"
    assert rows[org.ta]["not_closed"] == ended
    assert items["years_undecided"].text == f"2个乡镇的{today.year - 1}年度考核评优尚未决定"
    for t in items.values():
        assert t.text in html and client.get(t.url.split("#")[0]).status_code == 200, t.key
    assert 'id="townships"' in html and "目前没有待办事项" not in html

    # 西山乡 does its work: the items name only 东河乡, and link to it
    _close_months([org.b1_g1], ended)
    _decide(org.tb, today.year - 1)
    items = _items(client.get(url))
    assert items["reports_overdue"].text == f"1个乡镇共3个党小组的{prev.year}年{prev.month}月报告已逾期，请督促"
    assert items["reports_overdue"].url == reverse("township", args=[org.ta.pk])
    assert items["months_not_closed"].url == reverse("township", args=[org.ta.pk])
    assert items["years_undecided"].count == 1

    # and 东河乡
    _close_months([org.a1_g1, org.a1_g2, org.a2_g1], ended)
    year = _decide(org.ta, today.year - 1)
    concern_answer(concern=concern, answer="已修复", answered_by="村委会", resolved_on=today, acting_user=None)
    page = client.get(url)
    items, html = _items(page), page.content.decode()
    assert all(t.count == 0 for t in items.values()), items
    assert items["years_undecided"].text == f"各乡镇{today.year - 1}年度考核评优都已决定"
    assert "目前没有待办事项" in html and "都已关账" in html
    assert reverse("awards:year", args=[year.pk]) in html  # the table's year cell links to the decision


def test_the_county_list_is_bounded(org, county_viewer, login, django_assert_num_queries):
    client = login(county_viewer)
    url = reverse("county", args=[org.county.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for k in range(4):
        group = PartyGroupFactory(village=org.b1, name=f"白石扩{k}党小组")
        _close_months([group], [datetime.date(2027, 1, 1), datetime.date(2027, 2, 1)])
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


# --- the leader's term is the township's setting ------------------------------------------------------------------


def test_the_term_is_each_townships_own(org, township_staff, login):
    """东河乡 sets a three-year term: its groups elected on 2024-01-10 are due; 西山乡 keeps five years."""
    org.ta.leader_term_years = 3
    org.ta.save()
    items = _items(login(township_staff).get(reverse("township", args=[org.ta.pk])))
    assert items["elections_due"].count == 2
    assert items["elections_due"].text == "2个党小组的组长任期（3年）三个月内届满或已届满，需要换届选举"
    from dashboards.todo import elections_todo
    from township.models import Village

    both = Village.objects.filter(township__county=org.county)
    assert elections_todo(both, clock.today(), None, "/").count == 2  # 西山乡's group, five years, is not due
    org.tb.leader_term_years = 3
    org.tb.save()
    assert elections_todo(both, clock.today(), None, "/").count == 3


def test_the_term_is_edited_with_the_townships_other_settings(org, township_staff, login):
    from django.forms.models import model_to_dict

    client = login(township_staff)
    url = reverse("admin:township_township_change", args=[org.ta.pk])
    assert 'name="leader_term_years"' in client.get(url).content.decode()
    data = {k: v for k, v in model_to_dict(org.ta).items() if v is not None}
    data["leader_and_member_award_same_year"] = "on" if org.ta.leader_and_member_award_same_year else ""
    for bad, words in (("0", "1"), ("11", "10"), ("五", "整数")):
        response = client.post(url, {**data, "leader_term_years": bad})
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["leader_term_years"]
        assert words in errors[0] and re.search(r"[\u4e00-\u9fff]", errors[0]), errors
        org.ta.refresh_from_db()
        assert org.ta.leader_term_years == 5
    response = client.post(url, {**data, "leader_term_years": "4"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    org.ta.refresh_from_db()
    assert org.ta.leader_term_years == 4


# --- organisational life (组织生活) --------------------------------------------------------------------------------


def _hold(village, day, kind, user, group=None):
    from orglife.meetings.services import Mark, expected_members, meeting_record

    members = expected_members(village=village, kind=kind, day=day, party_group=group)
    meeting_record(
        village=village, kind=kind, party_group=group, held_on=day, topic="按时召开", acting_user=user,
        marks=[Mark(member=m, presence="present", reason="") for m in members],
    )  # fmt: skip


def _hold_quarter(village, year, quarter, user, last_day=None):
    """Every meeting due monthly or quarterly in the quarter (up to `last_day`), everyone present."""
    from groups.models import PartyGroup
    from orglife.meetings.models import Kind

    first, last = periods.quarter_range(year, quarter)
    last = min(last, last_day or last)
    month = first
    while month <= last:
        day = min(month.replace(day=10), last)
        for kind in (Kind.COMMITTEE, Kind.THEME_DAY):
            _hold(village, day, kind, user)
        for group in PartyGroup.objects.filter(village=village).overlapping(*periods.month_range(month)):
            _hold(village, day, Kind.GROUP, user, group)
        month = periods.next_month(month)
    for kind in (Kind.ASSEMBLY, Kind.LECTURE):
        _hold(village, last, kind, user)


def test_the_secretary_is_told_the_meetings_still_due_and_the_members_at_risk_until_done(org, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("village", args=[org.a1.pk])
    items = _items(client.get(url))
    meetings, at_risk = items["orglife_meetings"], items["orglife_at_risk"]
    assert meetings.count > 0 and "规定的会议没有开" in meetings.text and "支部委员会" in meetings.text
    assert meetings.url == reverse("orglife:village", args=[org.a1.pk, clock.this_year()])
    assert at_risk.count > 0 and "谈心谈话" in at_risk.text
    assert at_risk.url == reverse("orglife:members", args=[org.a1.pk])
    for t in (meetings, at_risk):
        assert client.get(t.url).status_code == 200

    today = clock.today()
    _hold_quarter(org.a1, today.year, periods.quarter_of(today), secretary_a1, last_day=today)
    items = _items(client.get(url))
    assert "orglife_meetings" not in items and "orglife_at_risk" not in items


def test_township_staff_are_told_the_branches_that_missed_a_meeting_last_quarter(org, township_staff, login):
    client = login(township_staff)
    url = reverse("township", args=[org.ta.pk])
    todo = _items(client.get(url))["orglife_branches_missing"]
    today = clock.today()
    last = periods.quarter_range(today.year, periods.quarter_of(today))[0] - datetime.timedelta(days=1)
    quarter = periods.quarter_of(last)
    assert todo.count == 2 and todo.text == f"2个村党支部{last.year}年第{quarter}季度有规定的会议没有开"
    assert client.get(todo.url).status_code == 200

    _hold_quarter(org.a1, last.year, quarter, township_staff)
    assert _items(client.get(url))["orglife_branches_missing"].count == 1
    _hold_quarter(org.a2, last.year, quarter, township_staff)
    assert "orglife_branches_missing" not in _items(client.get(url))


# --- last month's reports: still due until the township's due day, overdue after it ---------------------------------


def test_last_months_reports_not_in_are_to_do_on_the_due_day_and_overdue_after_it(
    org, township_staff, secretary_a1, login, frozen_at
):
    """On the due day a township with 1/2 and 0/1 for last month is told that 2 reports are still to come (not that
    nothing is overdue); the day after, that they are overdue; once every one is in, that nothing is."""
    from tests.clock import beijing

    cur = clock.this_month()
    prev = periods.previous_month(cur)
    _submit(org.a1_g1, prev)
    prev_label = f"{prev.year}年{prev.month}月"
    t_url, v_url = reverse("township", args=[org.ta.pk]), reverse("village", args=[org.a1.pk])

    frozen_at(beijing(cur.year, cur.month, org.ta.report_due_day))  # logged in after each move of the clock: a
    page = login(township_staff).get(t_url)  # session idle for a day has ended
    missing = sum(r["groups"] - r["prev_done"] for r in page.context["rows"])
    todo = _items(page)["reports_overdue"]
    assert todo.count == missing == 2
    assert todo.text == f"2个党小组尚未提交{prev_label}的报告（{cur.month}月{org.ta.report_due_day}日截止）"
    assert todo.text in page.content.decode() and "没有逾期未交" not in todo.text
    todo = _items(login(secretary_a1).get(v_url))["reports_overdue"]
    assert todo.count == 1 and todo.text.startswith(f"1个党小组尚未提交{prev_label}的报告")
    assert todo.url == reverse("activity:village-month", args=[org.a1.pk, prev])

    frozen_at(beijing(cur.year, cur.month, org.ta.report_due_day + 1))
    township = login(township_staff)
    todo = _items(township.get(t_url))["reports_overdue"]
    assert todo.count == 2 and todo.text == f"2个党小组的{prev_label}报告已逾期"

    _submit(org.a1_g2, prev)
    _submit(org.a2_g1, prev)
    todo = _items(township.get(t_url))["reports_overdue"]
    assert todo.count == 0 and todo.text == f"没有逾期未交的{prev_label}报告"


def test_the_leader_is_told_last_months_report_is_due_before_the_due_day(org, group_leader, login, frozen_at):
    from tests.clock import beijing

    org.a1.leaders_may_report = True
    org.a1.save()
    cur = clock.this_month()
    prev = periods.previous_month(cur)
    frozen_at(beijing(cur.year, cur.month, org.ta.report_due_day))
    _, items, html = _leader_home(login(group_leader))
    due = f"{cur.year}年{cur.month}月{org.ta.report_due_day}日"
    assert items["report_overdue"].text == f"{prev.year}年{prev.month}月的报告尚未提交：请在{due}前提交"
    assert items["report_overdue"].url == reverse("activity:report", args=[org.a1_g1.pk, prev])
    assert items["report_overdue"].text in html

    frozen_at(beijing(cur.year, cur.month, org.ta.report_due_day + 1))
    client = login(group_leader)
    assert _leader_home(client)[1]["report_overdue"].text.endswith("的报告已逾期未交，请尽快补交")
    _submit(org.a1_g1, prev)
    assert "report_overdue" not in _leader_home(client)[1]


# --- the appraisal: quarter scores to enter, rectification notices due ------------------------------------------------


def test_the_quarter_scores_to_enter_and_the_rectifications_due_are_counted_and_go_when_done(
    org, township_staff, secretary_a1, login
):
    from decimal import Decimal

    from appraisal.models import RubricItem
    from appraisal.scoring import services as scoring

    today = clock.today()
    last_day = periods.quarter_range(today.year, periods.quarter_of(today))[0] - datetime.timedelta(days=1)
    quarter = periods.quarter_of(last_day)
    year = scoring.appraisal_year_open(township=org.ta, year=last_day.year, acting_user=township_staff)
    groups = [org.a1_g1, org.a1_g2, org.a2_g1]
    check = scoring.spot_check_record(
        year=year, party_group=org.a1_g1, checked_on=today - datetime.timedelta(days=3), checked_by="乡党委组织委员",
        findings="会议记录缺两个月", rating="poor", points=Decimal("55"), by_reading_records=True,
        rectification="补齐会议记录", rectify_by=today + datetime.timedelta(days=7), acting_user=township_staff,
    )  # fmt: skip
    t_url, v_url = reverse("township", args=[org.ta.pk]), reverse("village", args=[org.a1.pk])

    client = login(township_staff)
    items = _items(client.get(t_url))
    scores, rectify = items["scores_to_enter"], items["rectifications_due"]
    assert scores.count == 3 and scores.text == f"3个党小组的{last_day.year}年第{quarter}季度评分尚未录入完"
    assert scores.url == reverse("appraisal:scores", args=[year.pk])
    assert rectify.count == 1 and rectify.text == "1份整改通知两周内到期或已过期，尚未整改"
    assert rectify.url == reverse("appraisal:spot-check", args=[check.pk])
    for t in (scores, rectify):
        assert client.get(t.url).status_code == 200
    village = _items(login(secretary_a1).get(v_url))
    assert village["rectifications_due"].count == 1 and "scores_to_enter" not in village  # the township scores

    def score(group, item):
        scoring.score_enter(
            year=year, party_group=group, quarter=quarter, item=item, points=Decimal("5"), evidence="走访群众",
            acting_user=township_staff,
        )  # fmt: skip

    manual = list(year.rubric.filter(source=RubricItem.Source.MANUAL))
    staff_on_a1 = login(township_staff)
    assert _items(staff_on_a1.get(v_url))["scores_to_enter"].count == 3  # the township's, on a branch's page too
    for item in manual:
        score(org.a2_g1, item)  # another village's group: a1's counts do not move, the township's figure does
    assert _items(staff_on_a1.get(v_url))["scores_to_enter"].count == 2
    for group in groups:
        for item in manual if group != org.a1_g1 else manual[:-1]:
            if group != org.a2_g1:
                score(group, item)
    items = _items(login(township_staff).get(t_url))
    assert items["scores_to_enter"].count == 1  # one group still lacks an item of the quarter
    score(org.a1_g1, manual[-1])
    scoring.spot_check_follow_up(check=check, rectified_on=today, follow_up="已补齐", acting_user=township_staff)
    items = _items(login(township_staff).get(t_url))
    assert items["scores_to_enter"].count == 0
    assert items["scores_to_enter"].text == f"{last_day.year}年第{quarter}季度的评分都已录入"
    assert items["rectifications_due"].count == 0 and items["rectifications_due"].text == "没有到期的整改通知"


# --- month pages link to the months beside them; the county's rows to each township --------------------------------


def test_the_leader_and_secretary_month_pages_link_to_the_month_before_and_after(
    org, group_leader, secretary_a1, county_viewer, login
):
    cur = clock.this_month()
    prev, before = periods.previous_month(cur), periods.add_months(cur, -2)
    report = lambda m: reverse("activity:report", args=[org.a1_g1.pk, m])  # noqa: E731
    village = lambda m: reverse("activity:village-month", args=[org.a1.pk, m])  # noqa: E731
    html = _leader_home(login(group_leader))[2]
    assert f'href="{report(prev)}"' in html and "尚未设立考核年度" not in html
    html = login(group_leader).get(report(prev)).content.decode()
    assert f'href="{report(before)}"' in html and f'href="{report(cur)}"' in html
    html = login(secretary_a1).get(village(prev)).content.decode()
    assert f'href="{village(before)}"' in html and f'href="{village(cur)}"' in html

    html = login(county_viewer).get(reverse("county", args=[org.county.pk])).content.decode()
    for township in (org.ta, org.tb):
        assert f'href="{reverse("township", args=[township.pk])}"' in html
