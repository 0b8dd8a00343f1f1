"""Closing a month for a whole village or township in one step: a preview of what is missing, a reason on record
when closing with gaps."""

from __future__ import annotations

from django.urls import reverse

from activity.models import MonthlyReport
from activity.reports import services
from audit.models import SecurityEvent
from core import clock, periods

LAST = periods.previous_month(clock.this_month())


def _submit(group, month=LAST):
    report = services.report_for(party_group=group, month=month, acting_user=None)
    return services.report_submit(report=report, version=report.version, summary="本月开展了走访", acting_user=None)


def _status(group, month=LAST):
    report = MonthlyReport.objects.filter(party_group=group, month=month).first()
    return report.status if report else None


def test_the_village_preview_names_the_missing_groups_and_why(org, secretary_a1, login):
    _submit(org.a1_g1)
    client = login(secretary_a1)
    month_page = client.get(reverse("activity:village-month", args=[org.a1.pk, LAST])).content.decode()
    url = reverse("activity:village-month-close", args=[org.a1.pk, LAST])
    assert url in month_page
    page = client.get(url).content.decode()
    assert "罗紫三四社党小组" in page and "未开始" in page
    assert "关闭1份已提交的报告" in page


def test_closing_with_a_gap_needs_a_reason_and_keeps_it(org, secretary_a1, login):
    _submit(org.a1_g1)
    client = login(secretary_a1)
    url = reverse("activity:village-month-close", args=[org.a1.pk, LAST])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert "有1个党小组尚未提交" in refused.content.decode()
    assert _status(org.a1_g1) == "submitted"
    assert not SecurityEvent.objects.filter(action="month_closed").exists()

    done = client.post(url, {"reason": "三四社党小组长住院，下月补报"})
    assert done.status_code == 302
    assert _status(org.a1_g1) == "closed" and _status(org.a1_g2) is None
    event = SecurityEvent.objects.get(action="month_closed")
    assert event.detail["reason"] == "三四社党小组长住院，下月补报"
    assert event.detail["missing"] == ["罗紫村罗紫三四社党小组：未开始：还没有打开报告"]
    assert event.user == secretary_a1 and event.rows == 1


def test_the_township_closes_every_village_at_once(org, township_staff, login):
    for group in (org.a1_g1, org.a1_g2, org.a2_g1):
        _submit(group)
    client = login(township_staff)
    url = reverse("activity:township-month-close", args=[org.ta.pk, LAST])
    assert url in client.get(reverse("township", args=[org.ta.pk])).content.decode()
    assert "0个党小组尚未提交" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 302  # no gap: no reason needed
    assert {_status(g) for g in (org.a1_g1, org.a1_g2, org.a2_g1)} == {"closed"}
    assert _status(org.b1_g1) is None


def test_a_branch_cannot_close_the_township_nor_a_month_not_over(org, secretary_a1, township_staff, login):
    assert login(secretary_a1).get(reverse("activity:township-month-close", args=[org.ta.pk, LAST])).status_code == 404
    this = clock.this_month()
    assert login(township_staff).get(reverse("activity:village-month-close", args=[org.a1.pk, this])).status_code == 404
