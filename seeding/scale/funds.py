"""Every villager group's collective-fund ledger (村民小组集体经费) and a few collective projects per township.

The ledger rules of `groups.ledger` hold by construction: entries are laid down in ledger order (date, then id) and
an expense is cut or dropped when it would take the running balance below zero; expenses above the township's
threshold (1,000 yuan) and every distribution cite a valid meeting decision of the same villager group, held before
(at least two thirds of the households present, more than half of them for). Some meetings fail their quorum and
decide nothing; now and then an income is entered twice and the copy reversed the same day. The entries that needed
a decision, with the decision and its 公示 day, are noted in the township's `Records` for the appraisal.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from activity.models import Project
from groups.ledger.services import decision_required
from groups.models import FundEntry, MeetingDecision
from seeding.scale.plan import Group, Records, Run, Town, VillagePlan, at
from township.models import Township

INCOME, EXPENSE = FundEntry.Direction.INCOME, FundEntry.Direction.EXPENSE
Cat = FundEntry.Category
HOUSEHOLDS = MeetingDecision.Basis.HOUSEHOLDS
THRESHOLD = Township._meta.get_field("fund_decision_threshold").default  # the generated townships keep the default
PROJECT_LINKS = Project.fund_entries.through

SMALL = [
    (Cat.OPERATIONS, "本社村民", "社道路汛后维护"),
    (Cat.OPERATIONS, "本社村民", "山坪塘放水口维修"),
    (Cat.OTHER, "本社村民", "社员大会误工、茶水"),
    (Cat.OTHER, "乡文具店", "社务公开栏维修、纸张"),
    (Cat.CONSTRUCTION, "本社村民", "水渠清淤误工补贴"),
    (Cat.OTHER, "乡农资店", "防汛物资"),
]
BIG = [
    ("硬化社道路{n}米", "修建社道路{n}米：路基平整、碎石铺设"),
    ("整治垮塌河堰，水泥、石料由社集体经费开支", "河堰整治：水泥、石料"),
    ("修建山坪塘护坡", "山坪塘护坡：石料、人工"),
    ("更换社内饮水主管道", "饮水管道更换：管材、人工"),
]
CONTRACTS = ["河堰有偿转包", "鱼塘承包", "河滩地场地使用费", "集体林地承包"]


@dataclass
class _Event:
    day: datetime.date
    order: int
    direction: str
    amount: Decimal
    category: str
    counterparty: str
    purpose: str
    decision: tuple[int, datetime.date | None] | None = None  # (id, publicised on) of the meeting decision cited
    reverses_previous: bool = False


def write_ledgers(run: Run, town: Town) -> None:
    rng = run.rng_for(town.number, "funds")
    projects = 0
    for village in town.villages:
        for group in village.groups:
            for vg_id, households in group.vgs:
                contract = rng.choice(CONTRACTS) if rng.random() < 0.35 else None
                amount = Decimal(rng.randrange(15, 61) * 100) if contract else Decimal(0)
                entries = _ledger(run, rng, town, village, group, vg_id, households, contract, amount)
                if contract and entries and projects < 3:
                    projects += 1
                    _project(run, rng, village, group, vg_id, contract, amount, entries)


def _ledger(run, rng, town: Town, village: VillagePlan, group: Group, vg_id, households, contract, fee) -> list[int]:
    """Write one villager group's ledger; returns the ids of its contracting entries."""
    cal = run.calendar
    events: list[_Event] = []
    order = 0
    for year in range(cal.months[0].year, cal.today.year + 1):
        order += 10
        subsidy = Decimal(rng.randrange(8, 21) * 100)
        purpose = f"{year}年村民小组运转经费补助"
        day = datetime.date(year, 1, rng.randint(8, 20))
        events.append(_Event(day, order, INCOME, subsidy, Cat.SUBSIDY, f"{town.name}人民政府", purpose))
        if rng.random() < 0.02:  # entered twice by mistake, the copy reversed at once
            events.append(_Event(day, order + 1, INCOME, subsidy, Cat.SUBSIDY, f"{town.name}人民政府", purpose))
            events.append(
                _Event(
                    day, order + 2, EXPENSE, subsidy, Cat.SUBSIDY, f"{town.name}人民政府", "重复记账，冲销", None, True
                )
            )
        if contract:
            day = datetime.date(year, 4, rng.randint(1, 10))
            events.append(_Event(day, order + 3, INCOME, fee, Cat.CONTRACTING, "承包户", f"{contract}（{year}年度）"))
        for k in range(rng.randint(2, 3)):
            category, counterparty, what = rng.choice(SMALL)
            day = datetime.date(year, rng.randint(2, 12), rng.randint(1, 28))
            amount = Decimal(rng.randrange(8, 90) * 10)
            events.append(_Event(day, order + 4 + k, EXPENSE, amount, category, counterparty, what))
        if rng.random() < 0.4:
            events += _decided(run, rng, vg_id, households, year, order + 7)
        if rng.random() < 0.03:
            _decision(
                run, rng, vg_id, households, datetime.date(year, 6, 15), "讨论集体收入是否平均分配到户", fail=True
            )
    events.sort(key=lambda e: (e.day, e.order))
    return _post(run, rng, town.records, village, group, vg_id, events)


def _decided(run: Run, rng: random.Random, vg_id: int, households: int, year: int, order: int) -> list[_Event]:
    """A meeting decides a larger expense (construction) or, in December, a distribution to the households."""
    if rng.random() < 0.25:
        per = rng.choice((20, 30, 50))
        held = datetime.date(year, 12, rng.randint(3, 12))
        subject = f"集体收入留足维护资金后，每户分配{per}元"
        decision = _decision(run, rng, vg_id, households, held, subject)
        day = held + datetime.timedelta(days=rng.randint(5, 15))
        what = f"按户分配集体收入，每户{per}元，共{households}户"
        amount = Decimal(households * per)
        return [_Event(day, order, EXPENSE, amount, Cat.DISTRIBUTION, f"本社{households}户", what, decision)]
    subject, purpose = rng.choice(BIG)
    n = rng.randrange(2, 11) * 100
    held = datetime.date(year, rng.randint(3, 10), rng.randint(1, 28))
    decision = _decision(run, rng, vg_id, households, held, subject.format(n=n))
    day = held + datetime.timedelta(days=rng.randint(7, 25))
    amount = Decimal(rng.randrange(12, 80) * 100)
    return [_Event(day, order, EXPENSE, amount, Cat.CONSTRUCTION, "乡建材门市部", purpose.format(n=n), decision)]


def _decision(run: Run, rng, vg_id: int, households: int, held: datetime.date, subject: str, *, fail=False):
    """A household meeting: valid (2/3 present, a clear majority for) or, when `fail`, short of its quorum. Returns
    (decision id, publicised on), or None when the meeting is still to come."""
    if held > run.calendar.today:
        return None
    present = households // 2 if fail else -(-households * rng.randint(70, 95) // 100)
    votes = present - rng.randint(0, present // 3)
    published = None if fail else min(held + datetime.timedelta(days=rng.randint(1, 3)), run.calendar.today)
    decision_id = run.writer.new_id(MeetingDecision)
    row = (decision_id, vg_id, held, subject, HOUSEHOLDS, households, present, votes, published, None, at(held, 20))
    run.writer.add(MeetingDecision, row)
    return decision_id, published


def _post(
    run: Run, rng, records: Records, village: VillagePlan, group: Group, vg_id: int, events: list[_Event]
) -> list[int]:
    """Lay the entries down in ledger order, keeping the running balance at zero or above."""
    w, today = run.writer, run.calendar.today
    balance, previous, contracts = Decimal(0), None, []
    noted = records.entries[group.id]
    for e in events:
        # a reversal cites nothing (fund_entry_reverse): it undoes an entry, it spends no money
        if e.day > today or (not e.reverses_previous and _needs_decision(e) and e.decision is None):
            continue  # the meeting is still to come, so is the spending
        if e.direction == EXPENSE and not e.reverses_previous and e.amount > balance:
            if e.category == Cat.DISTRIBUTION or balance < 100:
                continue  # nothing to share out: the households were told so
            e.amount = (balance * Decimal(rng.randint(40, 90)) / 100).quantize(Decimal("1"))
        entry_id = w.new_id(FundEntry)
        balance += e.amount if e.direction == INCOME else -e.amount
        reverses = previous if e.reverses_previous else None
        decision_id, publicised = e.decision or (None, None)
        if reverses is not None:
            noted.pop(reverses, None)  # a reversed entry no longer counts, and the reversal needs no decision
        elif _needs_decision(e):  # with its amount as written (an expense may have been cut to the balance)
            noted[entry_id] = (e.day, e.amount, decision_id, publicised)
        w.add(
            FundEntry,
            (
                entry_id, vg_id, group.id, e.day, e.direction, e.amount, e.category, e.counterparty, e.purpose,
                decision_id, reverses, village.secretary_id, at(e.day, rng.randint(9, 18)),
            ),
        )  # fmt: skip
        if e.category == Cat.CONTRACTING:
            contracts.append(entry_id)
        previous = entry_id
    return contracts


def _needs_decision(e: _Event) -> bool:
    return decision_required(direction=e.direction, category=e.category, amount=e.amount, threshold=THRESHOLD)


def _project(run: Run, rng, village: VillagePlan, group: Group, vg_id: int, contract, fee, entries) -> None:
    """A collective project around the villager group's contracted asset, linked to its income entries."""
    w = run.writer
    project_id = w.new_id(Project)
    started = run.calendar.months[0] + datetime.timedelta(days=rng.randint(20, 80))
    jobs = rng.randint(0, 8)
    description = f"{village.name}{contract}，收益归社集体，按村民小组会议决议使用。"
    w.add(
        Project,
        (
            project_id, village.id, vg_id, group.id, f"{contract}项目", f"{village.name}", started, None,
            Decimal(rng.randrange(5, 200) * 100), fee * len(entries), jobs, description,
        ),
    )  # fmt: skip
    w.add_many(PROJECT_LINKS, ((w.new_id(PROJECT_LINKS), project_id, entry_id) for entry_id in entries))


COLUMNS = {
    MeetingDecision: "id villager_group held_on subject basis entitled present votes_for publicised_on recorded_by "
    "recorded_at",
    FundEntry: "id villager_group party_group entry_date direction amount category counterparty purpose decision "
    "reverses recorded_by recorded_at",
    Project: "id village villager_group party_group name location started_on finished_on investment income "
    "local_jobs description",
    PROJECT_LINKS: "id project fundentry",
}
