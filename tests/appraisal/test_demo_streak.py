"""Year end on the demo's own data (金溪乡, 2023–2025 decided, 2026 open): three consecutive calendar years pay once,
a gap pays nothing, and an open year in between leaves the streak waiting; reopening 2024 puts the 2025 bonus at risk;
a decided year's months take no back-fill; 柏林村 1、2社's 2025 score (89.25 exactly) reads 89.3 on every page and
file, and the 公示 of 罗紫村五组 reads the same on its page and in Excel."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Avg, Sum
from django.urls import reverse
from openpyxl import load_workbook

from activity.models import Activity, MonthlyReport
from activity.reports import services as reports
from appraisal.awards.services import (
    award_decide,
    award_nominate,
    streak_outcomes,
    year_decide,
    year_reopen,
    year_start_nominating,
)
from appraisal.models import AppraisalYear, Award, DecisionRecord, GroupScore, ReserveCandidate, RubricItem, SpotCheck
from appraisal.rules import group_year_scores, year_counted_quarters, year_maximum
from appraisal.scoring.services import appraisal_year_open
from groups.models import PartyGroup, VillagerGroup
from members.models import PartyMember
from seeding.demo import appraisal as demo_appraisal
from seeding.demo import build as demo
from seeding.demo import ledger as demo_ledger
from tests.shared import shared_fixture
from township.models import Township

Kind, Status, State = Award.Kind, Award.Status, AppraisalYear.State


def _jinxi():
    demo.build()
    demo.ensure_accounts("Demo-streak-test-1")
    demo_ledger.build()  # before the appraisals, as seed_demo builds them: the 公示 of 罗紫村五组
    demo_appraisal.build()
    township = Township.objects.get(name=demo.SURVEYED)
    return SimpleNamespace(township=township, staff=get_user_model().objects.get(username="xiang"))


jinxi = shared_fixture("jinxi", _jinxi)  # built once for this module's tests (tests/shared.py)


def leader(name: str):
    return PartyMember.objects.get(name=name, village__name="罗紫村")


def bonuses(member):
    return sorted(Award.objects.filter(kind=Kind.STREAK_BONUS, member=member).values_list("year__year", "amount"))


def name_and_decide(year: AppraisalYear, staff, members) -> None:
    year_start_nominating(year=year, acting_user=staff)
    awards = [
        award_nominate(year=year, kind=Kind.EXCELLENT_LEADER, member=m, reason="带头办实事", acting_user=staff)
        for m in members
    ]
    award_decide(year=year, awards=awards, acting_user=staff)
    year_decide(year=year, acting_user=staff)


def test_a_demo_streak_2023_2024_2025_pays_500_once_never_twice(jinxi):
    xie = leader("谢明德")
    assert bonuses(xie) == [(2025, Decimal("500.00"))]
    y2025 = AppraisalYear.objects.get(township=jinxi.township, year=2025)
    year_reopen(year=y2025, reason="复核2025年度表彰", acting_user=jinxi.staff)
    year_decide(year=y2025, acting_user=jinxi.staff)
    assert bonuses(xie) == [(2025, Decimal("500.00"))]
    y2026 = AppraisalYear.objects.get(township=jinxi.township, year=2026)  # a fourth year in a row
    name_and_decide(y2026, jinxi.staff, [xie])
    assert bonuses(xie) == [(2025, Decimal("500.00"))]
    assert ReserveCandidate.objects.filter(member=xie, list=ReserveCandidate.List.VILLAGE_THREE_POSTS).count() == 1


def test_a_demo_streak_2022_2023_2025_pays_nothing(jinxi):
    tang = leader("唐加惠")  # named 2023 and 2025 in the demo
    y2022 = appraisal_year_open(township=jinxi.township, year=2022, acting_user=jinxi.staff)
    name_and_decide(y2022, jinxi.staff, [tang])
    named = Award.objects.filter(member=tang, kind=Kind.EXCELLENT_LEADER, status=Status.DECIDED)
    assert sorted(named.values_list("year__year", flat=True)) == [2022, 2023, 2025]
    assert bonuses(tang) == []
    y2025 = AppraisalYear.objects.get(township=jinxi.township, year=2025)
    year_reopen(year=y2025, reason="复核", acting_user=jinxi.staff)
    assert tang.pk not in {o.member_id for o in streak_outcomes(y2025)}
    year_decide(year=y2025, acting_user=jinxi.staff)
    assert bonuses(tang) == []


def test_reopening_2024_puts_the_2025_bonus_at_risk_and_re_deciding_removes_it(jinxi, client):
    xie = leader("谢明德")
    y2024 = AppraisalYear.objects.get(township=jinxi.township, year=2024)
    y2025 = AppraisalYear.objects.get(township=jinxi.township, year=2025)
    client.force_login(jinxi.staff)
    page = client.get(reverse("awards:reopen", args=[y2024.pk])).content.decode()
    assert "2025年度" in page and "谢明德（罗紫村）500.00元 将被取消" in page

    client.post(reverse("awards:reopen", args=[y2024.pk]), {"reason": "谢明德2024年度材料有误"})
    y2025.refresh_from_db()
    assert y2025.depends_on.year == y2024 and y2025.state == State.DECIDED
    assert bonuses(xie) == [(2025, Decimal("500.00"))]  # nothing changes silently
    year_page = client.get(reverse("awards:year", args=[y2025.pk])).content.decode()
    assert "待重新决定" in year_page and "谢明德2024年度材料有误" in year_page
    refused = client.post(reverse("awards:review", args=[y2025.pk]), {"reason": "复核"})
    assert "先" in refused.content.decode() and bonuses(xie) == [(2025, Decimal("500.00"))]

    # 2024 decided again without 谢明德: the 2025 bonus and reserve entry go, with the before and after on record
    kept = list(Award.objects.filter(year=y2024, status=Status.DECIDED).exclude(member=xie))
    award_decide(
        year=y2024,
        awards=kept,
        reasons={a.pk: "谢明德2024年度材料有误，其余维持原决定" for a in kept},  # they now rank below 谢明德, left out
        acting_user=jinxi.staff,
    )
    year_decide(year=y2024, acting_user=jinxi.staff)
    review_page = client.get(reverse("awards:review", args=[y2025.pk])).content.decode()
    assert "取消：连续优秀一次性奖励 · 谢明德（罗紫村）" in review_page
    empty = client.post(reverse("awards:review", args=[y2025.pk]), {"reason": " "})
    assert empty.status_code == 200 and "errorlist" in empty.content.decode()
    client.post(reverse("awards:review", args=[y2025.pk]), {"reason": "2024年度已撤销谢明德的称号"})
    y2025.refresh_from_db()
    assert y2025.depends_on is None and bonuses(xie) == []
    assert not ReserveCandidate.objects.filter(member=xie, list=ReserveCandidate.List.VILLAGE_THREE_POSTS).exists()
    record = DecisionRecord.objects.get(year=y2025, action=DecisionRecord.Action.REVIEW)
    assert record.decided_by == jinxi.staff and record.reason == "2024年度已撤销谢明德的称号"
    assert _only(record.before, "谢明德", "连续")["amount"] == "500.00"
    assert _only(record.after, "谢明德", "连续") == {}


def _only(rows, who, what) -> dict:
    return next((r for r in rows if r["who"] == who and what in r["what"]), {})


def _user(username: str):
    return get_user_model().objects.get(username=username)


def test_back_fill_into_a_decided_demo_month_is_refused_and_reopening_the_year_lets_it_in(jinxi, client):
    luozi = _user("luozi")  # 罗紫村's secretary
    group = PartyGroup.objects.filter(village__name="罗紫村").order_by("pk").first()
    november = datetime.date(2025, 11, 1)
    assert not MonthlyReport.objects.filter(party_group=group, month=november).exists()
    with pytest.raises(ValidationError) as e:  # a month of decided 2025 not reported before the decision
        reports.report_for(party_group=group, month=november, acting_user=luozi)
    assert e.value.code == "year_decided" and "2025年度考核已决定" in e.value.messages[0]
    assert not MonthlyReport.objects.filter(party_group=group, month=november).exists()

    client.force_login(luozi)
    page = client.get(reverse("activity:report", args=[group.pk, november]), follow=True).content.decode()
    assert "2025年度考核已决定" in page and "新增活动" not in page
    client.post(
        reverse("activity:activity-new", args=[group.pk, november]),
        {"version": 0, "kind": Activity.Kind.VISIT, "held_on": "2025-11-20", "content": "补记走访"},
    )
    assert not Activity.objects.filter(report__party_group=group, report__month=november).exists()

    year = AppraisalYear.objects.get(township=jinxi.township, year=2025)
    year_reopen(year=year, reason="罗紫村补报2025年11月走访记录", acting_user=jinxi.staff)
    report = reports.report_for(party_group=group, month=november, acting_user=luozi)
    reports.activity_save(
        report=report, version=report.version, acting_user=luozi, kind=Activity.Kind.VISIT, held_on=november,
        content="补记走访",
    )  # fmt: skip
    assert Activity.objects.filter(report=report).count() == 1


def _cells(content: bytes) -> list[str]:
    wb = load_workbook(BytesIO(content))
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_a_demo_score_of_exactly_89_25_reads_89_3_on_every_page_and_file(jinxi, client):
    year = AppraisalYear.objects.get(township=jinxi.township, year=2025)
    group = PartyGroup.objects.get(village__name="柏林村", name="1、2社党小组")
    points = GroupScore.objects.filter(year=year, party_group=group).aggregate(s=Sum("points"))["s"]
    maximum = year_maximum(RubricItem.objects.filter(year=year).aggregate(m=Sum("max_points"))["m"], 4)
    assert year_counted_quarters(year) == 4
    assert SpotCheck.objects.filter(year=year, party_group=group).aggregate(a=Avg("points"))["a"] is None
    assert points / maximum * 100 == Decimal("89.25")  # the demo's own half-way case: half to even gives 89.2
    assert group_year_scores(year, [group.pk]) == {group.pk: Decimal("89.3")}

    client.force_login(jinxi.staff)
    scores = client.get(reverse("appraisal:scores", args=[year.pk])).content.decode()
    row = next(r for r in scores.split("<tr") if "柏林村" in r and "1、2社党小组" in r)
    assert re.search(r">\s*89\.3\s*<", row) and "89.2" not in row
    leaders = client.get(reverse("awards:year", args=[year.pk]), {"kind": Award.Kind.EXCELLENT_LEADER}).content
    row = next(r for r in leaders.decode().split("<tr") if "赵天福" in r)  # the group's leader, named in 2025
    assert "89.3" in row and "89.2" not in row

    score_cells = _cells(client.get(reverse("appraisal:scores-xlsx", args=[year.pk])).content)
    assert "89.3" in score_cells and "89.25" not in score_cells and "89.2" not in score_cells
    report = " ".join(_cells(client.get(reverse("reports:award-report", args=[year.pk])).content))
    assert "所在党小组2025年度考核得分89.3分" in report and "89.2分" not in report


def test_the_demo_disclosure_reads_the_same_on_its_page_and_in_excel(jinxi, client):
    vg = VillagerGroup.objects.get(village__name="罗紫村", number=5)  # the ledger with the weir and the road
    client.force_login(_user("luozi"))
    period = {"start": "2025-01-01", "end": "2025-12-31"}
    page = client.get(reverse("funds:disclosure", args=[vg.pk]), period).content.decode()
    figures = re.findall(r'<td class="num[^"]*">([-\d,]+\.\d\d)</td>', page)
    assert len(figures) >= 6  # the opening balance, each entry's amount and balance, the totals
    wb = load_workbook(BytesIO(client.get(reverse("funds:disclosure-xlsx", args=[vg.pk]), period).content))
    amounts = [
        f"{c.value:,.2f}"
        for row in wb.worksheets[0].iter_rows()
        for c in row
        if isinstance(c.value, int | float | Decimal) and c.number_format.startswith('"¥"')
    ]
    assert amounts == figures


def test_the_demo_reversal_reads_as_a_reversal_on_the_disclosure_page_and_in_excel(jinxi, client):
    vg = VillagerGroup.objects.get(village__name="罗紫村", number=4)  # the tea money entered twice, reversed
    client.force_login(_user("luozi"))
    period = {"start": "2025-01-01", "end": "2025-12-31"}
    page = client.get(reverse("funds:disclosure", args=[vg.pk]), period).content.decode()
    row = next(r for r in page.split("<tr") if "badge reversal" in r)
    assert "冲销" in row and "冲正" not in page and "-350.00" in row
    ws = load_workbook(BytesIO(client.get(reverse("funds:disclosure-xlsx", args=[vg.pk]), period).content)).active
    kinds = {ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
    assert "冲销" in kinds and "冲正" not in kinds
