"""A township's monthly reports, activities and 党情民意 concerns for every month of the run.

Each party group has a report for every month: months before last are closed, last month is submitted (a few groups
late, still in draft; some already closed), this month is mostly under way in draft. A report has a group meeting
(most months: a better group misses fewer, and sends its report on time more often) and two to four other activities
(`activity_count` is the number written); a meeting is attended by most of the group, other work by one to three
members. Texts are the demo's (seeding.demo.reports /
demo_concerns). This is the bulk of the data, so it is written lean: dates and texts are chosen from prepared lists.

What the appraisal's computed items read (each report's first submission, its meetings and households, the concerns'
due and answer days) is noted in the township's `Records` as the rows are written.
"""

from __future__ import annotations

import datetime
import random

from activity.models import Activity, Concern, MonthlyReport, ReportReopening
from core.periods import month_due, month_end
from seeding.demo.concerns import TEXTS as CONCERN_TEXTS
from seeding.demo.concerns import WEIGHTS as CONCERN_WEIGHTS
from seeding.demo.reports import OTHER_KINDS, TEXTS
from seeding.scale import names, orglife
from seeding.scale.plan import Group, Run, Town, VillagePlan, at
from township.models import Township

Kind = Activity.Kind
Status = MonthlyReport.Status
Handling = Concern.Handling
DUE_DAY = Township._meta.get_field("report_due_day").default  # the generated townships keep the default
PARTICIPANTS = Activity.participants.through
SUMMARY = "本月召开党小组会{m}次，开展走访、宣传等活动{n}次，收集党情民意已按规定报送。"


def write_reports(run: Run, town: Town) -> None:
    rng = run.rng_for(town.number, "reports")
    town.orglife_rng = run.rng_for(town.number, "group meetings")
    cal = run.calendar
    months = cal.months
    last, current = months[-2], months[-1]
    late = {g.id for g in town.groups if rng.random() < 0.08}  # groups still in draft with last month (overdue)
    reopened = rng.choice(town.groups).id
    for village in town.villages:
        for group in village.groups:
            for month in months:
                if month == current:
                    status = Status.SUBMITTED if rng.random() < 0.25 else Status.DRAFT
                elif month == last:
                    status = Status.DRAFT if group.id in late else rng.choice((Status.SUBMITTED, Status.CLOSED))
                else:
                    status = Status.CLOSED
                report_id = _report(run, rng, town, village, group, month, status)
                if group.id == reopened and month == months[-4]:
                    _reopening(run, rng, report_id, village, month)


def _report(run: Run, rng: random.Random, town: Town, village: VillagePlan, group: Group, month, status) -> int:
    w, cal = run.writer, run.calendar
    report_id = w.new_id(MonthlyReport)
    last_day = min(month_end(month), cal.today)
    diligence = 0.6 + 0.4 * group.quality  # 0.84–0.97: how often the group meets, and reports on time
    kinds = ([Kind.MEETING] if rng.random() < diligence else []) + rng.sample(OTHER_KINDS, rng.randint(2, 4))
    if rng.random() < 0.04:
        kinds.append(Kind.EMERGENCY)
    if status == Status.DRAFT and month == cal.months[-1]:
        kinds = kinds[: rng.randint(0, 2)]
    households = sum(
        _activity(run, rng, town, report_id, group, kind, month.replace(day=rng.randint(1, last_day.day)))
        for kind in kinds
    )
    submitted = closed = None
    if status != Status.DRAFT:
        due = month_due(month, DUE_DAY)
        day = (
            due - datetime.timedelta(days=rng.randint(0, 6))
            if rng.random() < diligence
            else due + datetime.timedelta(days=rng.randint(1, 9))
        )
        submitted = min(at(max(day, last_day), rng.randint(8, 18), rng.randint(0, 59)), cal.now)
        if status == Status.CLOSED:
            closed = min(submitted + datetime.timedelta(days=rng.randint(1, 6)), cal.now)
    meetings = sum(1 for k in kinds if k == Kind.MEETING)
    town.records.reports[(group.id, month)] = (status, submitted.date() if submitted else None)  # in Beijing time
    town.records.activity[(group.id, month)] = (meetings, households)
    summary = SUMMARY.format(m=meetings, n=len(kinds) - meetings) if status != Status.DRAFT else ""
    w.add(
        MonthlyReport,
        (
            report_id, group.id, month, status, summary, 1 + len(kinds) + (status != Status.DRAFT),
            submitted, village.secretary_id if submitted else None, closed, town.staff_id if closed else None,
            closed or submitted or cal.now, village.secretary_id, len(kinds),
        ),
    )  # fmt: skip
    return report_id


def _activity(
    run: Run, rng: random.Random, town: Town, report_id: int, group: Group, kind: str, day: datetime.date
) -> int:
    """Write one activity with its participants; returns the households it reached. A 党小组会 comes with its
    organisational-life meeting (`seeding.scale.orglife.group_meeting`), whose text it carries; it reaches no
    households, as the service that writes it from the meeting leaves them."""
    w = run.writer
    activity_id = w.new_id(Activity)
    content, outcome = rng.choice(TEXTS[kind])
    members = group.members
    if kind == Kind.MEETING:
        people = rng.sample(members, max(2, len(members) - rng.randint(0, 2)) if len(members) > 2 else len(members))
        rng.randint(0, 4)  # drawn as before meetings reached no households: the rest of the data stays the same
        vg, households, others = None, 0, 0
    else:
        people = rng.sample(members, min(len(members), rng.randint(1, 3)))
        vg = rng.choice(group.vgs)[0]
        households = rng.randint(5, 20) if kind in (Kind.VISIT, Kind.POLICY) else rng.randint(0, 4)
        others = 0 if kind == Kind.STUDY else rng.randint(0, 6)
    if kind == Kind.MEETING:
        content, outcome = orglife.group_meeting(run, town, group, report_id, activity_id, day, people)
    w.add(
        Activity,
        (activity_id, report_id, kind, day, kind == Kind.EMERGENCY, vg, households, others, content, outcome),
    )
    ids = w.new_ids(PARTICIPANTS, len(people))
    w.add_many(PARTICIPANTS, [(pk, activity_id, m.id) for pk, m in zip(ids, people, strict=True)])
    return households


def _reopening(run: Run, rng: random.Random, report_id: int, village: VillagePlan, month) -> None:
    """One closed month per township opened again to add a forgotten activity (and closed again since)."""
    when = at(month_end(month) + datetime.timedelta(days=rng.randint(20, 40)), 10)
    reason = "补录漏报的社务活动（党小组长反映）"
    run.writer.add(ReportReopening, (run.writer.new_id(ReportReopening), report_id, reason, village.secretary_id, when))


def write_concerns(run: Run, town: Town) -> None:
    """About nine concerns per village and year: most handled on the spot, the rest relayed to the branch (due in 15
    days) or the township (30); most answered, some late, the recent ones partly still open."""
    rng = run.rng_for(town.number, "concerns")
    cal = run.calendar
    first, today = cal.months[0], cal.today
    span = (today - first).days
    categories = list(CONCERN_WEIGHTS)
    weights = list(CONCERN_WEIGHTS.values())
    for village in town.villages:
        for _ in range(rng.randint(6, 12) * cal.years):
            group = rng.choice(village.groups)
            vg_id = rng.choice(group.vgs)[0]
            member = rng.choice(group.members)
            raised = first + datetime.timedelta(days=rng.randint(0, span))
            category = rng.choices(categories, weights)[0]
            content, answer, office = rng.choice(CONCERN_TEXTS[category])
            handling = rng.choices((Handling.ON_SPOT, Handling.BRANCH, Handling.TOWNSHIP), (55, 30, 15))[0]
            row = _concern_outcome(rng, handling, raised, today)
            due, relayed, resolved = row
            answered_by = ""
            if resolved is not None:
                answered_by = {Handling.ON_SPOT: member.name, Handling.BRANCH: village.secretary_name}.get(
                    handling, office
                )
            settled = category == Concern.Category.DISPUTE and resolved is not None and rng.random() < 0.7
            villager = names.person_name(rng, rng.choice("MF")) if rng.random() < 0.5 else ""
            concern_id = run.writer.new_id(Concern)
            if due is not None:
                town.records.concerns[group.id].append((due, concern_id, resolved))
            run.writer.add(
                Concern,
                (
                    concern_id, village.id, vg_id, group.id, member.id, villager, raised, category,
                    content, handling, due, relayed, answer if resolved else "", answered_by, resolved, settled,
                    village.secretary_id, at(raised, rng.randint(8, 19), rng.randint(0, 59)),
                ),
            )  # fmt: skip


def _concern_outcome(rng: random.Random, handling: str, raised: datetime.date, today: datetime.date):
    """(due on, relayed on, resolved on) for a concern raised on a day."""
    if handling == Handling.ON_SPOT:
        open_ = (today - raised).days < 10 and rng.random() < 0.3
        return None, None, None if open_ else min(raised + datetime.timedelta(days=rng.randint(0, 2)), today)
    relayed = min(raised + datetime.timedelta(days=rng.randint(0, 2)), today)
    due = relayed + datetime.timedelta(days=15 if handling == Handling.BRANCH else 30)
    days = (due - relayed).days + (rng.randint(1, 12) if rng.random() < 0.12 else -rng.randint(1, 10))
    resolved = relayed + datetime.timedelta(days=max(0, days))
    if resolved > today or (due < today and rng.random() < 0.03):
        resolved = None  # not answered yet (a few long overdue)
    return due, relayed, resolved


COLUMNS = {
    MonthlyReport: "id party_group month status summary version submitted_at submitted_by closed_at closed_by "
    "updated_at updated_by activity_count",
    Activity: "id report kind held_on is_emergency villager_group households_reached non_party_present content outcome",
    PARTICIPANTS: "id activity partymember",
    ReportReopening: "id report reason reopened_by reopened_at",
    Concern: "id village villager_group party_group raised_through villager_name raised_on category content handling "
    "due_on relayed_on answer answered_by resolved_on settled_by_mediation recorded_by recorded_at",
}
