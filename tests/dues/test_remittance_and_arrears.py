"""Remittance to the township (the amount is the book's, per period, monthly or quarterly), the township's view of
who remitted and who is late, `check_dues` agreeing to the fen, and the arrears rules (3 months: a reminder;
6 in a row without an accepted reason: the branch committee)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from dues.models import DuesBook, Remittance, TownshipDuesRule
from dues.selectors import REMINDER_MONTHS, arrears_for, check, township_year
from dues.services import excuse_record, payment_reverse, remittance_record
from tests.dues.conftest import YEAR, month, pay

D = Decimal


def remit(village, start, day):
    return remittance_record(village=village, period_start=start, remitted_on=day, acting_user=None)


def test_a_remittance_takes_everything_the_period_collected_to_the_fen(org, assessed):
    pay(assessed[0], month(4), "40", voluntary="10", day=datetime.date(2027, 4, 3))
    pay(assessed[1], month(4), "75", months=3, day=datetime.date(2027, 4, 30))  # advance for May and June too
    wrong = pay(assessed[2], month(4), "0.20", day=datetime.date(2027, 4, 10))
    payment_reverse(payment=wrong, reason="记错人", acting_user=None, on=datetime.date(2027, 4, 11))
    pay(assessed[3], month(5), "0.20", day=datetime.date(2027, 5, 2))  # next month's
    r = remit(org.a1, month(4), datetime.date(2027, 5, 6))
    assert (r.amount, r.months) == (D("125.00"), 1)
    assert DuesBook.objects.get(village=org.a1).balance == D("0.20")
    assert check([org.a1, org.a2]) == []


def test_bad_remittances_are_refused_with_the_reason(org, assessed):
    pay(assessed[0], month(5), "40", day=datetime.date(2027, 5, 3))
    pay(assessed[0], month(6), "40", day=datetime.date(2027, 6, 3))
    with pytest.raises(ValidationError) as exc:
        remit(org.a1, month(6), datetime.date(2027, 6, 15))
    assert "还没有结束" in exc.value.message_dict["period_start"][0]
    with pytest.raises(ValidationError) as exc:
        remit(org.a1, month(5), datetime.date(2027, 5, 31))
    assert "结束之后" in exc.value.message_dict["remitted_on"][0]
    with pytest.raises(ValidationError) as exc:
        remit(org.a1, month(3), datetime.date(2027, 4, 2))
    assert "没有收到党费" in exc.value.message_dict["period_start"][0]
    remit(org.a1, month(5), datetime.date(2027, 6, 4))
    with pytest.raises(ValidationError) as exc:
        remit(org.a1, month(5), datetime.date(2027, 6, 5))
    assert "已于2027年6月4日上缴" in exc.value.message_dict["period_start"][0]
    assert Remittance.objects.count() == 1


def test_a_payment_dated_in_a_remitted_period_is_refused(org, assessed):
    pay(assessed[0], month(5), "40", day=datetime.date(2027, 5, 3))
    remit(org.a1, month(5), datetime.date(2027, 6, 4))
    with pytest.raises(ValidationError) as exc:
        pay(assessed[1], month(5), "25", day=datetime.date(2027, 5, 28))
    assert "已于2027年6月4日上缴" in exc.value.message_dict["paid_on"][0]
    pay(assessed[1], month(5), "25", day=datetime.date(2027, 6, 4))  # dated when it was received: this period


def test_a_quarterly_township_remits_by_quarter(org, assessed):
    TownshipDuesRule.objects.create(township=org.ta, valid_from=datetime.date(2027, 1, 1), frequency="quarterly")
    pay(assessed[0], month(1), "120", months=3, day=datetime.date(2027, 1, 8))
    pay(assessed[1], month(1), "75", months=3, day=datetime.date(2027, 3, 30))
    r = remit(org.a1, month(2), datetime.date(2027, 4, 6))  # any month of the quarter names the quarter
    assert (r.period_start, r.months, r.amount) == (month(1), 3, D("195.00"))
    with pytest.raises(ValidationError):
        pay(assessed[2], month(3), "0.20", day=datetime.date(2027, 3, 31))
    periods = township_year(org.ta, YEAR)[0].periods
    assert [p.label for p in periods] == [f"{YEAR}年第{q}季度" for q in (1, 2, 3, 4)]


def test_the_township_sees_who_remitted_and_who_is_late(org, assessed):
    pay(assessed[0], month(3), "40", day=datetime.date(2027, 3, 3))
    pay(assessed[0], month(4), "40", day=datetime.date(2027, 4, 3))
    pay(assessed[-1], month(4), "0.20", day=datetime.date(2027, 4, 5))  # 井阳村
    remit(org.a1, month(3), datetime.date(2027, 4, 8))  # on time (by the 10th)
    remit(org.a1, month(4), datetime.date(2027, 5, 20))  # late
    rows = {b.village.name: b for b in township_year(org.ta, YEAR)}
    luozi, jingyang = rows["罗紫村"], rows["井阳村"]
    assert [p.late for p in luozi.periods[2:4]] == [False, True]
    assert luozi.remitted_total == D("80.00") and luozi.late_count == 1
    assert jingyang.periods[3].remittance is None and jingyang.periods[3].late  # collected, never remitted
    assert jingyang.collected_total == D("0.20") and jingyang.remitted_total == D("0.00")


def test_check_dues_agrees_to_the_fen_and_catches_a_tampered_balance(org, assessed, capsys):
    pay(assessed[0], month(4), "40", day=datetime.date(2027, 4, 3))
    remit(org.a1, month(4), datetime.date(2027, 5, 3))
    pay(assessed[1], month(5), "25", day=datetime.date(2027, 5, 3))
    call_command("check_dues")
    out = capsys.readouterr().out
    assert "东河乡：收缴 65.00 元，上缴 40.00 元，待上缴 25.00 元 — 相符" in out
    DuesBook.objects.filter(village=org.a1).update(balance=D("25.01"))
    with pytest.raises(CommandError, match="1 处不相符"):
        call_command("check_dues", township="东河乡")
    assert "差 0.01 元" in capsys.readouterr().err


# --- arrears ----------------------------------------------------------------------------------------------------


def names(rows):
    return {a.member.name: (a.in_a_row, a.flagged) for a in rows}


def test_three_unpaid_months_put_a_member_on_the_reminder_list_six_flag_them(org, assessed):
    # It is 15 June 2027: May is the last month that can be late.
    pay(assessed[0], month(1, 2026), "640", months=16)  # 2026-01 … 2027-04: May unpaid → 1 month, not listed
    pay(assessed[1], month(1, 2026), "375", months=15)  # … 2027-03: April and May → 2, not listed
    pay(assessed[2], month(1, 2026), "2.80", months=14)  # … 2027-02: March–May → 3, reminder
    pay(assessed[3], month(1, 2026), "2.20", months=11)  # … 2026-11: Dec–May → 6, flagged
    rows = arrears_for(org.a1)
    got = names(rows)
    assert got["罗紫党员3"] == (REMINDER_MONTHS, False)
    assert got["罗紫党员4"] == (6, True)
    assert got["罗紫党员5"][1] is True  # nothing paid at all
    assert "罗紫党员1" not in got and "罗紫党员2" not in got
    four = next(a for a in rows if a.member.name == "罗紫党员4")
    assert four.owed == D("1.20") and four.party_group == "罗紫一二社党小组" and four.leader == "罗紫党员1"


def test_an_accepted_reason_keeps_a_member_off_the_committee_list(org, assessed):
    pay(assessed[3], month(1, 2026), "2.20", months=11)
    excuse_record(
        member=assessed[3], first_month=month(2), last_month=month(3), reason="外出务工，年底补交", acting_user=None
    )
    four = next(a for a in arrears_for(org.a1) if a.member.name == "罗紫党员4")
    assert (four.in_a_row, four.in_a_row_unexcused, four.flagged) == (6, 2, False)


def test_a_member_who_joined_recently_is_not_in_arrears_for_months_before_joining(org):
    from dues.services import assessment_set
    from tests.factories import PartyMemberFactory

    m = PartyMemberFactory(village=org.a1, name="新党员", joined_on=datetime.date(2027, 4, 20))
    assessment_set(member=m, year=YEAR, category="farmer", acting_user=None)
    assert "新党员" not in names(arrears_for(org.a1))  # April and May: two months


def test_dues_up_to_date_counts_the_members_owing_nothing_this_year(org, assessed):
    """The figure an appraisal evidence line would read: members clear up to last month, of those owing dues."""
    from dues.selectors import dues_up_to_date

    pay(assessed[0], month(1), "200", months=5)
    pay(assessed[2], month(1), "1.00", months=5)
    pay(assessed[3], month(1), "0.80", months=4)  # May unpaid
    assert dues_up_to_date(org.a1) == (2, 10)  # of 罗紫村's ten members, only two are clear through May
