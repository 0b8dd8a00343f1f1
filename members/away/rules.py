"""The rules about members working away, each with its source shown beside what it suggests.

Both rules count whole months from a date: "more than six months" is from the day six months after, onwards.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

AWAY_MONTHS_FOR_TRANSFER = 6
NO_CONTACT_MONTHS = 6


@dataclass(frozen=True)
class Rule:
    code: str
    says: str
    source: str


TRANSFER = Rule(
    "transfer",
    "外出6个月以上且有固定工作单位，建议将组织关系转移到外出所在地党组织。",
    "《中国共产党党员教育管理工作条例》（2019年）关于流动党员管理的规定：外出地点相对固定、时间在6个月以上的，"
    "应当将组织关系转移到外出所在地党组织。",
)
LOST = Rule(
    "lost",
    "连续6个月未与党组织联系，标记为失联党员，提交支部委员会研究。",
    "中共中央组织部关于排查处置失联党员的有关规定：与党组织失去联系6个月以上的党员为失联党员；"
    "参见《中国共产党章程》第九条（连续六个月不参加党的组织生活的处理）。",
)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day where it has no such day (31 August + 6 → 28/29 February)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def transfer_suggested(*, since: datetime.date, fixed_workplace: bool, today: datetime.date) -> bool:
    """Away more than six months with a fixed place of work."""
    return fixed_workplace and today > months_after(since, AWAY_MONTHS_FOR_TRANSFER)


def lost_contact(*, since: datetime.date, last_contact: datetime.date | None, today: datetime.date) -> bool:
    """No contact for six months: since the last contact, or since leaving if there has been none."""
    return today >= months_after(last_contact or since, NO_CONTACT_MONTHS)


def rules_for(spell, today: datetime.date) -> list[Rule]:
    """The rules that apply to an open spell away (`spell.last_contact` annotated or None)."""
    if spell.returned_on is not None:
        return []
    found = []
    if transfer_suggested(since=spell.since, fixed_workplace=spell.fixed_workplace, today=today):
        found.append(TRANSFER)
    if lost_contact(since=spell.since, last_contact=getattr(spell, "last_contact", None), today=today):
        found.append(LOST)
    return found
