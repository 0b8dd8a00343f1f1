"""Shared pieces for every Excel workbook the app writes (openpyxl): safe text, money, dates, headers, A4 printing,
the print layout every export shares (`PrintTable`), and the download response.

Text typed by people is always written as text: openpyxl stores any string starting with "=" as a formula, and
Excel treats "+", "-" and "@" the same way when a cell is edited. `put_text` forces the string type and, for a value
that could be read as a formula, sets the quote prefix (Excel's leading apostrophe), so "=1+1" stays the name it is.
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import clock, rounding
from core.rmb import rmb_capital
from core.words import day_cn

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN_FORMAT = '"¥"#,##0.00'
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
    """A yuan amount as a number (Decimal, never float) in the yuan format, rounded to the fen half up (四舍五入) as
    the pages round it: a cell never holds 0.125 that one program shows as 0.12 and another as 0.13."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = rounding.money(value)
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


# --- the print layout every export shares ---------------------------------------------------------------------------
#
# A township hands these sheets over on paper, signed and stamped. Every sheet therefore has: a title row (township,
# year or period, what it is), a line with the issuing unit or scope and the date made, the column headers (frozen on
# screen, repeated on every printed page), the rows, and under them the totals, the amount in Chinese capitals on
# money sheets, and the 制表人 / 审核人 / 日期 line. It prints on A4, one page wide (landscape when the columns are
# wide), with "第 N 页 共 M 页" in the footer and, for a year not yet decided, 草稿 in the title, in the header of
# every printed page and in the file name. Row heights are computed for wrapped text, so nothing is cut on screen
# or on paper: spreadsheet programs do not grow a row for wrapped text written by a program, and LibreOffice prints
# such a row one line high.

MONEY = "money"
SIGN = "sign"  # 领款人签字: an empty box for the payee's signature
CODE = "code"  # short text of a known shape (ID and phone numbers, 是/否): never wrapped
KINDS = ("text", CODE, "int", "number", MONEY, "date", SIGN)
DRAFT = "草稿"
FOOTER = "第 &P 页 共 &N 页"
PORTRAIT_WIDTH = 95  # column-width units that fit across portrait A4 at full size; wider sheets print landscape
LINE_HEIGHT = 15.0  # points per line of 11-point text, CJK included (Noto Sans CJK's line is about 1.36 em)
ROW_PADDING = 3.0
SIGN_ROW_HEIGHT = 30.0  # a row someone signs in needs room for a hand-written name
RIGHT = Alignment(horizontal="right", vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="center")
MIDDLE = Alignment(vertical="center")
SMALL = Font(size=10)


def text_columns(text: str) -> int:
    """How many column-width units a line of text needs: CJK and other wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text, width: float, *, scale: float = 1.0) -> int:
    """The number of lines `text` takes when wrapped in a column `width` units wide (at `scale` × 11 points).

    A little room is kept back: a cell's padding, and the wrap that breaks before a word or a punctuation mark that
    may not start a line, leaves each line slightly short of full."""
    if text is None or text == "":
        return 1
    room = max((width - 1.2) * 0.95 / scale, 1.0)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += max(1, math.ceil(text_columns(paragraph) / room))
    return lines


def height_for(lines: int, *, scale: float = 1.0) -> float:
    """The row height in points that shows `lines` lines of text of `scale` × 11 points."""
    return round(lines * LINE_HEIGHT * scale + ROW_PADDING, 1)


@dataclass(frozen=True)
class Col:
    """A printed column: header, width (in Excel's units, about one Latin character), and what it holds.

    kind: text (wrapped, the row grows to fit) · code (short text of a known shape, not wrapped) · int · number
    (with `fmt`) · money (¥ two decimals, summed into the totals row) · date · sign (领款人签字, left empty)."""

    header: str
    width: float
    kind: str = "text"
    fmt: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def shown(value, fmt: str | None):
    """A figure as the sheet shows it: rounded half up (四舍五入) to the decimals of its format, as the pages round,
    so a cell never holds 89.25 shown by Excel as 89.2 or 89.3 depending on the program; whole numbers as they are."""
    if value is None or isinstance(value, int):
        return value
    if fmt and "." in fmt:
        return rounding.half_up(value, decimals_of(fmt))
    return rounding.to_decimal(value)


def decimals_of(fmt: str) -> int:
    """The decimals a number format shows: "0.0" → 1, '"¥"#,##0.00' → 2, "0.0%" → 3 (a fraction shown ×100)."""
    tail = fmt.split(".", 1)[1]
    digits = len(tail) - len(tail.lstrip("0#"))
    return digits + (2 if "%" in tail else 0)


def signature_column() -> Col:
    return Col("领款人签字", 14, SIGN)


def made_on_text(day: datetime.date | None = None) -> str:
    return f"制表日期：{date_text(day or clock.today())}"


def draft_title(title: str, draft: bool) -> str:
    return f"{title}（{DRAFT}）" if draft else title


def draft_filename(filename: str, draft: bool) -> str:
    """金溪乡2026年度表彰奖励名单.xlsx → 金溪乡2026年度表彰奖励名单（草稿）.xlsx for a year not yet decided."""
    if not draft:
        return filename
    stem, dot, ext = filename.rpartition(".")
    return f"{stem}（{DRAFT}）.{ext}" if dot else f"{filename}（{DRAFT}）"


def sheet_name(text: str) -> str:
    """A sheet name Excel accepts: without []:*?/\\ and at most 31 characters."""
    return "".join(c for c in str(text) if c not in "[]:*?/\\")[:31]


def print_setup(
    ws,
    *,
    header_row: int,
    last_column: int,
    landscape: bool,
    page_title: str = "",
    draft: bool = False,
) -> None:
    """A4, one page wide, header row repeated on every page, margins, the page header and footer.

    The page header carries the document's short title (and 草稿 in red for a year not yet decided); the footer the
    page number "第 N 页 共 M 页"."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if page_title:
        ws.oddHeader.left.text = page_title.replace("&", "&&")
        ws.oddHeader.left.size = 9
    if draft:
        ws.oddHeader.center.text = f"{DRAFT}　本年度尚未决定，不作发放依据"
        ws.oddHeader.center.size = 14
        ws.oddHeader.center.font = "-,Bold"
        ws.oddHeader.center.color = "C00000"
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.size = 9


class PrintTable:
    """One printed table on a worksheet: title, info line, headers, rows, totals, signatures; see the notes above.

    >>> t = PrintTable(ws, columns, title="金溪乡2025年度…", info="中共金溪乡委员会")
    >>> t.add([...]); t.totals({4: total}); t.capital(total); t.signatures(); t.finish()

    `add` writes each value by its column's kind and sets the row's height for its longest wrapped text."""

    def __init__(
        self,
        ws: Worksheet,
        columns: list[Col],
        *,
        title: str,
        info: str | list[str] = "",
        made_on: datetime.date | None = None,
        draft: bool = False,
        landscape: bool | None = None,
        name: str | None = None,
        page_title: str | None = None,
    ):
        self.ws = ws
        self.columns = columns
        self.n = len(columns)
        self.draft = draft
        if name is not None:
            ws.title = sheet_name(name)
        width = sum(c.width for c in columns)
        self.landscape = width > PORTRAIT_WIDTH if landscape is None else landscape
        self.title = draft_title(title, draft)
        title_row(ws, 1, self.title, self.n)
        self._fit_merged(1, self.title, scale=15 / 11, minimum=26)
        lines = [info] if isinstance(info, str) else list(info)
        row = 1
        made = made_on_text(made_on)
        for i, line in enumerate(lines or [""]):
            row += 1
            last = self.n
            if i == 0:  # the date made, at the right of the first line
                span = self._right_span(made)
                put_text(ws, row, span, made).alignment = Alignment(horizontal="right", vertical="center")
                if span < self.n:
                    ws.merge_cells(start_row=row, start_column=span, end_row=row, end_column=self.n)
                last = span - 1
            if last >= 1:
                put_text(ws, row, 1, line).alignment = Alignment(vertical="center", wrap_text=True)
                if last > 1:
                    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
                self._fit_merged(row, line, columns=range(1, last + 1))
        self.header_row = row + 1
        header_row(ws, self.header_row, [(c.header, c.width) for c in columns])
        ws.row_dimensions[self.header_row].height = height_for(
            max(wrapped_lines(c.header, c.width, scale=1.05) for c in columns)
        )
        self.first_row = self.header_row + 1
        self.row = self.header_row
        self.table_end = self.header_row
        ws.freeze_panes = ws.cell(row=self.first_row, column=1)
        print_setup(
            ws,
            header_row=self.header_row,
            last_column=self.n,
            landscape=self.landscape,
            page_title=page_title if page_title is not None else draft_title(title, draft),
            draft=draft,
        )

    # widths and heights

    def _span_width(self, columns) -> float:
        return sum(self.columns[c - 1].width for c in columns)

    def _right_span(self, text: str) -> int:
        """The first column of the narrowest span at the right that holds `text`."""
        need = text_columns(text) + 2
        start, width = self.n, self.columns[-1].width
        while start > 1 and width < need:
            start -= 1
            width += self.columns[start - 1].width
        return start

    def _fit_merged(self, row: int, text: str, *, columns=None, scale: float = 1.0, minimum: float = 0) -> None:
        columns = columns or range(1, self.n + 1)
        lines = wrapped_lines(text, self._span_width(columns), scale=scale)
        height = max(height_for(lines, scale=scale), minimum)
        if height > (self.ws.row_dimensions[row].height or 0):
            self.ws.row_dimensions[row].height = height
        if lines > 1:
            cell = self.ws.cell(row=row, column=columns[0])
            cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="center", wrap_text=True)

    # rows

    def put(self, row: int, column: int, value, col: Col | None = None):
        """Write one value as its column's kind says; returns the cell."""
        col = col or self.columns[column - 1]
        ws = self.ws
        if col.kind == MONEY:
            cell = put_money(ws, row, column, value)
            cell.alignment = RIGHT
        elif col.kind == "date":
            cell = put_date(ws, row, column, value)
            cell.alignment = CENTER
        elif col.kind in ("int", "number"):
            cell = ws.cell(row=row, column=column, value=shown(value, col.fmt))
            if col.fmt:
                cell.number_format = col.fmt
            cell.alignment = RIGHT
        elif col.kind == SIGN:
            cell = ws.cell(row=row, column=column)
        elif col.kind == CODE:
            cell = put_text(ws, row, column, value)
            cell.alignment = MIDDLE
        else:
            cell = put_text(ws, row, column, value)
            cell.alignment = WRAP_TOP
        cell.border = BORDER
        return cell

    def add(self, values, *, bold: bool = False) -> int:
        """A row of the table (values in column order); returns its row number."""
        self.row += 1
        lines = 1
        signs = any(c.kind == SIGN for c in self.columns)
        for column, (col, value) in enumerate(zip(self.columns, values, strict=False), start=1):
            cell = self.put(self.row, column, value, col)
            if bold:
                cell.font = BOLD
            if col.kind == "text" and value not in (None, ""):
                lines = max(lines, wrapped_lines(safe_text(value), col.width))
        for column in range(len(values) + 1, self.n + 1):
            self.ws.cell(row=self.row, column=column).border = BORDER
        height = height_for(lines)
        if signs:
            height = max(height, SIGN_ROW_HEIGHT)
        if lines > 1 or signs:
            self.ws.row_dimensions[self.row].height = height
        self.table_end = self.row
        return self.row

    def totals(self, values: dict[int, object], *, label: str = "合计", label_column: int = 1) -> int:
        """The totals row: `label`, then each given column's total (1-based column → value), in bold."""
        row_values: list = [None] * self.n
        for column, value in values.items():
            row_values[column - 1] = value
        row = self.add(row_values, bold=True)
        cell = put_text(self.ws, row, label_column, label)
        cell.font = BOLD
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        return row

    def line(self, text: str, *, bold: bool = False, border: bool = False, gap: int = 0) -> int:
        """A line of text merged across the table's width (a note, a formula, a signature line)."""
        self.row += 1 + gap
        cell = put_text(self.ws, self.row, 1, text)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        if bold:
            cell.font = BOLD
        if self.n > 1:
            self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=self.n)
        if border:
            for column in range(1, self.n + 1):
                self.ws.cell(row=self.row, column=column).border = BORDER
            self.table_end = self.row
        self._fit_merged(self.row, text)
        return self.row

    def capital(self, amount, *, label: str = "合计（大写）") -> int:
        """The total in Chinese capitals under the totals row: 合计（大写）：人民币壹仟贰佰元整 (¥1,200.00)."""
        value = rounding.money(amount or 0)  # not f"{:.2f}" on the raw Decimal: that rounds half to even
        return self.line(f"{label}：人民币{rmb_capital(value)}（¥{value:,.2f}）", bold=True, border=True)

    def signatures(self, *, day: datetime.date | None = None) -> int:
        """The 制表人 / 审核人 / 日期 line under the table (the date as made, or blanks to fill in)."""
        gap = "　" * 8
        text = f"制表人：{gap}审核人：{gap}日期：{date_text(day)}"
        row = self.line(text, gap=1)
        self.ws.row_dimensions[row].height = max(self.ws.row_dimensions[row].height or 0, 24)
        return row

    def finish(self) -> None:
        """The print area: everything written."""
        self.ws.print_area = f"A1:{get_column_letter(self.n)}{self.row}"


# --- the same layout for a write-only (streamed) sheet: the roster, the security events --------------------------


def row_cells(ws, values: list) -> list:
    """A write-only row as cells throughout, for a row that holds a cell object (see `StreamTable.add`)."""
    return [v if isinstance(v, Cell) else WriteOnlyCell(ws, value=v) for v in values]


class StreamTable:
    """`PrintTable` for openpyxl's write-only sheets, whose rows are appended in order and never revisited.

    Data rows stay plain values (fast: no cell object per value) unless a text is too long for its column; then that
    row is written as cells, the long ones wrapped, and the row is given the height of its longest text. Cell borders
    would need a cell per value, so the sheet prints with grid lines instead."""

    def __init__(self, ws, columns: list[Col], *, title: str, info: str = "", draft: bool = False):
        self.ws = ws
        self.columns = columns
        self.n = len(columns)
        self.rows = 0
        self.header_row = 3
        self.first_row = 4
        self._text_rooms = [(i, (c.width - 1.2) * 0.95) for i, c in enumerate(columns) if c.kind == "text"]
        # The two looks of a tall row's cells, registered with the workbook once: a style per cell set through
        # `cell.alignment` looks the alignment up in the workbook's list each time, a copy of these does not.
        self._looks = {}
        for wrap, alignment in ((True, WRAP_TOP), (False, MIDDLE)):
            proto = WriteOnlyCell(ws)
            proto.alignment = alignment
            self._looks[wrap] = proto._style
        for column, col in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(column)].width = col.width
        ws.freeze_panes = f"A{self.first_row}"  # written with the first row: set before it
        title = draft_title(title, draft)
        width = sum(c.width for c in columns)
        # the sheet's properties (fit to page) are written with the first row: set up the page before it
        print_setup(
            ws,
            header_row=self.header_row,
            last_column=self.n,
            landscape=width > PORTRAIT_WIDTH,
            page_title=title,
            draft=draft,
        )
        ws.print_options.gridLines = True
        ws.row_dimensions[1].height = height_for(wrapped_lines(title, width, scale=15 / 11), scale=15 / 11)
        self._merged_line(title, font=TITLE_FONT, alignment=Alignment(horizontal="center", vertical="center"))
        made = made_on_text()
        info_cell = self._cell(info, alignment=Alignment(vertical="center"))
        made_cell = self._cell(made, alignment=Alignment(horizontal="right", vertical="center"))
        self._append([info_cell, *([None] * (self.n - 2)), made_cell] if self.n > 1 else [info_cell])
        if self.n > 2:
            ws.merged_cells.add(f"A2:{get_column_letter(self.n - 1)}2")
        headers = []
        for col in columns:
            cell = self._cell(col.header, font=BOLD, alignment=CENTER)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            headers.append(cell)
        ws.row_dimensions[3].height = height_for(max(wrapped_lines(c.header, c.width, scale=1.05) for c in columns))
        self._append(headers)

    def _cell(self, value, *, font: Font | None = None, alignment: Alignment | None = None):
        cell = WriteOnlyCell(self.ws, value=safe_text(value))
        cell.data_type = "s"
        if looks_like_formula(cell.value):
            cell.quotePrefix = True
        if font:
            cell.font = font
        if alignment:
            cell.alignment = alignment
        return cell

    def _append(self, values: list) -> None:
        self.ws.append(values)
        self.rows += 1

    def _merged_line(self, text: str, *, font: Font | None = None, alignment: Alignment | None = None) -> None:
        self._append([self._cell(text, font=font, alignment=alignment or Alignment(vertical="center"))])
        if self.n > 1:
            self.ws.merged_cells.add(f"A{self.rows}:{get_column_letter(self.n)}{self.rows}")

    def add(self, values: list) -> None:
        """A data row: plain values, except where a text needs more than one line (then cells, wrapped).

        A row holding a cell object (text that could be read as a formula) must be cells throughout
        (`row_cells`): openpyxl reuses the last cell handed to `append` for the plain values after it."""
        long = None
        for i, room in self._text_rooms:
            value = values[i]
            if isinstance(value, Cell):
                value = value.value
            if value.__class__ is str and len(value) * 2 > room:  # cheap test first: most texts are short
                lines = wrapped_lines(value, self.columns[i].width)
                if lines > 1:
                    long = long or {}
                    long[i] = lines
        if long:
            self.ws.row_dimensions[self.rows + 1].height = height_for(max(long.values()))
            cells = []
            for i, value in enumerate(values):
                if value is None:  # no cell: nothing to align
                    cells.append(None)
                    continue
                if isinstance(value, Cell):  # text forced to text (quote prefix): keeps its own style
                    value.alignment = WRAP_TOP if i in long else MIDDLE
                    cells.append(value)
                    continue
                cell = WriteOnlyCell(self.ws)
                cell._style = copy(self._looks[i in long])
                cell.value = value  # after the look: a date adds its number format to it
                cells.append(cell)
            values = cells
        self.ws.append(values)
        self.rows += 1

    def line(self, text: str, *, gap: int = 0) -> None:
        """A line of text across the sheet under the rows (a total, the 制表人 line)."""
        for _ in range(gap):
            self._append([])
        self._merged_line(text)

    def signatures(self) -> None:
        gap = "　" * 8
        self.line(f"制表人：{gap}审核人：{gap}日期：{date_text(None)}", gap=1)

    def finish(self) -> None:
        self.ws.print_area = f"A1:{get_column_letter(self.n)}{self.rows}"
