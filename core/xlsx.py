"""Shared pieces for every Excel workbook the app writes (openpyxl): safe text, money, dates, headers, A4 printing,
and the download response.

Text typed by people is always written as text: openpyxl stores any string starting with "=" as a formula, and
Excel treats "+", "-" and "@" the same way when a cell is edited. `put_text` forces the string type and, for a value
that could be read as a formula, sets the quote prefix (Excel's leading apostrophe), so "=1+1" stays the name it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import clock
from core.words import day_cn

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN_FORMAT = "#,##0.00"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
TEXT_FORMAT = "@"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F3EDE4")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=15)


def safe_text(value) -> str:
    """The value as a string Excel can hold: None is "", control characters XML cannot carry are dropped."""
    if value is None:
        return ""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def put_text(ws: Worksheet, row: int, column: int, value):
    """Write text that must stay text, whatever it starts with."""
    text = safe_text(value)
    cell = ws.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    if looks_like_formula(text):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def text_value(ws, value):
    """For a write-only sheet's `append`: the text itself, or, if it could be read as a formula, a cell forced to text.

    Returning the plain string in the usual case keeps large exports fast (no cell object or style per value)."""
    text = safe_text(value)
    if not looks_like_formula(text):
        return text
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write_only_header(ws, headers: Iterable[tuple[str, int | float]]) -> None:
    """A write-only sheet's first row: `header_row`'s look (bold, shaded, bordered) and the column widths."""
    cells = []
    for column, (text, width) in enumerate(headers, start=1):
        cell = WriteOnlyCell(ws, value=safe_text(text))
        cell.data_type = "s"
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(column)].width = width
        cells.append(cell)
    ws.append(cells)


def put_money(ws: Worksheet, row: int, column: int, value: Decimal | None):
    """A yuan amount as a number (Decimal, never float) in the yuan format."""
    cell = ws.cell(row=row, column=column, value=value)
    cell.number_format = YUAN_FORMAT
    return cell


def put_date(ws: Worksheet, row: int, column: int, value: datetime.date | datetime.datetime | None):
    """A real date cell shown the Chinese way; an aware date-time is taken as its local (Asia/Shanghai) day."""
    if isinstance(value, datetime.datetime):
        value = clock.local_date(value) if timezone.is_aware(value) else value.date()
    cell = ws.cell(row=row, column=column, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def date_text(day: datetime.date | None) -> str:
    """A date written out for a line of text: 2025年12月28日, or blanks to fill in by hand."""
    return day_cn(day) if day else "　　年　　月　　日"


def header_row(ws: Worksheet, row: int, headers: Iterable[tuple[str, int | float]]) -> None:
    """Bold, shaded, bordered column headers, and each column's width."""
    for column, (text, width) in enumerate(headers, start=1):
        cell = put_text(ws, row, column, text)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(column)].width = width


def title_row(ws: Worksheet, row: int, text: str, last_column: int, *, font: Font = TITLE_FONT):
    """A title merged across the table's width, centred."""
    cell = put_text(ws, row, 1, text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center")
    if last_column > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    return cell


def borders(ws: Worksheet, first_row: int, last_row: int, last_column: int) -> None:
    for r in range(first_row, last_row + 1):
        for c in range(1, last_column + 1):
            ws.cell(row=r, column=c).border = BORDER


def a4(ws: Worksheet, *, landscape: bool, title_rows: str) -> None:
    """Print on A4, as wide as one page and as many pages down as needed, `title_rows` repeated on each page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


def xlsx_response(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A workbook download: Chinese file name per RFC 5987 (filename*), an ASCII `fallback` for old clients, and
    no caching (the files hold personal data)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    ascii_name = fallback.encode("ascii", "ignore").decode().replace('"', "")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response
