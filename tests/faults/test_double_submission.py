"""Every form that writes carries a one-time key: the same form sent twice (a double click, a browser retry, a
resubmit after the error page) writes once, and the second answer is the first result with "已保存，未重复登记".
Runs on SQLite and PostgreSQL; the race between two workers is PostgreSQL's (tests/faults/test_connection_faults.py).
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from activity.models import Activity, Concern, MonthlyReport
from appraisal.awards.services import award_decide
from appraisal.models import AppraisalYear
from audit.models import SecurityEvent, Submission
from groups.models import FundEntry, MeetingDecision
from members.models import PartyMember
from tests.activity.test_concern_views import new_concern_data
from tests.activity.test_report_views import activity_data
from tests.appraisal.test_award_views import year  # noqa: F401 - the fixture
from tests.faults.helpers import REPEATED, issued_key, new_key
from tests.groups.test_ledger_views import decision_data, entry_data
from tests.members.test_import import roster, row, upload

Action = SecurityEvent.Action


def text(response) -> str:
    return response.content.decode()


def test_every_form_that_writes_is_issued_a_fresh_key(org, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("funds:entry-new", args=[org.a1_vgs[0].pk])
    first, second = issued_key(text(client.get(url))), issued_key(text(client.get(url)))
    assert first != second


def test_a_fund_posting_sent_twice_is_saved_once_and_the_second_answer_says_so(org, secretary_a1, login):
    vg = org.a1_vgs[0]
    client = login(secretary_a1)
    url = reverse("funds:entry-new", args=[vg.pk])
    data = entry_data(amount="800", submission_key=issued_key(text(client.get(url))))
    first = client.post(url, data)
    assert first.status_code == 302
    assert "余额" in text(client.get(first["Location"], follow=True))
    second = client.post(url, data, follow=True)
    assert REPEATED in text(second)
    assert FundEntry.objects.filter(villager_group=vg).count() == 1
    assert FundEntry.history.filter(villager_group=vg).count() == 1
    vg.refresh_from_db()
    assert vg.fund_balance == 800


def test_a_form_shown_again_after_an_error_can_be_sent_with_its_new_key(org, secretary_a1, login):
    vg = org.a1_vgs[0]
    client = login(secretary_a1)
    url = reverse("funds:entry-new", args=[vg.pk])
    refused = client.post(url, entry_data(amount="-5", submission_key=new_key()))
    assert refused.status_code == 200 and not Submission.objects.exists()
    assert client.post(url, entry_data(amount="5", submission_key=issued_key(text(refused)))).status_code == 302
    assert FundEntry.objects.filter(villager_group=vg).count() == 1


def test_a_reversal_and_a_meeting_decision_sent_twice_are_saved_once(org, secretary_a1, login):
    vg = org.a1_vgs[0]
    client = login(secretary_a1)
    client.post(reverse("funds:entry-new", args=[vg.pk]), entry_data(amount="800"))
    entry = FundEntry.objects.get(villager_group=vg)
    reverse_url = reverse("funds:entry-reverse", args=[entry.pk])
    data = {"entry_date": "2025-04-02", "reason": "记错了", "submission_key": new_key()}
    client.post(reverse_url, data)
    assert REPEATED in text(client.post(reverse_url, data, follow=True))
    assert FundEntry.objects.filter(villager_group=vg).count() == 2
    decision_url = reverse("funds:decision-new", args=[vg.pk])
    data = decision_data(submission_key=new_key())
    client.post(decision_url, data)
    assert REPEATED in text(client.post(decision_url, data, follow=True))
    assert MeetingDecision.objects.filter(villager_group=vg).count() == 1


def test_an_activity_and_a_report_submission_sent_twice_are_saved_once(org, secretary_a1, login):
    group, month = org.a1_g1, datetime.date(2027, 6, 1)
    client = login(secretary_a1)
    add = reverse("activity:activity-new", kwargs={"group_pk": group.pk, "month": month})
    form = client.get(add)
    data = activity_data(0, datetime.date(2027, 6, 10), participants=org.a1_g1_members[:2])
    data["submission_key"] = issued_key(text(form))
    assert client.post(add, data).status_code == 302
    second = client.post(add, data, follow=True)
    assert REPEATED in text(second)
    assert Activity.objects.filter(report__party_group=group).count() == 1
    report = MonthlyReport.objects.get(party_group=group, month=month)
    submit = reverse("activity:report-action", kwargs={"group_pk": group.pk, "month": month, "action": "submit"})
    data = {"version": report.version, "summary": "本月开展学习", "submission_key": new_key()}
    assert client.post(submit, data).status_code == 302
    second = client.post(submit, data, follow=True)
    assert REPEATED in text(second) and "已被他人修改" not in text(second)
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.SUBMITTED


def test_the_same_form_shown_again_by_the_back_button_repeats_only_when_it_says_the_same(org, secretary_a1, login):
    """Back to a saved form, the browser gives it back its key and the typed values (static/js/submit-once.js), but
    the page itself is new: another CSRF mask and the report's version as its save left it. Sent again as it was, it
    is the same submission; with a value changed (the next activity typed over the last), it is a new one."""
    group, month = org.a1_g1, datetime.date(2027, 6, 1)
    client = login(secretary_a1)
    add = reverse("activity:activity-new", kwargs={"group_pk": group.pk, "month": month})
    key = issued_key(text(client.get(add)))
    data = activity_data(0, datetime.date(2027, 6, 10), participants=org.a1_g1_members[:2]) | {"submission_key": key}
    assert client.post(add, data).status_code == 302
    report = MonthlyReport.objects.get(party_group=group, month=month)
    shown_again = data | {"version": str(report.version), "csrfmiddlewaretoken": "another-mask"}
    again = client.post(add, shown_again, follow=True)
    assert REPEATED in text(again)
    assert list(Activity.objects.filter(report=report).values_list("content", flat=True)) == ["走访了三户困难户"]
    changed = shown_again | {"content": "走访了两户独居老人"}
    assert client.post(add, changed).status_code == 302
    assert sorted(Activity.objects.filter(report=report).values_list("content", flat=True)) == [
        "走访了三户困难户",
        "走访了两户独居老人",
    ]
    twice = client.post(add, changed, follow=True)  # and that one, sent twice, is saved once
    assert REPEATED in text(twice)
    assert Activity.objects.filter(report=report).count() == 2
    assert Submission.objects.count() == 2


def test_deciding_a_year_twice_decides_it_once(org, year, township_staff, login):  # noqa: F811
    client = login(township_staff)
    award_decide(year=year, awards=[year.a1_award], acting_user=township_staff)
    url = reverse("awards:lock", args=[year.pk])
    data = {"submission_key": new_key()}
    assert client.post(url, data).status_code == 302
    second = client.post(url, data, follow=True)
    assert REPEATED in text(second)
    year.refresh_from_db()
    assert year.state == AppraisalYear.State.DECIDED
    assert SecurityEvent.objects.filter(action=Action.YEAR_DECIDED).count() == 1


def test_a_concern_sent_twice_is_recorded_once(org, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("concerns:new")
    key = issued_key(text(client.get(url)))
    data = new_concern_data(org.a1_vgs[0], org.a1_g1_members[0], submission_key=key)
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors
    assert REPEATED in text(client.post(url, data, follow=True))
    assert Concern.objects.count() == 1


def test_a_roster_confirmed_twice_is_imported_once_with_one_import_event(org, secretary_a1, login, media):
    from groups.roster.views import SESSION_KEY

    client = login(secretary_a1)
    upload(client, roster([row()]))
    data = {"token": client.session[SESSION_KEY]["token"], "confirm": "", "submission_key": new_key()}
    assert client.post(reverse("roster:import-confirm"), data).status_code == 302
    second = client.post(reverse("roster:import-confirm"), data, follow=True)
    assert REPEATED in text(second)
    assert PartyMember.objects.filter(name="王新").count() == 1
    assert SecurityEvent.objects.filter(action=Action.IMPORT).count() == 1


def test_another_persons_key_is_refused(org, secretary_a1, township_staff, login):
    vg = org.a1_vgs[0]
    data = entry_data(amount="800", submission_key=new_key())
    login(secretary_a1).post(reverse("funds:entry-new", args=[vg.pk]), data)
    assert login(township_staff).post(reverse("funds:entry-new", args=[vg.pk]), data).status_code == 403
    assert FundEntry.objects.filter(villager_group=vg).count() == 1
