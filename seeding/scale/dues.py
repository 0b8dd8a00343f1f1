"""Party dues (党费) for one generated township, as `dues.services` records them: the township's rule, each member's
yearly assessment, the branches' receipts with their monthly lines, the remittances to the township and its receipt
of them, and each book's balance.

Dues run over whole years (January of the first whole year generated up to last month), as the demo builder keeps
them: dues are assessed by the year. The township sets the farmers' amount (0.20–1.00 yuan a month) and collects
monthly or, one township in five, quarterly. Most members are farmers and pay for a quarter, half a year or a year at
a time, at the group meeting, to their group leader; the retired and employed pay every month or quarter on the
2008 bands (the rate tables in the database, read once by the caller), a few pay the small amount (低保, 生活困难)
and one in seventy is exempt by the branch's decision. One member in twenty-five has stopped paying some months
before last month. Receipts are numbered per branch and year in the order they were written (date order). Each
period's takings are remitted after it ends, by the township's day (one in twenty late); the most recent ones may
still be to remit, and the township confirms receiving most within days. Every amount comes from `dues.rules`, so
`manage.py check_dues` finds the books agreeing to the fen.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from core import periods
from dues import rules
from dues.models import Assessment, DuesBook, Frequency, Line, Payment, Remittance, RemittanceReceipt, TownshipDuesRule
from seeding.scale.plan import Member, Run, Town, VillagePlan, at

DAY = datetime.timedelta(days=1)
ZERO = rules.ZERO
FARMER_AMOUNTS = [Decimal(a) for a in ("0.20", "0.30", "0.50", "0.50", "1.00")]
EXEMPT_NOTE = "经支部大会研究免交（长期患病，无收入）"


ASSESSED, VOLUNTARY = Line.Kind.ASSESSED.value, Line.Kind.VOLUNTARY.value


@dataclass
class _Payment:
    member: Member
    lines: list[tuple[datetime.date, str, Decimal]]  # (month, kind, amount)
    paid_on: datetime.date
    received_by: str


def dues_months(run: Run) -> list[datetime.date]:
    """January of the first whole year generated up to last month (empty when there is none)."""
    cal = run.calendar
    first = cal.months[0] if cal.months[0].month == 1 else datetime.date(cal.months[0].year + 1, 1, 1)
    last = periods.previous_month(periods.month_of(cal.today))
    months, month = [], first
    while month <= last:
        months.append(month)
        month = periods.next_month(month)
    return months


def write_dues(run: Run, town: Town) -> None:
    months = dues_months(run)
    if not months or not run.dues_rates:
        return
    rng = run.rng_for(town.number, "dues")
    w = run.writer
    rule = rules.TownshipRule(
        valid_from=datetime.date(months[0].year - 2, 1, 1),
        farmer_amount=rng.choice(FARMER_AMOUNTS),
        frequency=Frequency.QUARTERLY if rng.random() < 0.2 else Frequency.MONTHLY,
        remit_due_day=rng.choice((10, 10, 15)),
    )
    w.add(
        TownshipDuesRule,
        (w.new_id(TownshipDuesRule), town.id, rule.valid_from, rule.farmer_amount, rule.frequency, rule.remit_due_day),
    )
    schedule = rules.Schedule(rates=run.dues_rates, township_rules=[rule])
    prices: dict[tuple, Decimal | None] = {}  # (category, base, index in `months`) → the month's amount
    for village in town.villages:
        _village(run, rng, town, village, schedule, rule, months, prices)


def _category(rng: random.Random) -> tuple[str, Decimal | None, str]:
    r = rng.random()
    if r < 0.80:
        return rules.FARMER, None, ""
    if r < 0.87:
        return rules.RETIRED, Decimal(rng.randrange(1800, 5600, 50)), ""
    if r < 0.92:
        return rules.EMPLOYED, Decimal(rng.randrange(2200, 8000, 100)), ""
    if r < 0.95:
        return "low_income", None, ""
    if r < 0.986:
        return "hardship", None, ""
    return rules.EXEMPT, None, EXEMPT_NOTE


def _chunk_size(rng: random.Random, category: str) -> int:
    if category == rules.FARMER:
        return rng.choice((3, 6, 6, 6, 12))
    if category in (rules.RETIRED, rules.EMPLOYED):
        return rng.choice((1, 1, 1, 3))
    return rng.choice((6, 12))


def _village(run: Run, rng, town: Town, village: VillagePlan, schedule, rule, months, prices) -> None:
    w = run.writer
    years = sorted({m.year for m in months})
    set_at = {year: at(datetime.date(year, 1, 2), 10) for year in years}  # before the year's first receipts
    group_of = {m.id: g for g in village.groups for m in g.members}
    names = {m.id: m.name for m in village.members}
    payments: list[_Payment] = []
    for m in village.members:
        category, base, note = _category(rng)
        chunk = _chunk_size(rng, category)
        base_in: dict[int, Decimal | None] = {}
        for year in years:
            base_in[year] = base
            w.add(Assessment, (w.new_id(Assessment), m.id, year, category, base, note, village.secretary_id,
                               set_at[year]))  # fmt: skip
            if base is not None:
                base = (base * Decimal("1.03") / 10).quantize(Decimal("1")) * 10  # a raise or a pension increase
        if category == rules.EXEMPT:
            continue
        owed = len(months)
        if rng.random() < 0.04:
            owed = max(0, owed - rng.randint(2, 9))  # stopped paying some months ago
        windows: dict[tuple[int, int], list[int]] = {}  # (year, window) → indexes in `months`
        for i in range(owed):
            month = months[i]
            windows.setdefault((month.year, (month.month - 1) // chunk), []).append(i)
        group = group_of.get(m.id)
        extra = category == rules.RETIRED and rng.random() < 0.3  # 自愿多交 at the year's first payment
        for (year, _), part in windows.items():
            b = base_in[year]
            amounts = []
            for i in part:
                key = (category, b, i)
                price = prices.get(key)
                if price is None:
                    price = prices[key] = schedule.due(category, b, months[i])
                amounts.append(price)
            day = months[part[-1] if rng.random() < 0.1 else part[0]]  # now and then paid at the window's end
            paid_on = day.replace(day=rng.randint(3, 25))
            collector = names.get(group.leader_on(paid_on)) if group is not None else None
            voluntary = Decimal("10.00") if extra and months[part[0]].month == 1 else ZERO
            lines = [(months[i], ASSESSED, a) for i, a in zip(part, amounts, strict=True) if a]
            if voluntary:
                lines.append((months[part[0]], VOLUNTARY, voluntary))
            payments.append(_Payment(m, lines, paid_on, collector or village.secretary_name))
    payments.sort(key=lambda p: p.paid_on)  # receipts are numbered in the order written (stable: member order)
    collected: dict[datetime.date, Decimal] = {}  # month paid in → amount
    seq: dict[int, int] = {}
    line_rows = []
    for p in payments:
        if not p.lines:
            continue
        payment_id = w.new_id(Payment)
        paid_on, member_id = p.paid_on, p.member.id
        seq[paid_on.year] = n = seq.get(paid_on.year, 0) + 1
        w.add(Payment, (payment_id, village.id, member_id, paid_on.year, n, paid_on, p.received_by, None, "",
                        village.secretary_id, at(paid_on, 18)))  # fmt: skip
        ids = w.new_ids(Line, len(p.lines))
        line_rows += [
            (line_id, payment_id, village.id, member_id, month, paid_on, kind, amount, False)
            for line_id, (month, kind, amount) in zip(ids, p.lines, strict=True)
        ]
        month = paid_on.replace(day=1)
        collected[month] = collected.get(month, ZERO) + sum(line[2] for line in p.lines)
    w.add_many(Line, line_rows)
    balance = sum(collected.values(), ZERO)
    balance -= _remit(run, rng, town, village, rule, months, collected)
    w.add(DuesBook, (w.new_id(DuesBook), village.id, balance))


def _remit(run: Run, rng, town: Town, village: VillagePlan, rule, months, collected) -> Decimal:
    """Each ended period's takings remitted after it by the township's day (now and then late), unless still to
    come; the township's receipt of most. Returns the total remitted."""
    w, today = run.writer, run.calendar.today
    n = 3 if rule.frequency == Frequency.QUARTERLY else 1
    total = ZERO
    for k in range(0, len(months), n):
        start, end_month = months[k], periods.add_months(months[k], n - 1)
        if periods.month_end(end_month) >= today:
            break
        amount = sum((collected.get(month, ZERO) for month in months[k : k + n]), ZERO)
        if amount <= 0:
            continue
        due_by = periods.month_due(end_month, rule.remit_due_day)
        late = rng.random() < 0.05
        remitted_on = due_by + rng.randint(3, 20) * DAY if late else due_by - rng.randint(0, 6) * DAY
        if remitted_on > today:
            continue  # still to remit
        remittance_id = w.new_id(Remittance)
        w.add(Remittance, (remittance_id, village.id, start, n, amount, remitted_on, 1, None, "",
                           village.secretary_id, at(remitted_on, 17)))  # fmt: skip
        total += amount
        received_on = remitted_on + rng.randint(0, 5) * DAY
        if received_on <= today and rng.random() < 0.95:
            w.add(RemittanceReceipt, (w.new_id(RemittanceReceipt), remittance_id, received_on, town.staff_id,
                                      at(received_on, 11)))  # fmt: skip
    return total


COLUMNS = {
    TownshipDuesRule: "id township valid_from farmer_amount frequency remit_due_day",
    Assessment: "id member year category base note set_by set_at",
    DuesBook: "id village balance",
    Payment: "id village member receipt_year receipt_seq paid_on received_by reverses reason recorded_by recorded_at",
    Line: "id payment village member month paid_on kind amount is_reversal",
    Remittance: "id village period_start months amount remitted_on attempt reverses reason recorded_by recorded_at",
    RemittanceReceipt: "id remittance received_on received_by recorded_at",
}
