"""Dates and periods written the way a Chinese reader writes them: 2026年3月1日, 2026年3月, 第一季度.

The one home of these spellings: messages (`day_cn(...)`), templates (`{% load humanize_cn %}` `|day_cn`,
`|quarter_cn`) and exports use them, so no page shows 2026-03-01 or Q1.
"""
from __future__ import annotations

import datetime

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
BOOLEAN_NAMES = {True: "是", False: "否", None: "无"}


def day_cn(day: datetime.date | datetime.datetime | None) -> str:
    """2026年3月1日 (empty for None)."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def month_cn(month: datetime.date | None) -> str:
    """2026年3月 (empty for None)."""
    if month is None:
        return ""
    return f"{month.year}年{month.month}月"


def quarter_cn(quarter: int | str | None) -> str:
    """第一季度 … 第四季度 (the number itself when it is not a quarter)."""
    try:
        return QUARTER_NAMES[int(quarter)]
    except (KeyError, TypeError, ValueError):
        return "" if quarter is None else str(quarter)
