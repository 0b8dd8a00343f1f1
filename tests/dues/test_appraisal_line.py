"""Dues up to date as an evidence line of the branches' year-end appraisal: members clear for every month of the
year, of those owing dues, on the township's branch table and the branch's page, linked to the year's dues book; it
carries no points (the weights stay the township's)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from appraisal.models import BranchAppraisal
from appraisal.scoring import services as scoring
from tests.dues.conftest import month, pay

LAST_YEAR = 2026


def test_the_branch_table_and_page_show_how_many_members_paid_the_whole_year(org, township_staff, login, assessed):
    year = scoring.appraisal_year_open(township=org.ta, year=LAST_YEAR, acting_user=township_staff)
    scoring.branch_appraisal_enter(year=year, village=org.a1, township_points=Decimal("90"), acting_user=township_staff)
    client = login(township_staff)
    table = reverse("appraisal:branches", args=[year.pk])
    page = reverse("appraisal:branch-enter", args=[year.pk, org.a1.pk])
    book = reverse("dues:book", args=[org.a1.pk, LAST_YEAR])

    def line(url) -> str:
        html = client.get(url).content.decode()
        start = html.index(f'<a href="{book}">')
        return html[start : html.index("</a>", start) + 60]

    before = line(table)
    assert "党费交清至12月：0/10名党员" in before and "有欠交" in before
    pay(assessed[0], month(1, LAST_YEAR), "480.00", months=12)  # employed on 4,000: 40.00 a month
    pay(assessed[2], month(1, LAST_YEAR), "2.40", months=12)  # a farmer at 0.20
    pay(assessed[3], month(1, LAST_YEAR), "2.20", months=11)  # December still owed: not clear
    for url in (table, page):
        assert "党费交清至12月：2/10名党员" in line(url) and "有欠交" in line(url)
    assert BranchAppraisal.objects.get(year=year, village=org.a1).township_points == Decimal("90")  # no points
