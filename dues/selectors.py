"""Reading the dues book: what each member owes month by month, what they paid, arrears, the township's remittances,
and the check that every total agrees to the fen. Each function runs a fixed number of queries, whatever the rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min, OuterRef, Q, Subquery, Sum

from core import clock, periods
from dues import rules
from dues.models import (
    Assessment,
    DuesBook,
    Excuse,
    Frequency,
    Line,
    RateTable,
    Remittance,
    TownshipDuesRule,
)
from groups.models import GroupPost
from members.models import PartyMember
from members.standing.selectors import in_party_between, with_changes_in_order
from township.models import Village

ZERO = rules.ZERO
REMINDER_MONTHS = 3  # unpaid this long: the group leader reminds the member
FLAG_MONTHS = 6  # unpaid this long in a row without an accepted reason: the branch committee (党章 art. 9)


def cents(amount) -> Decimal:
    """A database sum as exact yuan and fen (SQLite sums decimals as floating point: 123.600000000000)."""
    return Decimal(amount or 0).quantize(rules.CENT)


def yuan(amount: Decimal | None) -> str:
    return "" if amount is None else f"{Decimal(amount):,.2f}"


# --- the rules in force -----------------------------------------------------------------------------------------


def rate_tables() -> list[rules.Rates]:
    """Every rate table with its bands, oldest first (two queries)."""
    out = []
    for table in RateTable.objects.prefetch_related("bands").order_by("valid_from"):
        bands = sorted(table.bands.all(), key=lambda b: (b.up_to is None, b.up_to or 0))
        out.append(
            rules.Rates(
                valid_from=table.valid_from,
                income=tuple(rules.Band(b.up_to, b.percent) for b in bands if b.basis == "income"),
                pension=tuple(rules.Band(b.up_to, b.percent) for b in bands if b.basis == "pension"),
                small_amount=table.small_amount,
            )
        )
    return out


def township_rules(township_id: int) -> list[rules.TownshipRule]:
    return [
        rules.TownshipRule(r.valid_from, r.farmer_amount, r.frequency, r.remit_due_day)
        for r in TownshipDuesRule.objects.filter(township_id=township_id).order_by("valid_from")
    ]


def schedule_for(township_id: int) -> rules.Schedule:
    """The rate tables and the township's own rules (three queries)."""
    return rules.Schedule(rates=rate_tables(), township_rules=township_rules(township_id))


def period_of(month: datetime.date, frequency: str) -> tuple[datetime.date, int]:
    """The collection period a month falls in: (its first month, its number of months)."""
    if frequency == Frequency.QUARTERLY:
        return periods.quarter_months(month.year, periods.quarter_of(month))[0], 3
    return periods.month_of(month), 1


def period_label(start: datetime.date, months: int) -> str:
    if months == 3:
        return f"{start.year}年第{periods.quarter_of(start)}季度"
    return f"{start.year}年{start.month}月"


# --- one member's months ----------------------------------------------------------------------------------------


def member_months(member: PartyMember) -> tuple[datetime.date, datetime.date | None]:
    """The first and last month a member owes dues in this branch (None: still a member)."""
    return rules.first_due_month(member.joined_on), rules.last_due_month(member.left_on)


def is_member_in(member: PartyMember, month: datetime.date) -> bool:
    """Whether the member owes dues for `month`: a member (probationary or full) on some day of it, by the standing
    history — the month of joining and the month of leaving are owed; a month wholly under 停止党籍 is not."""
    return in_party_between(member, month, periods.next_month(month))


@dataclass
class Dues:
    """What members owe and paid over some months: `due[(member_id, month)]` is the amount (None: not assessed
    for that year), absent outside membership; `paid` and `voluntary` sum the book's lines."""

    due: dict[tuple[int, datetime.date], Decimal | None] = field(default_factory=dict)
    paid: dict[tuple[int, datetime.date], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    voluntary: dict[tuple[int, datetime.date], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    assessments: dict[tuple[int, int], Assessment] = field(default_factory=dict)

    def outstanding(self, member_id: int, month: datetime.date) -> Decimal | None:
        due = self.due.get((member_id, month))
        if due is None:
            return None
        return max(due - self.paid[(member_id, month)], ZERO)

    def unpaid(self, member_id: int, month: datetime.date) -> bool:
        """Owed something that month and not (fully) paid."""
        left = self.outstanding(member_id, month)
        return left is not None and left > 0


def dues_for(members: list[PartyMember], first: datetime.date, last: datetime.date, schedule: rules.Schedule) -> Dues:
    """Dues owed and paid by these members from month `first` to `last` (two queries)."""
    out = Dues()
    ids = [m.pk for m in members]
    for a in Assessment.objects.filter(member_id__in=ids, year__gte=first.year, year__lte=last.year):
        out.assessments[(a.member_id, a.year)] = a
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = periods.next_month(month)
    for m in members:
        for month in months:
            if not is_member_in(m, month):
                continue
            a = out.assessments.get((m.pk, month.year))
            out.due[(m.pk, month)] = schedule.due(a.category, a.base, month) if a else None
    lines = (
        Line.objects.filter(member_id__in=ids, month__gte=first, month__lte=last)
        .values("member_id", "month", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in lines:
        target = out.paid if row["kind"] == Line.Kind.ASSESSED else out.voluntary
        target[(row["member_id"], row["month"])] += cents(row["total"])
    return out


# --- the branch's book for a year -------------------------------------------------------------------------------


@dataclass
class Cell:
    month: datetime.date
    due: Decimal | None  # None: not assessed
    paid: Decimal
    voluntary: Decimal
    member: bool  # a member of the branch that month

    @property
    def state(self) -> str:
        if not self.member:
            return "none"
        if self.due is None:
            return "unassessed"
        if self.paid >= self.due:
            return "paid"
        return "part" if self.paid > 0 else "unpaid"


@dataclass
class BookRow:
    member: PartyMember
    assessment: Assessment | None
    percent: Decimal | None
    monthly: Decimal | None  # the amount of the year's first month owed (for the register's "月交额")
    cells: list[Cell]

    @property
    def due_total(self) -> Decimal:
        return sum((c.due for c in self.cells if c.member and c.due is not None), ZERO)

    @property
    def paid_total(self) -> Decimal:
        return sum((c.paid for c in self.cells), ZERO)

    @property
    def voluntary_total(self) -> Decimal:
        return sum((c.voluntary for c in self.cells), ZERO)


@dataclass
class Book:
    village: object
    year: int
    months: list[datetime.date]
    rows: list[BookRow]
    balance: Decimal
    frequency: str
    first_year: int = 0  # the earliest year the branch has dues on record (see `first_year`): how far back links go

    @property
    def month_totals(self) -> list[Decimal]:
        return [sum((r.cells[i].paid + r.cells[i].voluntary for r in self.rows), ZERO) for i in range(12)]

    @property
    def paid_total(self) -> Decimal:
        return sum((r.paid_total for r in self.rows), ZERO)

    @property
    def voluntary_total(self) -> Decimal:
        return sum((r.voluntary_total for r in self.rows), ZERO)

    @property
    def due_total(self) -> Decimal:
        return sum((r.due_total for r in self.rows), ZERO)

    @property
    def unassessed(self) -> list[PartyMember]:
        return [r.member for r in self.rows if r.assessment is None]


def members_in_year(village, year: int) -> list[PartyMember]:
    """The members who owe dues for some month of the year (two queries). The cached `left_on` only narrows the
    read; the standing history decides (a year wholly under 停止党籍 owes nothing)."""
    first, last = periods.year_range(year)
    members = with_changes_in_order(
        PartyMember.objects.filter(village=village, joined_on__lte=last)
        .without_numbers()
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .order_by("name", "pk")
    )
    return [m for m in members if in_party_between(m, first, last + datetime.timedelta(days=1))]


def book_for(village, year: int, members: list[PartyMember] | None = None) -> Book:
    """The member × month grid of a branch's year (a fixed number of queries); `members`: only these."""
    schedule = schedule_for(village.township_id)
    members = members_in_year(village, year) if members is None else members
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    dues = dues_for(members, months[0], months[-1], schedule)
    rows = []
    for m in members:
        a = dues.assessments.get((m.pk, year))
        cells = [
            Cell(
                month=month,
                due=dues.due.get((m.pk, month)),
                paid=dues.paid[(m.pk, month)],
                voluntary=dues.voluntary[(m.pk, month)],
                member=(m.pk, month) in dues.due,
            )
            for month in months
        ]
        first_owed = next((c for c in cells if c.member), None)
        rates = schedule.rates_for(first_owed.month) if first_owed else None
        rows.append(
            BookRow(
                member=m,
                assessment=a,
                percent=rules.percent_for(a.category, a.base, rates) if a and rates else None,
                monthly=first_owed.due if first_owed else None,
                cells=cells,
            )
        )
    # the balance and the first year on record in one query (a dues page asked for `first_year` apart)
    balance, first = (
        Village.objects.filter(pk=village.pk)
        .annotate(
            balance=Subquery(DuesBook.objects.filter(village=OuterRef("pk")).values("balance")[:1]),
            first=Subquery(
                Assessment.objects.filter(member__village=OuterRef("pk"))
                .order_by()
                .values("member__village")
                .annotate(first=Min("year"))
                .values("first")
            ),
        )
        .values_list("balance", "first")
        .get()
    )
    frequency = schedule.township_rule_for(datetime.date(year, 1, 1)).frequency
    return Book(
        village=village,
        year=year,
        months=months,
        rows=rows,
        balance=balance or ZERO,
        frequency=frequency,
        first_year=min(first or clock.this_year(), clock.this_year()),
    )


# --- arrears ----------------------------------------------------------------------------------------------------


@dataclass
class Arrear:
    member: PartyMember
    unpaid_months: list[datetime.date]
    in_a_row: int  # consecutive unpaid months ending last month
    in_a_row_unexcused: int  # the same, months with an accepted reason not counted (they break the run)
    owed: Decimal
    party_group: str
    leader: str

    @property
    def flagged(self) -> bool:
        return self.in_a_row_unexcused >= FLAG_MONTHS


LOOKBACK_MONTHS = 24


def arrears_for(
    village, as_of: datetime.date | None = None, *, group_names: bool = True, months: int = LOOKBACK_MONTHS
) -> list[Arrear]:
    """Members of a branch unpaid for at least three months in a row up to last month (the current month is not
    late yet), longest first; six in a row without an accepted reason are flagged for the branch committee.
    `group_names=False` leaves out each member's party group and its leader (two queries fewer: the dashboard's
    to-do item counts and names members only). `months` is how far back the book is read: the arrears list reads
    two years; the to-do list FLAG_MONTHS, which decides the same members and flags but counts runs, unpaid months
    and the sum owed over those months only."""
    if months < FLAG_MONTHS:
        raise ValueError(f"arrears are judged over at least {FLAG_MONTHS} months")
    today = as_of or clock.today()
    last = periods.previous_month(periods.month_of(today))
    first = periods.add_months(last, 1 - months)
    members = [m for m in members_in_year(village, last.year) if is_member_in(m, last)]
    dues = dues_for(members, first, last, schedule_for(village.township_id))
    excused: dict[int, set[datetime.date]] = defaultdict(set)
    for e in Excuse.objects.filter(member__in=members, last_month__gte=first, first_month__lte=last):
        month = e.first_month
        while month <= e.last_month:
            excused[e.member_id].add(month)
            month = periods.next_month(month)
    groups = _groups_and_leaders(members, today) if group_names else {}
    out = []
    for m in members:
        start = max(first, member_months(m)[0])
        unpaid = {month: dues.unpaid(m.pk, month) for month in dues_months(start, last)}
        run = rules.consecutive_unpaid(unpaid, last, start)
        if run < REMINDER_MONTHS:
            continue
        unexcused = {month: u and month not in excused[m.pk] for month, u in unpaid.items()}
        months = [month for month, u in unpaid.items() if u]
        owed = sum((dues.outstanding(m.pk, month) or ZERO for month in months), ZERO)
        group, leader = groups.get(m.pk, ("", ""))
        out.append(
            Arrear(
                member=m,
                unpaid_months=months,
                in_a_row=run,
                in_a_row_unexcused=rules.consecutive_unpaid(unexcused, last, start),
                owed=owed,
                party_group=group,
                leader=leader,
            )
        )
    out.sort(key=lambda a: (-a.in_a_row, a.party_group, a.member.name))
    return out


def dues_months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = periods.next_month(month)
    return months


def _groups_and_leaders(members: list[PartyMember], day: datetime.date) -> dict[int, tuple[str, str]]:
    """member id → (their party group's name, its leader's name) on `day` (two queries)."""
    posts = list(GroupPost.objects.on(day).filter(member__in=members).select_related("party_group"))
    group_of = {p.member_id: p.party_group for p in posts}
    leaders = {
        p.party_group_id: p.member.name
        for p in GroupPost.objects.on(day)
        .filter(party_group__in={g.pk for g in group_of.values()}, role=GroupPost.Role.LEADER)
        .select_related("member")
    }
    return {mid: (g.name, leaders.get(g.pk, "")) for mid, g in group_of.items()}


# --- remittances ------------------------------------------------------------------------------------------------


def collected_in(village_ids, first: datetime.date, last: datetime.date) -> dict[int, Decimal]:
    """village id → everything the book took in (payments, voluntary extras, less reversals) dated in the range."""
    rows = (
        Line.objects.filter(village_id__in=village_ids, paid_on__gte=first, paid_on__lte=last)
        .values("village_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {r["village_id"]: cents(r["total"]) for r in rows}


def remitted_period(village_id: int, day: datetime.date) -> Remittance | None:
    """The remittance that already covers the period `day` falls in, if any (one query)."""
    for r in Remittance.objects.live().filter(
        village_id=village_id,
        period_start__lte=day,
        period_start__gt=periods.add_months(periods.month_of(day), -3),
    ):
        if periods.month_of(day) <= periods.add_months(r.period_start, r.months - 1):
            return r
    return None


@dataclass
class PeriodStatus:
    start: datetime.date
    months: int
    collected: Decimal
    remittance: Remittance | None  # the live one (not reversed)
    due_by: datetime.date
    late: bool
    reversed: list[Remittance] = field(default_factory=list)  # remittances of the period later reversed

    @property
    def label(self) -> str:
        return period_label(self.start, self.months)


@dataclass
class BranchYear:
    village: object
    periods: list[PeriodStatus]

    @property
    def remitted_total(self) -> Decimal:
        return sum((p.remittance.amount for p in self.periods if p.remittance), ZERO)

    @property
    def collected_total(self) -> Decimal:
        return sum((p.collected for p in self.periods), ZERO)

    @property
    def late_count(self) -> int:
        return sum(1 for p in self.periods if p.late)


def year_periods(year: int, schedule: rules.Schedule) -> list[tuple[datetime.date, int, int]]:
    """(first month, months, remit due day) of each collection period of the year."""
    out, month = [], datetime.date(year, 1, 1)
    while month.year == year:
        rule = schedule.township_rule_for(month)
        start, n = period_of(month, rule.frequency)
        if not out or out[-1][0] != start:
            out.append((start, n, rule.remit_due_day))
        month = periods.next_month(month)
    return out


def township_year(township, year: int, villages=None) -> list[BranchYear]:
    """Every branch of a township (or those given) with each period of the year: collected, remitted, late."""
    from township.models import Village

    today = clock.today()
    schedule = schedule_for(township.pk)
    villages = list(villages if villages is not None else Village.objects.filter(township=township).order_by("name"))
    ids = [v.pk for v in villages]
    rows = list(
        Remittance.objects.filter(village_id__in=ids, period_start__year=year).select_related(
            "receipt", "recorded_by", "reverses"
        )
    )
    reversals = {r.reverses_id: r for r in rows if r.reverses_id is not None}
    remittances: dict[tuple[int, datetime.date], Remittance] = {}
    reversed_ones: dict[tuple[int, datetime.date], list[Remittance]] = defaultdict(list)
    for r in rows:
        if r.reverses_id is not None:
            continue
        if r.pk in reversals:
            r.reversal = reversals[r.pk]
            reversed_ones[(r.village_id, r.period_start)].append(r)
        else:
            remittances[(r.village_id, r.period_start)] = r
    first, last = periods.year_range(year)
    lines = (
        Line.objects.filter(village_id__in=ids, paid_on__gte=first, paid_on__lte=last)
        .values("village_id", "paid_on__month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_month: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for row in lines:
        by_month[(row["village_id"], row["paid_on__month"])] += cents(row["total"])
    out = []
    for v in villages:
        statuses = []
        for start, n, due_day in year_periods(year, schedule):
            end_month = periods.add_months(start, n - 1)
            collected = sum((by_month[(v.pk, start.month + k)] for k in range(n)), ZERO)
            due_by = periods.month_due(end_month, due_day)
            r = remittances.get((v.pk, start))
            late = (r is None and today > due_by and collected > 0) or (r is not None and r.remitted_on > due_by)
            statuses.append(PeriodStatus(start, n, collected, r, due_by, late, reversed_ones.get((v.pk, start), [])))
        out.append(BranchYear(village=v, periods=statuses))
    return out


# --- the check --------------------------------------------------------------------------------------------------


def check(villages) -> list[str]:
    """Every way the book could disagree with itself, to the fen: the stored balance against the lines less the
    remittances, each remittance against what was collected in its period. Empty when all agree."""
    problems = []
    ids = [v.pk for v in villages]
    names = {v.pk: v.name for v in villages}
    lines = {
        r["village_id"]: cents(r["total"])
        for r in Line.objects.filter(village_id__in=ids).values("village_id").annotate(total=Sum("amount")).order_by()
    }
    remitted = {
        r["village_id"]: cents(r["total"])
        for r in Remittance.objects.filter(village_id__in=ids)
        .values("village_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    balances = dict(DuesBook.objects.filter(village_id__in=ids).values_list("village_id", "balance"))
    for vid in ids:
        expected = lines.get(vid, ZERO) - remitted.get(vid, ZERO)
        stored = balances.get(vid, ZERO)
        if stored != expected:
            problems.append(
                f"{names[vid]}：账面余额 {yuan(stored)} 元，按收据和上缴应为 {yuan(expected)} 元"
                f"（差 {yuan(stored - expected)} 元）。"
            )
    by_day = defaultdict(lambda: ZERO)
    daily = Line.objects.filter(village_id__in=ids).values("village_id", "paid_on").annotate(t=Sum("amount"))
    for r in daily.order_by():
        by_day[(r["village_id"], r["paid_on"])] += cents(r["t"])
    remittances = list(Remittance.objects.filter(village_id__in=ids).order_by("village_id", "period_start", "pk"))
    amounts = {r.pk: r.amount for r in remittances}
    reversed_ids = {r.reverses_id for r in remittances if r.reverses_id is not None}
    for r in remittances:
        if r.reverses_id is not None:  # a reversal takes back exactly what its remittance took
            if r.amount != -amounts.get(r.reverses_id, ZERO):
                problems.append(
                    f"{names[r.village_id]} {period_label(r.period_start, r.months)}：冲销 {yuan(r.amount)} 元，"
                    f"与原上缴 {yuan(amounts.get(r.reverses_id))} 元不符。"
                )
            continue
        if r.pk in reversed_ids:
            continue
        first = r.period_start
        last = periods.month_end(periods.add_months(first, r.months - 1))
        collected = sum((t for (vid, day), t in by_day.items() if vid == r.village_id and first <= day <= last), ZERO)
        if collected != r.amount:
            problems.append(
                f"{names[r.village_id]} {period_label(first, r.months)}：上缴 {yuan(r.amount)} 元，"
                f"该期收缴 {yuan(collected)} 元（差 {yuan(r.amount - collected)} 元）。"
            )
    return problems


def group_of(member: PartyMember, day: datetime.date | None = None):
    """The party group a member belongs to on `day` (today), or None (one query)."""
    post = GroupPost.objects.on(day or clock.today()).filter(member=member).select_related("party_group").first()
    return post.party_group if post else None


def group_members(party_group, day: datetime.date | None = None) -> list[PartyMember]:
    """The members of a party group on `day` (today), leader and deputies included, by name, with their standing
    history (two queries)."""
    ids = GroupPost.objects.on(day or clock.today()).filter(party_group=party_group).values("member_id")
    return list(with_changes_in_order(PartyMember.objects.filter(pk__in=ids).order_by("name", "pk")))


def group_book(party_group, year: int) -> Book:
    """A party group's part of its branch's book: its present members' months of the year (a fixed number of
    queries), for the group leader who collects from them."""
    return book_for(party_group.village, year, members=group_members(party_group))


def first_year(villages) -> int:
    """The earliest year these branches have dues on record (assessed), or this year: how far back year links go."""
    from django.db.models import Min

    first = Assessment.objects.filter(member__village__in=villages).aggregate(first=Min("year"))["first"]
    return min(first or clock.this_year(), clock.this_year())


def dues_up_to_date_many(villages, as_of: datetime.date) -> dict[int, tuple[int, int]]:
    """village id → (members owing nothing from January to the month before `as_of`, members owing dues then), for
    many branches at once (a fixed number of queries): the appraisal's evidence line."""
    villages = list(villages)
    last = periods.previous_month(periods.month_of(as_of))
    first = datetime.date(last.year, 1, 1)
    year_first, year_last = periods.year_range(last.year)
    members = list(
        with_changes_in_order(
            PartyMember.objects.filter(village__in=[v.pk for v in villages], joined_on__lte=year_last)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=year_first))
            .order_by("village_id", "name", "pk")
        )
    )
    members = [m for m in members if is_member_in(m, last)]
    township_ids = {v.township_id for v in villages}
    rates = rate_tables()
    town_rules: dict[int, list[rules.TownshipRule]] = defaultdict(list)
    for r in TownshipDuesRule.objects.filter(township_id__in=township_ids).order_by("valid_from"):
        town_rules[r.township_id].append(
            rules.TownshipRule(r.valid_from, r.farmer_amount, r.frequency, r.remit_due_day)
        )
    out = {v.pk: (0, 0) for v in villages}
    township_of = {v.pk: v.township_id for v in villages}
    # One Dues per township (the rules differ by township), from the same two queries' rows.
    by_township: dict[int, list[PartyMember]] = defaultdict(list)
    for m in members:
        by_township[township_of[m.village_id]].append(m)
    assessments = {
        (a.member_id, a.year): a for a in Assessment.objects.filter(member__in=[m.pk for m in members], year=last.year)
    }
    paid: dict[tuple[int, datetime.date], Decimal] = defaultdict(lambda: ZERO)
    for row in (
        Line.objects.filter(
            member_id__in=[m.pk for m in members], month__gte=first, month__lte=last, kind=Line.Kind.ASSESSED
        )
        .values("member_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        paid[(row["member_id"], row["month"])] += cents(row["total"])
    months = dues_months(first, last)
    for tid, ms in by_township.items():
        schedule = rules.Schedule(rates=rates, township_rules=town_rules.get(tid, []))
        for m in ms:
            a = assessments.get((m.pk, last.year))
            clear = a is not None and all(
                (due := schedule.due(a.category, a.base, mo)) is not None and paid[(m.pk, mo)] >= due
                for mo in months
                if is_member_in(m, mo)
            )
            c, n = out[m.village_id]
            out[m.village_id] = (c + int(clear), n + 1)
    return out


def dues_up_to_date(village, as_of: datetime.date | None = None) -> tuple[int, int]:
    """(members owing nothing up to last month, members owing dues that month) — the appraisal's evidence line."""
    today = as_of or clock.today()
    last = periods.previous_month(periods.month_of(today))
    members = [m for m in members_in_year(village, last.year) if is_member_in(m, last)]
    first = periods.month_of(datetime.date(last.year, 1, 1))
    dues = dues_for(members, first, last, schedule_for(village.township_id))

    def is_clear(m: PartyMember) -> bool:  # assessed for every month owed, and nothing outstanding
        owed = [mo for mo in dues_months(first, last) if (m.pk, mo) in dues.due]
        return all(dues.due[(m.pk, mo)] is not None and not dues.unpaid(m.pk, mo) for mo in owed)

    clear = sum(1 for m in members if is_clear(m))
    return clear, len(members)
