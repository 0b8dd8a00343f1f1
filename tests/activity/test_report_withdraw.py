"""A submitted report is final: nothing in it is changed or deleted; the branch withdraws it to draft with a reason
(logged). Deleting an activity asks first on its own page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity.models import Activity, MonthlyReport
from activity.reports import services
from audit.models import SecurityEvent
from core import clock, periods

LAST = periods.previous_month(clock.this_month())


def _report_with_activity(group, user):
    report = services.report_for(party_group=group, month=LAST, acting_user=user)
    activity = services.activity_save(
        report=report,
        version=report.version,
        acting_user=user,
        kind=Activity.Kind.POLICY,
        held_on=LAST.replace(day=3),
        content="宣传低保政策",
    )
    return MonthlyReport.objects.get(pk=report.pk), activity


def test_a_submitted_report_cannot_be_changed_or_its_activities_deleted(org, secretary_a1, login):
    report, activity = _report_with_activity(org.a1_g1, secretary_a1)
    report = services.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    with pytest.raises(ValidationError, match="已提交"):
        services.activity_delete(activity=activity, version=report.version, acting_user=secretary_a1)
    client = login(secretary_a1)
    page = client.get(reverse("activity:report", args=[org.a1_g1.pk, LAST])).content.decode()
    assert reverse("activity:activity-delete", args=[activity.pk]) not in page
    assert reverse("activity:report-withdraw", args=[org.a1_g1.pk, LAST]) in page
    client.post(reverse("activity:activity-delete", args=[activity.pk]), {"version": report.version})
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_the_secretary_withdraws_a_submitted_report_with_a_reason(org, secretary_a1, login):
    report, _activity = _report_with_activity(org.a1_g1, secretary_a1)
    services.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    client = login(secretary_a1)
    url = reverse("activity:report-withdraw", args=[org.a1_g1.pk, LAST])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and MonthlyReport.objects.get(pk=report.pk).status == "submitted"
    assert client.post(url, {"reason": "活动日期填错，需更正"}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.submitted_by) == ("draft", None)
    event = SecurityEvent.objects.get(action="report_withdrawn")
    assert event.detail["reason"] == "活动日期填错，需更正" and event.user == secretary_a1
    page = client.get(reverse("activity:report", args=[org.a1_g1.pk, LAST])).content.decode()
    assert "活动日期填错，需更正" in page


def test_deleting_an_activity_asks_first_on_its_own_page(org, secretary_a1, login):
    report, activity = _report_with_activity(org.a1_g1, secretary_a1)
    client = login(secretary_a1)
    url = reverse("activity:activity-delete", args=[activity.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "确定删除这项活动吗" in confirm.content.decode() and "宣传低保政策" in confirm.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert client.post(url, {"version": report.version}).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_a_report_submitted_by_an_import_shows_the_system_as_submitter(org, secretary_a1, login):
    report = services.report_for(party_group=org.a1_g1, month=LAST, acting_user=None)
    services.report_submit(report=report, version=report.version, summary="无活动：农忙", acting_user=None)
    page = login(secretary_a1).get(reverse("activity:report", args=[org.a1_g1.pk, LAST])).content.decode()
    assert "系统" in page and "None" not in page
