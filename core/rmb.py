"""Amounts of money written out in Chinese capital numerals (人民币大写), as on a receipt or an award list.

The form follows the People's Bank's rules for filling in bills (《支付结算办法》附件一): 壹贰叁… with 拾佰仟万亿,
"元整" when there are no 角 or 分, a single 零 for any run of zeros inside the number, 零 before the 角 when the
元 digit is zero (壹仟陆佰捌拾元零叁角贰分) and before the 分 when the 角 is zero (叁佰贰拾伍元零肆分), and under
one yuan only the 角 and 分 (伍分). Amounts are rounded to the fen half-up first (四舍五入).
"""

from __future__ import annotations

from decimal import Decimal

from core import rounding

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿", "万亿")
FEN = Decimal("0.01")


def _integer_words(n: int) -> str:
    """A whole number of yuan in capitals, without 元: 10010 → 壹万零壹拾."""
    if n == 0:
        return ""
    groups: list[int] = []  # four digits each, the lowest first
    while n:
        n, group = divmod(n, 10000)
        groups.append(group)
    words = ""
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(words)  # 壹亿零壹万: the empty 万 group is read as one 零
            continue
        for position in range(3, -1, -1):
            digit = group // 10**position % 10
            if digit == 0:
                zero_pending = zero_pending or bool(words)
                continue
            if zero_pending:
                words += "零"
                zero_pending = False
            words += DIGITS[digit] + SMALL_UNITS[position]
        words += BIG_UNITS[index]
        zero_pending = False  # a group's trailing zeros are said by its unit (壹拾万柒仟), not by 零
    return words


def rmb_capital(amount: Decimal | int | str) -> str:
    """Decimal('1680.32') → 壹仟陆佰捌拾元零叁角贰分; 10000 → 壹万元整; Decimal('0.05') → 伍分; 0 → 零元整."""
    value = rounding.money(amount)
    sign = "负" if value < 0 else ""
    value = abs(value)
    cents = int(value * 100)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if cents == 0:
        return "零元整"
    words = _integer_words(yuan)
    if yuan:
        words += "元"
    if jiao == 0 and fen == 0:
        return sign + words + "整"
    if jiao:
        if yuan and yuan % 10 == 0:
            words += "零"
        words += DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return sign + words
