"""A decided appraisal year closes its months: no new or changed monthly reports (activities, summary, submit,
reopening the month) and no scores until the township reopens the year, which records who, when and why."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity.models import Activity, MonthlyReport
from activity.reports import services
from appraisal.awards.services import year_decide, year_reopen, year_start_nominating
from appraisal.models import AppraisalYear, RubricItem, YearReopening
from appraisal.scoring.services import score_enter

Status = MonthlyReport.Status
MONTH = datetime.date(2025, 11, 1)


@pytest.fixture
def decided(org, township_staff):
    """东河乡 2025 decided, with 罗紫一二社's November report submitted before the decision."""
    report = services.report_for(party_group=org.a1_g1, month=MONTH, acting_user=township_staff)
    services.activity_save(
        report=report, version=report.version, acting_user=township_staff, kind=Activity.Kind.VISIT,
        held_on=MONTH, content="走访困难户",
    )  # fmt: skip
    year = AppraisalYear.objects.create(township=org.ta, year=2025)
    RubricItem.objects.create(year=year, name="工作实绩", max_points=Decimal("25"))
    year_start_nominating(year=year, acting_user=township_staff)
    year_decide(year=year, acting_user=township_staff)
    report.refresh_from_db()
    return type("Decided", (), {"year": year, "report": report})


def test_back_fill_into_a_decided_month_is_refused_with_the_way_out(org, decided, secretary_a1):
    report = decided.report
    with pytest.raises(ValidationError) as e:
        services.activity_save(
            report=report, version=report.version, acting_user=secretary_a1, kind=Activity.Kind.VISIT,
            held_on=MONTH, content="补记党小组会",
        )  # fmt: skip
    assert e.value.code == "year_decided"
    assert "2025年度考核已决定" in e.value.messages[0] and "重新打开" in e.value.messages[0]
    with pytest.raises(ValidationError):
        services.report_update_summary(report=report, version=report.version, summary="补", acting_user=secretary_a1)
    with pytest.raises(ValidationError):
        services.report_submit(report=report, version=report.version, acting_user=secretary_a1)
    with pytest.raises(ValidationError):  # a month not yet reported cannot be started either
        services.report_for(party_group=org.a1_g2, month=MONTH, acting_user=secretary_a1)
    assert Activity.objects.filter(report=report).count() == 1
    assert not MonthlyReport.objects.filter(party_group=org.a1_g2, month=MONTH).exists()


def test_scores_of_a_decided_year_are_refused(org, decided, township_staff):
    item = decided.year.rubric.get()
    with pytest.raises(ValidationError) as e:
        score_enter(
            year=decided.year, party_group=org.a1_g1, quarter=4, item=item, points=Decimal("20"), evidence="复核",
            acting_user=township_staff,
        )  # fmt: skip
    assert "locked" in [err.code for err in e.value.error_list] or e.value.code == "locked"


def test_the_report_page_says_the_month_is_closed_and_offers_no_change(client, org, decided, secretary_a1):
    client.force_login(secretary_a1)
    url = reverse("activity:report", args=[org.a1_g1.pk, MONTH])
    page = client.get(url).content.decode()
    assert "2025年度考核已决定" in page and "新增活动" not in page
    response = client.post(
        reverse("activity:activity-new", args=[org.a1_g1.pk, MONTH]),
        {"version": decided.report.version, "kind": Activity.Kind.VISIT, "held_on": "2025-11-20", "content": "补记"},
        follow=True,
    )
    assert response.status_code == 200 and "2025年度考核已决定" in response.content.decode()
    assert Activity.objects.filter(report=decided.report).count() == 1


def test_reopening_the_year_records_who_when_why_and_opens_the_months(org, decided, township_staff, secretary_a1):
    year_reopen(year=decided.year, reason="罗紫村补报11月党小组会", acting_user=township_staff)
    reopening = YearReopening.objects.get(year=decided.year)
    assert reopening.reopened_by == township_staff and reopening.reopened_at and reopening.reason
    report = decided.report
    services.activity_save(
        report=report, version=report.version, acting_user=secretary_a1, kind=Activity.Kind.VISIT,
        held_on=MONTH, content="补记党小组会",
    )  # fmt: skip
    assert Activity.objects.filter(report=report).count() == 2
