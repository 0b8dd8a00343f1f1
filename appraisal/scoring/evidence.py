"""The computed items of the regular appraisal (定期考核): what each reads in the monthly records of a quarter, and
the points and evidence it gives a party group.

`QuarterFacts.load` reads a quarter's records for many groups with one query per kind of record (reports, activities,
concerns, fund entries); each scorer then works from those facts alone, so computing a quarter for a whole township
runs a fixed number of queries. The scorers are the rules of the computed items and touch no database: the facts are
plain values, the item anything with `max_points` and `target` (a RubricItem), the group anything with `pk`,
`established_on` and `dissolved_on` (a PartyGroup). The bulk seeder (`seeding.scale.appraisal`) gathers the same
facts from the rows it generates and scores with the same scorers.

Evidence is text a person can check against the records ("2 of 3 months submitted on time: …"), in the language
active when the quarter is computed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activity.models import Activity, Concern, MonthlyReport, past_due
from appraisal.models import AppraisalYear, RubricItem
from appraisal.rules import QUARTERS
from core import clock, periods, rounding
from groups.models import FundEntry, PartyGroup

Source = RubricItem.Source
ZERO = Decimal("0")
CENT = Decimal("0.01")


# --- periods ----------------------------------------------------------------------------------------------------


def quarters_begun(year: AppraisalYear, today: datetime.date | None = None) -> list[int]:
    """The quarters of the year that have begun (only those can be computed)."""
    today = today or clock.today()
    return [q for q in range(1, QUARTERS + 1) if periods.quarter_begun(year.year, q, today)]


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _month_label(month: datetime.date) -> str:
    """A month of the quarter: 1月 (the year is the appraisal's own)."""
    return f"{month.month}月" if _chinese() else formats.date_format(month, "F")


def _day_label(day: datetime.date) -> str:
    """A day: 2月5日 (zh-hans's MONTH_DAY_FORMAT would write 02月5日)."""
    return f"{day.month}月{day.day}日" if _chinese() else formats.date_format(day, "MONTH_DAY_FORMAT")


def _share(max_points: Decimal, part: int | Decimal, whole: int | Decimal) -> Decimal:
    """max × part / whole, exact to the fen; nothing when there is nothing to measure."""
    if not whole:
        return ZERO
    value = Decimal(max_points) * Decimal(min(part, whole)) / Decimal(whole)
    return rounding.half_up(value, 2)


# --- the facts of a quarter, and the scorers ---------------------------------------------------------------------


@dataclass
class QuarterFacts:
    """Everything the computed items read for one quarter, loaded with one query per kind of record."""

    quarter: int
    today: datetime.date
    months: list[datetime.date]
    due_day: int  # the township's day of the next month a report is due (Township.report_due_day)
    # (group, month) → (status, first submitted day or None)
    reports: dict = field(default_factory=dict)
    # (group, month) → (meetings, households reached)
    activity: dict = field(default_factory=dict)
    # group → [(due_on, resolved_on)]
    concerns: dict = field(default_factory=lambda: defaultdict(list))
    # group → [(entry_date, amount, decision_id, publicised_on)]
    entries: dict = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, year: AppraisalYear, quarter: int, group_ids: list[int], sources: set[str], today) -> QuarterFacts:
        months = periods.quarter_months(year.year, quarter)
        start, end = periods.quarter_range(year.year, quarter)
        facts = cls(quarter=quarter, today=today, months=months, due_day=year.township.report_due_day)
        if sources & {Source.REPORTS_ON_TIME, Source.MEETINGS_HELD, Source.HOUSEHOLDS_REACHED}:
            facts._load_reports(group_ids)
        if sources & {Source.MEETINGS_HELD, Source.HOUSEHOLDS_REACHED}:
            rows = (
                Activity.objects.filter(report__party_group_id__in=group_ids, report__month__in=months)
                .order_by()
                .values_list("report__party_group_id", "report__month")
                .annotate(
                    meetings=Count("pk", filter=Q(kind=Activity.Kind.MEETING)), households=Sum("households_reached")
                )
            )
            facts.activity = {(g, m): (n, h or 0) for g, m, n, h in rows}
        if Source.CONCERNS_ANSWERED in sources:
            for g, due, resolved in (
                Concern.objects.filter(party_group_id__in=group_ids, due_on__range=(start, end))
                .order_by("due_on", "pk")
                .values_list("party_group_id", "due_on", "resolved_on")
            ):
                facts.concerns[g].append((due, resolved))
        if Source.LEDGER_WITH_DECISIONS in sources:
            threshold = year.township.fund_decision_threshold
            needs_decision = Q(category=FundEntry.Category.DISTRIBUTION) | Q(
                direction=FundEntry.Direction.EXPENSE, amount__gt=threshold
            )
            for g, day, amount, decision, publicised in (
                FundEntry.objects.filter(
                    needs_decision,
                    party_group_id__in=group_ids,
                    entry_date__range=(start, end),
                    reverses__isnull=True,  # a reversal needs no decision of its own
                    reversed_by__isnull=True,  # and a reversed mistake no longer counts
                )
                .order_by("entry_date", "pk")
                .values_list("party_group_id", "entry_date", "amount", "decision_id", "decision__publicised_on")
            ):
                facts.entries[g].append((day, amount, decision, publicised))
        return facts

    def _load_reports(self, group_ids: list[int]) -> None:
        """Each report's status and the day it was first submitted: a month reopened for a correction and submitted
        again keeps the day it first came in (from the history rows, or the report itself when it has none)."""
        first = {
            (g, m): s
            for g, m, s in MonthlyReport.history.filter(
                party_group_id__in=group_ids, month__in=self.months, submitted_at__isnull=False
            )
            .order_by()
            .values_list("party_group_id", "month")
            .annotate(first=Min("submitted_at"))
        }
        for g, m, status, submitted_at in MonthlyReport.objects.filter(
            party_group_id__in=group_ids, month__in=self.months
        ).values_list("party_group_id", "month", "status", "submitted_at"):
            times = [t for t in (first.get((g, m)), submitted_at) if t is not None]
            day = clock.local_date(min(times)) if times else None
            self.reports[(g, m)] = (status, day)

    def months_of(self, group: PartyGroup) -> list[datetime.date]:
        """The quarter's months the group existed in and that have begun (a PartyGroup, or the bulk seeder's plain
        record of one: only `established_on` and `dissolved_on` are read)."""
        return [
            m
            for m in self.months
            if m <= self.today and periods.overlaps(group.established_on, group.dissolved_on, *periods.month_range(m))
        ]

    def submitted_day(self, group: PartyGroup, month: datetime.date) -> datetime.date | None:
        return self.reports.get((group.pk, month), (None, None))[1]


# Each scorer first counts (the rule: the points), then, unless `explain` is False, writes the evidence from what it
# counted. The bulk seeder scores millions of items and asks for the points alone.


def _score_reports_on_time(
    item: RubricItem, group: PartyGroup, f: QuarterFacts, *, explain: bool = True
) -> tuple[Decimal, str]:
    counted = on_time = 0
    months = []  # (how the month went, month, day submitted, day due)
    for m in f.months_of(group):
        due = periods.month_due(m, f.due_day)
        day = f.submitted_day(group, m)
        if day is not None and day <= due:
            counted += 1
            on_time += 1
            months.append(("on_time", m, day, due))
        elif day is not None:
            counted += 1
            months.append(("late", m, day, due))
        elif past_due(m, f.due_day, f.today):
            counted += 1
            months.append(("missing", m, day, due))
        else:
            months.append(("not_due", m, day, due))
    points = _share(item.max_points, on_time, counted)
    if not explain:
        return points, ""
    if not months:
        return points, _("No month of this quarter has begun for this party group.")
    texts = {
        "on_time": _("%(m)s on time (%(d)s)"),
        "late": _("%(m)s late (submitted %(d)s, due %(due)s)"),
        "missing": _("%(m)s not submitted (due %(due)s)"),
        "not_due": _("%(m)s not yet due (due %(due)s)"),
    }
    parts = [
        texts[state] % {"m": _month_label(m), "d": _day_label(day) if day else "", "due": _day_label(due)}
        for state, m, day, due in months
    ]
    summary = _("%(ok)d of %(n)d months submitted on time") % {"ok": on_time, "n": counted}
    return points, f"{summary}: {'; '.join(parts)}"


def _score_meetings_held(
    item: RubricItem, group: PartyGroup, f: QuarterFacts, *, explain: bool = True
) -> tuple[Decimal, str]:
    counted = held = 0
    months = []  # (how the month went, month, meetings)
    for m in f.months_of(group):
        submitted = f.submitted_day(group, m) is not None
        meetings = f.activity.get((group.pk, m), (0, 0))[0] if submitted else 0
        over = periods.month_end(m) < f.today
        if meetings:
            counted += 1
            held += 1
            months.append(("held", m, meetings))
        elif not over:
            months.append(("not_over", m, 0))
        elif not submitted:
            counted += 1
            months.append(("not_submitted", m, 0))
        else:
            counted += 1
            months.append(("none", m, 0))
    points = _share(item.max_points, held, counted)
    if not explain:
        return points, ""
    if not months:
        return points, _("No month of this quarter has begun for this party group.")
    parts = []
    for state, m, meetings in months:
        label = {"m": _month_label(m)}
        if state == "held":
            parts.append(ngettext("%(m)s: %(n)d meeting", "%(m)s: %(n)d meetings", meetings) % {**label, "n": meetings})
        elif state == "not_over":
            parts.append(_("%(m)s: month not over yet") % label)
        elif state == "not_submitted":
            parts.append(_("%(m)s: report not submitted, no meeting on record") % label)
        else:
            parts.append(_("%(m)s: no meeting held") % label)
    summary = _("a party group meeting in %(ok)d of %(n)d months") % {"ok": held, "n": counted}
    return points, f"{summary}: {'; '.join(parts)}"


def _score_households(
    item: RubricItem, group: PartyGroup, f: QuarterFacts, *, explain: bool = True
) -> tuple[Decimal, str]:
    total = 0
    months = []  # (month, households reached, or None when the report is not submitted)
    for m in f.months_of(group):
        if f.submitted_day(group, m) is None:
            months.append((m, None))
            continue
        n = f.activity.get((group.pk, m), (0, 0))[1]
        total += n
        months.append((m, n))
    target = item.target
    if not months:
        points = ZERO
    elif target:
        points = _share(item.max_points, total, target)
    else:
        points = Decimal(item.max_points) if total else ZERO
    if not explain:
        return points, ""
    if not months:
        return points, _("No month of this quarter has begun for this party group.")
    parts = []
    for m, n in months:
        label = {"m": _month_label(m)}
        if n is None:
            parts.append(_("%(m)s: report not submitted") % label)
        else:
            parts.append(ngettext("%(m)s: %(n)d household", "%(m)s: %(n)d households", n) % {**label, "n": n})
    if target:
        summary = _("%(n)d households reached (target %(t)d)") % {"n": total, "t": target}
    else:
        summary = _("%(n)d households reached (no target: full points for any)") % {"n": total}
    return points, f"{summary}: {'; '.join(parts)}"


def _score_concerns(
    item: RubricItem, group: PartyGroup, f: QuarterFacts, *, explain: bool = True
) -> tuple[Decimal, str]:
    counted = in_time = pending = 0
    problems = []  # (due, answered or None)
    for due, resolved in f.concerns.get(group.pk, []):
        if resolved is not None and resolved <= due:
            counted += 1
            in_time += 1
        elif resolved is not None or due < f.today:
            counted += 1
            problems.append((due, resolved))
        else:
            pending += 1
    points = _share(item.max_points, in_time, counted) if counted else Decimal(item.max_points)
    if not explain:
        return points, ""
    if not counted:
        text = _("No concern relayed from this party group fell due in the quarter: nothing answered late.")
        if pending:
            text += " " + _("%(n)d not yet due.") % {"n": pending}
        return points, text
    text = _("%(ok)d of %(n)d concerns that fell due were answered in time") % {"ok": in_time, "n": counted}
    if problems:
        late = [
            _("due %(due)s, answered %(d)s") % {"due": _day_label(due), "d": _day_label(resolved)}
            if resolved is not None
            else _("due %(due)s, not answered") % {"due": _day_label(due), "d": ""}
            for due, resolved in problems
        ]
        text += _("; late: %(list)s") % {"list": ", ".join(late)}
    if pending:
        text += "; " + _("%(n)d not yet due.") % {"n": pending}
    return points, text


def _score_ledger(item: RubricItem, group: PartyGroup, f: QuarterFacts, *, explain: bool = True) -> tuple[Decimal, str]:
    entries = f.entries.get(group.pk, [])
    good = sum(1 for _day, _amount, decision, publicised in entries if decision is not None and publicised is not None)
    points = _share(item.max_points, good, len(entries)) if entries else Decimal(item.max_points)
    if not explain:
        return points, ""
    if not entries:
        return points, _("No entry in the quarter needed a villager group meeting decision: nothing to fault.")
    problems = []
    for day, amount, decision, publicised in entries:
        labels = {"d": _day_label(day), "a": f"{amount:,.2f}"}
        if decision is None:
            problems.append(_("%(d)s %(a)s yuan without a meeting decision") % labels)
        elif publicised is None:
            problems.append(_("%(d)s %(a)s yuan: the decision was not publicised") % labels)
    text = _("%(ok)d of %(n)d entries needing a meeting decision have one, publicised") % {
        "ok": good,
        "n": len(entries),
    }
    if problems:
        text += ": " + "; ".join(problems)
    return points, text


SCORERS = {
    Source.REPORTS_ON_TIME: _score_reports_on_time,
    Source.MEETINGS_HELD: _score_meetings_held,
    Source.HOUSEHOLDS_REACHED: _score_households,
    Source.CONCERNS_ANSWERED: _score_concerns,
    Source.LEDGER_WITH_DECISIONS: _score_ledger,
}
