"""The demo's year of dues (seeding/demo/dues.py): built through the services, agreeing to the fen, with the two
members in arrears and the one branch late in remitting."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from dues.models import Assessment, DuesBook, Payment, Remittance
from dues.selectors import arrears_for, book_for, check, township_year
from seeding.demo import build as demo
from seeding.demo import dues as demo_dues
from township.models import Township, Village

JUNE = datetime.date(2027, 6, 1)  # the suite's this month


@pytest.fixture
def demo_dues_built(db):
    demo.build()
    demo_dues.build()
    return Township.objects.get(name=demo.SURVEYED)


def test_the_demo_years_agree_to_the_fen_and_show_arrears_and_a_late_branch(demo_dues_built):
    township = demo_dues_built
    built = Payment.objects.count()
    demo_dues.build()
    assert Payment.objects.count() == built > 251
    villages = list(Village.objects.filter(township=township))
    assert check(villages) == []
    categories = set(Assessment.objects.values_list("category", flat=True))
    assert {"farmer", "employed", "retired"} <= categories
    in_arrears = [a for v in villages for a in arrears_for(v)]
    assert sorted((a.in_a_row, a.flagged) for a in in_arrears) == [(4, False), (7, True)]
    # every month owed of every year assessed is paid, but for the two members in arrears: no year begun part-way
    owing = {a.member.name for v in villages for a in arrears_for(v)}
    for v in villages:
        for year in (2026, 2027):
            for row in book_for(v, year).rows:
                unpaid = [c.month for c in row.cells if c.month < JUNE and c.state in ("unpaid", "part", "unassessed")]
                assert not unpaid or row.member.name in owing, (v.name, row.member.name, unpaid)
    late = {b.village.name for b in township_year(township, 2027) if b.late_count}
    late |= {b.village.name for b in township_year(township, 2026) if b.late_count}
    assert late == {demo_dues.LATE_VILLAGE}
    assert Remittance.objects.exists()

    # the check command agrees with the township's summary and the books' balances, to the fen
    out = io.StringIO()
    call_command("check_dues", "--township", township.name, stdout=out)
    lines = out.getvalue().splitlines()
    collected = sum((b.collected_total for y in (2026, 2027) for b in township_year(township, y)), Decimal(0))
    remitted = sum((b.remitted_total for y in (2026, 2027) for b in township_year(township, y)), Decimal(0))
    balance = sum(DuesBook.objects.filter(village__township=township).values_list("balance", flat=True))
    assert collected >= remitted > 0 and collected - remitted == balance
    assert lines[0] == (
        f"{township.name}：收缴 {collected:,.2f} 元，上缴 {remitted:,.2f} 元，待上缴 {balance:,.2f} 元 — 相符"
    )
    assert lines[-1] == "党费账、收缴和上缴逐分相符。"
