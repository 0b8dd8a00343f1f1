"""Reading an uploaded .xlsx inside fixed bounds of time and memory (ASVS V12; 等保 8.1.4.4).

openpyxl's read-only worksheet pads every row to the width the sheet *declares* and fills in every missing row up to
the height it declares, so a 5 KB sheet that declares `A1:XFD1048576` and holds two far-apart cells makes about
17 billion empty cells, and a worker is busy until it is killed. `bounded_rows` reads the sheet's XML itself, one
element at a time with openpyxl's own cell parser (so values, dates, shared strings and formulas read exactly as
openpyxl reads them, through defusedxml), never pads, and:

- refuses a declared dimension beyond the limits before reading a single row;
- refuses the first real row, column or row length beyond the limits as soon as it is read;
- refuses when the time budget is spent (a sheet full of elements that are not cells);
- drops every element once read, so memory does not grow with the file.

Every upload that opens a workbook reads it through here (today the roster import, `groups/roster/importing.py`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.functions import iterparse

DEADLINE_EVERY = 512  # elements between two looks at the clock


@dataclass(frozen=True)
class SheetLimits:
    rows: int  # the last row number a sheet may use
    columns: int  # the last column number a sheet may use
    seconds: float  # time budget for reading the whole workbook


class SheetTooLarge(Exception):
    """The sheet goes beyond the limits. `declared` when its own dimension says so; `row`/`column` name the first
    real cell beyond them; `slow` when the time budget ran out."""

    def __init__(self, sheet: str, *, declared: str = "", row: int = 0, column: int = 0, slow: bool = False):
        super().__init__(f"sheet {sheet!r} beyond limits: declared={declared} row={row} column={column} slow={slow}")
        self.sheet, self.declared, self.row, self.column, self.slow = sheet, declared, row, column, slow

    @property
    def column_letter(self) -> str:
        return get_column_letter(min(max(self.column, 1), 18278))


Cell = tuple[int, object, str]  # (column number, value, openpyxl data type: "n", "s", "d", "b", "e", "f")


def declared_size(ws) -> tuple[int | None, int | None]:
    """(last row, last column) as the sheet's `<dimension>` declares them, or None where it declares nothing."""
    return ws.max_row, ws.max_column


def bounded_rows(ws, limits: SheetLimits, *, deadline: float) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, its cells) for every row element of a read-only worksheet, only the cells present in the file,
    stopping with SheetTooLarge at the first thing beyond `limits` or once `time.monotonic()` passes `deadline`."""
    rows, columns = declared_size(ws)
    if (rows or 0) > limits.rows or (columns or 0) > limits.columns:
        first = f"{get_column_letter(ws.min_column or 1)}{ws.min_row or 1}"
        raise SheetTooLarge(ws.title, declared=f"{first}:{get_column_letter(min(columns or 1, 18278))}{rows or 1}")
    wb = ws.parent
    parser = WorkSheetParser(
        None,
        ws._shared_strings,
        data_only=wb.data_only,
        epoch=wb.epoch,
        date_formats=wb._date_formats,
        timedelta_formats=wb._timedelta_formats,
    )
    stack: list = []  # the open elements, so each is dropped from its parent once read
    in_cell = 0
    cells: list[Cell] = []
    seen = 0
    with ws._get_source() as source:
        for event, element in iterparse(source, events=("start", "end")):
            seen += 1
            if seen % DEADLINE_EVERY == 0 and time.monotonic() > deadline:
                raise SheetTooLarge(ws.title, slow=True)
            if event == "start":
                stack.append(element)
                if element.tag == CELL_TAG:
                    in_cell += 1
                elif element.tag == ROW_TAG and not in_cell:
                    _start_row(parser, element, ws.title, limits)
                    cells = []
                continue
            stack.pop()
            if element.tag == CELL_TAG:
                in_cell -= 1
                cell = parser.parse_cell(element)
                if cell["row"] > limits.rows:
                    raise SheetTooLarge(ws.title, row=cell["row"], column=cell["column"])
                if cell["column"] > limits.columns or len(cells) >= limits.columns:
                    raise SheetTooLarge(ws.title, row=cell["row"], column=max(cell["column"], len(cells) + 1))
                cells.append((cell["column"], cell["value"], cell["data_type"]))
            elif element.tag == ROW_TAG and not in_cell:
                yield parser.row_counter, cells
                cells = []
            if in_cell:
                continue  # a cell's value and formula are read with the cell
            element.clear()
            if stack:
                stack[-1].remove(element)


def _start_row(parser: WorkSheetParser, element, sheet: str, limits: SheetLimits) -> None:
    """What openpyxl's `parse_row` does before its cells: the row's number (given, or the one after the last)."""
    number = element.get("r")
    if number is not None:
        try:
            parser.row_counter = int(float(number))
        except ValueError:
            raise SheetTooLarge(sheet, row=limits.rows + 1) from None
    else:
        parser.row_counter += 1
    parser.col_counter = 0
    if parser.row_counter > limits.rows:
        raise SheetTooLarge(sheet, row=parser.row_counter)


def row_values(cells: list[Cell]) -> list:
    """The row's values by position (column 1 first), None where the file has no cell."""
    width = max((c for c, _v, _t in cells), default=0)
    values: list = [None] * width
    for column, value, _type in cells:
        values[column - 1] = value
    return values
