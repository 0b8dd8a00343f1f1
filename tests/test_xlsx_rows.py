"""`core.xlsx_rows`: the plain rows a roster, a national-format sheet or the security log writes whole are the XML
openpyxl writes for the same values, byte for byte, and every other row is left to openpyxl."""

from __future__ import annotations

import datetime
import io
import threading
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import IllegalCharacterError
from openpyxl.styles import Alignment, Font

from core.xlsx_rows import RowsSheet, _Row, rows_sheet, rows_workbook

MADE = datetime.datetime(2027, 6, 15, 10, 0)

PLAIN_ROWS = [
    ["金溪乡", "罗紫村", "第一党小组", "张三", "男", 1958, "4301**********1234", None, datetime.date(1985, 7, 1)],
    ["", " 前后有空格 ", "A&B <c> \"d\" 'e'", "第一行\n第二行", "回车\r换行", "制表\t符", "-1", "+86", "@me"],
    [0, -7, 3.5, 1e20, 1 / 3, Decimal("12.30"), Decimal("-0.01"), 2**40],
    [datetime.date(1900, 1, 1), datetime.date(1900, 2, 28), datetime.date(1900, 3, 1), datetime.date(2024, 2, 29)],
    [None, None, "只有第三列"],
    [],
    ["一" * 32767, "  ", "]]>", "&amp;", "x" * 5],
    ["生僻字𠀀", "😀", "\ud7ff\ue000\ufffd", "\t"],
]

# Rows openpyxl must write itself: a formula, an error code, text it would shorten, a boolean, a date-time, a cell.
OPENPYXL_ROWS = [
    ["=1+1", "普通"],
    ["#N/A", "普通"],
    ["一" * 32768],
    [True, False],
    [1.5, float("nan"), float("inf")],
    [Decimal("NaN"), Decimal("-Infinity"), Decimal("1.5")],
    [datetime.datetime(2026, 12, 31, 23, 30)],
]


def _styled_cell(ws):
    cell = WriteOnlyCell(ws, value="加粗")
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True)
    return cell


def _fill(wb, make_sheet, rows, *, heights=None, cells=False, second=None) -> None:
    ws = make_sheet(wb)
    for number, row in enumerate(rows, start=1):
        if heights and number in heights:
            ws.row_dimensions[number].height = heights[number]
        ws.append(row)
    if cells:
        ws.append([_styled_cell(ws), None, _styled_cell(ws)])
        ws.append(["之后的普通行", datetime.date(2027, 1, 1)])
    if second:
        other = rows_sheet(wb, "第二页")
        for row in second:
            other.append(row)
    wb.properties.created = wb.properties.modified = MADE


def _parts(out) -> dict[str, bytes]:
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None  # every part's checksum right
        return {name: z.read(name) for name in z.namelist()}


def _workbook(make_sheet, rows, **options) -> dict[str, bytes]:
    wb = Workbook(write_only=True)
    _fill(wb, make_sheet, rows, **options)
    out = io.BytesIO()
    wb.save(out)
    return _parts(out)


def _streamed(rows, **options) -> tuple[dict[str, bytes], list[str]]:
    """As `_workbook` with `fast_sheet`, in a `rows_workbook`: its parts, and their order in the file."""
    out = io.BytesIO()
    with rows_workbook(out) as wb:
        _fill(wb, fast_sheet, rows, **options)
        wb.save(out)
    return _parts(out), zipfile.ZipFile(out).namelist()


def _deflating_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "xlsx-deflate"]


def openpyxl_sheet(wb):
    return wb.create_sheet("名册")


def fast_sheet(wb):
    return rows_sheet(wb, "名册")


@pytest.mark.parametrize(
    "rows", [PLAIN_ROWS, OPENPYXL_ROWS, PLAIN_ROWS + OPENPYXL_ROWS + PLAIN_ROWS], ids=["plain", "openpyxl", "mixed"]
)
def test_the_file_is_openpyxls_byte_for_byte(rows):
    theirs = _workbook(openpyxl_sheet, rows, heights={2: 45.0, 4: 30.0}, cells=True)
    ours = _workbook(fast_sheet, rows, heights={2: 45.0, 4: 30.0}, cells=True)
    assert ours.keys() == theirs.keys()
    for name in theirs.keys() - {"docProps/core.xml"}:  # that one holds the time of saving
        assert ours[name] == theirs[name], name


def test_plain_rows_are_written_whole_and_others_by_openpyxl():
    """The fast path is taken where it may be (else the byte comparison above would prove nothing)."""
    ws = rows_sheet(Workbook(write_only=True), "名册")
    assert isinstance(ws, RowsSheet)
    for number, row in enumerate(PLAIN_ROWS, start=1):
        assert isinstance(ws._plain(row, number), _Row), row
    for number, row in enumerate(OPENPYXL_ROWS, start=1):
        assert ws._plain(row, number) is None, row
    assert ws._plain(["含\x07控制符"], 1) is None
    assert ws._plain(["非法\ufffe字符"], 1) is None
    assert ws._plain(["孤立\ud800代理"], 1) is None
    assert ws._plain([_styled_cell(ws)], 1) is None


def test_plain_rows_of_a_workbook_written_as_it_comes_are_bytes():
    """Into a `rows_workbook`'s own entry a plain row goes as bytes, past lxml; every other row as before."""
    with rows_workbook(io.BytesIO()) as wb:
        ws = rows_sheet(wb, "名册")
        ws.append(["第一行"])  # the sheet's entry is opened with its first row
        for number, row in enumerate(PLAIN_ROWS, start=2):
            assert isinstance(ws._plain(row, number).xml, bytes), row
        for number, row in enumerate(OPENPYXL_ROWS, start=2):
            assert ws._plain(row, number) is None, row
        ws.row_dimensions[9].height = 30
        assert isinstance(ws._plain(["有行高"], 9).xml, bytes)
        second = rows_sheet(wb, "第二页")
        second.append(["第二页"])
        assert not isinstance(second._plain(["第二页"], 2).xml, bytes)  # through lxml into its own file


@pytest.mark.parametrize("text", ["含\x07控制符", "非法\ufffe字符"])
def test_text_xml_cannot_hold_is_refused_as_openpyxl_refuses_it(text):
    for make in (openpyxl_sheet, fast_sheet):
        with pytest.raises((IllegalCharacterError, ValueError)) as raised:
            _workbook(make, [["前一行"], [text]])
        assert type(raised.value) is (IllegalCharacterError if "\x07" in text else ValueError)


def test_the_values_read_back():
    files = _workbook(fast_sheet, PLAIN_ROWS)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    ws = load_workbook(out)["名册"]
    assert [c.value for c in ws[1]] == [
        "金溪乡", "罗紫村", "第一党小组", "张三", "男", 1958, "4301**********1234", None, datetime.datetime(1985, 7, 1),
    ]  # fmt: skip
    assert ws["I1"].number_format == "yyyy-mm-dd"
    assert [c.value for c in ws[2]] == [
        None, " 前后有空格 ", "A&B <c> \"d\" 'e'", "第一行\n第二行", "回车\r换行", "制表\t符", "-1", "+86", "@me",
    ]  # fmt: skip
    assert ws["F3"].value == Decimal("12.30") or ws["F3"].value == 12.3
    assert ws["D4"].value == datetime.datetime(2024, 2, 29)


def test_workbooks_written_at_once_in_threads_are_each_whole():
    """Jobs run in threads under `make run`: each thread parses its rows with its own parser."""
    from concurrent.futures import ThreadPoolExecutor

    def sheet_and_styles(_=None):
        files = _workbook(fast_sheet, PLAIN_ROWS * 30)
        return files["xl/worksheets/sheet1.xml"], files["xl/styles.xml"]

    expected = sheet_and_styles()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(sheet_and_styles, range(8)))
    assert all(r == expected for r in results)


# --- rows_workbook: the first sheet written into the file as its rows come ------------------------------------------

BIG = [[f"第{n}行", "罗紫村", "第一党小组", n, datetime.date(1985, 7, 1), "  前后有空格  "] for n in range(12000)]


@pytest.mark.parametrize(
    "rows",
    [PLAIN_ROWS, OPENPYXL_ROWS, PLAIN_ROWS + OPENPYXL_ROWS + PLAIN_ROWS, BIG],
    ids=["plain", "openpyxl", "mixed", "many-chunks"],
)
def test_a_workbook_written_as_it_comes_holds_openpyxls_parts_byte_for_byte(rows):
    theirs = _workbook(openpyxl_sheet, rows, heights={2: 45.0, 4: 30.0}, cells=True)
    ours, order = _streamed(rows, heights={2: 45.0, 4: 30.0}, cells=True)
    assert ours.keys() == theirs.keys()
    for name in theirs.keys() - {"docProps/core.xml"}:
        assert ours[name] == theirs[name], name
    assert order[0] == "xl/worksheets/sheet1.xml"  # in the file before anything else: written as it came
    assert not _deflating_threads()


def test_a_second_sheet_is_written_at_saving_as_openpyxl_writes_it():
    second = [["第二页", 1], [datetime.date(2027, 1, 1)]]
    theirs = _workbook(openpyxl_sheet, PLAIN_ROWS, second=second)
    ours, order = _streamed(PLAIN_ROWS, second=second)
    assert ours.keys() == theirs.keys()
    for name in theirs.keys() - {"docProps/core.xml"}:
        assert ours[name] == theirs[name], name
    assert order[0] == "xl/worksheets/sheet1.xml" and "xl/worksheets/sheet2.xml" in order[1:]


def test_a_workbook_written_as_it_comes_reads_back():
    out = io.BytesIO()
    with rows_workbook(out) as wb:
        ws = rows_sheet(wb, "名册")
        for row in BIG:
            ws.append(row)
        wb.save(out)
    ws = load_workbook(out, read_only=True)["名册"]
    rows = list(ws.values)
    assert len(rows) == len(BIG)
    assert rows[-1] == ("第11999行", "罗紫村", "第一党小组", 11999, datetime.datetime(1985, 7, 1), "  前后有空格  ")


def test_an_error_on_the_way_stops_the_deflating_thread():
    out = io.BytesIO()
    with pytest.raises(RuntimeError, match="读到一半"), rows_workbook(out) as wb:
        ws = rows_sheet(wb, "名册")
        for row in BIG:
            ws.append(row)
        assert _deflating_threads()  # the sheet is going into the file
        raise RuntimeError("读到一半，数据库断开")
    assert not _deflating_threads()


class _FullDisk(io.BytesIO):
    """A file that takes 200 kB, then says the disk is full."""

    def write(self, data):
        if self.tell() + len(data) > 200_000:
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_a_full_disk_while_the_sheet_is_written_says_so_and_leaves_nothing_running():
    out = _FullDisk()
    with pytest.raises(OSError, match="No space left"), rows_workbook(out) as wb:
        ws = rows_sheet(wb, "名册")
        for row in BIG:  # some 5 MB of XML
            ws.append(row)
        wb.save(out)
    assert not _deflating_threads()


def test_a_workbook_written_as_it_comes_is_saved_into_its_own_stream_only():
    out = io.BytesIO()
    with rows_workbook(out) as wb:
        rows_sheet(wb, "名册").append(["一行"])
        with pytest.raises(ValueError, match="stream it was made with"):
            wb.save(io.BytesIO())
        wb.save(out)
    assert load_workbook(out)["名册"]["A1"].value == "一行"
