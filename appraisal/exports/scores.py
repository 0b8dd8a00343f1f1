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
from openpyxl.worksheet.worksheet import Worksheet

from appraisal.models import AppraisalYear, GroupScore, SpotCheck
from appraisal.rules import QUARTERS
from appraisal.scoring.selectors import BranchRow, ScoreRow
from appraisal.scoring.services import rectification_state
from core import clock
from core.words import quarter_cn
from core.xlsx import BOLD, Col, PrintTable
from groups.models import PartyGroup

POINTS_FORMAT = "0.0"
POINTS_FORMAT_2 = "0.00"
HEADER_ROW = 3  # row 1: title; row 2: issuing unit, date made; row 3: column headers (frozen, repeated when printed)


def _table(
    ws: Worksheet, year: AppraisalYear, title: str, columns: list[Col], *, name: str, info: str | None = None
) -> PrintTable:
    """Title, the issuing unit and year (and the date made), headers frozen and repeated on every printed page; 草稿
    while the year is not decided."""
    return PrintTable(
        ws,
        columns,
        title=title,
        info=info or _unit(year),
        draft=year.state != AppraisalYear.State.DECIDED,
        name=name,
    )


def _unit(year: AppraisalYear) -> str:
    return year.issuing_unit or year.township.committee_name or year.township.name


def _pct(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _points(header: str, width: float, fmt: str = POINTS_FORMAT) -> Col:
    return Col(header, width, "number", fmt)


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
    columns = [
        Col(_("Rank"), 6, "int"),
        Col(_("Village"), 10),
        Col(_("Party group"), 20),
        *[_points(quarter_cn(q), 10, POINTS_FORMAT_2) for q in range(1, QUARTERS + 1)],
        _points(_("Spot checks (average)"), 11),
        Col(_("Spot checks (number)"), 10, "int"),
        _points(_("Year score"), 10),
    ]
    title = _("%(t)s %(y)d party group appraisal: year scores") % {"t": year.township.name, "y": year.year}
    table = _table(wb.active, year, title, columns, name=_("Year scores"))
    for row in rows:
        r = table.add(
            [
                row.rank,
                row.group.village.name,
                row.group.name,
                *row.quarters,
                row.spot_average,
                row.spot_count,
                row.year_score,
            ]
        )
        table.ws.cell(row=r, column=len(columns)).font = BOLD
    table.signatures()
    table.finish()

    columns = [
        Col(_("Village"), 10),
        Col(_("Party group"), 18),
        Col(_("Quarter"), 7, "int"),
        Col(_("Item"), 24),
        _points(_("Maximum points"), 9),
        _points(_("Points"), 9, POINTS_FORMAT_2),
        Col(_("Evidence"), 68),
        Col(_("Entered by"), 10),
        Col(_("Last changed"), 15, "date"),
    ]
    table = _table(
        wb.create_sheet(),
        year,
        _("%(t)s %(y)d party group appraisal: items and evidence") % {"t": year.township.name, "y": year.year},
        columns,
        name=_("Items and evidence"),
    )
    for s in details:
        table.add(
            [
                s.party_group.village.name,
                s.party_group.name,
                s.quarter,
                s.item.name,
                s.item.max_points,
                s.points,
                s.evidence,
                (s.entered_by.get_full_name() or s.entered_by.username) if s.entered_by else "",
                s.updated_at,
            ]
        )
    table.signatures()
    table.finish()

    columns = [
        Col(_("Checked on"), 13, "date"),
        Col(_("Village"), 10),
        Col(_("Party group"), 18),
        Col(_("Checked by"), 16),
        Col(_("How"), 16),
        Col(_("Findings"), 36),
        Col(_("Rating"), 8),
        _points(_("Points"), 7),
        Col(_("Rectification required"), 28),
        Col(_("Rectify by"), 13, "date"),
        Col(_("Rectified on"), 13, "date"),
        Col(_("State"), 8),
    ]
    table = _table(
        wb.create_sheet(),
        year,
        _("%(t)s %(y)d spot checks") % {"t": year.township.name, "y": year.year},
        columns,
        name=_("Spot checks"),
    )
    states = {
        "none": "",
        "done": _("done"),
        "done_late": _("done late"),
        "overdue": _("overdue"),
        "pending": _("open"),
    }
    today = clock.today()
    for c in checks:
        table.add(
            [
                c.checked_on,
                c.party_group.village.name,
                c.party_group.name,
                c.checked_by,
                "、".join(_methods(c)),
                c.findings,
                c.get_rating_display(),
                c.points,
                c.rectification,
                c.rectify_by,
                c.rectified_on,
                states[rectification_state(c, today)],
            ]
        )
    table.signatures()
    table.finish()
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
    w = year.group_work_weight
    columns = [
        Col(_("Rank"), 6, "int"),
        Col(_("Village"), 10),
        Col(_("Party branch"), 26),
        _points(_("Township's items (points)"), 12),
        _points(_("Party groups' work (average year score)"), 14),
        _points(_("Weight of party-group work (%)"), 12),
        _points(_("Total"), 10),
        Col(_("Notes"), 34),
    ]
    title = _("%(t)s %(y)d year-end appraisal of the village party branches") % {
        "t": year.township.name,
        "y": year.year,
    }
    table = _table(wb.active, year, title, columns, name=_("Branch appraisal"))
    for row in rows:
        a = row.appraisal
        r = table.add(
            [
                row.rank,
                row.village.name,
                row.village.branch_name,
                a.township_points if a else None,
                a.group_points if a else row.live_group_points,
                w,
                a.total if a else None,
                a.notes if a else _("not yet appraised"),
            ]
        )
        table.ws.cell(row=r, column=7).font = BOLD
    table.line(
        _("Total = township's items × %(tw)s%% + party groups' work × %(w)s%%") % {"tw": _pct(100 - w), "w": _pct(w)},
        gap=1,
    )
    table.signatures()
    table.finish()
    return _save(wb)
