"""The year's party-group scores and the branches' year-end appraisal as Excel workbooks (openpyxl).

Scores are numbers with a fixed number of decimals, dates are dates, the header row stays in view and repeats on
every printed A4 page. Text typed by people (group names, evidence, findings) is always written as text: a value
starting with = + - @ or a tab or carriage return never becomes a formula (`core.xlsx.put_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraisal.models import AppraisalYear, GroupScore, SpotCheck
from appraisal.rules import QUARTERS
from appraisal.scoring.selectors import BranchRow, ScoreRow
from appraisal.scoring.services import rectification_state
from core import clock
from core.words import quarter_cn
from core.xlsx import BOLD, a4, borders, date_text, header_row, put_date, put_text, title_row
from groups.models import PartyGroup

POINTS_FORMAT = "0.0"
POINTS_FORMAT_2 = "0.00"
HEADER_ROW = 3  # row 1: title; row 2: township, date made; row 3: column headers (frozen, repeated when printed)
_wrap = Alignment(wrap_text=True, vertical="top")


def put_number(ws: Worksheet, row: int, column: int, value, number_format: str = POINTS_FORMAT):
    """A figure as a number (never text), empty when there is none."""
    cell = ws.cell(row=row, column=column, value=value if value is None else Decimal(value))
    cell.number_format = number_format
    return cell


def _sheet(ws: Worksheet, title: str, subtitle: str, headers: Sequence[tuple[str, int]]) -> None:
    title_row(ws, 1, title, len(headers), font=Font(bold=True, size=14))
    put_text(ws, 2, 1, subtitle)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    header_row(ws, HEADER_ROW, headers)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    a4(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def _borders(ws: Worksheet, last_row: int, columns: int) -> None:
    borders(ws, HEADER_ROW + 1, last_row, columns)


def _subtitle(year: AppraisalYear) -> str:
    today = clock.today()
    return _("%(unit)s · made on %(d)s") % {
        "unit": year.issuing_unit or year.township.committee_name or year.township.name,
        "d": date_text(today),
    }


def _pct(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def score_details(year: AppraisalYear, groups: QuerySet[PartyGroup]) -> QuerySet[GroupScore]:
    """Every score row of the groups, item by item, with what it rests on (one query)."""
    return (
        GroupScore.objects.filter(year=year, party_group__in=groups)
        .select_related("party_group__village", "item", "entered_by")
        .order_by("party_group__village__name", "party_group__name", "quarter", "item__position", "item_id")
    )


def scores_workbook(
    year: AppraisalYear, rows: Sequence[ScoreRow], *, details: Iterable[GroupScore], checks: Iterable[SpotCheck]
) -> bytes:
    """Sheet 1 the ranked year scores; sheet 2 every item's points with its evidence; sheet 3 the spot checks."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Year scores")[:31]
    headers = [
        (_("Rank"), 6),
        (_("Village"), 12),
        (_("Party group"), 22),
        *[(quarter_cn(q), 10) for q in range(1, QUARTERS + 1)],
        (_("Spot checks (average)"), 12),
        (_("Spot checks (number)"), 10),
        (_("Year score"), 10),
    ]
    title = _("%(t)s %(y)d party group appraisal: year scores") % {"t": year.township.name, "y": year.year}
    _sheet(ws, title, _subtitle(year), headers)
    r = HEADER_ROW
    for row in rows:
        r += 1
        ws.cell(row=r, column=1, value=row.rank)
        put_text(ws, r, 2, row.group.village.name)
        put_text(ws, r, 3, row.group.name)
        for q, total in enumerate(row.quarters, start=4):
            put_number(ws, r, q, total, POINTS_FORMAT_2)
        put_number(ws, r, 4 + QUARTERS, row.spot_average)
        ws.cell(row=r, column=5 + QUARTERS, value=row.spot_count)
        put_number(ws, r, 6 + QUARTERS, row.year_score).font = BOLD
    _borders(ws, r, len(headers))

    ws = wb.create_sheet(_("Items and evidence")[:31])
    headers = [
        (_("Village"), 12),
        (_("Party group"), 22),
        (_("Quarter"), 8),
        (_("Item"), 22),
        (_("Maximum points"), 9),
        (_("Points"), 9),
        (_("Evidence"), 60),
        (_("Entered by"), 12),
        (_("Last changed"), 16),
    ]
    _sheet(
        ws,
        _("%(t)s %(y)d party group appraisal: items and evidence") % {"t": year.township.name, "y": year.year},
        _subtitle(year),
        headers,
    )
    r = HEADER_ROW
    for s in details:
        r += 1
        put_text(ws, r, 1, s.party_group.village.name)
        put_text(ws, r, 2, s.party_group.name)
        ws.cell(row=r, column=3, value=s.quarter)
        put_text(ws, r, 4, s.item.name)
        put_number(ws, r, 5, s.item.max_points)
        put_number(ws, r, 6, s.points, POINTS_FORMAT_2)
        put_text(ws, r, 7, s.evidence).alignment = _wrap
        put_text(ws, r, 8, (s.entered_by.get_full_name() or s.entered_by.username) if s.entered_by else "")
        put_date(ws, r, 9, s.updated_at)
    _borders(ws, r, len(headers))

    ws = wb.create_sheet(_("Spot checks")[:31])
    headers = [
        (_("Checked on"), 14),
        (_("Village"), 12),
        (_("Party group"), 22),
        (_("Checked by"), 12),
        (_("How"), 18),
        (_("Findings"), 40),
        (_("Rating"), 10),
        (_("Points"), 8),
        (_("Rectification required"), 30),
        (_("Rectify by"), 14),
        (_("Rectified on"), 14),
        (_("State"), 10),
    ]
    _sheet(ws, _("%(t)s %(y)d spot checks") % {"t": year.township.name, "y": year.year}, _subtitle(year), headers)
    states = {
        "none": "",
        "done": _("done"),
        "done_late": _("done late"),
        "overdue": _("overdue"),
        "pending": _("open"),
    }
    today = clock.today()
    r = HEADER_ROW
    for c in checks:
        r += 1
        put_date(ws, r, 1, c.checked_on)
        put_text(ws, r, 2, c.party_group.village.name)
        put_text(ws, r, 3, c.party_group.name)
        put_text(ws, r, 4, c.checked_by)
        put_text(ws, r, 5, "、".join(_methods(c)))
        put_text(ws, r, 6, c.findings).alignment = _wrap
        put_text(ws, r, 7, c.get_rating_display())
        put_number(ws, r, 8, c.points)
        put_text(ws, r, 9, c.rectification).alignment = _wrap
        put_date(ws, r, 10, c.rectify_by)
        put_date(ws, r, 11, c.rectified_on)
        put_text(ws, r, 12, states[rectification_state(c, today)])
    _borders(ws, r, len(headers))
    return _save(wb)


def _methods(check: SpotCheck) -> list[str]:
    return [
        str(label)
        for on, label in (
            (check.by_visit, _("visited the group")),
            (check.by_asking_villagers, _("asked villagers")),
            (check.by_reading_records, _("read the records")),
        )
        if on
    ]


def branches_workbook(year: AppraisalYear, rows: Sequence[BranchRow]) -> bytes:
    """The branches ranked by their year-end total, with the two parts and the weight that make it."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Branch appraisal")[:31]
    w = year.group_work_weight
    headers = [
        (_("Rank"), 6),
        (_("Village"), 12),
        (_("Party branch"), 24),
        (_("Township's items (points)"), 12),
        (_("Party groups' work (average year score)"), 14),
        (_("Weight of party-group work (%)"), 12),
        (_("Total"), 10),
        (_("Notes"), 36),
    ]
    title = _("%(t)s %(y)d year-end appraisal of the village party branches") % {
        "t": year.township.name,
        "y": year.year,
    }
    _sheet(ws, title, _subtitle(year), headers)
    r = HEADER_ROW
    for row in rows:
        r += 1
        a = row.appraisal
        ws.cell(row=r, column=1, value=row.rank)
        put_text(ws, r, 2, row.village.name)
        put_text(ws, r, 3, row.village.branch_name)
        put_number(ws, r, 4, a.township_points if a else None)
        put_number(ws, r, 5, a.group_points if a else row.live_group_points)
        put_number(ws, r, 6, w, POINTS_FORMAT)
        put_number(ws, r, 7, a.total if a else None).font = BOLD
        put_text(ws, r, 8, a.notes if a else _("not yet appraised")).alignment = _wrap
    _borders(ws, r, len(headers))
    r += 2
    put_text(
        ws,
        r,
        1,
        _("Total = township's items × %(tw)s%% + party groups' work × %(w)s%%") % {"tw": _pct(100 - w), "w": _pct(w)},
    )
    ws.merge_cells(f"A{r}:{get_column_letter(len(headers))}{r}")
    return _save(wb)
