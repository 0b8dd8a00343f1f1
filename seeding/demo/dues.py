"""Demo dues (党费) for 金溪乡, the surveyed township: whole years from January up to last month (at least nine
months: from the January before last when last month is earlier than September), through `dues.services`. Dues are
assessed by the year, so a year begun part-way would leave its first months owed by everyone.

The township sets farmers at 0.50 yuan a month, collected and remitted monthly. Most members are farmers and pay for
half a year at a time; 谢明德 and two others are retired, three are employed, on the 2008 bands. Two members are in
arrears: one has not paid for the last four months (a reminder from the group leader), one for the last seven (for
the branch committee). Every branch remits each month's takings by the 6th of the next, except 石门村, which sent
the farmers' half-year payments of its seventh month on the 25th, after the township's 10th. Running it again
changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core import clock, periods
from dues.models import Payment, TownshipDuesRule
from dues.selectors import dues_months, is_member_in, schedule_for
from dues.services import assessment_set, payment_record, remittance_record
from members.models import PartyMember
from members.standing.selectors import with_changes_in_order
from township.models import Township, Village

COUNTY = "嘉陵县"
SURVEYED = "金溪乡"
LATE_VILLAGE = "石门村"
FARMER_AMOUNT = Decimal("0.50")
# (village, member index in the village by name, category, base): a few members on the income and pension bands.
BANDED = [
    ("罗紫村", 1, "employed", Decimal("4200.00")),
    ("罗紫村", 2, "retired", Decimal("5200.00")),
    ("静阳村", 1, "employed", Decimal("2800.00")),
    ("静阳村", 2, "retired", Decimal("3600.00")),
    ("罗紫村", 3, "employed", Decimal("6500.00")),
]
ARREARS = {("罗紫村", -1): 4, ("静阳村", -1): 7}  # (village, member index) → months unpaid up to last month


def already_built() -> bool:
    return Payment.objects.filter(village__township__name=SURVEYED, village__township__county__name=COUNTY).exists()


def build(actor=None) -> None:
    township = Township.objects.filter(name=SURVEYED, county__name=COUNTY).first()
    if township is None or already_built():
        return
    with transaction.atomic():
        _build(township, actor)


def _build(township, actor) -> None:
    today = clock.today()
    last = periods.previous_month(periods.month_of(today))
    first = datetime.date(last.year if last.month >= 9 else last.year - 1, 1, 1)
    months = dues_months(first, last)
    TownshipDuesRule.objects.get_or_create(
        township=township, valid_from=periods.add_months(months[0], -24), defaults={"farmer_amount": FARMER_AMOUNT}
    )
    schedule = schedule_for(township.pk)
    villages = list(Village.objects.filter(township=township).order_by("name"))
    special = {}
    for village in villages:
        members = list(with_changes_in_order(PartyMember.objects.filter(village=village).order_by("name", "pk")))
        for name, index, category, base in BANDED:
            if village.name == name and index < len(members):
                special[members[index].pk] = (category, base)
        # 谢明德, the former branch secretary, draws a pension.
        for m in members:
            if m.name == "谢明德":
                special[m.pk] = ("retired", Decimal("3200.00"))
        unpaid = {members[i].pk: n for (v, i), n in ARREARS.items() if v == village.name and members}
        for m in members:
            owed = [mo for mo in months if is_member_in(m, mo)]
            if not owed:
                continue
            category, base = special.get(m.pk, ("farmer", None))
            for year in sorted({mo.year for mo in owed}):
                assessment_set(member=m, year=year, category=category, base=base, acting_user=actor)
            owed = owed[: len(owed) - unpaid.get(m.pk, 0)]
            chunk = 1 if category != "farmer" else 6
            for start in range(0, len(owed), chunk):
                part = owed[start : start + chunk]
                amount = sum(schedule.due(category, base, mo) for mo in part)
                payment_record(
                    village=village,
                    member=m,
                    first_month=part[0],
                    months=len(part),
                    amount=amount,
                    voluntary=Decimal("10.00") if category == "retired" and start == 0 else Decimal("0"),
                    paid_on=part[0].replace(day=8 if category == "farmer" else 15),
                    received_by=village.secretary_name or "支部书记",
                    acting_user=actor,
                )
    for village in villages:
        for mo in months:
            day = periods.next_month(mo).replace(day=6)
            if village.name == LATE_VILLAGE and mo == months[6]:
                day = periods.next_month(mo).replace(day=25)  # the half-year's takings sent after the 10th: late
            if day > today:
                continue
            try:
                remittance_record(village=village, period_start=mo, remitted_on=day, acting_user=actor)
            except ValidationError:  # a month nothing was collected in has nothing to remit
                continue
