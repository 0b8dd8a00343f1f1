"""A year still in progress is scored over the quarters begun so far, not four, and says so (进行中)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from appraisal.models import AppraisalYear, GroupScore, RubricItem
from appraisal.rules import group_year_scores, quarters_counted, year_progress
from tests.clock import beijing


@pytest.fixture
def march(frozen_at):
    frozen_at(beijing(2027, 3, 20))


@pytest.fixture
def year_2027(org, march):
    year = AppraisalYear.objects.create(township=org.ta, year=2027)
    item = RubricItem.objects.create(year=year, name="工作实绩", max_points=Decimal("25"))
    GroupScore.objects.create(year=year, party_group=org.a1_g1, quarter=1, item=item, points=Decimal("22.5"))
    return year


def test_quarters_counted_are_those_begun_or_all_four_when_over_or_decided():
    assert quarters_counted(2027, datetime.date(2027, 3, 31)) == 1
    assert quarters_counted(2027, datetime.date(2027, 4, 1)) == 2
    assert quarters_counted(2026, datetime.date(2027, 3, 1)) == 4
    assert quarters_counted(2027, datetime.date(2027, 3, 1), decided=True) == 4


def test_in_march_the_score_is_over_one_quarter_and_marked_in_progress(org, year_2027, township_staff, client):
    assert group_year_scores(year_2027, [org.a1_g1.pk]) == {org.a1_g1.pk: Decimal("90.0")}  # not 22.5
    assert year_progress(year_2027) == 1
    client.force_login(township_staff)
    page = client.get(reverse("appraisal:scores", args=[year_2027.pk])).content.decode()
    assert "进行中" in page and "90.0" in page
    group_page = client.get(reverse("appraisal:group", args=[year_2027.pk, org.a1_g1.pk])).content.decode()
    assert "进行中" in group_page and "90.0" in group_page


def test_a_year_that_is_over_is_scored_over_four_quarters_without_the_mark(org, township_staff, client):
    year = AppraisalYear.objects.create(township=org.ta, year=2026)  # the suite's clock: June 2027
    item = RubricItem.objects.create(year=year, name="工作实绩", max_points=Decimal("25"))
    GroupScore.objects.create(year=year, party_group=org.a1_g1, quarter=1, item=item, points=Decimal("22.5"))
    assert group_year_scores(year, [org.a1_g1.pk]) == {org.a1_g1.pk: Decimal("22.5")}
    assert year_progress(year) is None
    client.force_login(township_staff)
    assert "进行中" not in client.get(reverse("appraisal:scores", args=[year.pk])).content.decode()
