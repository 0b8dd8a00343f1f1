"""A township's organisational life (orglife): the branch committees, the township's monthly 主题党日 themes, every
branch's 三会一课 with each member's attendance, and the party groups' 党小组会.

A 党小组会 is one record, as `orglife.meetings.services.meeting_record` keeps it: the meeting (with its attendance)
and the activity of kind 党小组会 its group's monthly report lists, linked both ways (`Meeting.report`,
`Meeting.activity`). The reports stage writes that activity and calls `group_meeting` for it, so every 党小组会
activity of every month has its meeting: 应到 is the group's members that day, 实到 (present) the activity's
participants, the others absent with a reason; the activity's text is what `report_link.activity_text` makes of the
meeting, and it reaches no households (the service never sets them).

The branch meetings cover the last `BRANCH_MONTHS` complete months (the room is newer than the reports, and a year of
them keeps the seed fast): a 支委会 and a 主题党日 each month (linked to the township's theme of the month), a 党课
and a 支部党员大会 each quarter (a few branches miss one), a 组织生活会 each January, two or three 谈心谈话 a month. A
支委会 expects the committee in office (the branch's first three group leaders, or members, as 书记, 组织委员 and
宣传委员 since the groups were set up); every other branch meeting expects every member of the branch. The member
working away in no group attends remotely or is absent for work. No vote is generated. Rows are written as the
services write them (study hours by `orglife.meetings.rules`, no recording user: a back-fill), without history rows.
"""

from __future__ import annotations

import datetime
import random

from orglife.committee.models import CommitteeSeat
from orglife.meetings.models import AbsenceReason, Attendance, Kind, Meeting, MonthlyTheme, Presence
from orglife.meetings.rules import DEFAULT_STUDY_HOURS
from seeding.scale.plan import Group, Member, Run, Town, VillagePlan, at

BRANCH_MONTHS = 12
REASONS = [AbsenceReason.SICK, AbsenceReason.AWAY_WORK, AbsenceReason.PERSONAL, AbsenceReason.OTHER]
REASON_WEIGHTS = [3, 4, 3, 1]
POSTS = [CommitteeSeat.Post.SECRETARY, CommitteeSeat.Post.ORGANISATION, CommitteeSeat.Post.PUBLICITY]
THEMES = [
    "学习贯彻党的二十大精神", "为民办实事", "乡村振兴我带头", "安全生产大排查", "防汛减灾", "人居环境整治",
    "党纪学习教育", "移风易俗树新风", "平安乡村建设", "农田水利冬修", "关爱留守老人儿童", "春耕备耕服务",
]  # fmt: skip
CONTENT = "传达学习上级精神，讨论本月工作。"
TALK_CONTENT = "交流了家庭和生产情况，听取对支部工作的意见。"


def place_of(village: VillagePlan) -> str:
    return f"{village.name}党员活动室"


def group_meeting(
    run: Run, town: Town, group: Group, report_id: int, activity_id: int, day: datetime.date, people: list[Member]
) -> tuple[str, str]:
    """Write the 党小组会 that the report's activity is: its attendance (the group's members expected, `people`
    present, the rest absent with a reason); returns the activity's (content, outcome) as the report link writes
    them from the meeting."""
    rng = town.orglife_rng
    w = run.writer
    village = next(v for v in town.villages if v.id == group.village_id)
    topic = f"{group.name}{day.month}月学习和社务"
    content, decisions = rng.choice(GROUP_TEXTS)
    host = group.leader_on(day)
    recorder = next(m.id for m in group.members if m.id != host) if len(group.members) > 1 else host
    meeting_id = w.new_id(Meeting)
    w.add(
        Meeting,
        (
            meeting_id, village.id, group.id, Kind.GROUP, day, place_of(village), host, recorder, None, topic, content,
            decisions, DEFAULT_STUDY_HOURS[Kind.GROUP], None, report_id, activity_id, None,
            min(at(day, 20), run.calendar.now),
        ),
    )  # fmt: skip
    present = {m.id for m in people}
    w.add_many(Attendance, _attendance(w, rng, meeting_id, group.members, present, away=set()))
    return f"{topic}：{content}", decisions


GROUP_TEXTS = [
    ("学习乡党委本月通知，商议本月走访分工。", "分工走访本社困难户和留守老人。"),
    ("传达村支部会议精神，讨论社务公开事项。", "社务公开栏本周更新。"),
    ("学习党章和廉洁纪律，评议本组党员履职。", "各党员认领一项为民服务事项。"),
    ("商议本社道路维护和灌溉用水安排。", "组织党员带头清理沟渠。"),
    ("学习防汛和安全生产要求，排查本社隐患。", "隐患清单报村支部。"),
]


def _attendance(w, rng: random.Random, meeting_id: int, expected, present: set[int], away: set[int]):
    for m in expected:
        if m.id in present:
            yield (w.new_id(Attendance), meeting_id, m.id, Presence.PRESENT, "")
        elif m.id in away:
            yield (w.new_id(Attendance), meeting_id, m.id, Presence.REMOTE, "")
        else:
            reason = rng.choices(REASONS, REASON_WEIGHTS)[0]
            yield (w.new_id(Attendance), meeting_id, m.id, Presence.ABSENT, reason)


def write_orglife(run: Run, town: Town) -> None:
    """The committees, themes and branch meetings of the township (the 党小组会 come with the reports)."""
    rng = run.rng_for(town.number, "orglife")
    cal = run.calendar
    months = cal.months[:-1][-BRANCH_MONTHS:]
    w = run.writer
    themes = {}
    for k, month in enumerate(months):
        themes[month] = w.new_id(MonthlyTheme)
        title = THEMES[(month.month - 1 + k // 12) % len(THEMES)]
        w.add(MonthlyTheme, (themes[month], town.id, month, title, f"{title}：学习材料见乡党委通知。", town.staff_id))
    for village in town.villages:
        committee = _committee(run, village)
        _branch_meetings(run, rng, village, committee, months, themes)


def _committee(run: Run, village: VillagePlan) -> list[Member]:
    """书记, 组织委员, 宣传委员: the branch's first group leaders (then its members), since the groups were set up."""
    people: list[Member] = []
    for m in [g.members[0] for g in village.groups] + village.members:
        if m not in people:
            people.append(m)
    w, started = run.writer, run.calendar.established
    for post, member in zip(POSTS, people, strict=False):
        row = (w.new_id(CommitteeSeat), village.id, member.id, post, started, None, None, at(started, 9))
        w.add(CommitteeSeat, row)
    return people[: len(POSTS)]


def _branch_meetings(run: Run, rng: random.Random, village: VillagePlan, committee, months, themes) -> None:
    w = run.writer
    members = village.members
    grouped = {m.id for g in village.groups for m in g.members}
    away = {m.id for m in members if m.id not in grouped}  # working away, in no group: remote
    misses_assembly = rng.random() < 0.1
    secretary = committee[0]

    def hold(kind: str, day: datetime.date, expected, topic: str, *, decisions: str = "", theme=None, absent=0.08):
        meeting_id = w.new_id(Meeting)
        recorder = committee[1 % len(committee)]
        w.add(
            Meeting,
            (
                meeting_id, village.id, None, kind, day, place_of(village), secretary.id, recorder.id, None, topic,
                f"{topic}：{CONTENT}", decisions, DEFAULT_STUDY_HOURS[kind], theme, None, None, None,
                min(at(day, 20), run.calendar.now),
            ),
        )  # fmt: skip
        present = {m.id for m in expected if m.id not in away and rng.random() >= absent}
        w.add_many(Attendance, _attendance(w, rng, meeting_id, expected, present, away))

    for month in months:
        hold(Kind.COMMITTEE, month.replace(day=5), committee, "研究本月支部工作", absent=0.03)
        hold(Kind.THEME_DAY, month.replace(day=10), members, "主题党日活动", theme=themes[month])
        if month.month % 3 == 2:
            hold(Kind.LECTURE, month.replace(day=20), members, "支部书记讲党课")
        if month.month % 3 == 0 and not (misses_assembly and rng.random() < 0.3):
            hold(Kind.ASSEMBLY, month.replace(day=25), members, "支部党员大会：通报季度工作", decisions="同意。")
        if month.month == 1:
            hold(Kind.LIFE, month.replace(day=18), members, "年度组织生活会和民主评议党员", absent=0.05)
        others = [m for m in members if m.id != secretary.id]
        for talk_with in rng.sample(others, min(len(others), rng.randint(2, 3))):
            day = month.replace(day=rng.randint(1, 28))
            w.add(
                Meeting,
                (
                    w.new_id(Meeting), village.id, None, Kind.TALK, day, "", secretary.id, None, talk_with.id,
                    "谈思想、谈工作", TALK_CONTENT, "", DEFAULT_STUDY_HOURS[Kind.TALK], None, None, None, None,
                    min(at(day, 20), run.calendar.now),
                ),
            )  # fmt: skip


COLUMNS = {
    CommitteeSeat: "id village member post started_on ended_on recorded_by recorded_at",
    MonthlyTheme: "id township month title materials published_by",
    Meeting: "id village party_group kind held_on place host recorder talk_with topic content decisions study_hours "
    "theme report activity recorded_by recorded_at",
    Attendance: "id meeting member presence reason",
}
