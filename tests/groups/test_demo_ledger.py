"""The demo ledgers and projects (township/demo_ledger.py): the survey's story, built once, through the services."""

from __future__ import annotations

from decimal import Decimal

from activity.models import Project
from groups.ledger.services import balance, decision_check
from groups.models import FundEntry, MeetingDecision, VillagerGroup
from seeding.demo import build as demo
from seeding.demo import ledger as demo_ledger
from tests.shared import shared_fixture


def _demo_county():
    demo.build()


demo_county = shared_fixture("demo_county", _demo_county)  # built once for this module's tests (tests/shared.py)


def vg(village: str, number: int) -> VillagerGroup:
    return VillagerGroup.objects.get(village__township__name=demo.SURVEYED, village__name=village, number=number)


def counts():
    return FundEntry.objects.count(), MeetingDecision.objects.count(), Project.objects.count()


def test_it_builds_the_surveys_ledgers_once(demo_county):
    demo_ledger.build()
    built = counts()
    demo_ledger.build()
    assert counts() == built
    assert built[0] > 20

    luozi5 = vg("罗紫村", 5)
    assert balance(luozi5) == Decimal("2650.00")
    contract = FundEntry.objects.get(villager_group=luozi5, category="contracting", entry_date__year=2025)
    assert Decimal("2000") < contract.amount < Decimal("3000")
    road = FundEntry.objects.get(villager_group=luozi5, purpose__contains="社道路1公里")
    assert road.decision is not None and not decision_check(road.decision)
    assert "分配" in road.decision.subject or "道路" in road.decision.subject
    assert road.party_group.name == "5、6社党小组"
    failed = MeetingDecision.objects.filter(villager_group=luozi5, subject__contains="平均分配到户")
    assert [bool(decision_check(d)) for d in failed.order_by("held_on")] == [True, False]


def test_the_gravel_plant_has_a_reversal_a_distribution_and_the_surveys_projects(demo_county):
    demo_ledger.build()
    luozi4 = vg("罗紫村", 4)
    reversal = FundEntry.objects.get(villager_group=luozi4, reverses__isnull=False)
    assert reversal.amount == reversal.reverses.amount
    share = FundEntry.objects.get(villager_group=luozi4, category="distribution")
    assert share.decision is not None and not decision_check(share.decision)
    assert balance(luozi4) >= 0
    for entry in FundEntry.objects.filter(decision__isnull=False).select_related("decision__villager_group"):
        assert entry.decision.villager_group_id == entry.villager_group_id

    plant = Project.objects.get(name__contains="碎石厂")
    assert plant.investment >= Decimal("200000") and plant.local_jobs == 8
    assert plant.villager_group == vg("罗紫村", 4) and plant.village.name == "罗紫村"
    assert plant.fund_entries.count() >= 2
    weir = Project.objects.get(name__contains="河堰")
    road = Project.objects.get(name__contains="道路")
    for project in (weir, road):
        assert project.villager_group == vg("罗紫村", 5)
        assert project.party_group.name == "5、6社党小组"
        assert all(e.villager_group_id == project.villager_group_id for e in project.fund_entries.all())
    assert weir.fund_entries.filter(category="contracting").exists()
    assert road.fund_entries.filter(decision__isnull=False).exists()
