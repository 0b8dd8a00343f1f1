"""The dues arithmetic: every band edge of the 2008 rules, half-up rounding to the fen, a rate change part-way through
a year, the township's farmers' rate, the small amount and exemption."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dues import rules
from dues.models import RateBand, RateTable, TownshipDuesRule
from dues.selectors import schedule_for

D = Decimal
R = rules.RULES_2008


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0.00", "0.00"),
        ("1233.00", "6.17"),  # 6.165: half-up, where half-even would give 6.16
        ("3000.00", "15.00"),  # the top of "≤ 3,000": 0.5 %
        ("3000.01", "30.00"),  # 30.0001: 1 %
        ("4999.99", "50.00"),
        ("5000.00", "50.00"),  # the top of "3,000–5,000": 1 %
        ("5000.01", "75.00"),  # 75.00015: 1.5 %
        ("10000.00", "150.00"),  # the top of "5,000–10,000": 1.5 %
        ("10000.01", "200.00"),  # 200.0002: 2 %
        ("12345.67", "246.91"),  # 246.9134
    ],
)
def test_employed_members_pay_by_their_band_of_income(base, expected):
    assert rules.monthly_amount("employed", D(base), R) == D(expected)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("2501.00", "12.51"),  # 12.505 → 12.51
        ("5000.00", "25.00"),  # the top of "≤ 5,000": 0.5 %
        ("5000.01", "50.00"),  # 50.0001: 1 %
        ("8000.00", "80.00"),
    ],
)
def test_retired_members_pay_by_their_band_of_pension(base, expected):
    assert rules.monthly_amount("retired", D(base), R) == D(expected)


def test_round_half_up_goes_away_from_zero_at_the_half_fen():
    assert rules.round_half_up(D("6.165")) == D("6.17")
    assert rules.round_half_up(D("6.1649")) == D("6.16")
    assert rules.round_half_up(D("0.005")) == D("0.01")


def test_fixed_categories_and_exemption():
    township = rules.TownshipRule(valid_from=datetime.date(2020, 1, 1), farmer_amount=D("0.50"))
    assert rules.monthly_amount("farmer", None, R, township) == D("0.50")
    for category in ("student", "low_income", "hardship"):
        assert rules.monthly_amount(category, None, R, township) == D("0.20")
    assert rules.monthly_amount("exempt", None, R, township) == D("0.00")


def test_an_employed_member_without_a_base_cannot_be_priced():
    with pytest.raises(ValueError):
        rules.monthly_amount("employed", None, R)


def test_the_migration_loaded_the_2008_rules_exactly(db):
    table = RateTable.objects.get()
    assert table.valid_from == datetime.date(2008, 4, 1)
    assert table.small_amount == D("0.20")
    bands = {(b.basis, b.up_to, b.percent) for b in RateBand.objects.all()}
    assert bands == {
        ("income", D("3000.00"), D("0.50")),
        ("income", D("5000.00"), D("1.00")),
        ("income", D("10000.00"), D("1.50")),
        ("income", None, D("2.00")),
        ("pension", D("5000.00"), D("0.50")),
        ("pension", None, D("1.00")),
    }
    loaded = schedule_for(0).rates[0]
    assert loaded.income == R.income and loaded.pension == R.pension


def test_a_rate_change_mid_year_applies_from_its_month_and_past_months_keep_theirs(org):
    new = RateTable.objects.create(valid_from=datetime.date(2027, 7, 1), name="假设的新标准", small_amount=D("0.30"))
    RateBand.objects.bulk_create(
        [
            RateBand(table=new, basis="income", up_to=D("3000.00"), percent=D("1.00")),
            RateBand(table=new, basis="income", up_to=None, percent=D("2.00")),
            RateBand(table=new, basis="pension", up_to=None, percent=D("1.00")),
        ]
    )
    schedule = schedule_for(org.ta.pk)
    june, july = datetime.date(2027, 6, 1), datetime.date(2027, 7, 1)
    assert schedule.due("employed", D("3000.00"), june) == D("15.00")
    assert schedule.due("employed", D("3000.00"), july) == D("30.00")
    assert schedule.due("employed", D("3000.01"), july) == D("60.00")
    assert schedule.due("student", None, june) == D("0.20")
    assert schedule.due("student", None, july) == D("0.30")
    assert schedule.due("employed", D("3000.00"), datetime.date(2008, 3, 1)) is None  # before any table


def test_the_farmers_rate_is_the_townships_and_changes_from_its_month(org):
    TownshipDuesRule.objects.create(township=org.ta, valid_from=datetime.date(2026, 1, 1), farmer_amount=D("0.50"))
    TownshipDuesRule.objects.create(township=org.ta, valid_from=datetime.date(2027, 4, 1), farmer_amount=D("1.00"))
    schedule = schedule_for(org.ta.pk)
    assert schedule.due("farmer", None, datetime.date(2025, 12, 1)) == D("0.20")  # before the township set one
    assert schedule.due("farmer", None, datetime.date(2027, 3, 1)) == D("0.50")
    assert schedule.due("farmer", None, datetime.date(2027, 4, 1)) == D("1.00")
    assert schedule_for(org.tb.pk).due("farmer", None, datetime.date(2027, 4, 1)) == D("0.20")  # not the neighbour's


def test_a_second_rate_table_on_the_same_day_is_refused_in_chinese(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        RateTable(valid_from=datetime.date(2008, 4, 1), name="重复").full_clean()
    assert "一个日期只能有一份标准" in str(exc.value.message_dict["valid_from"])
    with pytest.raises(ValidationError) as exc:
        RateTable(valid_from=datetime.date(2030, 4, 2), name="月中").full_clean()
    assert "1日" in str(exc.value.message_dict["valid_from"])


def test_a_township_rule_outside_0_2_to_1_yuan_is_refused(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        TownshipDuesRule(township=org.ta, valid_from=datetime.date(2027, 1, 1), farmer_amount=D("1.50")).full_clean()
    assert "farmer_amount" in exc.value.message_dict
