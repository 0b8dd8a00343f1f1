"""Demo monthly reports: thirteen months of activity for every party group, ending with the current month.

Past months are closed, last month is mostly submitted (a few groups overdue), this month is under way. Volume is
written with bulk inserts; the states that matter (a submission, a close, a reopening with its reason) go through the
real services so they carry their audit trail.

Each month's 党小组会 is recorded once, the way a person records it: as an organisational-life meeting with
attendance (`orglife.meetings.services.meeting_record`), which lists it in the report. The surveyed township's
meetings are recorded by `seeding.demo.orglife_meetings` (its year of organisational life with the known gaps); the
other townships' here, the members who took part present and the group's others on 事假.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from activity.models import Activity, MonthlyReport
from activity.reports import services
from core import clock, periods
from groups.models import Coverage, GroupPost, PartyGroup
from orglife.meetings.models import AbsenceReason, Presence
from orglife.meetings.models import Kind as MeetingKind
from orglife.meetings.services import Mark, meeting_record
from seeding.demo import orglife_meetings
from township.models import Assignment

Kind = Activity.Kind
Status = MonthlyReport.Status

TEXTS = {
    Kind.MEETING: [
        ("召开党小组会，学习乡党委关于社务管理的通知，讨论本月走访分工。", "明确了每名党员联系的农户。"),
        ("召开党小组会，通报上月党情民意处理情况，商议社道路维护。", "议定由组长牵头组织义务投工。"),
        ("召开党小组会，开展“三会一课”学习，交流带头致富经验。", "两名党员分享了种养经验。"),
    ],
    Kind.VISIT: [
        ("入户走访，了解春耕备耕和农资准备情况。", "收集到化肥价格、灌溉用水两条意见，已向支部反映。"),
        ("走访留守老人和困难户，了解生活和就医情况。", "为一户联系了村医上门。"),
        ("走访外出务工返乡人员，了解就业和创业意向。", "两人有意在本地发展养殖。"),
    ],
    Kind.POLICY: [
        ("宣传农村低保政策和申请办法。", "三户咨询了申请条件。"),
        ("宣传计划生育和农村安全知识，提醒汛期防范。", "发放宣传资料。"),
        ("宣传税费改革和惠农补贴政策。", "群众对补贴发放时间的疑问当场作了解答。"),
    ],
    Kind.MEDIATION: [
        ("调解两户因宅基地边界引起的纠纷，讲清政策、明晰界址。", "双方达成一致，签字确认。"),
        ("调解灌溉放水先后的争执。", "约定轮灌顺序，矛盾化解。"),
    ],
    Kind.RIGHTS: [("协助农户追讨被拖欠的务工工资。", "已通过劳动保障所追回大部分工资。")],
    Kind.AFFAIRS: [
        ("组织社员清理沟渠、维护社道路。", "出工二十余人次。"),
        ("公示本社集体经费收支情况。", "群众无异议。"),
    ],
    Kind.PROJECT: [("察看社道路建设进度，协调占地补偿。", "工程按计划推进。")],
    Kind.STUDY: [("组织党员集中学习党章和农村政策。", "每名党员交流了学习体会。")],
    Kind.EMERGENCY: [("暴雨后组织党员排查危房和滑坡隐患，转移两户群众。", "无人员伤亡。")],
}
MONTHS = 13  # thirteen months of reports, ending with this month
OTHER_KINDS = [Kind.VISIT, Kind.VISIT, Kind.POLICY, Kind.AFFAIRS, Kind.MEDIATION, Kind.STUDY, Kind.PROJECT, Kind.RIGHTS]


def _secretaries() -> dict:
    return {
        a.village_id: a.user
        for a in Assignment.objects.filter(role=Assignment.Role.BRANCH_SECRETARY).select_related("user")
    }


@transaction.atomic
def build(actor=None) -> None:
    """Create the reports unless they exist already (idempotent)."""
    if MonthlyReport.objects.exists():
        return
    rng = random.Random(7)  # noqa: S311 - demo data
    today = clock.today()
    months = periods.last_months(today, MONTHS)
    current, last = months[-1], months[-2]
    secretaries = _secretaries()
    staff = get_user_model().objects.filter(assignment__role=Assignment.Role.TOWNSHIP_STAFF).first()
    groups = list(PartyGroup.objects.select_related("village__township__county").order_by("pk"))
    members = _members_by_group()
    villager_groups = _villager_groups_by_group()
    overdue = {g.pk for g in rng.sample(groups, 3)}  # three groups late with last month
    reports, activities, participants, meetings = [], [], [], []
    for g in groups:
        user = secretaries.get(g.village_id)
        for month in months:
            if month < periods.month_of(g.established_on):
                continue
            if month == last and g.pk in overdue:
                status = Status.DRAFT
            elif month == current:
                status = rng.choice([Status.DRAFT, Status.DRAFT, Status.SUBMITTED])
            elif month == last:
                status = rng.choice([Status.SUBMITTED, Status.SUBMITTED, Status.CLOSED])
            else:
                status = Status.CLOSED
            due = periods.month_due(month, g.village.township.report_due_day)
            submitted = timezone.make_aware(
                datetime.datetime.combine(
                    due - datetime.timedelta(days=rng.randint(0, 4)), datetime.time(rng.randint(8, 18), 12)
                )
            )
            submitted = min(submitted, timezone.now())
            report = MonthlyReport(
                party_group=g,
                month=month,
                status=status,
                updated_by=user,
                submitted_at=submitted if status != Status.DRAFT else None,
                submitted_by=user if status != Status.DRAFT else None,
                closed_at=submitted + datetime.timedelta(days=3) if status == Status.CLOSED else None,
                closed_by=staff if status == Status.CLOSED else None,
            )
            reports.append(report)
            last_day = min(periods.month_end(month), today)
            kinds = [Kind.MEETING] + rng.sample(OTHER_KINDS, rng.randint(2, 4))
            if rng.random() < 0.04:
                kinds.append(Kind.EMERGENCY)
            if month == current and status == Status.DRAFT:
                kinds = kinds[: rng.randint(0, 2)]
            for kind in kinds:
                content, outcome = rng.choice(TEXTS[kind])
                pool = members[g.pk]
                people = rng.sample(pool, min(len(pool), rng.randint(2, max(2, len(pool)))))
                vgs = villager_groups[g.pk]
                (meetings if kind == Kind.MEETING else activities).append(
                    (
                        report,
                        Activity(
                            report=report,
                            kind=kind,
                            held_on=month.replace(day=rng.randint(1, last_day.day)),
                            is_emergency=kind == Kind.EMERGENCY,
                            villager_group=rng.choice(vgs) if vgs and kind != Kind.MEETING else None,
                            households_reached=rng.randint(5, 20)
                            if kind in (Kind.VISIT, Kind.POLICY)
                            else rng.randint(0, 4),
                            non_party_present=rng.randint(0, 6) if kind != Kind.STUDY else 0,
                            content=content,
                            outcome=outcome,
                        ),
                        people,
                    )
                )
    MonthlyReport.objects.bulk_create(reports, batch_size=500)
    for report, activity, _people in activities:
        activity.report = report  # now that the report has its primary key
    Activity.objects.bulk_create([a for _, a, _ in activities], batch_size=500)
    Through = Activity.participants.through
    for _report, activity, people in activities:
        participants.extend(Through(activity_id=activity.pk, partymember_id=m.pk) for m in people)
    Through.objects.bulk_create(participants, batch_size=2000)
    counts = {}
    for report, _a, _p in activities:
        counts[report.pk] = counts.get(report.pk, 0) + 1
    for report in reports:
        report.activity_count = counts.get(report.pk, 0)
    MonthlyReport.objects.bulk_update(reports, ["activity_count"], batch_size=500)
    _group_meetings(meetings, members)
    _reopened_story(months, secretaries)


def _group_meetings(meetings, members) -> None:
    """Record each month's 党小组会 once, through organisational life (the report lists it from there); the surveyed
    township's are its own year of organisational life (`seeding.demo.orglife_meetings`)."""
    for report, activity, people in meetings:
        group = report.party_group
        if orglife_meetings.records_group_meetings(group.village.township):
            continue
        came = {m.pk for m in people}
        marks = [
            Mark(member=m, presence=Presence.PRESENT)
            if m.pk in came
            else Mark(member=m, presence=Presence.ABSENT, reason=AbsenceReason.PERSONAL)
            for m in members[group.pk]
        ]
        meeting_record(
            village=group.village,
            kind=MeetingKind.GROUP,
            party_group=group,
            held_on=activity.held_on,
            topic=activity.content.removeprefix("召开党小组会，").rstrip("。")[:200],
            content=activity.content,
            decisions=activity.outcome,
            place=f"{group.name}组长家中",
            marks=marks,
            acting_user=None,
            backfill=True,
        )


def _members_by_group() -> dict[int, list]:
    out: dict[int, list] = {}
    for post in GroupPost.objects.current().select_related("member"):
        out.setdefault(post.party_group_id, []).append(post.member)
    return out


def _villager_groups_by_group() -> dict[int, list]:
    out: dict[int, list] = {}
    for c in Coverage.objects.current().select_related("villager_group"):
        out.setdefault(c.party_group_id, []).append(c.villager_group)
    return out


def _reopened_story(months, secretaries) -> None:
    """罗紫村 5、6社: a closed month reopened to add the weir's repair, then submitted and closed again."""
    group = PartyGroup.objects.filter(village__name="罗紫村", name="5、6社党小组").first()
    if group is None:
        return
    user = secretaries.get(group.village_id)
    report = MonthlyReport.objects.get(party_group=group, month=months[-4])
    if report.status != Status.CLOSED or user is None:
        return
    report = services.report_reopen(
        report=report, reason="补录河堰整治的社务活动（组长谢明德反映漏报）", acting_user=user
    )
    start, end = report.month_range()
    leader = GroupPost.objects.get(party_group=group, role="leader", ended_on__isnull=True).member
    services.activity_save(
        report=report,
        version=report.version,
        acting_user=user,
        kind=Kind.AFFAIRS,
        held_on=end - datetime.timedelta(days=3),
        content="组长谢明德组织社员彻底整治5社多年垮塌的河堰，并商议有偿转包。",
        outcome="河堰修复，转包收益2千多元归社集体。",
        participants=[leader],
        households_reached=40,
        non_party_present=12,
    )
    report.refresh_from_db()
    report = services.report_submit(report=report, version=report.version, acting_user=user)
    services.report_close(report=report, acting_user=user)
