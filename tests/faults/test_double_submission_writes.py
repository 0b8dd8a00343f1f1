"""The project, election, scoring and month-closing forms keep their one-time key too: the same form sent twice
saves once, and the second answer is the first result with "已保存，未重复登记" — never an error such as "this year is
already open" for a write that did happen."""

from __future__ import annotations

from django.urls import reverse

from activity.models import MonthlyReport, Project
from appraisal.models import AppraisalYear, BranchAppraisal, GroupScore, RubricItem, SpotCheck
from audit.models import Submission
from groups.models import LeaderElection
from members.models import AnnualReview
from tests.activity.test_month_close import LAST, _submit
from tests.activity.test_projects import form_data
from tests.appraisal.test_scoring_views import YEAR, ay, check_data, grades_post  # noqa: F401 - the fixture
from tests.faults.helpers import REPEATED, issued_key, new_key
from tests.test_views import election_data

Source = RubricItem.Source


def text(response) -> str:
    return response.content.decode()


def twice(client, url, data, *, form_url=None, key=None):
    """Post `data` with the key of the form as shown (or `key`), twice; the first answer and the second (followed)."""
    data = {**data, "submission_key": key or issued_key(text(client.get(form_url or url)))}
    first = client.post(url, data)
    assert first.status_code == 302, getattr(first, "context", None) and first.context.get("form").errors
    second = client.post(url, data, follow=True)
    assert second.status_code == 200
    assert REPEATED in text(second)
    return first, second


def test_a_project_sent_twice_is_saved_once(org, secretary_a1, login):
    client = login(secretary_a1)
    first, _ = twice(client, reverse("projects:new"), form_data(org.a1_vgs[3]))
    project = Project.objects.get(name="嘉陵江边碎石厂")
    assert first["Location"] == reverse("projects:detail", args=[project.pk])
    assert Project.objects.count() == 1 and project.history.count() == 1
    edit = reverse("projects:edit", args=[project.pk])
    twice(client, edit, form_data(org.a1_vgs[3], local_jobs="9"))
    project.refresh_from_db()
    assert project.local_jobs == 9 and project.history.count() == 2


def test_an_election_sent_twice_is_recorded_once(org, secretary_a1, login):
    client = login(secretary_a1)
    group = org.a1_g1
    leader, deputy = org.a1_g1_members[1], org.a1_g1_members[2]
    data = election_data(client, group, present=4, votes={leader: ("leader", 4), deputy: ("deputy", 3)})
    before = LeaderElection.objects.filter(party_group=group).count()
    first, second = twice(client, reverse("groups:election-new", args=[group.pk]), data)
    assert first["Location"] == reverse("groups:party-group", args=[group.pk])
    assert LeaderElection.objects.filter(party_group=group).count() == before + 1
    assert "已被" not in text(second) and "errorlist" not in text(second)


def test_a_manual_score_a_spot_check_and_a_follow_up_sent_twice_are_saved_once(org, ay, township_staff, login):  # noqa: F811
    client = login(township_staff)
    manual = ay.rubric.get(source=Source.MANUAL)
    score_url = reverse("appraisal:score-enter", args=[ay.pk, org.a1_g1.pk])
    twice(client, score_url, {"quarter": "2", "item": str(manual.pk), "points": "7.5", "evidence": "走访8户"})
    score = GroupScore.objects.get(year=ay, quarter=2, item=manual, party_group=org.a1_g1)
    assert score.history.count() == 1

    checks = SpotCheck.objects.count()
    data = check_data(org, rectification="按月召开党小组会", rectify_by=f"{YEAR}-08-01")
    twice(client, reverse("appraisal:spot-check-new", args=[ay.pk]), data)
    assert SpotCheck.objects.count() == checks + 1

    check_url = reverse("appraisal:spot-check", args=[ay.check.pk])
    follow_up = reverse("appraisal:spot-check-follow-up", args=[ay.check.pk])
    twice(client, follow_up, {"follow_up": "已补齐记录", "rectified_on": f"{YEAR}-06-10"}, form_url=check_url)
    assert ay.check.history.count() == 2  # recorded, then followed up once


def test_computing_refreshing_and_a_branch_row_sent_twice_write_once(org, ay, township_staff, login):  # noqa: F811
    client = login(township_staff)
    scores_url = reverse("appraisal:scores", args=[ay.pk])
    twice(client, reverse("appraisal:compute", args=[ay.pk]), {"quarter": "2"}, form_url=scores_url)
    assert GroupScore.objects.filter(year=ay, quarter=2).exists()

    branch_url = reverse("appraisal:branch-enter", args=[ay.pk, org.a1.pk])
    twice(client, branch_url, {"township_points": "88", "notes": "复核"})
    row = BranchAppraisal.objects.get(year=ay, village=org.a1)
    assert row.history.count() == 2  # entered by the fixture, changed once here

    twice(client, reverse("appraisal:branches-refresh", args=[ay.pk]), {}, key=new_key())  # the button shows when stale


def test_opening_a_year_twice_opens_it_once_and_does_not_answer_already_open(org, township_staff, login):
    client = login(township_staff)
    index = reverse("appraisal:index")
    first, second = twice(client, reverse("appraisal:year-new"), {"year": str(YEAR)}, form_url=index)
    year = AppraisalYear.objects.get(township=org.ta, year=YEAR)
    assert first["Location"] == reverse("appraisal:year", args=[year.pk])
    assert "errorlist" not in text(second)


def test_the_grades_sent_twice_are_saved_once(org, ay, secretary_a1, login):  # noqa: F811
    client = login(secretary_a1)
    twice(client, reverse("appraisal:village-reviews", args=[ay.pk, org.a1.pk]), grades_post(org, 3))
    assert AnnualReview.objects.filter(year=YEAR, member__village=org.a1).count() == 9
    assert AnnualReview.history.filter(year=YEAR, member__village=org.a1).count() == 9


def test_closing_a_month_twice_closes_it_once(org, secretary_a1, login):
    _submit(org.a1_g1)
    client = login(secretary_a1)
    url = reverse("activity:village-month-close", args=[org.a1.pk, LAST])
    twice(client, url, {"reason": "三四社党小组长住院，下月补报"})
    assert MonthlyReport.objects.get(party_group=org.a1_g1, month=LAST).status == "closed"
    assert Submission.objects.count() == 1


def test_withdrawing_a_report_twice_withdraws_it_once_and_does_not_answer_not_submitted(org, secretary_a1, login):
    """Before: the withdraw form carried a key its view never stored, so a double click answered the second post
    with the service's refusal (the report is no longer submitted) for a withdrawal that did happen."""
    from activity.reports import services
    from audit.models import SecurityEvent
    from tests.activity.test_report_withdraw import LAST as MONTH
    from tests.activity.test_report_withdraw import _report_with_activity

    report, _ = _report_with_activity(org.a1_g1, secretary_a1)
    services.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    client = login(secretary_a1)
    url = reverse("activity:report-withdraw", args=[org.a1_g1.pk, MONTH])
    _, second = twice(client, url, {"reason": "活动日期填错，需更正"})
    assert "errorlist" not in text(second)
    assert MonthlyReport.objects.get(pk=report.pk).status == "draft"
    assert SecurityEvent.objects.filter(action="report_withdrawn").count() == 1
