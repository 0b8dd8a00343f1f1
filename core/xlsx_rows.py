"""openpyxl's write-only sheet, with its plain rows written whole.

openpyxl's write-only `append` makes a cell object for every value, types it, and writes it through nested
`xmlfile.element` blocks: about three quarters of a 100,000-row roster's time. A row of plain values (text, whole or
decimal numbers, dates, nothing) needs none of that: `RowsSheet` writes each such row's XML as one string, its text
escaped, has lxml parse it into one element and hands that to the same stream (a third of openpyxl's time). Every
other row (cell objects, styles, hyperlinks, formulas, booleans, date-times, text openpyxl would refuse, shorten or
read as a formula or an error code) goes through openpyxl unchanged.

The XML is the one openpyxl writes for the same values, byte for byte (`tests/test_xlsx_rows.py` compares the
two on every kind of value): inline strings with `xml:space="preserve"` where the text has spaces at an end, numbers
as openpyxl's `safe_string` prints them, dates as serial numbers with the date style openpyxl gives a bare date.
"""

from __future__ import annotations

import datetime
import math
import threading
from decimal import Decimal
from xml.sax.saxutils import quoteattr

from lxml.etree import XMLParser, XMLSyntaxError, fromstring
from openpyxl import LXML
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter

MAX_TEXT = 32767  # openpyxl cuts longer text: such a row goes through openpyxl
NUMBERS = (int, float, Decimal)
_parsers = threading.local()  # an lxml parser must not be shared between threads (jobs run in threads under `make run`)


def _parser() -> XMLParser:
    """This thread's parser: no entities, no network (the markup is built here, every value escaped)."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = XMLParser(resolve_entities=False, no_network=True)
    return parser


def _finite(value) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


class _Row:
    """A plain row's XML element, for `_RowsWriter`."""

    __slots__ = ("element",)

    def __init__(self, element):
        self.element = element


def _text(value: str) -> str:
    """Character data as lxml writes it: the markup characters escaped, a carriage return kept as a reference (a
    parser reads a bare one as a line feed)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


class RowsSheet(WriteOnlyWorksheet):
    """A write-only worksheet (`rows_sheet(wb, title)`) whose plain rows skip openpyxl's cell objects."""

    def __init__(self, parent, title):
        super().__init__(parent, title)
        self._date_style: str | None = None

    def _get_writer(self):
        if self._writer is None:
            self._writer = _RowsWriter(self)
            self._writer.write_top()

    def _values_to_row(self, values, row_idx):
        row = self._plain(values, row_idx)
        return super()._values_to_row(values, row_idx) if row is None else row

    def _date_style_id(self) -> str:
        """The style openpyxl gives a cell holding a bare date (its date number format), registered as it would."""
        if self._date_style is None:
            self._date_style = str(WriteOnlyCell(self, value=datetime.date(2000, 1, 1)).style_id)
        return self._date_style

    def _plain(self, values, row_idx: int) -> _Row | None:
        """The row as one element, or None where any value needs openpyxl's own handling."""
        if self.parent.iso_dates:
            return None
        row = str(row_idx)
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in self.row_dimensions.get(row_idx, {}))
        parts = [f'<row r="{row}"{attrs}>']
        empty = []
        for column, value in enumerate(values, 1):
            if value is None:
                continue
            ref = f"{get_column_letter(column)}{row}"
            kind = value.__class__
            if kind is str:
                if (len(value) > 1 and value[0] == "=") or value in ERROR_CODES or len(value) > MAX_TEXT:
                    return None
                if ILLEGAL_CHARACTERS_RE.search(value):
                    return None
                if not value:  # openpyxl writes an empty text as an empty element (<c …></c>): set after parsing
                    empty.append(len(parts) - 1)
                    parts.append(f'<c r="{ref}" t="inlineStr"/>')
                    continue
                space = ' xml:space="preserve"' if value != value.strip() else ""
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>')
            elif kind in NUMBERS:
                if kind is not int and not _finite(value):  # NaN, infinity: openpyxl writes an empty value
                    return None
                parts.append(f'<c r="{ref}" t="n"><v>{safe_string(value)}</v></c>')
            elif kind is datetime.date:
                serial = safe_string(to_excel(value, self.parent.epoch))
                style = self._date_style_id()
                parts.append(f'<c r="{ref}" s="{style}" t="n"><v>{serial}</v></c>')
            else:
                return None
        parts.append("</row>")
        try:
            element = fromstring("".join(parts), _parser())
        except XMLSyntaxError:  # a character XML cannot hold: openpyxl says which
            return None
        for k in empty:
            element[k].text = ""
        if not len(element):  # a row of nothing: <row r="6"></row>, as openpyxl writes it
            element.text = ""
        return _Row(element)


class _RowsWriter(WorksheetWriter):
    def write_row(self, xf, row, row_idx):
        if row.__class__ is _Row:
            xf.write(row.element)
        else:
            super().write_row(xf, row, row_idx)


def rows_sheet(wb, title: str | None = None) -> RowsSheet:
    """A new `RowsSheet` in the write-only workbook `wb`, as `wb.create_sheet(title)` would add it (openpyxl's own
    sheet where openpyxl writes without lxml)."""
    if not LXML:
        return wb.create_sheet(title)
    ws = RowsSheet(parent=wb, title=title)
    wb._add_sheet(sheet=ws)
    return ws
