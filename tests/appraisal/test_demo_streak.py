"""The streak rule on the demo's own people (金溪乡, 2023–2025 decided): three consecutive calendar years pay once,
a gap pays nothing, and an open year in between leaves the streak waiting."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.urls import reverse

from appraisal.awards.services import (
    award_decide,
    award_nominate,
    streak_outcomes,
    year_decide,
    year_reopen,
    year_start_nominating,
)
from appraisal.models import AppraisalYear, Award, DecisionRecord, ReserveCandidate
from appraisal.scoring.services import appraisal_year_open
from members.models import PartyMember
from seeding.demo import appraisal as demo_appraisal
from seeding.demo import build as demo
from tests.shared import shared_fixture
from township.models import Township

Kind, Status, State = Award.Kind, Award.Status, AppraisalYear.State


def _jinxi():
    demo.build()
    demo.ensure_accounts("Demo-streak-test-1")
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
