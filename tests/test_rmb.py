"""Amounts in Chinese capitals (人民币大写), as the award list and the 公示 print them under the totals."""

from decimal import Decimal

import pytest

from core.rmb import rmb_capital


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("10000.00", "壹万元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("0.15", "壹角伍分"),
        ("1000000.10", "壹佰万元零壹角"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),  # 壹拾, never a bare 拾, on money
        ("200", "贰佰元整"),
        ("500", "伍佰元整"),
        ("1200.50", "壹仟贰佰元零伍角"),
        # the People's Bank's own examples (《支付结算办法》附件一)
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万柒仟元零伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        # zeros inside and across the 万 and 亿 groups: one 零 for a run
        ("1001", "壹仟零壹元整"),
        ("10010", "壹万零壹拾元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("100010000", "壹亿零壹万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1000000001", "壹拾亿零壹元整"),
    ],
)
def test_it_writes_the_amount_in_capitals(amount, words):
    assert rmb_capital(Decimal(amount)) == words


def test_it_rounds_to_the_fen_half_up_first():
    assert rmb_capital(Decimal("0.005")) == "壹分"
    assert rmb_capital(Decimal("99.995")) == "壹佰元整"
    assert rmb_capital(Decimal("0.004")) == "零元整"


def test_a_negative_amount_says_so():
    assert rmb_capital(Decimal("-50")) == "负伍拾元整"


def test_it_takes_whole_numbers_and_text():
    assert rmb_capital(2000) == "贰仟元整"
    assert rmb_capital("2,000.00".replace(",", "")) == "贰仟元整"
