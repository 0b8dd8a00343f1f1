"""openpyxl's write-only sheet, with its plain rows written whole.

openpyxl's write-only `append` makes a cell object for every value, types it, and writes it through nested
`xmlfile.element` blocks: about three quarters of a 100,000-row roster's time. A row of plain values (text, whole or
decimal numbers, dates, nothing) needs none of that: `RowsSheet` writes each such row's XML as one string, its text
escaped, has lxml parse it into one element and hands that to the same stream (a third of openpyxl's time), or, in a
`RowsWorkbook`'s own entry, writes the string's bytes there itself (half of that again: no parsing). Every
other row (cell objects, styles, hyperlinks, formulas, booleans, date-times, text openpyxl would refuse, shorten or
read as a formula or an error code) goes through openpyxl unchanged.

The XML is the one openpyxl writes for the same values, byte for byte (`tests/test_xlsx_rows.py` compares the
two on every kind of value): inline strings with `xml:space="preserve"` where the text has spaces at an end, numbers
as openpyxl's `safe_string` prints them, dates as serial numbers with the date style openpyxl gives a bare date.

`rows_workbook(stream)` goes one step further for a big sheet: openpyxl writes a write-only sheet's XML into a
temporary file and deflates it into the .xlsx only when the workbook is saved (a province roster's 80 MB of XML: a
tenth of its time, with nothing else running). A `RowsWorkbook` opens the .xlsx on its stream at once and its first
sheet's XML goes into it as the rows come, deflated by a second thread (zlib lets go of the interpreter while it
compresses), so on a machine with two cores the deflating is done by the time the last row is; the other parts of the
file are written at `save` as openpyxl writes them, and every part is the same bytes (`tests/test_xlsx_rows.py`).
"""

from __future__ import annotations

import contextlib
import datetime
import math
import queue
import re
import threading
from decimal import Decimal
from xml.sax.saxutils import quoteattr
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from django.utils import timezone
from lxml.etree import XMLParser, XMLSyntaxError, fromstring
from openpyxl import LXML, Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from core import clock

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
    """A plain row for `_RowsWriter`: its XML as bytes (written straight into the file) or as an element."""

    __slots__ = ("xml",)

    def __init__(self, xml):
        self.xml = xml


# What XML 1.0 cannot hold (its Char production): openpyxl refuses the control characters itself, lxml the rest
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
PLAIN_ATTRIBUTE = re.compile(r"[\w.\-]*\Z", re.ASCII)


def _text(value: str) -> str:
    """Character data as lxml writes it: the markup characters escaped, a carriage return kept as a reference (a
    parser reads a bare one as a line feed)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


class RowsSheet(WriteOnlyWorksheet):
    """A write-only worksheet (`rows_sheet(wb, title)`) whose plain rows skip openpyxl's cell objects."""

    def __init__(self, parent, title):
        super().__init__(parent, title)
        self._date_style: str | None = None
        self._raw = False  # plain rows as bytes, written past lxml: only into a `RowsWorkbook`'s own entry

    def _get_writer(self):
        if self._writer is None:
            entry = self.parent._entry_for(self) if isinstance(self.parent, RowsWorkbook) else None
            self._raw = entry is not None
            self._writer = _RowsWriter(self, out=entry)
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
        """The row's XML, or None where any value needs openpyxl's own handling.

        Written into a `RowsWorkbook`'s entry, it is the bytes lxml would write for it (ASCII, every other character
        a numeric reference, an empty element as a start and an end tag); elsewhere it is parsed into one element,
        which lxml writes."""
        if self.parent.iso_dates:
            return None
        row = str(row_idx)
        dimensions = tuple(self.row_dimensions.get(row_idx, {}))
        if self._raw and not all(PLAIN_ATTRIBUTE.match(v) for _k, v in dimensions):
            return None  # a height or a style is a number: anything else is left to lxml to quote
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in dimensions)
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
                if not value:  # openpyxl writes an empty text as an empty element (<c …></c>)
                    empty.append(len(parts) - 1)
                    parts.append(f'<c r="{ref}" t="inlineStr"></c>')
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
        xml = "".join(parts)
        if NOT_XML.search(xml):  # a character XML cannot hold (ILLEGAL_CHARACTERS_RE among them): openpyxl says which
            return None
        if self._raw:
            return _Row(xml.encode("ascii", "xmlcharrefreplace"))
        try:
            element = fromstring(xml, _parser())
        except XMLSyntaxError:
            return None
        for k in empty:  # parsed, an empty element has no text: lxml would write it <c …/>
            element[k].text = ""
        if not len(element):  # a row of nothing: <row r="6"></row>, as openpyxl writes it
            element.text = ""
        return _Row(element)


class _RowsWriter(WorksheetWriter):
    """openpyxl's sheet writer, writing a plain row's bytes straight into its output, after whatever lxml has not
    yet written out (the sheet's start, a row of cells)."""

    _behind = True

    def write_row(self, xf, row, row_idx):
        if row.__class__ is not _Row:
            super().write_row(xf, row, row_idx)
            self._behind = True
        elif row.xml.__class__ is bytes:
            if self._behind:
                xf.flush()
                self._behind = False
            self.out.write(row.xml)
        else:
            xf.write(row.xml)


def rows_sheet(wb, title: str | None = None) -> RowsSheet:
    """A new `RowsSheet` in the write-only workbook `wb`, as `wb.create_sheet(title)` would add it (openpyxl's own
    sheet where openpyxl writes without lxml). The first sheet of a `rows_workbook` goes into its file as it is
    written."""
    if not LXML:
        return wb.create_sheet(title)
    ws = RowsSheet(parent=wb, title=title)
    wb._add_sheet(sheet=ws)
    return ws


# --- a workbook written into its file as its rows come --------------------------------------------------------------


class _EntryPipe:
    """Where lxml writes a sheet's XML (its `write`): the bytes gathered into chunks, each handed to a second thread
    that writes it into the sheet's entry of the zip file, which deflates it there. At most a few chunks wait."""

    CHUNK = 1 << 20
    WAITING = 4

    def __init__(self, archive: ZipFile, name: str):
        # As openpyxl's own entries, no Zip64 header (some older readers refuse it): a sheet's XML past 2 GB (some
        # two million roster rows) fails with zipfile's "File size too large", not a broken file.
        entry = ZipInfo(name, date_time=clock.now().timetuple()[:6])  # the time of writing, as the other entries
        entry.compress_type = archive.compression
        entry.external_attr = 0o600 << 16
        self._entry = archive.open(entry, "w")
        self._buffer = bytearray()
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=self.WAITING)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._deflate, name="xlsx-deflate", daemon=True)
        self._thread.start()
        self.closed = False

    def _deflate(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._failure is None:
                try:
                    self._entry.write(chunk)
                except BaseException as exc:  # e.g. a full disk: said by the writing thread at its next chunk
                    self._failure = exc

    def _hand_on(self) -> None:
        if self._failure is not None:
            raise self._failure
        self._chunks.put(bytes(self._buffer))
        self._buffer.clear()

    def write(self, data) -> int:
        if self.closed:  # after `abandon`: the ends of elements openpyxl's generators write as they are closed
            return len(data)
        self._buffer += data
        if len(self._buffer) >= self.CHUNK:
            self._hand_on()
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        """The last chunk written and the entry closed: the sheet is whole in the file."""
        if self._buffer:
            self._hand_on()
        self.stop()
        if self._failure is not None:
            raise self._failure
        self._entry.close()

    def stop(self) -> None:
        """The second thread ended (what waits is written first); nothing more is written."""
        if not self.closed:
            self.closed = True
            self._chunks.put(None)
            self._thread.join()

    def abandon(self) -> None:
        """After an error: the thread ended and the entry closed, the file left as it is (the caller discards it)."""
        self.stop()
        with contextlib.suppress(Exception):
            self._entry.close()


class _Writer(ExcelWriter):
    """openpyxl's writer of the workbook's parts, for a sheet already in the file: what it does for a write-only sheet
    (`ExcelWriter.write_worksheet`) but copy the sheet's XML in."""

    def write_worksheet(self, ws):
        writer = ws._writer
        if writer is None or writer.out is not ws.parent._pipe:
            return super().write_worksheet(ws)
        ws._rels = writer._rels
        self.manifest.append(ws)


class RowsWorkbook(Workbook):
    """A write-only workbook written into `stream` (`rows_workbook`): its first `rows_sheet` goes into the file as its
    rows are appended, the rest at `save()`. Use it in a `with` block: an error stops the second thread."""

    def __init__(self, stream):
        super().__init__(write_only=True)
        self._stream = stream
        self._archive = ZipFile(stream, "w", ZIP_DEFLATED, allowZip64=True)  # as openpyxl's `save_workbook`
        self._pipe: _EntryPipe | None = None
        self._saved = False

    def _entry_for(self, ws) -> _EntryPipe | None:
        """The pipe into the file for the workbook's first sheet (its entry is sheet1.xml), None for any other."""
        if self._pipe is not None or self._sheets[0] is not ws or ws.closed:
            return None
        self._pipe = _EntryPipe(self._archive, "xl/worksheets/sheet1.xml")
        return self._pipe

    def save(self, filename=None) -> None:
        """The rest of the file, as openpyxl's `save_workbook` writes it, into the stream given at the start."""
        if filename is not None and filename is not self._stream:
            raise ValueError("A RowsWorkbook is saved into the stream it was made with.")
        if self._pipe is not None:
            ws = self._sheets[0]
            ws._drawing = SpreadsheetDrawing()  # what ExcelWriter.write_worksheet sets before closing a sheet
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            if not ws.closed:
                ws.close()
            self._pipe.finish()  # the entry must be closed before the zip takes another
        self.properties.modified = timezone.now().replace(tzinfo=None)  # as save_workbook: UTC, no zone
        _Writer(self, self._archive).save()
        self._saved = True

    def __enter__(self) -> RowsWorkbook:
        return self

    def __exit__(self, *exc) -> None:
        """Not saved (an error on the way): the second thread stopped and the zip closed, so nothing is left
        running or open; what the stream holds is to be thrown away."""
        if self._saved:
            return
        if self._pipe is not None:
            self._pipe.abandon()
        for ws in self._sheets:  # openpyxl's writers ended now, not whenever collected, and their temporary files gone
            writer = getattr(ws, "_writer", None)
            if writer is None:
                continue
            for generator in (ws._rows, writer.xf):  # the rows' first: they write inside the sheet's
                with contextlib.suppress(Exception):
                    if generator is not None:
                        generator.close()
            if writer.out is not self._pipe:
                with contextlib.suppress(Exception):
                    writer.cleanup()
        with contextlib.suppress(Exception):
            self._archive.close()


def rows_workbook(stream) -> RowsWorkbook:
    """A write-only workbook to be saved into `stream` (a binary file open for writing), its first `rows_sheet`
    written into the file as it comes: `with rows_workbook(stream) as wb: …; wb.save(stream)`."""
    return RowsWorkbook(stream)
