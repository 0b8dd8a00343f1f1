"""Demo fund ledgers and collective projects for 嘉陵县 (built after `seeding.demo.build`), from the survey's stories.

罗紫村5社: the weir (河堰) that had collapsed for years is repaired, its use contracted out for 2,150 yuan a year, and
a villager group meeting puts the money into 1 km of road (社道路) rather than sharing it out. 罗紫村4社: the
returning worker 祝高友 builds a gravel plant (碎石厂) on the 嘉陵江 riverbank with 218,000 yuan, employing 8 local
labourers; the villager group earns a land-use fee, shares part of it out by decision, and corrects a double entry
with a reversal. Other villager groups get subsidies and small expenses. Everything goes through `groups.ledger`, so
the rules hold; dates run from January 2025 to November 2026. Running it again changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from activity.models import Project
from groups.ledger.services import decision_record, fund_entry_post, fund_entry_reverse
from groups.models import FundEntry, MeetingDecision, VillagerGroup

COUNTY = "嘉陵县"
SURVEYED = "金溪乡"
D = datetime.date
Y = Decimal

INCOME, EXPENSE = FundEntry.Direction.INCOME, FundEntry.Direction.EXPENSE
Cat = FundEntry.Category


def _vg(village: str, number: int) -> VillagerGroup:
    return VillagerGroup.objects.select_related("village").get(
        village__township__county__name=COUNTY, village__township__name=SURVEYED, village__name=village, number=number
    )


def already_built() -> bool:
    return FundEntry.objects.filter(
        villager_group__village__township__county__name=COUNTY,
        villager_group__village__township__name=SURVEYED,
        villager_group__village__name="罗紫村",
        villager_group__number=5,
    ).exists()


@transaction.atomic
def build(actor=None) -> None:
    """Build the demo ledgers and projects once (skipped when 罗紫村5社 already has a ledger)."""
    if already_built():
        return
    weir_entries, road_entries = _luozi_5(actor)
    plant_entries = _luozi_4(actor)
    _small_ledgers(actor)
    _projects(weir_entries, road_entries, plant_entries, actor)


class _Ledger:
    """Posting helper for one villager group."""

    def __init__(self, vg: VillagerGroup, actor):
        self.vg, self.actor = vg, actor

    def income(self, day, amount, category, counterparty, purpose, decision=None) -> FundEntry:
        return self._post(day, INCOME, amount, category, counterparty, purpose, decision)

    def expense(self, day, amount, category, counterparty, purpose, decision=None) -> FundEntry:
        return self._post(day, EXPENSE, amount, category, counterparty, purpose, decision)

    def _post(self, day, direction, amount, category, counterparty, purpose, decision) -> FundEntry:
        return fund_entry_post(
            villager_group=self.vg,
            entry_date=day,
            direction=direction,
            amount=Y(amount),
            category=category,
            counterparty=counterparty,
            purpose=purpose,
            decision=decision,
            acting_user=self.actor,
        )

    def meeting(self, day, subject, *, present_share, against, publicised_after=3) -> MeetingDecision:
        """A household meeting: `present_share` of the households attend, all but `against` vote for."""
        entitled = self.vg.households
        present = -(-entitled * present_share[0] // present_share[1])
        return decision_record(
            villager_group=self.vg,
            held_on=day,
            subject=subject,
            basis=MeetingDecision.Basis.HOUSEHOLDS,
            entitled=entitled,
            present=present,
            votes_for=max(present - against, 0),
            publicised_on=day + datetime.timedelta(days=publicised_after) if publicised_after is not None else None,
            acting_user=self.actor,
        )


def _luozi_5(actor) -> tuple[list[FundEntry], list[FundEntry]]:
    ledger = _Ledger(_vg("罗紫村", 5), actor)
    ledger.income(D(2025, 1, 10), "1200.00", Cat.SUBSIDY, "金溪乡人民政府", "2025年村民小组运转经费补助")
    weir_meeting = ledger.meeting(
        D(2025, 2, 16),
        "根治5社垮塌多年的河堰：各户投工投劳，水泥、石料由社集体经费开支",
        present_share=(5, 6),
        against=2,
    )
    repair = ledger.expense(
        D(2025, 3, 2), "980.00", Cat.CONSTRUCTION, "金溪乡建材门市部", "河堰修复：水泥、石料", weir_meeting
    )
    contract = ledger.income(
        D(2025, 4, 6), "2150.00", Cat.CONTRACTING, "蒲长林", "河堰修复后有偿转包（2025年度承包费）"
    )
    # 局部社员坚持要求平均分配: a first meeting that did not reach the quorum decides nothing.
    ledger.meeting(
        D(2025, 4, 20),
        "讨论河堰转包收入是否平均分配到户",
        present_share=(1, 2),
        against=10,
        publicised_after=None,
    )
    road_meeting = ledger.meeting(
        D(2025, 5, 18),
        "河堰转包收入不平均分配到户，全部投入修建1公里社道路",
        present_share=(9, 10),
        against=3,
    )
    road = ledger.expense(
        D(2025, 6, 12),
        "2300.00",
        Cat.CONSTRUCTION,
        "祝高友碎石厂",
        "修建社道路1公里：路基平整、碎石铺设",
        road_meeting,
    )
    ledger.income(D(2026, 1, 9), "1200.00", Cat.SUBSIDY, "金溪乡人民政府", "2026年村民小组运转经费补助")
    contract_2026 = ledger.income(D(2026, 4, 6), "2150.00", Cat.CONTRACTING, "蒲长林", "河堰转包（2026年度承包费）")
    cleaning = ledger.expense(D(2026, 7, 20), "320.00", Cat.CONSTRUCTION, "本社村民", "河堰清淤误工补贴")
    upkeep = ledger.expense(D(2026, 10, 15), "450.00", Cat.CONSTRUCTION, "本社村民", "社道路汛后维护")
    return [repair, contract, contract_2026, cleaning], [road, upkeep]


def _luozi_4(actor) -> list[FundEntry]:
    ledger = _Ledger(_vg("罗紫村", 4), actor)
    ledger.income(D(2025, 1, 10), "1200.00", Cat.SUBSIDY, "金溪乡人民政府", "2025年村民小组运转经费补助")
    lease = ledger.meeting(
        D(2025, 3, 9),
        "将嘉陵江边荒废多年的河滩地租给返乡青年祝高友建碎石厂，场地使用费每年6,000元，优先招用本社劳力",
        present_share=(4, 5),
        against=1,
    )
    fee_2025 = ledger.income(
        D(2025, 4, 1), "6000.00", Cat.CONTRACTING, "祝高友", "碎石厂河滩地场地使用费（2025年度）", lease
    )
    ledger.expense(D(2025, 8, 3), "350.00", Cat.OTHER, "本社村民", "社员大会误工、茶水")
    double = ledger.expense(D(2025, 8, 5), "350.00", Cat.OTHER, "本社村民", "社员大会误工、茶水")
    fund_entry_reverse(
        entry=double, entry_date=D(2025, 8, 12), reason="与8月3日的支出重复记账，冲销", acting_user=actor
    )
    share = ledger.meeting(
        D(2025, 12, 14),
        "碎石厂场地使用费留足道路维护资金后，每户分配50元",
        present_share=(5, 6),
        against=4,
    )
    households = ledger.vg.households
    ledger.expense(
        D(2025, 12, 28),
        f"{households * 50}.00",
        Cat.DISTRIBUTION,
        f"本社{households}户",
        f"按户分配碎石厂场地使用费，每户50元，共{households}户",
        share,
    )
    ledger.income(D(2026, 1, 9), "1200.00", Cat.SUBSIDY, "金溪乡人民政府", "2026年村民小组运转经费补助")
    fee_2026 = ledger.income(
        D(2026, 4, 1), "6000.00", Cat.CONTRACTING, "祝高友", "碎石厂河滩地场地使用费（2026年度）", lease
    )
    track = ledger.meeting(D(2026, 8, 23), "硬化碎石厂至社道路的河滩便道200米", present_share=(3, 4), against=5)
    paving = ledger.expense(
        D(2026, 9, 18), "1800.00", Cat.CONSTRUCTION, "金溪乡建材门市部", "河滩便道硬化200米：水泥、砂石", track
    )
    return [fee_2025, fee_2026, paving]


def _small_ledgers(actor) -> None:
    """Subsidies and small expenses for a few more villager groups."""
    plans = [
        (
            ("罗紫村", 6),
            [("2025-01-10", "1200.00"), ("2026-01-09", "1200.00")],
            [("2025-09-02", "260.00", "山坪塘放水口维修")],
        ),
        (
            ("罗紫村", 3),
            [("2025-01-10", "1200.00"), ("2026-01-09", "1200.00")],
            [("2025-11-20", "180.00", "社务公开栏维修")],
        ),
        (("静阳村", 3), [("2025-01-12", "1000.00"), ("2026-01-11", "1000.00")], [("2026-03-15", "420.00", "水渠清淤")]),
        (("静阳村", 4), [("2025-01-12", "1000.00")], [("2025-06-30", "150.00", "防汛物资")]),
    ]
    for (village, number), subsidies, expenses in plans:
        ledger = _Ledger(_vg(village, number), actor)
        for day, amount in subsidies:
            year = day[:4]
            ledger.income(D.fromisoformat(day), amount, Cat.SUBSIDY, "金溪乡人民政府", f"{year}年村民小组运转经费补助")
        for day, amount, purpose in expenses:
            ledger.expense(D.fromisoformat(day), amount, Cat.OTHER, "本社村民", purpose)


def _projects(weir_entries, road_entries, plant_entries, actor) -> None:
    vg5, vg4 = weir_entries[0].villager_group, plant_entries[0].villager_group
    specs = [
        (
            vg5,
            {
                "name": "5社河堰根治与转包",
                "location": "罗紫村5社河堰",
                "started_on": D(2025, 2, 20),
                "finished_on": D(2025, 3, 25),
                "investment": Y("980.00"),
                "income": Y("4300.00"),
                "local_jobs": 0,
                "description": "垮塌多年的河堰在党小组长谢明德带领下根治，各户投工投劳；"
                "修复后有偿转包，每年承包费2,150元。",
            },
            weir_entries,
        ),
        (
            vg5,
            {
                "name": "5社道路建设（1公里）",
                "location": "罗紫村5社",
                "started_on": D(2025, 5, 25),
                "finished_on": D(2025, 7, 10),
                "investment": Y("2300.00"),
                "income": Y("0.00"),
                "local_jobs": 0,
                "description": "社员会议决定河堰转包收入不分到户，投入修建1公里社道路，群众出入更方便。",
            },
            road_entries,
        ),
        (
            vg4,
            {
                "name": "嘉陵江边碎石厂",
                "location": "罗紫村4社嘉陵江边河滩地",
                "started_on": D(2025, 3, 15),
                "finished_on": None,
                "investment": Y("218000.00"),
                "income": Y("12000.00"),
                "local_jobs": 8,
                "description": "党小组长唐加惠撮合，外地打工青年祝高友返乡投资20多万元建碎石厂，激活荒废多年的河滩地；"
                "社上每年收取场地使用费6,000元，解决本社8名剩余劳动力就业。",
            },
            plant_entries,
        ),
    ]
    for vg, fields, entries in specs:
        project = Project(
            village=vg.village, villager_group=vg, party_group=vg.party_group_on(fields["started_on"]), **fields
        )
        project.full_clean()
        if getattr(actor, "pk", None):
            project._history_user = actor
        project.save()
        project.fund_entries.set(entries)
