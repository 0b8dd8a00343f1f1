"""The public-disclosure sheet (公示) of a villager group's fund as an Excel workbook (openpyxl).

Amounts are numbers with a yuan format, dates are real dates, the totals row adds up, the header row stays in view,
and the page prints on A4. Text typed by people (names, purposes, counterparties) is always written as text: a value
starting with = + - @ or a tab or carriage return never becomes a formula.
"""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.xlsx import BORDER as _border
from core.xlsx import DATE_FORMAT, FORMULA_STARTS, YUAN_FORMAT, put_date, put_money, put_text  # noqa: F401
from core.xlsx import a4 as _a4
from core.xlsx import date_text as _date_text
from core.xlsx import header_row as _header
from groups.ledger.services import Disclosure, decision_check

HEADER_ROW = 4  # rows 1–3: title, period, posting; row 4: column headers (frozen and repeated on every printed page)

_bold = Font(bold=True)


def disclosure_workbook(sheet: Disclosure, *, posted_from=None, posted_to=None) -> bytes:
    """The workbook: sheet 1 every entry of the period with totals and signature lines, sheet 2 the decisions cited."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Entries")[:31]
    headers = [
        (_("No."), 6),
        (_("Date"), 16),
        (_("Income or expense"), 10),
        (_("Category"), 12),
        (_("Paid by / paid to"), 18),
        (_("Purpose"), 36),
        (_("Income (yuan)"), 14),
        (_("Expense (yuan)"), 14),
        (_("Balance (yuan)"), 14),
        (_("Decision cited"), 16),
    ]
    last_col = get_column_letter(len(headers))

    title = put_text(ws, 1, 1, _("%(name)s collective fund income and expenditure disclosure") % {"name": sheet.title})
    title.font = Font(bold=True, size=15)
    title.alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last_col}1")
    put_text(
        ws,
        2,
        1,
        _("Period: %(start)s to %(end)s") % {"start": _date_text(sheet.start), "end": _date_text(sheet.end)},
    )
    ws.merge_cells(f"A2:{last_col}2")
    put_text(
        ws,
        3,
        1,
        _("Posted up for public view: %(start)s to %(end)s")
        % {"start": _date_text(posted_from), "end": _date_text(posted_to)},
    )
    ws.merge_cells(f"A3:{last_col}3")
    _header(ws, HEADER_ROW, headers)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)

    row = HEADER_ROW + 1
    put_date(ws, row, 2, sheet.start)
    put_text(ws, row, 6, _("Opening balance")).font = _bold
    put_money(ws, row, 9, sheet.opening)
    for n, line in enumerate(sheet.rows, start=1):
        row += 1
        e = line.entry
        ws.cell(row=row, column=1, value=n)
        put_date(ws, row, 2, e.entry_date)
        put_text(ws, row, 3, e.get_direction_display())
        put_text(ws, row, 4, e.get_category_display())
        put_text(ws, row, 5, e.counterparty)
        purpose = e.purpose
        if e.reverses_id:
            purpose = _("Reversal of the entry of %(d)s: %(reason)s") % {
                "d": _date_text(e.reverses.entry_date),
                "reason": e.purpose,
            }
        put_text(ws, row, 6, purpose).alignment = Alignment(wrap_text=True, vertical="top")
        put_money(ws, row, 7, line.income)
        put_money(ws, row, 8, line.expense)
        put_money(ws, row, 9, line.balance)
        if e.decision_id:
            put_text(ws, row, 10, _("Meeting of %(d)s") % {"d": _date_text(e.decision.held_on)})
    row += 1
    put_text(ws, row, 6, _("Total for the period")).font = _bold
    put_money(ws, row, 7, sheet.income).font = _bold
    put_money(ws, row, 8, sheet.expense).font = _bold
    put_money(ws, row, 9, sheet.closing).font = _bold
    put_date(ws, row, 2, sheet.end)
    totals_row = row
    for r in range(HEADER_ROW + 1, totals_row + 1):
        for c in range(1, len(headers) + 1):
            ws.cell(row=r, column=c).border = _border
    row += 2
    put_text(
        ws,
        row,
        1,
        _("Opening balance %(o)s yuan + income %(i)s yuan − expense %(e)s yuan = closing balance %(c)s yuan")
        % {
            "o": f"{sheet.opening:,.2f}",
            "i": f"{sheet.income:,.2f}",
            "e": f"{sheet.expense:,.2f}",
            "c": f"{sheet.closing:,.2f}",
        },
    )
    ws.merge_cells(f"A{row}:{last_col}{row}")
    row += 2
    group = sheet.party_group.name if sheet.party_group else ""
    put_text(
        ws, row, 1, _("%(group)s leader (signature): ____________ %(name)s") % {"group": group, "name": sheet.leader}
    )
    ws.merge_cells(f"A{row}:E{row}")
    put_text(
        ws,
        row,
        6,
        _("%(branch)s (seal): ____________") % {"branch": sheet.villager_group.village.branch_name},
    )
    ws.merge_cells(f"F{row}:{last_col}{row}")
    row += 1
    put_text(ws, row, 6, _("Date: %(d)s") % {"d": _date_text(None)})
    ws.print_area = f"A1:{last_col}{row}"
    _a4(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")

    _decisions_sheet(wb, sheet)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _decisions_sheet(wb: Workbook, sheet: Disclosure) -> None:
    ws = wb.create_sheet(_("Decisions cited")[:31])
    headers = [
        (_("Meeting held on"), 16),
        (_("What was decided"), 44),
        (_("Counted by"), 14),
        (_("Entitled to attend"), 10),
        (_("Present"), 10),
        (_("Votes for"), 10),
        (_("Result publicised on"), 16),
        (_("Quorum and majority met"), 12),
    ]
    _header(ws, 1, headers)
    ws.freeze_panes = "A2"
    quorum = sheet.villager_group.village.township.meeting_quorum
    for row, d in enumerate(sheet.decisions, start=2):
        put_date(ws, row, 1, d.held_on)
        put_text(ws, row, 2, d.subject).alignment = Alignment(wrap_text=True, vertical="top")
        put_text(ws, row, 3, d.get_basis_display())
        ws.cell(row=row, column=4, value=d.entitled)
        ws.cell(row=row, column=5, value=d.present)
        ws.cell(row=row, column=6, value=d.votes_for)
        put_date(ws, row, 7, d.publicised_on)
        put_text(ws, row, 8, _("yes") if not decision_check(d, quorum=quorum) else _("no"))
    _a4(ws, landscape=False, title_rows="1:1")
