"""The Party's rules for organisational life, each with where it comes from: how often each kind of meeting is due
(the township may change it in its settings), the study hours a kind of meeting counts by default, who votes, when a
vote is valid, and when a member is at risk. One home for each rule; services, selectors and the demo ask here."""

from __future__ import annotations

import datetime
from decimal import Decimal

from core import periods
from orglife.meetings.models import Kind, OrgLifeSettings, Period

# kind → (the Party's default period, the rule it comes from)
DEFAULT_RULES: dict[str, tuple[str, str]] = {
    Kind.ASSEMBLY: (Period.QUARTER, "《中国共产党支部工作条例（试行）》第十六条：支部党员大会一般每季度召开1次"),
    Kind.COMMITTEE: (Period.MONTH, "《中国共产党支部工作条例（试行）》第十六条：支部委员会会议一般每月召开1次"),
    Kind.GROUP: (Period.MONTH, "《中国共产党支部工作条例（试行）》第十六条：党小组会一般每月召开1次"),
    Kind.LECTURE: (Period.QUARTER, "《中国共产党支部工作条例（试行）》第十六条：党课每季度至少1次"),
    Kind.THEME_DAY: (Period.MONTH, "《中国共产党支部工作条例（试行）》第十七条：每月相对固定1天开展主题党日"),
    Kind.LIFE: (Period.YEAR, "《中国共产党支部工作条例（试行）》第十八条：组织生活会一般每年召开1次"),
    Kind.TALK: (Period.YEAR, "《中国共产党支部工作条例（试行）》第十九条：谈心谈话每年与每名党员至少1次"),
}

# Study hours a meeting counts by default (the form lets the secretary change them).
DEFAULT_STUDY_HOURS: dict[str, Decimal] = {
    Kind.ASSEMBLY: Decimal("2"),
    Kind.COMMITTEE: Decimal("0"),
    Kind.GROUP: Decimal("1"),
    Kind.LECTURE: Decimal("4"),
    Kind.THEME_DAY: Decimal("2"),
    Kind.LIFE: Decimal("4"),
    Kind.TALK: Decimal("0"),
}

# Members at risk (党章第九条): no attendance for 3 consecutive months → a 谈心谈话; 6 months without attending and
# without an accepted reason → the branch committee reviews.
TALK_AFTER_MONTHS = 3
FLAG_AFTER_MONTHS = 6

SOURCES = {
    "vote": "《中国共产党章程》第七条：预备党员没有表决权；"
    "《中国共产党支部工作条例（试行）》：党员大会须有半数以上有表决权的党员到会方可进行表决",
    "risk": "《中国共产党章程》第九条：党员无正当理由连续六个月不参加党的组织生活，视为自行脱党",
    "hours": "《2019—2023年全国党员教育培训工作规划》：党员每年集中学习培训一般不少于32学时",
}


def settings_for(township) -> OrgLifeSettings:
    """The township's settings, or the defaults (unsaved) when it has kept none."""
    found = OrgLifeSettings.objects.filter(township=township).first()
    return found or OrgLifeSettings(township=township)


def vote_valid(*, entitled: int, attending: int) -> bool:
    """A vote at a 支部党员大会 is valid only when more than half of the members entitled to vote attend."""
    return entitled > 0 and attending * 2 > entitled


def period_units(period: str, first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The periods of one kind (months, quarters, years) that touch first–last, each as (first day, last day)."""
    units = []
    if period == Period.MONTH:
        month = periods.month_of(first)
        while month <= last:
            units.append(periods.month_range(month))
            month = periods.next_month(month)
    elif period == Period.QUARTER:
        year, q = first.year, periods.quarter_of(first)
        while True:
            start, end = periods.quarter_range(year, q)
            if start > last:
                break
            units.append((start, end))
            year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    else:
        for year in range(first.year, last.year + 1):
            units.append(periods.year_range(year))
    return units
