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
from openpyxl.worksheet.worksheet import Worksheet

from appraisal.models import AppraisalYear, Award, ReserveCandidate
from core import clock, periods
from core.xlsx import MONEY, SIGN, Col, PrintTable, date_text, draft_filename, put_text, signature_column
from groups.models import GroupPost
from township.models import Village

Kind = Award.Kind
TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
FIRST_ROW = HEADER_ROW + 1
ZERO = Decimal("0.00")


def report_title(year: AppraisalYear) -> str:
    """金溪乡2025年度党小组工作表彰奖励名单"""
    return _("%(township)s %(year)s annual commendation and award list for party group work") % {
        "township": year.township.name,
        "year": year.year,
    }


def report_filename(year: AppraisalYear) -> str:
    """金溪乡2025年度表彰奖励名单.xlsx, with （草稿） while the year is not decided."""
    name = _("%(township)s %(year)s award list.xlsx") % {"township": year.township.name, "year": year.year}
    return draft_filename(name, is_draft(year))


def issuing_unit(year: AppraisalYear) -> str:
    return year.issuing_unit or year.township.committee_name or year.township.name


@dataclass
class Column:
    header: str
    width: float
    value: Callable  # (row object) -> value
    kind: str = "text"  # text | money | date | int | sign
    fmt: str | None = None


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


def is_draft(year: AppraisalYear) -> bool:
    """Until the township decides the year, every file of it says 草稿 (title, every printed page, file name)."""
    return year.state != AppraisalYear.State.DECIDED


def _table_for(ws: Worksheet, report: Report, subject: str, columns: list[Column]) -> PrintTable:
    """Title line, issuing unit and dates, column headers; frozen below the headers, which repeat on each page."""
    year = report.year
    info = _("Issued by: %(unit)s") % {"unit": issuing_unit(year)}
    info += "　　" + _("Date: %(d)s") % {"d": date_text(year.issued_on)}
    return PrintTable(
        ws,
        [Col(c.header, c.width, c.kind, c.fmt) for c in columns],
        title=f"{report_title(year)}（{subject}）",
        info=info,
        draft=is_draft(year),
        name=subject,
        landscape=True,
    )


def _seal(table: PrintTable, report: Report) -> None:
    """The 制表人 / 审核人 line, then the seal and date lines at the right under the table."""
    table.signatures()
    ws, n = table.ws, table.n
    start = max(n - 3, 1)
    for text in (
        _("%(unit)s (seal)") % {"unit": issuing_unit(report.year)},
        _("Date: %(d)s") % {"d": date_text(report.year.issued_on)},
    ):
        table.row += 1
        put_text(ws, table.row, start, text)
        ws.merge_cells(start_row=table.row, start_column=start, end_row=table.row, end_column=n)
    table.finish()


def _table(ws: Worksheet, report: Report, subject: str, columns: list[Column], rows: list) -> None:
    """A numbered list with a totals row (the number of rows, the sum of every money column) and, where it pays
    money, the total in capitals and a column for the payee's signature."""
    pays = any(c.kind == MONEY for c in columns)
    if pays:
        columns = [*columns, Column(signature_column().header, signature_column().width, None, SIGN)]
    table = _table_for(ws, report, subject, columns)
    for n, obj in enumerate(rows, start=1):
        table.add([n, *(None if col.value is None else col.value(obj) for col in columns[1:])])
    sums = {
        i: sum((col.value(obj) or ZERO for obj in rows), ZERO)
        for i, col in enumerate(columns, start=1)
        if col.kind == MONEY
    }
    table.totals({2: _("%(n)d in all") % {"n": len(rows)}, **sums}, label=_("Total"))
    if pays:
        table.capital(sum(sums.values(), ZERO))
    _seal(table, report)


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

    no = Column(_("No."), 6, None, "int")
    village = Column(_("Village"), 10, lambda a: a.village.name)
    group = Column(_("Party group"), 18, group_name)
    amount = Column(_("Amount (yuan)"), 13, lambda a: a.amount, MONEY)
    reason = Column(_("Reason for the award"), 46, award_reason_text)
    decided = Column(_("Decided on"), 15, lambda a: a.decided_at, "date")
    name = Column(_("Name"), 10, lambda a: a.member.name)
    sex = Column(_("Sex"), 6, lambda a: a.member.get_sex_display())
    if kind == Kind.ADVANCED_GROUP:
        leader = Column(_("Group leader"), 10, lambda a: report.leader_of.get(a.party_group_id, ""))
        columns = [no, village, group, leader, amount, reason, decided]
    elif kind == Kind.STREAK_BONUS:
        years = Column(
            _("Years named excellent leader"),
            16,
            lambda a: "、".join(str(y) for y in report.leader_years.get(a.member_id, [])),
        )
        columns = [no, village, group, name, sex, years, amount, reason, decided]
    else:
        columns = [no, village, group, name, sex, amount, reason, decided]
    _table(ws, report, str(Kind(kind).label), columns, awards)


def _reserve_sheet(ws: Worksheet, report: Report) -> None:
    columns = [
        Column(_("No."), 6, None, "int"),
        Column(_("List"), 22, lambda r: r.get_list_display()),
        Column(_("Village"), 10, lambda r: r.village.name),
        Column(_("Party group"), 18, lambda r: report.group_of.get(r.member_id, "")),
        Column(_("Name"), 10, lambda r: r.member.name),
        Column(_("Sex"), 6, lambda r: r.member.get_sex_display()),
        Column(_("Birth date"), 15, lambda r: r.member.birth_date, "date"),
        Column(_("Joined the party on"), 15, lambda r: r.member.joined_on, "date"),
        Column(_("Reason"), 40, lambda r: r.reason),
        Column(_("Listed on"), 15, lambda r: r.added_at, "date"),
    ]
    _table(ws, report, _("Reserve and recommended cadres"), columns, report.reserve)


SUMMARY_KINDS = (Kind.ADVANCED_GROUP, Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER, Kind.STREAK_BONUS)


def _summary_sheet(ws: Worksheet, report: Report) -> None:
    """Per village and in total: how many of each award and how much money."""
    columns = [Column(_("No."), 6, None, "int"), Column(_("Village"), 12, None)]
    for kind in SUMMARY_KINDS:
        columns.append(Column(_("%(award)s (number)") % {"award": Kind(kind).label}, 10, None, "int"))
        columns.append(Column(_("%(award)s (yuan)") % {"award": Kind(kind).label}, 13, None, MONEY))
    columns += [Column(_("Awards in all"), 9, None, "int"), Column(_("Money in all (yuan)"), 14, None, MONEY)]
    table = _table_for(ws, report, _("Summary"), columns)

    counts: dict[tuple[int, str], int] = defaultdict(int)
    money: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for kind, awards in report.awards.items():
        for a in awards:
            counts[a.village_id, kind] += 1
            money[a.village_id, kind] += a.amount
    totals: list = [0, ZERO] * len(SUMMARY_KINDS) + [0, ZERO]
    for n, village in enumerate(report.villages, start=1):
        values: list = []
        for kind in SUMMARY_KINDS:
            values += [counts[village.pk, kind], money[village.pk, kind]]
        values += [sum(values[0::2]), sum(values[1::2], ZERO)]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        table.add([n, village.name, *values])
    table.totals(dict(enumerate(totals, start=3)), label=_("Total"))
    ws.merge_cells(start_row=table.row, start_column=1, end_row=table.row, end_column=2)
    table.capital(totals[-1])
    _seal(table, report)
