"""The public-disclosure sheet (公示) of a villager group's fund as an Excel workbook (openpyxl).

Amounts are numbers with a yuan format, dates are real dates, the totals row adds up, the header row stays in view,
and the page prints on A4. Text typed by people (names, purposes, counterparties) is always written as text: a value
starting with = + - @ or a tab or carriage return never becomes a formula.
"""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.xlsx import BOLD, DATE_FORMAT, FORMULA_STARTS, MONEY, YUAN_FORMAT, Col, PrintTable, date_text, put_text  # noqa: F401
from groups.ledger.services import Disclosure, decision_check

HEADER_ROW = 4  # rows 1–3: title, period, posting; row 4: column headers (frozen and repeated on every printed page)


def disclosure_workbook(sheet: Disclosure, *, posted_from=None, posted_to=None) -> bytes:
    """The workbook: sheet 1 every entry of the period with totals and signature lines, sheet 2 the decisions cited."""
    wb = Workbook()
    township = sheet.villager_group.village.township.name
    columns = [
        Col(_("No."), 5, "int"),
        Col(_("Date"), 14, "date"),
        Col(_("Income or expense"), 8),
        Col(_("Category"), 10),
        Col(_("Paid by / paid to"), 16),
        Col(_("Purpose"), 34),
        Col(_("Income (yuan)"), 13, MONEY),
        Col(_("Expense (yuan)"), 13, MONEY),
        Col(_("Balance (yuan)"), 14, MONEY),
        Col(_("Decision cited"), 16),
    ]
    period = _("Period: %(start)s to %(end)s") % {"start": date_text(sheet.start), "end": date_text(sheet.end)}
    posted = _("Posted up for public view: %(start)s to %(end)s") % {
        "start": date_text(posted_from),
        "end": date_text(posted_to),
    }
    title = _("%(name)s collective fund income and expenditure disclosure") % {"name": sheet.title}
    table = PrintTable(
        wb.active,
        columns,
        title=title,
        info=[f"{township}{sheet.title}　{period}", posted],
        name=_("Entries"),
        page_title=f"{township}{title}",
    )
    table.add([None, sheet.start, None, None, None, _("Opening balance"), None, None, sheet.opening])
    table.ws.cell(row=table.row, column=6).font = BOLD
    for n, line in enumerate(sheet.rows, start=1):
        e = line.entry
        purpose = e.purpose
        if e.reverses_id:
            purpose = _("Reversal of the entry of %(d)s: %(reason)s") % {
                "d": date_text(e.reverses.entry_date),
                "reason": e.purpose,
            }
        decision = _("Meeting of %(d)s") % {"d": date_text(e.decision.held_on)} if e.decision_id else ""
        table.add(
            [
                n,
                e.entry_date,
                _("Reversal") if e.reverses_id else e.get_direction_display(),  # 冲销: neither income nor expense
                e.get_category_display(),
                e.counterparty,
                purpose,
                line.income,
                line.expense,
                line.balance,
                decision,
            ]
        )
    table.totals(
        {2: sheet.end, 7: sheet.income, 8: sheet.expense, 9: sheet.closing},
        label=_("Total for the period"),
        label_column=6,
    )
    table.capital(sheet.income, label="本期收入合计（大写）")
    table.capital(sheet.expense, label="本期支出合计（大写）")
    table.capital(sheet.closing, label="期末结余（大写）")
    table.line(
        _("Opening balance %(o)s yuan + income %(i)s yuan − expense %(e)s yuan = closing balance %(c)s yuan")
        % {
            "o": f"{sheet.opening:,.2f}",
            "i": f"{sheet.income:,.2f}",
            "e": f"{sheet.expense:,.2f}",
            "c": f"{sheet.closing:,.2f}",
        },
        gap=1,
    )
    ws = table.ws
    row = table.row + 2
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
    ws.merge_cells(f"F{row}:J{row}")
    ws.row_dimensions[row].height = 24
    row += 1
    put_text(ws, row, 6, _("Date: %(d)s") % {"d": date_text(None)})
    table.row = row
    table.signatures()
    table.finish()

    _decisions_sheet(wb, sheet, township)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _decisions_sheet(wb: Workbook, sheet: Disclosure, township: str) -> None:
    columns = [
        Col(_("Meeting held on"), 14, "date"),
        Col(_("What was decided"), 40),
        Col(_("Counted by"), 12),
        Col(_("Entitled to attend"), 9, "int"),
        Col(_("Present"), 8, "int"),
        Col(_("Votes for"), 8, "int"),
        Col(_("Result publicised on"), 14, "date"),
        Col(_("Quorum and majority met"), 10),
    ]
    title = _("%(name)s collective fund income and expenditure disclosure") % {"name": sheet.title}
    table = PrintTable(
        wb.create_sheet(),
        columns,
        title=f"{title}（{_('Decisions cited')}）",
        info=f"{township}{sheet.title}",
        name=_("Decisions cited"),
    )
    quorum = sheet.villager_group.village.township.meeting_quorum
    for d in sheet.decisions:
        table.add(
            [
                d.held_on,
                d.subject,
                d.get_basis_display(),
                d.entitled,
                d.present,
                d.votes_for,
                d.publicised_on,
                _("yes") if not decision_check(d, quorum=quorum) else _("no"),
            ]
        )
    table.signatures()
    table.finish()
