"""Reads of orglife.meetings: a branch's meetings with 应到/实到 counted, the compliance table (done, due, missing)
for a township or a county, members at risk, and study hours. Each answers in a fixed number of queries, however
many branches, meetings and members there are."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from core import clock, periods
from groups.models import GroupPost, PartyGroup
from members.models import numbers_of
from orglife.meetings import rules
from orglife.meetings.models import ACCEPTED_REASONS, Attendance, Kind, Meeting, OrgLifeSettings, Presence
from orglife.meetings.services import members_on


def with_counts(meetings):
    """Meetings with 应到 (`expected`) and 实到 (`attended`) counted in the same query."""
    return meetings.annotate(
        expected=Count("attendance"),
        attended=Count("attendance", filter=~Q(attendance__presence=Presence.ABSENT)),
    )


def meetings_of(village, year: int):
    """The branch's meetings of the year, the latest first (named here: a counted query drops the model's ordering)."""
    first, last = periods.year_range(year)
    return list(
        with_counts(Meeting.objects.filter(village=village, held_on__range=(first, last)))
        .select_related("party_group", "host", "talk_with")
        .defer(*numbers_of("host", "talk_with"))  # shown by name: their ID and phone numbers are not decrypted
        .order_by("-held_on", "-pk")
    )


# --- compliance ------------------------------------------------------------------------------------------------------

PERIOD_CHOICES = {"month": "月", "quarter": "季度", "year": "年"}


def window(period: str, year: int, n: int) -> tuple[datetime.date, datetime.date, str]:
    """The first and last day of the table's period and its name: month n, quarter n, or the whole year."""
    if period == "month":
        first, last = periods.month_range(datetime.date(year, n, 1))
        return first, last, f"{year}年{n}月"
    if period == "quarter":
        first, last = periods.quarter_range(year, n)
        return first, last, f"{year}年第{n}季度"
    first, last = periods.year_range(year)
    return first, last, f"{year}年"


@dataclass
class Cell:
    done: int = 0
    due: int = 0
    pending: int = 0  # periods under way, nothing held yet: not yet missing

    @property
    def missing(self) -> int:
        return max(0, self.due - self.done)


@dataclass
class BranchRow:
    village: object
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return sum(c.missing for c in self.cells.values())

    @property
    def ordered(self) -> list[Cell]:
        return list(self.cells.values())


@dataclass
class Compliance:
    first: datetime.date
    last: datetime.date
    title: str
    kinds: list[tuple[str, str, str, str]]  # (kind, label, period label, rule source)
    rows: list[BranchRow]


def compliance(
    villages, *, period: str, year: int, n: int, today: datetime.date | None = None, member_counts=None
) -> Compliance:
    """For each branch and each kind: how many of the kind's periods touching the table's window have ended (due),
    in how many it was held (done); the rest are missing. A kind due less often than the window (a yearly 组织生活会
    in a month's table) is judged over its own period. 党小组会 count per party group, 谈心谈话 per member.
    Six queries in all; `villages` may also be a list of Village objects already read with their township (one query
    fewer), and `member_counts` (village id → members on the window's last day up to today) one more fewer."""
    today = today or clock.today()
    first, last, title = window(period, year, n)
    if isinstance(villages, list):
        villages = sorted(villages, key=lambda v: (v.township.name, v.name))
    else:
        villages = list(villages.select_related("township").order_by("township__name", "name"))
    township_ids = {v.township_id for v in villages}
    saved = {s.township_id: s for s in OrgLifeSettings.objects.filter(township_id__in=township_ids)}
    settings_of = {t: saved.get(t) or OrgLifeSettings(township_id=t) for t in township_ids}
    # the widest span any kind's period reaches around the window: the whole years it lies in
    span_first, span_last = periods.year_range(first.year)[0], min(periods.year_range(last.year)[1], today)
    village_ids = [v.pk for v in villages]
    held = list(
        Meeting.objects.filter(village_id__in=village_ids, held_on__range=(span_first, span_last))
        .order_by()  # counted, not listed: no sort of a county's year of meetings
        .values_list("village_id", "kind", "party_group_id", "held_on", "host_id", "talk_with_id")
    )
    groups = list(
        PartyGroup.objects.filter(village_id__in=village_ids)
        .overlapping(span_first, span_last)
        .values_list("pk", "village_id", "established_on", "dissolved_on")
    )
    if member_counts is None:
        member_counts = dict(members_on_count(village_ids, min(last, today)))
    labels = dict(Kind.choices)
    kinds = [(kind, labels[kind], "", source) for kind, (_default, source) in rules.DEFAULT_RULES.items()]
    # the meetings by (village, kind) and the groups by village, once: a county's table has hundreds of branches,
    # and scanning every meeting and group for each branch and period grew with the square of the county
    held_by_kind: dict[tuple[int, str], list] = defaultdict(list)
    for h in held:
        held_by_kind[(h[0], h[1])].append(h)
    groups_of: dict[int, list] = defaultdict(list)
    for g in groups:
        groups_of[g[1]].append(g)
    units_of: dict[str, tuple[list, list]] = {}  # period → (its units, their first days, for the bisection)
    rows = []
    for v in villages:
        row = BranchRow(village=v)
        rule = settings_of[v.township_id]
        for kind, _label, _p, _src in kinds:
            kind_period = rule.period_of(kind)
            if kind_period not in units_of:
                period_units = rules.period_units(kind_period, first, last)
                units_of[kind_period] = (period_units, [u[0] for u in period_units])
            units, starts = units_of[kind_period]
            # each meeting into its period once (the periods are sorted and do not overlap), not each period
            # scanning every meeting of the branch's year
            in_units: dict[int, list] = defaultdict(list)
            for h in held_by_kind.get((v.pk, kind), ()):
                i = bisect_right(starts, h[3]) - 1
                if i >= 0 and h[3] <= units[i][1]:
                    in_units[i].append(h)
            cell = Cell()
            for i, (start, end) in enumerate(units):
                if start > today:
                    continue
                ended = end < today
                in_unit = in_units.get(i, ())
                if kind == Kind.GROUP:
                    live = [g for g in groups_of.get(v.pk, ()) if periods.overlaps(g[2], g[3], start, end)]
                    held_by = {h[2] for h in in_unit}
                    for g in live:
                        if g[0] in held_by:
                            cell.done += 1
                            cell.due += 1
                        elif ended:
                            cell.due += 1
                        else:
                            cell.pending += 1
                elif kind == Kind.TALK:
                    talked = {h[5] for h in in_unit} | {h[4] for h in in_unit}
                    talked.discard(None)
                    done = min(len(talked), member_counts.get(v.pk, 0))
                    total = member_counts.get(v.pk, 0)
                    cell.done += done
                    if ended:
                        cell.due += total
                    else:
                        cell.due += done
                        cell.pending += total - done
                elif in_unit:
                    cell.done += 1
                    cell.due += 1
                elif ended:
                    cell.due += 1
                else:
                    cell.pending += 1
            row.cells[kind] = cell
        rows.append(row)
    period_labels = {}
    for kind, *_rest in kinds:
        used = {settings_of[t].period_of(kind) for t in township_ids} or {rules.DEFAULT_RULES[kind][0]}
        period_labels[kind] = "、".join(sorted(dict(rules.Period.choices)[p] for p in used))
    kinds = [(k, label, period_labels[k], source) for k, label, _p, source in kinds]
    return Compliance(first=first, last=last, title=title, kinds=kinds, rows=rows)


def members_on_count(village_ids, day: datetime.date):
    """(village id, number of members on the day) for each village: one query."""
    from members.models import PartyMember

    return (
        PartyMember.objects.filter(village_id__in=village_ids)
        .in_party_on(day)
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )


# --- members at risk and study hours ---------------------------------------------------------------------------------


@dataclass
class MemberLife:
    member: object
    group: str = ""
    last_attended: datetime.date | None = None
    months_without: int = 0
    excused: bool = False  # every absence in the last six months had an accepted reason
    hours: Decimal = Decimal("0")

    @property
    def talk_due(self) -> bool:
        return self.months_without >= rules.TALK_AFTER_MONTHS and not self.flagged

    @property
    def flagged(self) -> bool:
        return self.months_without >= rules.FLAG_AFTER_MONTHS and not self.excused


def member_life(
    village,
    *,
    today: datetime.date | None = None,
    year: int | None = None,
    group_names: bool = True,
    flags_only: bool = False,
) -> list[MemberLife]:
    """Each member of the branch: when they last attended, how many whole months since (counted over the complete
    months before this one), whether their absences had accepted reasons, and this year's study hours. Four queries
    (three without the party groups' names, which the dashboard's to-do list does not show).

    `flags_only` (the dashboard's to-do list) reads attendance since the horizon of FLAG_AFTER_MONTHS complete months
    only, not the branch's whole history: `talk_due` and `flagged` come out the same (a member not seen since the
    horizon is past both thresholds either way), but such a member's `last_attended` is None, `months_without` counts
    from their joining, and `hours` are not read (0)."""
    today = today or clock.today()
    year = year or today.year
    this_month = periods.month_of(today)
    horizon = periods.add_months(this_month, -rules.FLAG_AFTER_MONTHS)
    members = list(members_on(village, today).order_by("name", "pk"))
    ids = [m.pk for m in members]
    rows = Attendance.objects.filter(member_id__in=ids)
    first, last = periods.year_range(year)
    # the last attendance and this year's hours in one pass over the member's attendance
    last_seen, hours = {}, {}
    attended = rows.exclude(presence=Presence.ABSENT).values("member_id")
    if flags_only:
        read = (
            (member_id, seen, None)
            for member_id, seen in attended.filter(meeting__held_on__gte=horizon)
            .annotate(last=_max("meeting__held_on"))
            .values_list("member_id", "last")
        )
    else:
        read = attended.annotate(
            last=_max("meeting__held_on"),
            h=Sum("meeting__study_hours", filter=Q(meeting__held_on__range=(first, last))),
        ).values_list("member_id", "last", "h")
    for member_id, seen, h in read:
        last_seen[member_id] = seen
        if h is not None:
            hours[member_id] = h
    recent_absences = defaultdict(set)
    for member_id, reason in (
        rows.filter(presence=Presence.ABSENT, meeting__held_on__gte=horizon, meeting__held_on__lt=this_month)
        .order_by()  # a set of reasons per member: no sort by meeting and member name (and no join to members for it)
        .values_list("member_id", "reason")
    ):
        recent_absences[member_id].add(reason)
    group_of = (
        dict(GroupPost.objects.on(today).filter(member_id__in=ids).values_list("member_id", "party_group__name"))
        if group_names
        else {}
    )
    out = []
    for m in members:
        seen = last_seen.get(m.pk)
        since = periods.month_of(max(seen, m.joined_on)) if seen else periods.month_of(m.joined_on)
        if seen:
            since = periods.next_month(since)  # the month attended counts as attended
        months = _months_between(since, this_month)
        reasons = recent_absences.get(m.pk, set())
        out.append(
            MemberLife(
                member=m,
                group=group_of.get(m.pk, ""),
                last_attended=seen,
                months_without=months,
                excused=bool(reasons) and reasons <= ACCEPTED_REASONS,
                hours=hours.get(m.pk) or Decimal("0"),
            )
        )
    return out


@dataclass
class BranchLife:
    """One branch's organisational life as its dashboard's to-do list reads it: this quarter's compliance row and
    each member's attendance, read together so that they share the members (six queries in all)."""

    compliance: Compliance
    members: list[MemberLife]


def branch_life(village, *, today: datetime.date | None = None) -> BranchLife:
    """`compliance` for this quarter and `member_life` for one branch (`village` read with its township), sharing
    the branch's members: the member count the 谈心谈话 column needs is the number of members `member_life` reads."""
    today = today or clock.today()
    members = member_life(village, today=today, group_names=False, flags_only=True)
    table = compliance(
        [village],
        period="quarter",
        year=today.year,
        n=periods.quarter_of(today),
        today=today,
        member_counts={village.pk: len(members)},  # the quarter's last day up to today is today: the same members
    )
    return BranchLife(compliance=table, members=members)


def _max(path):
    from django.db.models import Max

    return Max(path)


def _months_between(since: datetime.date, this_month: datetime.date) -> int:
    """Whole months from `since` (a first day) up to, not including, this month."""
    return max(0, (this_month.year - since.year) * 12 + this_month.month - since.month)


def talk_visible(user, meeting: Meeting) -> bool:
    """谈心谈话 contents: only the branch secretary of its village (the two members themselves have no accounts of
    their own here: a group leader sees a talk they held or were talked with in)."""
    from township.scoping import assignment_of

    a = assignment_of(user)
    if user.is_superuser:
        return False
    if a is None:
        return False
    if a.role == a.Role.BRANCH_SECRETARY:
        return a.village_id == meeting.village_id
    if a.role == a.Role.GROUP_LEADER:
        leader = GroupPost.objects.on(clock.today()).filter(party_group_id=a.party_group_id, role="leader")
        leader_id = leader.values_list("member_id", flat=True).first()
        return leader_id is not None and leader_id in {meeting.host_id, meeting.talk_with_id}
    return False
