"""The year's award report (表彰奖励名单) as an Excel workbook, ready to print on A4 and stamp.

One workbook per township and year: a summary by village, then one sheet per award kind and one for the reserve and
recommended cadres. Only awards the township has decided are listed. Each sheet has the title line, the issuing unit
and date, frozen column headers repeated on every printed page, totals that add up, and a seal line at the bottom.
Built in a fixed number of queries however many awards there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import BinaryIO

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraisal.models import AppraisalYear, Award, ReserveCandidate
from core import clock, periods
from core.xlsx import (
    BOLD,
    a4,
    borders,
    date_text,
    header_row,
    put_date,
    put_money,
    put_text,
    title_row,
)
from groups.models import GroupPost
from township.models import Village

Kind = Award.Kind
TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
FIRST_ROW = HEADER_ROW + 1
ZERO = Decimal("0.00")
WRAP = Alignment(wrap_text=True, vertical="top")


def report_title(year: AppraisalYear) -> str:
    """金溪乡2025年度党小组工作表彰奖励名单"""
    return _("%(township)s %(year)s annual commendation and award list for party group work") % {
        "township": year.township.name,
        "year": year.year,
    }


def report_filename(year: AppraisalYear) -> str:
    return _("%(township)s %(year)s award list.xlsx") % {"township": year.township.name, "year": year.year}


def issuing_unit(year: AppraisalYear) -> str:
    return year.issuing_unit or year.township.committee_name or year.township.name


@dataclass
class Column:
    header: str
    width: float
    value: Callable  # (row object) -> value
    kind: str = "text"  # text | money | date | number


@dataclass
class Report:
    """Everything the workbook shows, read in a fixed number of queries."""

    year: AppraisalYear
    villages: list[Village]
    awards: dict[str, list[Award]]
    reserve: list[ReserveCandidate]
    group_of: dict[int, str]  # member id → the party group they belonged to at the year's end
    leader_of: dict[int, str]  # party group id → its leader at the year's end
    leader_years: dict[int, list[int]]  # member id → the years they were named excellent leader


def report_rows(report: Report) -> int:
    """How many people and groups the workbook lists (its awards and reserve entries), for the EXPORT event."""
    return sum(len(awards) for awards in report.awards.values()) + len(report.reserve)


def report_for(year: AppraisalYear) -> Report:
    """The decided awards and the reserve lists of the year, with the names the sheets need."""
    township = year.township
    awards = list(
        Award.objects.filter(year=year, status=Award.Status.DECIDED)
        .select_related("village", "party_group", "member")
        .order_by("village__name", "party_group__name", "member__name", "pk")
    )
    reserve = sorted(  # the village's own list first, then the recommendations to the county
        ReserveCandidate.objects.filter(year=year)
        .select_related("village", "member")
        .order_by("village__name", "member__name", "pk"),
        key=lambda r: r.list != ReserveCandidate.List.VILLAGE_THREE_POSTS,
    )
    by_kind: dict[str, list[Award]] = {k: [] for k in Kind.values}
    for a in awards:
        by_kind[a.kind].append(a)
    member_ids = {a.member_id for a in awards if a.member_id} | {r.member_id for r in reserve}
    group_ids = {a.party_group_id for a in by_kind[Kind.ADVANCED_GROUP]}
    year_end = min(periods.year_range(year.year)[1], clock.today())
    group_of, leader_of = {}, {}
    if member_ids or group_ids:
        posts = (
            GroupPost.objects.on(year_end)
            .filter(Q(member_id__in=member_ids) | Q(party_group_id__in=group_ids, role=GroupPost.Role.LEADER))
            .select_related("party_group", "member")
        )
        for p in posts:
            group_of[p.member_id] = p.party_group.name
            if p.role == GroupPost.Role.LEADER:
                leader_of[p.party_group_id] = p.member.name
    leader_years: dict[int, list[int]] = defaultdict(list)
    streak_ids = {a.member_id for a in by_kind[Kind.STREAK_BONUS]}
    if streak_ids:
        named = (
            Award.objects.filter(
                kind=Kind.EXCELLENT_LEADER,
                status=Award.Status.DECIDED,
                member_id__in=streak_ids,
                year__township=township,
                year__year__lte=year.year,
            )
            .values_list("member_id", "year__year")
            .order_by("year__year")
        )
        for member_id, y in named:
            leader_years[member_id].append(y)
    villages = list(Village.objects.filter(township=township).order_by("name"))
    return Report(year, villages, by_kind, reserve, group_of, leader_of, dict(leader_years))


def award_report_workbook(
    year: AppraisalYear, stream: BinaryIO | None = None, *, report: Report | None = None
) -> bytes | None:
    """Write the workbook to `stream`, or return its bytes when no stream is given (from `report` if already read)."""
    report = report or report_for(year)
    wb = Workbook()
    _summary_sheet(wb.active, report)
    for kind in (Kind.ADVANCED_GROUP, Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER, Kind.STREAK_BONUS):
        _award_sheet(wb.create_sheet(), report, kind)
    _reserve_sheet(wb.create_sheet(), report)
    if stream is not None:
        wb.save(stream)
        return None
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the sheets ---------------------------------------------------------------------------------------------------


def _sheet_title(ws: Worksheet, title: str) -> None:
    ws.title = "".join(c for c in title if c not in "[]:*?/\\")[:31]


def _frame(ws: Worksheet, report: Report, subject: str, columns: list[tuple[str, float]]) -> None:
    """Title line, issuing unit and date, column headers; frozen below the headers and repeated on each page."""
    year = report.year
    n = len(columns)
    title_row(ws, TITLE_ROW, f"{report_title(year)}（{subject}）", n)
    ws.row_dimensions[TITLE_ROW].height = 28
    put_text(ws, UNIT_ROW, 1, _("Issued by: %(unit)s") % {"unit": issuing_unit(year)})
    ws.merge_cells(start_row=UNIT_ROW, start_column=1, end_row=UNIT_ROW, end_column=max(n - 2, 1))
    put_text(ws, UNIT_ROW, n - 1, _("Date:")).alignment = Alignment(horizontal="right")
    if year.issued_on:
        put_date(ws, UNIT_ROW, n, year.issued_on)
    else:
        put_text(ws, UNIT_ROW, n, date_text(None))
    header_row(ws, HEADER_ROW, columns)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)


def _seal(ws: Worksheet, report: Report, row: int, n: int) -> int:
    """The seal and date lines under the table; returns the last row used."""
    row += 2
    start = max(n - 3, 1)
    put_text(ws, row, start, _("%(unit)s (seal)") % {"unit": issuing_unit(report.year)})
    ws.merge_cells(start_row=row, start_column=start, end_row=row, end_column=n)
    row += 1
    put_text(ws, row, start, _("Date: %(d)s") % {"d": date_text(report.year.issued_on)})
    ws.merge_cells(start_row=row, start_column=start, end_row=row, end_column=n)
    return row


def _finish(ws: Worksheet, last_row: int, n: int, *, landscape: bool) -> None:
    ws.print_area = f"A1:{get_column_letter(n)}{last_row}"
    a4(ws, landscape=landscape, title_rows=f"{TITLE_ROW}:{HEADER_ROW}")


def _write(ws: Worksheet, row: int, column: int, value, kind: str):
    if kind == "money":
        return put_money(ws, row, column, value)
    if kind == "date":
        return put_date(ws, row, column, value)
    if kind == "number":
        return ws.cell(row=row, column=column, value=value)
    return put_text(ws, row, column, value)


def _table(ws: Worksheet, report: Report, subject: str, columns: list[Column], rows: list, *, landscape=True) -> None:
    """A numbered list with a totals row: the number of rows, and the sum of every money column."""
    _sheet_title(ws, subject)
    _frame(ws, report, subject, [(c.header, c.width) for c in columns])
    row = HEADER_ROW
    for n, obj in enumerate(rows, start=1):
        row += 1
        ws.cell(row=row, column=1, value=n)
        for i, col in enumerate(columns[1:], start=2):
            cell = _write(ws, row, i, col.value(obj), col.kind)
            if col.kind == "text" and col.width >= 24:
                cell.alignment = WRAP
    row += 1
    put_text(ws, row, 1, _("Total")).font = BOLD
    put_text(ws, row, 2, _("%(n)d in all") % {"n": len(rows)}).font = BOLD
    for i, col in enumerate(columns[1:], start=2):
        if col.kind == "money":
            total = sum((col.value(obj) or ZERO for obj in rows), ZERO)
            put_money(ws, row, i, total).font = BOLD
    borders(ws, FIRST_ROW, row, len(columns))
    last = _seal(ws, report, row, len(columns))
    _finish(ws, last, len(columns), landscape=landscape)


def award_reason_text(a: Award) -> str:
    """The nomination's reason, and the township's reason where it chose out of rank order or broke a tie."""
    if a.decision_reason:
        return f"{a.reason}\n（乡党委取舍理由：{a.decision_reason}）"
    return a.reason


def _award_sheet(ws: Worksheet, report: Report, kind: str) -> None:
    awards = report.awards[kind]

    def group_name(a: Award) -> str:
        if a.party_group_id:
            return a.party_group.name
        return report.group_of.get(a.member_id, "")

    no = Column(_("No."), 6, None, "number")
    village = Column(_("Village"), 12, lambda a: a.village.name)
    group = Column(_("Party group"), 20, group_name)
    amount = Column(_("Amount (yuan)"), 14, lambda a: a.amount, "money")
    reason = Column(_("Reason for the award"), 36, award_reason_text)
    decided = Column(_("Decided on"), 16, lambda a: a.decided_at, "date")
    name = Column(_("Name"), 10, lambda a: a.member.name)
    sex = Column(_("Sex"), 6, lambda a: a.member.get_sex_display())
    if kind == Kind.ADVANCED_GROUP:
        leader = Column(_("Group leader"), 10, lambda a: report.leader_of.get(a.party_group_id, ""))
        columns = [no, village, group, leader, amount, reason, decided]
    elif kind == Kind.STREAK_BONUS:
        years = Column(
            _("Years named excellent leader"),
            18,
            lambda a: "、".join(str(y) for y in report.leader_years.get(a.member_id, [])),
        )
        columns = [no, village, group, name, sex, years, amount, reason, decided]
    else:
        columns = [no, village, group, name, sex, amount, reason, decided]
    _table(ws, report, str(Kind(kind).label), columns, awards)


def _reserve_sheet(ws: Worksheet, report: Report) -> None:
    columns = [
        Column(_("No."), 6, None, "number"),
        Column(_("List"), 26, lambda r: r.get_list_display()),
        Column(_("Village"), 12, lambda r: r.village.name),
        Column(_("Party group"), 20, lambda r: report.group_of.get(r.member_id, "")),
        Column(_("Name"), 10, lambda r: r.member.name),
        Column(_("Sex"), 6, lambda r: r.member.get_sex_display()),
        Column(_("Birth date"), 16, lambda r: r.member.birth_date, "date"),
        Column(_("Joined the party on"), 16, lambda r: r.member.joined_on, "date"),
        Column(_("Reason"), 36, lambda r: r.reason),
        Column(_("Listed on"), 16, lambda r: r.added_at, "date"),
    ]
    _table(ws, report, _("Reserve and recommended cadres"), columns, report.reserve)


SUMMARY_KINDS = (Kind.ADVANCED_GROUP, Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER, Kind.STREAK_BONUS)


def _summary_sheet(ws: Worksheet, report: Report) -> None:
    """Per village and in total: how many of each award and how much money."""
    _sheet_title(ws, _("Summary"))
    columns: list[tuple[str, float]] = [(_("No."), 6), (_("Village"), 14)]
    for kind in SUMMARY_KINDS:
        columns += [(_("%(award)s (number)") % {"award": Kind(kind).label}, 12)]
        columns += [(_("%(award)s (yuan)") % {"award": Kind(kind).label}, 14)]
    columns += [(_("Awards in all"), 10), (_("Money in all (yuan)"), 14)]
    _frame(ws, report, _("Summary"), columns)

    counts: dict[tuple[int, str], int] = defaultdict(int)
    money: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for kind, awards in report.awards.items():
        for a in awards:
            counts[a.village_id, kind] += 1
            money[a.village_id, kind] += a.amount
    row = HEADER_ROW
    totals_n: dict[str, int] = defaultdict(int)
    totals_m: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for n, village in enumerate(report.villages, start=1):
        row += 1
        ws.cell(row=row, column=1, value=n)
        put_text(ws, row, 2, village.name)
        all_n, all_m = 0, ZERO
        for i, kind in enumerate(SUMMARY_KINDS):
            k, m = counts[village.pk, kind], money[village.pk, kind]
            ws.cell(row=row, column=3 + 2 * i, value=k)
            put_money(ws, row, 4 + 2 * i, m)
            totals_n[kind] += k
            totals_m[kind] += m
            all_n, all_m = all_n + k, all_m + m
        ws.cell(row=row, column=3 + 2 * len(SUMMARY_KINDS), value=all_n)
        put_money(ws, row, 4 + 2 * len(SUMMARY_KINDS), all_m)
    row += 1
    put_text(ws, row, 1, _("Total")).font = BOLD
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for i, kind in enumerate(SUMMARY_KINDS):
        ws.cell(row=row, column=3 + 2 * i, value=totals_n[kind]).font = BOLD
        put_money(ws, row, 4 + 2 * i, totals_m[kind]).font = BOLD
    ws.cell(row=row, column=3 + 2 * len(SUMMARY_KINDS), value=sum(totals_n.values())).font = BOLD
    put_money(ws, row, 4 + 2 * len(SUMMARY_KINDS), sum(totals_m.values(), ZERO)).font = BOLD
    borders(ws, FIRST_ROW, row, len(columns))
    ws.row_dimensions[HEADER_ROW].height = 45
    last = _seal(ws, report, row, len(columns))
    _finish(ws, last, len(columns), landscape=True)
