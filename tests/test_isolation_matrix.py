"""The isolation matrix: every branch URL, asked for another village's objects, answers 404 and changes nothing.

Every URL pattern of the app (admin and login pages aside) must be listed below, either as an object URL with a way
to build it for village A1 (罗紫村) or as a list/form URL; a new URL without an entry fails
`test_every_url_is_in_the_matrix`, so isolation is decided for each page when it is added.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activity.concerns.services import concern_record
from activity.models import Concern, Project
from activity.reports.services import activity_save, report_for
from appraisal.awards.services import award_decide, award_nominate, recommend_to_county, year_start_nominating
from appraisal.scoring.services import appraisal_year_open, spot_check_record
from audit.jobs import job_start
from core import clock, periods
from dues.services import assessment_set, payment_record, remittance_record
from groups.ledger.services import decision_record, fund_entry_post
from groups.roster.jobs import ROSTER
from members.away.services import away_record
from members.models import AnnualReview
from orglife.committee.services import committee_seat_add
from orglife.meetings.services import Mark, meeting_record, vote_record
from orglife.posts.services import duty_credit, post_assign, post_define
from orglife.visits.services import contact_point_assign, visit_record

TODAY = clock.today()
MONTH = periods.add_months(periods.month_of(TODAY), -2)  # a past month, open for editing

# name → (how to build the URL from the A1 objects)
OBJECT_URLS = {
    # a roster made as a job by A1's secretary: only theirs (tests/audit/test_jobs.py)
    "jobs:job": lambda o: reverse("jobs:job", args=[o.job.pk]),
    "jobs:download": lambda o: reverse("jobs:download", args=[o.job.pk]),
    "jobs:retry": lambda o: reverse("jobs:retry", args=[o.job.pk]),
    "village": lambda o: reverse("village", args=[o.org.a1.pk]),
    "township": lambda o: reverse("township", args=[o.org.ta.pk]),
    "county": lambda o: reverse("county", args=[o.org.county.pk]),
    "groups:party-group": lambda o: reverse("groups:party-group", args=[o.org.a1_g1.pk]),
    "groups:election-new": lambda o: reverse("groups:election-new", args=[o.org.a1_g1.pk]),
    "activity:village-month": lambda o: reverse("activity:village-month", args=[o.org.a1.pk, MONTH]),
    "activity:report": lambda o: reverse("activity:report", args=[o.org.a1_g1.pk, MONTH]),
    "activity:village-month-close": lambda o: reverse("activity:village-month-close", args=[o.org.a1.pk, MONTH]),
    "activity:township-month-close": lambda o: reverse("activity:township-month-close", args=[o.org.ta.pk, MONTH]),
    "activity:activity-new": lambda o: reverse("activity:activity-new", args=[o.org.a1_g1.pk, MONTH]),
    "activity:report-reopen": lambda o: reverse("activity:report-reopen", args=[o.org.a1_g1.pk, MONTH]),
    "activity:report-withdraw": lambda o: reverse("activity:report-withdraw", args=[o.org.a1_g1.pk, MONTH]),
    "activity:report-action": lambda o: reverse("activity:report-action", args=[o.org.a1_g1.pk, MONTH, "submit"]),
    "activity:activity-edit": lambda o: reverse("activity:activity-edit", args=[o.activity.pk]),
    "activity:activity-delete": lambda o: reverse("activity:activity-delete", args=[o.activity.pk]),
    "concerns:detail": lambda o: reverse("concerns:detail", args=[o.concern.pk]),
    "concerns:relay": lambda o: reverse("concerns:relay", args=[o.concern.pk]),
    "concerns:answer": lambda o: reverse("concerns:answer", args=[o.concern.pk]),
    "projects:detail": lambda o: reverse("projects:detail", args=[o.project.pk]),
    "projects:edit": lambda o: reverse("projects:edit", args=[o.project.pk]),
    "funds:ledger": lambda o: reverse("funds:ledger", args=[o.vg.pk]),
    "funds:entry-new": lambda o: reverse("funds:entry-new", args=[o.vg.pk]),
    "funds:decision-new": lambda o: reverse("funds:decision-new", args=[o.vg.pk]),
    "funds:disclosure": lambda o: reverse("funds:disclosure", args=[o.vg.pk]),
    "funds:disclosure-xlsx": lambda o: reverse("funds:disclosure-xlsx", args=[o.vg.pk]),
    "funds:entry": lambda o: reverse("funds:entry", args=[o.entry.pk]),
    "funds:entry-reverse": lambda o: reverse("funds:entry-reverse", args=[o.entry.pk]),
    "appraisal:group": lambda o: reverse("appraisal:group", args=[o.year.pk, o.org.a1_g1.pk]),
    "appraisal:quarter": lambda o: reverse("appraisal:quarter", args=[o.year.pk, o.org.a1_g1.pk, 1]),
    "appraisal:score-enter": lambda o: reverse("appraisal:score-enter", args=[o.year.pk, o.org.a1_g1.pk]),
    "appraisal:spot-check": lambda o: reverse("appraisal:spot-check", args=[o.spot_check.pk]),
    "appraisal:spot-check-follow-up": lambda o: reverse("appraisal:spot-check-follow-up", args=[o.spot_check.pk]),
    "appraisal:village-reviews": lambda o: reverse("appraisal:village-reviews", args=[o.year.pk, o.org.a1.pk]),
    "appraisal:branch-enter": lambda o: reverse("appraisal:branch-enter", args=[o.year.pk, o.org.a1.pk]),
    "awards:withdraw": lambda o: reverse("awards:withdraw", args=[o.award.pk]),
    "awards:reserve-remove": lambda o: reverse("awards:reserve-remove", args=[o.recommendation.pk]),
    "awards:nominate": lambda o: (
        reverse("awards:nominate", args=[o.year.pk]) + f"?kind=advanced_group&target={o.org.a1_g1.pk}"
    ),
    "reports:award-report": lambda o: reverse("reports:award-report", args=[o.year.pk]),  # the township's report
    "reports:award-report-job": lambda o: reverse("reports:award-report-job", args=[o.year.pk]),
    "dues:book": lambda o: reverse("dues:book", args=[o.org.a1.pk, MONTH.year]),
    "dues:register-xlsx": lambda o: reverse("dues:register-xlsx", args=[o.org.a1.pk, MONTH.year]),
    "dues:assessments": lambda o: reverse("dues:assessments", args=[o.org.a1.pk, MONTH.year]),
    "dues:assess": lambda o: reverse("dues:assess", args=[o.org.a1_g1_members[0].pk, MONTH.year]),
    "dues:payment-new": lambda o: reverse("dues:payment-new", args=[o.org.a1.pk]),
    "dues:payment": lambda o: reverse("dues:payment", args=[o.dues_payment.pk]),
    "dues:payment-reverse": lambda o: reverse("dues:payment-reverse", args=[o.dues_payment.pk]),
    "dues:arrears": lambda o: reverse("dues:arrears", args=[o.org.a1.pk]),
    "dues:arrears-xlsx": lambda o: reverse("dues:arrears-xlsx", args=[o.org.a1.pk]),
    "dues:remittances": lambda o: reverse("dues:remittances", args=[o.org.a1.pk]),
    "dues:receive": lambda o: reverse("dues:receive", args=[o.dues_remittance.pk]),
    "orglife:village": lambda o: reverse("orglife:village", args=[o.org.a1.pk, MONTH.year]),
    "orglife:record-book": lambda o: reverse("orglife:record-book", args=[o.org.a1.pk, MONTH.year]),
    "orglife:meeting-new": lambda o: reverse("orglife:meeting-new", args=[o.org.a1.pk, "assembly"]),
    "orglife:group-meeting-new": lambda o: reverse("orglife:group-meeting-new", args=[o.org.a1_g1.pk, MONTH]),
    "orglife:members": lambda o: reverse("orglife:members", args=[o.org.a1.pk]),
    "orglife:meeting": lambda o: reverse("orglife:meeting", args=[o.meeting.pk]),
    "orglife:vote-new": lambda o: reverse("orglife:vote-new", args=[o.meeting.pk]),
    "orglife:meeting-edit": lambda o: reverse("orglife:meeting-edit", args=[o.meeting.pk]),
    "orglife:meeting-delete": lambda o: reverse("orglife:meeting-delete", args=[o.meeting.pk]),
    "orglife:committee": lambda o: reverse("orglife:committee", args=[o.org.a1.pk]),
    "orglife:committee-seat-end": lambda o: reverse("orglife:committee-seat-end", args=[o.committee_seat.pk]),
    "orglife:county": lambda o: reverse("orglife:county", args=[o.org.county.pk, MONTH.year]),
    "standing:village": lambda o: reverse("standing:village", args=[o.org.a1.pk]),
    "standing:member": lambda o: reverse("standing:member", args=[o.org.a1_g1_members[0].pk]),
    "standing:record": lambda o: reverse("standing:record", args=[o.org.a1_g1_members[0].pk]),
    "standing:away-new": lambda o: reverse("standing:away-new", args=[o.org.a1_g1_members[1].pk]),
    "standing:away-return": lambda o: reverse("standing:away-return", args=[o.away.pk]),
    "standing:contact": lambda o: reverse("standing:contact", args=[o.away.pk]),
    "standing:handling": lambda o: reverse("standing:handling", args=[o.unqualified.pk]),
    # the township's overview: another township's staff and every branch secretary get 404 (a branch has its own)
    "standing:township": lambda o: reverse("standing:township", args=[o.org.ta.pk]),
    "standing:township-away-xlsx": lambda o: reverse("standing:township-away-xlsx", args=[o.org.ta.pk]),
    "groups:appointment-new": lambda o: reverse("groups:appointment-new", args=[o.org.a1_g1.pk]),
    "orglife:visit-detail": lambda o: reverse("orglife:visit-detail", args=[o.visit.pk]),
    "orglife:visit-problem-follow-up": lambda o: reverse("orglife:visit-problem-follow-up", args=[o.visit_problem.pk]),
    "orglife:visit-problem-concern": lambda o: reverse("orglife:visit-problem-concern", args=[o.visit_problem.pk]),
    "orglife:visit-point-end": lambda o: reverse("orglife:visit-point-end", args=[o.contact_point.pk]),
    "orglife:post-village": lambda o: reverse("orglife:post-village", args=[o.org.a1.pk]),
    "orglife:post-detail": lambda o: reverse("orglife:post-detail", args=[o.duty_post.pk]),
    "orglife:post-assignment-end": lambda o: reverse("orglife:post-assignment-end", args=[o.duty_assignment.pk]),
    "orglife:post-credit": lambda o: reverse("orglife:post-credit", args=[o.duty_assignment.pk]),
    "orglife:post-member": lambda o: reverse("orglife:post-member", args=[o.org.a1_g1_members[1].pk]),
    "dues:remittance-reverse": lambda o: reverse("dues:remittance-reverse", args=[o.dues_remittance.pk]),
    "dues:group": lambda o: reverse("dues:group", args=[o.org.a1_g1.pk]),
    "dues:group-pay": lambda o: reverse("dues:group-pay", args=[o.org.a1_g1.pk]),
}
# A township's dues summary: another township's staff get 404; a secretary of the same township sees only their own
# village on it, never village A1's.
TOWNSHIP_URLS = {
    "dues:township": lambda o: reverse("dues:township", args=[o.org.ta.pk, MONTH.year]),
    "dues:township-xlsx": lambda o: reverse("dues:township-xlsx", args=[o.org.ta.pk, MONTH.year]),
    "orglife:township": lambda o: reverse("orglife:township", args=[o.org.ta.pk, MONTH.year]),
    "orglife:township-xlsx": lambda o: reverse("orglife:township-xlsx", args=[o.org.ta.pk, MONTH.year]),
    "orglife:themes": lambda o: reverse("orglife:themes", args=[o.org.ta.pk]),
}
# A township's appraisal year as a whole: another township's staff get 404; a secretary of the same township
# sees only their own village on it (or 403 on the township's own steps), never village A1's data.
YEAR_URLS = {
    name: (lambda n: lambda o: reverse(n, args=[o.year.pk]))(name)
    for name in (
        "appraisal:year",
        "appraisal:scores",
        "appraisal:scores-xlsx",
        "appraisal:compute",
        "appraisal:spot-checks",
        "appraisal:spot-check-new",
        "appraisal:spot-check-draw",
        "appraisal:reviews",
        "appraisal:branches",
        "appraisal:branches-xlsx",
        "appraisal:branches-refresh",
        "awards:year",
        "awards:decide",
        "awards:lock",
        "awards:reopen",
        "awards:review",
        "awards:reserve",
        "awards:recommend",
        "awards:start-nominating",
    )
}
# The township's organisational-life settings: the township's own step (a secretary of the same township gets 403).
YEAR_URLS["orglife:settings"] = lambda o: reverse("orglife:settings", args=[o.org.ta.pk])
# The township's dues settings answer as a year does: another township's staff 404, a branch 403.
YEAR_URLS |= {
    "dues:settings": lambda o: reverse("dues:settings", args=[o.org.ta.pk]),
    "dues:settings-new": lambda o: reverse("dues:settings-new", args=[o.org.ta.pk]),
}
# Pages without an object in the URL: each shows only the person's own reach (checked below by name).
LIST_URLS = {
    "home",
    "concerns:list",
    "concerns:new",
    "projects:list",
    "projects:new",
    "funds:index",
    "appraisal:index",
    "appraisal:year-new",
    "awards:index",
    "awards:county",
    "roster:import",
    "roster:import-template",
    "roster:import-preview",
    "roster:import-confirm",
    "roster:roster",
    "roster:national",
    "roster:roster-job",
    "roster:national-job",
    "dues:index",
    "orglife:index",
    "orglife:visit-index",
    "orglife:visit-new",
    "orglife:visit-points",
}
NOT_SCOPED = {"login", "logout", "password_change", "password_change_done"}
NOT_SCOPED |= {"help"}  # the same Chinese help for everyone of a role: no place's data on it
NOT_SCOPED |= {"accounts:otp-verify", "accounts:otp-setup", "accounts:recovery-codes"}  # one's own login only
NOT_SCOPED |= {"accounts:unlock", "accounts:recovery-codes-new"}  # one's own lockout and recovery codes
# The audit trail: the auditor's and the superuser's only, 404 to everyone else (tests/audit/test_audit_page.py).
AUDIT_URLS = {"audit:events", "audit:changes", "audit:events-xlsx"}
NOT_SCOPED |= AUDIT_URLS

# A POST that would change something on any of these pages if it got through.
PAYLOAD = {
    "version": "1",
    "reason": "越权修改测试",
    "summary": "越权",
    "kind": "visit",
    "held_on": MONTH.isoformat(),
    "content": "越权写入",
    "to": "township",
    "due_on": TODAY.isoformat(),
    "answer": "越权答复",
    "answered_by": "外人",
    "resolved_on": TODAY.isoformat(),
    "direction": "expense",
    "amount": "10",
    "category": "other",
    "purpose": "越权",
    "entry_date": TODAY.isoformat(),
    "name": "越权项目",
    "started_on": TODAY.isoformat(),
    "members_present": "1",
    "member": "1",
    "first_month": MONTH.isoformat(),
    "last_month": MONTH.isoformat(),
    "months": "1",
    "paid_on": TODAY.isoformat(),
    "received_by": "外人",
    "period_start": MONTH.isoformat(),
    "remitted_on": TODAY.isoformat(),
    "received_on": TODAY.isoformat(),
    "on": TODAY.isoformat(),
    "how": "phone",
    "what": "越权联系",
    "measure": "correct",
    "decided_on": TODAY.isoformat(),
    "deadline": (TODAY + datetime.timedelta(days=90)).isoformat(),
    "decision": "越权",
    "province": "四川省",
    "city": "成都市",
    "workplace": "越权",
    "since": TODAY.isoformat(),
    "returned_on": TODAY.isoformat(),
    "topic": "越权修改会议",
    "study_hours": "1",
    "post": "member",
    "ended_on": TODAY.isoformat(),
}
SECRET = ("罗紫机耕道", "罗紫一二社党小组", "罗紫党员1", "罗紫河堰", "罗紫会议记录不全")


def page_text(response) -> str:
    """What a person would read: the HTML, or every cell of a downloaded workbook."""
    if "spreadsheetml" in response.get("Content-Type", ""):
        from openpyxl import load_workbook

        body = b"".join(response.streaming_content) if response.streaming else response.content
        book = load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    return response.content.decode()


def _all_url_names():
    def walk(patterns, ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern):
                yield f"{ns}:{p.name}" if ns else p.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_is_in_the_matrix():
    missing = _all_url_names() - set(OBJECT_URLS) - set(YEAR_URLS) - set(TOWNSHIP_URLS) - LIST_URLS - NOT_SCOPED
    assert not missing, f"add these URLs to the isolation matrix: {sorted(missing)}"


@pytest.fixture
def a1(org, secretary_a1, township_staff):
    """Objects of every kind in village A1, made through the services as its secretary would."""

    class Objects:
        pass

    o = Objects()
    o.org = org
    o.vg = org.a1_vgs[0]
    report = report_for(party_group=org.a1_g1, month=MONTH, acting_user=secretary_a1)
    o.activity = activity_save(
        report=report,
        version=report.version,
        acting_user=secretary_a1,
        kind="visit",
        held_on=MONTH + datetime.timedelta(days=3),
        content="罗紫机耕道维修的党小组会",
        participants=org.a1_g1_members[:2],
    )
    o.concern = concern_record(
        villager_group=o.vg,
        raised_through=org.a1_g1_members[0],
        raised_on=TODAY - datetime.timedelta(days=3),
        category=Concern.Category.INFRASTRUCTURE,
        content="罗紫机耕道垮塌",
        handling=Concern.Handling.BRANCH,
        acting_user=secretary_a1,
    )
    o.entry = fund_entry_post(
        villager_group=o.vg,
        entry_date=TODAY - datetime.timedelta(days=2),
        direction="income",
        amount=Decimal("500.00"),
        category="subsidy",
        purpose="罗紫河堰补助",
        acting_user=secretary_a1,
    )
    decision_record(
        villager_group=o.vg,
        held_on=TODAY - datetime.timedelta(days=5),
        subject="罗紫河堰维修",
        basis="households",
        entitled=30,
        present=25,
        votes_for=20,
        acting_user=secretary_a1,
    )
    o.project = Project.objects.create(
        village=org.a1, villager_group=o.vg, party_group=org.a1_g1, name="罗紫河堰整治", started_on=TODAY
    )
    o.year = appraisal_year_open(township=org.ta, year=TODAY.year - 1, acting_user=None)
    o.job = job_start(user=secretary_a1, kind=ROSTER)
    o.spot_check = spot_check_record(
        year=o.year,
        party_group=org.a1_g1,
        checked_on=datetime.date(TODAY.year - 1, 5, 20),
        checked_by="组织委员",
        by_visit=True,
        findings="罗紫会议记录不全",
        rating="poor",
        points=Decimal("60"),
        rectification="补齐会议记录",
        rectify_by=datetime.date(TODAY.year - 1, 6, 20),
        acting_user=None,
    )
    year_start_nominating(year=o.year, acting_user=None)
    o.award = award_nominate(
        year=o.year, kind="advanced_group", party_group=org.a1_g1, reason="先进", acting_user=secretary_a1
    )
    AnnualReview.objects.create(member=org.a1_g1_members[0], year=o.year.year, grade="excellent")
    best = award_nominate(
        year=o.year, kind="excellent_member", member=org.a1_g1_members[0], reason="优秀", acting_user=secretary_a1
    )
    award_decide(year=o.year, awards=[best], acting_user=None)
    o.recommendation = recommend_to_county(year=o.year, member=org.a1_g1_members[0], reason="推荐", acting_user=None)
    member = org.a1_g1_members[0]
    assessment_set(member=member, year=MONTH.year, category="employed", base=Decimal("4000"), acting_user=secretary_a1)
    o.dues_payment = payment_record(
        village=org.a1,
        member=member,
        first_month=MONTH,
        amount=Decimal("40"),
        paid_on=MONTH + datetime.timedelta(days=5),
        received_by="罗紫党员1",
        acting_user=secretary_a1,
    )
    o.dues_remittance = remittance_record(
        village=org.a1, period_start=MONTH, remitted_on=MONTH + datetime.timedelta(days=40), acting_user=secretary_a1
    )
    o.committee_seat = committee_seat_add(
        village=org.a1, member=org.a1_g1_members[0], post="secretary", started_on=MONTH, acting_user=secretary_a1
    )
    o.meeting = meeting_record(
        village=org.a1,
        kind="assembly",
        held_on=MONTH + datetime.timedelta(days=6),
        topic="罗紫会议记录不全的整改",
        marks=[Mark(member=m, presence="present") for m in org.a1_g1_members],
        acting_user=secretary_a1,
    )
    vote_record(meeting=o.meeting, subject="罗紫河堰维修", votes_for=5, votes_against=0, abstaining=0, acting_user=None)
    o.away = away_record(
        member=org.a1_loose,
        province="四川省",
        city="成都市",
        workplace="罗紫外出务工工地",
        fixed_workplace=True,
        since=TODAY - datetime.timedelta(days=300),
        phone="13900001111",
        acting_user=secretary_a1,
    )
    o.unqualified = AnnualReview.objects.create(member=org.a1_g2_members[0], year=o.year.year, grade="unqualified")
    o.contact_point = contact_point_assign(member=township_staff, village=org.a1, started_on=MONTH, acting_user=None)
    o.visit = visit_record(
        visitor=township_staff,
        village=org.a1,
        party_groups=[org.a1_g1],
        visited_on=MONTH + datetime.timedelta(days=6),
        met="罗紫党员1和两户群众",
        learned="罗紫机耕道雨后垮塌",
        problems=["罗紫河堰渗水"],
        acting_user=township_staff,
    )
    o.visit_problem = o.visit.problems.get()
    o.duty_post = post_define(
        village=org.a1,
        kind="households",
        title="罗紫联系农户岗",
        households="张永志、杨秀兰",
        duties="每月走访联系户",
        acting_user=secretary_a1,
    )
    o.duty_assignment = post_assign(
        post=o.duty_post, member=org.a1_g1_members[1], started_on=MONTH, acting_user=secretary_a1
    )
    duty_credit(assignment=o.duty_assignment, activity=o.activity, note="罗紫机耕道", acting_user=secretary_a1)
    return o


# Bookkeeping, not data: a page keeping figures makes the visited villages' change-count row at their first visit
# (township.changes.counts): the award ranking does for the visitor's own village.
NOT_DATA = {"township.VillageChanges"}


def snapshot() -> dict:
    """Every row of the app's own tables (history included), to prove that nothing changed."""
    out = {}
    for label in ("township", "members", "groups", "activity", "appraisal", "dues", "orglife"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label not in NOT_DATA:
                out[model._meta.label] = sorted(map(str, model.objects.values_list()))
    return out


@pytest.mark.parametrize("name", sorted(TOWNSHIP_URLS))
def test_a_townships_dues_summary_shows_nothing_of_village_a1_to_outsiders(
    name, a1, secretary_a2, township_b_staff, login
):
    url = TOWNSHIP_URLS[name](a1)
    before = snapshot()
    assert login(township_b_staff).get(url).status_code == 404
    response = login(secretary_a2).get(url)
    assert response.status_code == 200
    assert "罗紫村" not in page_text(response)
    assert snapshot() == before


@pytest.fixture(params=["secretary_a2", "township_b_staff"])
def outsider(request, org):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_an_outsider_gets_404_and_changes_nothing(name, a1, outsider, login):
    client = login(outsider)
    url = OBJECT_URLS[name](a1)
    before = snapshot()
    get = client.get(url)
    assert get.status_code in (404, 405), f"GET {url} answered {get.status_code}"
    if get.status_code == 404:
        assert not any(s in page_text(get) for s in SECRET)
    post = client.post(url, PAYLOAD)
    assert post.status_code == 404, f"POST {url} answered {post.status_code}"
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(LIST_URLS))
def test_list_pages_show_nothing_of_another_village(name, a1, outsider, login):
    response = login(outsider).get(reverse(name), follow=True)
    assert response.status_code in (200, 405)  # 405: a POST-only step (confirming an import)
    page = page_text(response)
    assert not any(s in page for s in SECRET), f"{name} shows village A1's data to an outsider"


@pytest.mark.parametrize("name", sorted(YEAR_URLS))
def test_another_townships_staff_get_404_on_the_year_and_change_nothing(name, a1, township_b_staff, login):
    client = login(township_b_staff)
    url = YEAR_URLS[name](a1)
    before = snapshot()
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, PAYLOAD).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(YEAR_URLS))
def test_another_villages_secretary_sees_nothing_of_village_a1_on_the_year(name, a1, secretary_a2, login):
    client = login(secretary_a2)
    url = YEAR_URLS[name](a1)
    before = snapshot()
    response = client.get(url, follow=True)
    assert response.status_code in (200, 403, 405)
    assert not any(s in page_text(response) for s in SECRET)
    post = client.post(url, PAYLOAD)
    assert post.status_code in (200, 302, 403, 404, 405)
    assert not any(s in page_text(post) for s in SECRET)
    assert snapshot() == before


def test_the_matrix_would_see_a_leak(a1, secretary_a1, login):
    """The same URLs answer the village's own secretary: the 404s above are isolation, not broken pages."""
    client = login(secretary_a1)
    for name in ("activity:report", "concerns:detail", "funds:ledger", "projects:detail", "village"):
        response = client.get(OBJECT_URLS[name](a1))
        assert response.status_code == 200, name
        assert any(s in response.content.decode() for s in SECRET), name
