"""Demo organisational life (组织生活) for 金溪乡, the surveyed township: the twelve months ending last month, through
`orglife.meetings.services` (a system action: the months already closed by the monthly reports are back-filled).

Every branch holds its monthly 支委会 and 主题党日, each party group its monthly 党小组会, a 党员大会 and a 党课 each
quarter and a 组织生活会 once. The gaps the township should see: two branches (MISSING_ASSEMBLY) held no 党员大会 in
the last complete quarter; a handful of members working in cities (REMOTE) attend remotely; three members are at risk
(AT_RISK: two without attendance for three and four months, listed for a 谈心谈话, one for seven months without an
accepted reason, flagged for the branch committee). Every branch of the county has a committee (书记, 组织委员,
宣传委员: the branch's secretary and the next two members by name) in office for the whole year, so its 支委会
expects the committee. Running it again changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from core import clock, periods
from groups.models import GroupPost, PartyGroup
from members.models import PartyMember
from orglife.committee.models import CommitteeSeat
from orglife.committee.services import committee_members_on, committee_seat_add
from orglife.meetings.models import Kind, Meeting, Presence
from orglife.meetings.services import Mark, meeting_record, members_on, theme_publish
from township.models import Township, Village

COUNTY = "嘉陵县"
SURVEYED = "金溪乡"
MISSING_ASSEMBLY = ("石门村", "静阳村")
# (village, member index by name) working in cities: they attend remotely
REMOTE = [("罗紫村", 4), ("静阳村", 5), ("石门村", 3), ("静阳村", 8)]
# (village, member index by name) → months up to last month without attending, and the reason given
AT_RISK = {("罗紫村", 6): (3, "personal"), ("静阳村", 3): (4, "other"), ("罗紫村", 9): (7, "other")}
THEMES = ["学习贯彻党的二十大精神", "为民办实事", "乡村振兴我带头", "安全生产大排查", "防汛减灾", "人居环境整治"]


def records_group_meetings(township) -> bool:
    """Whether this builder records the township's 党小组会 (every month of the monthly reports: the year before
    this month and this month's, held on its 2nd), so the reports' builder leaves them to it."""
    return township.name == SURVEYED and township.county.name == COUNTY


def already_built() -> bool:
    return Meeting.objects.filter(village__township__name=SURVEYED, village__township__county__name=COUNTY).exists()


def build(actor=None) -> None:
    with transaction.atomic():
        build_committees()
    township = Township.objects.filter(name=SURVEYED, county__name=COUNTY).first()
    if township is None or already_built():
        return
    with transaction.atomic():
        _build(township)


def committee_start(today: datetime.date) -> datetime.date:
    """The demo committees' term begins with the first month of the demo's meetings."""
    return periods.add_months(periods.previous_month(periods.month_of(today)), -11)


def build_committees() -> None:
    """Each branch of the demo county without a committee gets one: its secretary (by name, else the first member)
    as 书记, the next two members by name as 组织委员 and 宣传委员, in office since the demo year began."""
    start = committee_start(clock.today())
    posts = [CommitteeSeat.Post.SECRETARY, CommitteeSeat.Post.ORGANISATION, CommitteeSeat.Post.PUBLICITY]
    has_committee = CommitteeSeat.objects.values("village_id")
    for v in Village.objects.filter(township__county__name=COUNTY).exclude(pk__in=has_committee).order_by("pk"):
        members = list(members_on(v, start).order_by("name", "pk"))
        secretary = next((m for m in members if m.name == v.secretary_name), members[0] if members else None)
        if secretary is None:
            continue
        others = [m for m in members if m.pk != secretary.pk][:2]
        for post, member in zip(posts, [secretary, *others], strict=False):
            committee_seat_add(village=v, member=member, post=post, started_on=start, acting_user=None)


def last_complete_quarter(today: datetime.date) -> tuple[int, int]:
    q = periods.quarter_of(today)
    return (today.year, q - 1) if q > 1 else (today.year - 1, 4)


def _pick(villages, spec) -> dict[int, object]:
    """(village name, index) → member, by the members' order of name."""
    out = {}
    for (village_name, index), value in spec.items():
        v = villages.get(village_name)
        if v is None:
            continue
        members = list(PartyMember.objects.filter(village=v).order_by("name", "pk"))
        if index < len(members):
            out[members[index].pk] = value
    return out


def _build(township) -> None:
    today = clock.today()
    last = periods.previous_month(periods.month_of(today))
    months = [periods.add_months(last, k) for k in range(-11, 1)]
    villages = {v.name: v for v in Village.objects.filter(township=township).order_by("name")}
    remote = _pick(villages, {key: True for key in REMOTE})
    at_risk = _pick(villages, AT_RISK)
    gap_year, gap_quarter = last_complete_quarter(today)
    gap_first, gap_last = periods.quarter_range(gap_year, gap_quarter)
    for k, month in enumerate(months[-len(THEMES) :]):
        theme_publish(township=township, month=month, title=THEMES[k], acting_user=None)

    def marks(members, day: datetime.date) -> list[Mark]:
        out = []
        for m in members:
            risk = at_risk.get(m.pk)
            if risk and day >= periods.add_months(last, 1 - risk[0]):
                out.append(Mark(member=m, presence=Presence.ABSENT, reason=risk[1]))
            elif m.pk in remote:
                out.append(Mark(member=m, presence=Presence.REMOTE))
            else:
                out.append(Mark(member=m, presence=Presence.PRESENT))
        return out

    for v in villages.values():
        groups = list(PartyGroup.objects.filter(village=v).order_by("name"))
        for month in months:
            members = list(members_on(v, month).order_by("name", "pk"))
            if not members:
                continue
            host, recorder = members[0], members[1 % len(members)]

            def hold(kind, day, people, topic, group=None, *, v=v, host=host, recorder=recorder, **extra):
                meeting_record(
                    village=v,
                    kind=kind,
                    held_on=day,
                    topic=topic,
                    party_group=group,
                    place=f"{v.name}党员活动室",
                    host=host,
                    recorder=recorder,
                    content=f"{topic}：传达学习、讨论本月工作。",
                    marks=marks(people, day),
                    acting_user=None,
                    backfill=True,
                    **extra,
                )

            committee_day = month.replace(day=5)
            committee = list(committee_members_on(v, committee_day)) or members[:3]
            hold(Kind.COMMITTEE, committee_day, committee, "研究本月支部工作")
            hold(Kind.THEME_DAY, month.replace(day=10), members, "主题党日活动")
            for g in groups:
                if not periods.overlaps(g.established_on, g.dissolved_on, *periods.month_range(month)):
                    continue
                ids = GroupPost.objects.on(month).filter(party_group=g).values("member_id")
                people = [m for m in members if m.pk in {row["member_id"] for row in ids}]
                if people:
                    hold(Kind.GROUP, month.replace(day=15), people, f"{g.name}月度学习和社务", group=g)
            if month.month % 3 == 2:
                hold(Kind.LECTURE, month.replace(day=20), members, "支部书记讲党课")
            if month.month % 3 == 0 and not (v.name in MISSING_ASSEMBLY and gap_first <= month <= gap_last):
                hold(Kind.ASSEMBLY, month.replace(day=25), members, "支部党员大会：通报季度工作", decisions="同意。")
            if month.month == 1:
                hold(Kind.LIFE, month.replace(day=18), members, "年度组织生活会和民主评议党员")
        _this_months_group_meetings(v, groups, today, marks)
        members = list(members_on(v, last).order_by("name", "pk"))
        for m in members[1:4]:
            meeting_record(
                village=v,
                kind=Kind.TALK,
                held_on=last.replace(day=8),
                topic="谈思想、谈工作",
                host=members[0],
                talk_with=m,
                content="交流了家庭和生产情况。",
                acting_user=None,
                backfill=True,
            )


def _this_months_group_meetings(v, groups, today: datetime.date, marks) -> None:
    """This month's 党小组会 of each group, held on the 2nd (the month is under way: its report lists it)."""
    day = today.replace(day=min(2, today.day))
    members = list(members_on(v, day).order_by("name", "pk"))
    for g in groups:
        if not periods.overlaps(g.established_on, g.dissolved_on, day, day):
            continue
        ids = {row["member_id"] for row in GroupPost.objects.on(day).filter(party_group=g).values("member_id")}
        people = [m for m in members if m.pk in ids]
        if people:
            meeting_record(
                village=v,
                kind=Kind.GROUP,
                held_on=day,
                topic=f"{g.name}本月学习和社务",
                party_group=g,
                place=f"{v.name}党员活动室",
                host=people[0],
                recorder=people[1 % len(people)],
                content="学习乡党委本月通知，商议本月走访分工。",
                marks=marks(people, day),
                acting_user=None,
                backfill=True,
            )
