"""Excel roster import (党员名册导入): read an .xlsx roster, check every row, and save all of it or nothing.

`read_roster(data, user)` only reads: it answers a `Plan` listing, row by row and column by column, what would be
added, updated or left alone and every problem found. `roster_import(data=…, acting_user=…)` reads the same file
again inside one transaction and saves it only when no row has a problem. A member is recognised by ID number
(through its keyed look-up hash), so importing the same file twice changes nothing the second time, and a corrected
file updates the members it names.

The column headings are the file format, not interface text: they are the Chinese words of the template, whatever
the language of the page (a few common variants are accepted, and notes in brackets after a heading are ignored).
"""

from __future__ import annotations

import datetime
import logging
import re
import time
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from audit.events import Action, record
from core import clock
from core.fields import lookup_hash, mask_id_number
from core.words import day_cn
from core.xlsx import TEXT_FORMAT, Col, PrintTable, height_for, put_date, put_text, wrapped_lines
from core.xlsx_read import SheetLimits, SheetTooLarge, bounded_rows, declared_size, row_values
from members import national
from members.models import PartyMember
from members.validators import (
    FULLWIDTH,
    id_birth_date,
    id_check_digit,
    id_sex,
    normalise_id_number,
    normalise_phone,
    validate_id_number,
)
from township.capabilities import require
from township.scoping import villages_for

# Limits on the file (settings ROSTER_IMPORT_*): see `check_archive`.
RATIO_FLOOR = 1024 * 1024  # parts smaller than this unpacked are harmless whatever their compression ratio
XLSX_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
logger = logging.getLogger(__name__)

MAX_ROWS = 10_000  # a county's export from the national system
# How far a roster sheet may reach, declared or real (the roster has 21 columns; room for blank rows in between),
# and how long reading a workbook may take (a full 10,000-row roster reads in about 3 s).
SHEET_LIMITS = SheetLimits(rows=2 * MAX_ROWS, columns=50, seconds=10)
DATA_SHEET = "党员名册"
NOTES_SHEET = "填写说明"
TEMPLATE_ROWS = 500  # rows of the template's ID and phone columns pre-formatted as text
TEMPLATE_TITLE = "导入模板"
TEMPLATE_HINT = "每行一名党员，填在表头之下；表头和表头以上的标题不要改动。填写方法见“填写说明”表。"
HEADER_SEARCH_ROWS = 5  # a roster may have a title (and a line under it) above its headings
PROGRESS_ROWS = 200  # how often reading tells its job how far it got (the job saves it at most twice a second)
# (rows of the sheet read, the rows it declares or None): the reconciliation job's progress bar
Progress = Callable[[int, int | None], None]

Sex, Status = PartyMember.Sex, PartyMember.Status


@dataclass(frozen=True)
class Column:
    key: str  # the PartyMember field, or "village" / "party_group"
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()


# Our template's headings first; the national system's 党员基本信息 headings (全国党员管理信息系统) are among the
# aliases, so its export imports as it is, in any column order.
COLUMNS = (
    Column(
        "village",
        "村",
        True,
        ("村名", "所在村", "村别", "所在党支部", "所在支部", "党支部", "所在党组织", "党组织名称"),
    ),  # fmt: skip  # noqa: E501
    Column("party_group", "党小组", False, ("所在党小组",)),
    Column("name", "姓名", True),
    Column("sex", "性别"),
    Column("birth_date", "出生日期", False, ("出生年月日", "出生年月")),
    Column("id_number", "身份证号", True, ("身份证号码", "公民身份号码", "身份证", "公民身份证号码")),
    Column("phone", "联系电话", False, ("电话", "手机", "手机号", "手机号码", "联系方式")),
    Column("joined_on", "入党日期", True, ("入党时间", "加入党组织日期", "入党年月")),
    Column("status", "党员类别", False, ("党员类型",)),
    Column("is_former_cadre", "原村干部"),
    Column("is_old_member", "老党员"),
    Column("is_shuangdai", "双带能手"),
    Column("notes", "备注"),
    # the national record (members/national.py)
    Column("ethnicity", "民族"),
    Column("education", "学历", False, ("最高学历", "文化程度")),
    Column("category", "人员类别", False, ("职业类别",)),
    Column("full_member_on", "转正日期", False, ("转正时间", "转为正式党员日期", "转正年月")),
    Column("work_post", "工作岗位", False, ("岗位", "职业", "现工作岗位")),
    Column("home_address", "家庭住址", False, ("家庭地址", "现居住地", "户籍地址", "住址")),
    Column("standing", "党籍状态", False, ("党籍",)),
)
BY_KEY = {c.key: c for c in COLUMNS}
BY_HEADER = {name: c for c in COLUMNS for name in (c.header, *c.aliases)}
NATIONAL_FIELDS = (
    "ethnicity",
    "education",
    "category",
    "full_member_on",
    "full_member_on_precision",
    "work_post",
    "home_address",
    "joined_on_precision",
)
MEMBER_FIELDS = ("name", "sex", "birth_date", "id_number", "phone", "joined_on", "status", "notes", *NATIONAL_FIELDS)
FLAGS = ("is_former_cadre", "is_old_member", "is_shuangdai")
# Fields a blank cell leaves as they are on record (a new member gets the default instead).
KEEP_WHEN_BLANK = ("sex", "birth_date", "phone", "status", "notes", *FLAGS, *NATIONAL_FIELDS)
# A date's precision is read from its date's cell: the column the reconciliation names when it changes.
PRECISION_OF = {"joined_on_precision": "joined_on", "full_member_on_precision": "full_member_on"}
STANDING_SUSPENDED = "停止党籍"  # how the roster exports mark a member whose membership is suspended
STANDING_NORMAL = "正常"  # 党籍状态: the only standing the import records; changes go through the member's page

SEXES = {"男": Sex.MALE, "男性": Sex.MALE, "女": Sex.FEMALE, "女性": Sex.FEMALE}
STATUSES = {"正式": Status.FULL, "正式党员": Status.FULL, "预备": Status.PROBATIONARY, "预备党员": Status.PROBATIONARY}
YES = {"是", "√", "Y", "YES"}
NO = {"否", "×", "N", "NO"}
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
COMPACT_MONTH_RE = re.compile(r"^(\d{4})(\d{2})$")
BRACKETS_RE = re.compile(r"[（(【\[].*?[）)】\]]")
# How the national system names a village's branch: 中共金溪乡罗紫村支部委员会, 罗紫村党支部 … (the village is what is
# left once the party's name, the township's and the branch's kind are taken off).
BRANCH_PREFIXES = ("中国共产党", "中共")
BRANCH_SUFFIXES = (
    "党总支部委员会", "总支部委员会", "党支部委员会", "支部委员会", "党总支部", "党总支", "党支部", "总支", "支部"
)  # fmt: skip

EXAMPLE_FIRST17 = "51012319650307001"
EXAMPLE_ID = EXAMPLE_FIRST17 + id_check_digit(EXAMPLE_FIRST17)


class RosterFileError(Exception):
    """The file as a whole cannot be read as a roster; the message says why in words."""


@dataclass
class Problem:
    row: int | None
    column: str | None  # the heading, as in the file's format
    letter: str | None
    message: str


@dataclass
class RowPlan:
    row: int
    village_name: str
    group_name: str
    name: str
    id_masked: str = ""
    member: PartyMember | None = None
    is_new: bool = False
    changed: list[str] = field(default_factory=list)
    party_group: object | None = None
    group_change: str | None = None  # "join" | "move" | None
    problems: list[Problem] = field(default_factory=list)
    village_id: int | None = None
    # Reconciliation: each changed item as (heading, on record, in the file), personal data masked.
    diffs: list[tuple[str, str, str]] = field(default_factory=list)
    held: str = ""  # why the row is shown but cannot be applied here (a 党籍状态 other than 正常)

    @property
    def action(self) -> str:
        if self.problems:
            return "problem"
        if self.held:
            return "held"
        if self.is_new:
            return "new"
        return "update" if self.changed or self.group_change else "unchanged"

    @property
    def changed_labels(self) -> list[str]:
        labels = list(dict.fromkeys(BY_KEY[PRECISION_OF.get(f, f)].header for f in self.changed))
        if self.group_change:
            labels.append(BY_KEY["party_group"].header)
        return labels


@dataclass
class Missing:
    """A current member of a village the file covers whom the file does not list."""

    village_name: str
    name: str
    id_masked: str


@dataclass
class Choice:
    """What the person ticked on the preview: every new member, every changed one, and single rows (Excel row
    numbers). Ticking a category takes every row of it, so a county's file needs two ticks, not ten thousand."""

    all_new: bool = False
    all_changed: bool = False
    rows: frozenset[int] = frozenset()

    def takes(self, row: RowPlan) -> bool:
        if row.action == "new":
            return self.all_new or row.row in self.rows
        if row.action == "update":
            return self.all_changed or row.row in self.rows
        return False


EVERYTHING = Choice(all_new=True, all_changed=True)


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]

    @property
    def ok(self) -> bool:
        return not self.file_problems and bool(self.rows) and not self.problems

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @cached_property  # read many times by the preview of a 10,000-row file; the rows are set once, when read
    def counts(self) -> dict[str, int]:
        tally = Counter(r.action for r in self.rows)
        return {a: tally[a] for a in ("new", "update", "unchanged", "problem", "held")}

    @property
    def changes(self) -> list[RowPlan]:
        """The rows that would change something, the ones the preview offers to tick."""
        return [r for r in self.rows if r.action in ("new", "update")]

    @property
    def held_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action == "held"]

    @property
    def has_changes(self) -> bool:
        return any(r.action in ("new", "update") for r in self.rows)


# --- the file ------------------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    columns: dict[int, Column]  # 1-based column index → column
    rows: list[tuple[int, dict[str, object]]]  # (Excel row number, values by column key)
    headings: dict[str, str] = field(default_factory=dict)  # column key → its heading as the file writes it


def _normalise_header(value) -> str:
    text = "".join(str(value).split()) if value is not None else ""
    return BRACKETS_RE.sub("", text).strip("*＊:：")


def _has_content(ws, deadline: float) -> bool:
    for _number, cells in bounded_rows(ws, SHEET_LIMITS, deadline=deadline):
        if any(v not in (None, "") for _c, v, _t in cells):
            return True
    return False


def max_bytes() -> int:
    return settings.ROSTER_IMPORT_MAX_BYTES


def too_large_message() -> str:
    return _("The file is larger than %(mb)d MB. A roster is much smaller: remove pictures or other sheets.") % {
        "mb": max_bytes() // (1024 * 1024)
    }


def _not_a_workbook() -> RosterFileError:
    return RosterFileError(
        _(
            "This file is not an Excel workbook (.xlsx). If it is an old .xls file or a WPS file, open it and "
            "save it as “Excel workbook (*.xlsx)”, then upload it again."
        )
    )


def check_archive(data: bytes) -> None:
    """Refuse, from the zip's directory alone and before anything is unpacked, what cannot be a roster: not a zip,
    too many parts, parts unpacking to too much in all, or one part compressed far more than a sheet ever is (a "zip
    bomb"). The sizes checked are the ones the directory declares; Python's zipfile never unpacks a part beyond its
    declared size (it stops there and fails the CRC check), so a lying directory cannot get past these limits."""
    if not data:
        raise RosterFileError(_("The file is empty."))
    if len(data) > max_bytes():
        raise RosterFileError(too_large_message())
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise _not_a_workbook() from None
    if any(p.compress_type not in XLSX_COMPRESSION or p.flag_bits & 0x1 for p in parts):
        raise _not_a_workbook()  # an .xlsx uses deflate only and is never zip-encrypted
    bomb = RosterFileError(
        _(
            "This file unpacks to far more than any roster (it may be damaged). Open it in Excel or WPS, save it "
            "again as “Excel workbook (*.xlsx)” and upload that."
        )
    )
    if len(parts) > settings.ROSTER_IMPORT_MAX_PARTS:
        raise bomb
    if sum(p.file_size for p in parts) > settings.ROSTER_IMPORT_MAX_UNPACKED_BYTES:
        raise bomb
    ratio = settings.ROSTER_IMPORT_MAX_RATIO
    if any(p.file_size > RATIO_FLOOR and p.file_size > ratio * max(p.compress_size, 1) for p in parts):
        raise bomb
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            dtd = any(_declares_a_dtd(archive, p) for p in parts if p.filename.endswith((".xml", ".rels", ".vml")))
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError):
        raise _not_a_workbook() from None  # a damaged part
    if dtd:
        raise _not_a_workbook()


PROLOG_BYTES = 64 * 1024  # how far into an XML part its root element must start


def _declares_a_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether the part's prolog declares a document type (<!DOCTYPE, where entities are declared: "billion laughs",
    external entities). Excel and WPS never write one. A DTD can stand only before the root element, so only the
    prolog is read, at most PROLOG_BYTES; a part whose root element does not start within them is refused too. This
    holds whichever XML parser openpyxl uses (with lxml it would not refuse entities, only leave them unexpanded)."""
    with archive.open(part) as stream:
        head = stream.read(PROLOG_BYTES)
    upper = head.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        return True
    root = re.search(rb"<[A-Za-z_]", head)
    return root is None and len(head) == PROLOG_BYTES


def read_sheet(data: bytes, progress: Progress | None = None) -> Sheet:
    """The roster sheet's columns and non-empty rows, or RosterFileError saying what is wrong with the file.

    The workbook is opened only after `check_archive`; openpyxl parses its XML with defusedxml (entity expansion and
    external entities refused; see members/checks.py). Any error while reading a damaged or foreign file is answered
    as "not a workbook", never passed on as a server error.
    """
    deadline = time.monotonic() + SHEET_LIMITS.seconds
    check_archive(data)
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=False)
        try:
            return _read_workbook(wb, deadline, progress)
        finally:
            wb.close()
    except SheetTooLarge as exc:
        logger.warning("Roster file refused as too large a sheet: %s", exc)
        raise _too_large_sheet(exc) from None
    except RosterFileError:
        raise
    except Exception as exc:  # openpyxl, zipfile and defusedxml raise many kinds of error on a damaged file
        logger.warning("Roster file refused as unreadable: %s: %s", type(exc).__name__, exc)
        raise _not_a_workbook() from None


def check_workbook(data: bytes) -> None:
    """What can be told of a file before its rows are read, fast enough for the request that uploads it: the zip's
    directory (`check_archive`), that it opens as a workbook, and that no sheet declares itself beyond SHEET_LIMITS
    (at most the first row of each is read). RosterFileError says what is wrong; reading the rows is the job's."""
    deadline = time.monotonic() + SHEET_LIMITS.seconds
    check_archive(data)
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=False)
        try:
            for ws in wb.worksheets:
                next(bounded_rows(ws, SHEET_LIMITS, deadline=deadline), None)
        finally:
            wb.close()
    except SheetTooLarge as exc:
        logger.warning("Roster file refused as too large a sheet: %s", exc)
        raise _too_large_sheet(exc) from None
    except Exception as exc:  # as in read_sheet: a damaged or foreign file is "not a workbook"
        logger.warning("Roster file refused as unreadable: %s: %s", type(exc).__name__, exc)
        raise _not_a_workbook() from None


def _too_large_sheet(exc: SheetTooLarge) -> RosterFileError:
    """What to tell the person about a sheet beyond `SHEET_LIMITS`, in words they can act on."""
    limits = {"sheet": exc.sheet, "rows": SHEET_LIMITS.rows, "columns": SHEET_LIMITS.columns}
    if exc.slow:
        message = _(
            "The file takes too long to read (more than %(seconds)d seconds), far longer than any roster. Copy the "
            "members' rows into the template and upload that."
        ) % {"seconds": SHEET_LIMITS.seconds}
    elif exc.declared:
        message = _(
            "The sheet “%(sheet)s” declares itself as large as %(range)s, far beyond any roster (at most %(rows)d "
            "rows and %(columns)d columns). Copy the members' rows into the template and upload that."
        ) % {**limits, "range": exc.declared}
    elif exc.row > SHEET_LIMITS.rows:
        message = _(
            "The sheet “%(sheet)s” has cells in row %(row)d; a roster uses at most %(rows)d rows. Delete the rows "
            "below the roster (or copy the members' rows into the template) and upload it again."
        ) % {**limits, "row": exc.row}
    else:
        message = _(
            "The sheet “%(sheet)s” has cells in column %(column)s; a roster uses at most %(columns)d columns. Delete "
            "the columns right of the roster (or copy the members' rows into the template) and upload it again."
        ) % {**limits, "column": exc.column_letter}
    return RosterFileError(message)


def _read_workbook(wb, deadline: float, progress: Progress | None = None) -> Sheet:
    sheets = [ws for ws in wb.worksheets if ws.title != NOTES_SHEET]
    if not sheets:
        raise RosterFileError(_("The workbook has no roster sheet."))
    ws, others = sheets[0], [s for s in sheets[1:] if _has_content(s, deadline)]
    if others:
        raise RosterFileError(
            _(
                "The workbook has more than one sheet with content (%(names)s). Keep only the roster sheet "
                "(and the template's notes sheet), then upload it again."
            )
            % {"names": "、".join(s.title for s in [ws, *others])}
        )
    formulas: list[str] = []
    like_formulas: list[str] = []
    grid: list[tuple[int, list]] = []
    declared = declared_size(ws)[0]
    for number, cells in bounded_rows(ws, SHEET_LIMITS, deadline=deadline):
        if progress is not None and number % PROGRESS_ROWS == 0:
            progress(number, max(declared, number) if declared else None)
        for column, value, data_type in cells:
            if data_type == "f":
                formulas.append(f"{get_column_letter(column)}{number}")
            elif isinstance(value, str) and value.lstrip().startswith("="):
                like_formulas.append(f"{get_column_letter(column)}{number}")
        values = row_values(cells)
        if any(v not in (None, "") for v in values):
            grid.append((number, values))
        if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS + len(FOOTER_STARTS):  # the members, a title, headings, a footer
            raise RosterFileError(
                _("The roster has more than %(n)d rows. Split it into several files.") % {"n": MAX_ROWS}
            )
    if formulas:
        raise RosterFileError(
            _(
                "Some cells hold formulas (%(cells)s). Copy the sheet and paste it back as values only, "
                "then upload it again."
            )
            % {"cells": _cell_list(formulas)}
        )
    if like_formulas:
        raise RosterFileError(
            _(
                "Some cells start with “=” (%(cells)s), which spreadsheet programs run as a formula. Remove the "
                "“=” from them, then upload the file again."
            )
            % {"cells": _cell_list(like_formulas)}
        )
    if not grid:
        raise RosterFileError(_("The roster sheet is empty. Fill in the template's columns, one member a row."))
    at = _header_index(grid)
    grid = grid[at:]  # a title above the headings (the template's, or the township's own) is not data
    while len(grid) > 1 and _is_footer(grid[-1][1]):
        grid.pop()  # the 合计 and 制表人 lines under an exported roster are not members
    header_number, header = grid[0]
    columns, problems = _columns(header, grid[1:])
    if problems:
        raise RosterFileError(" ".join(problems))
    rows = [
        (number, {col.key: (values[i - 1] if i - 1 < len(values) else None) for i, col in columns.items()})
        for number, values in grid[1:]
    ]
    if not rows:
        raise RosterFileError(_("The roster has headings but no members under them."))
    headings = {col.key: _normalise_header(header[i - 1]) for i, col in columns.items()}
    return Sheet(columns, rows, headings)


FOOTER_STARTS = ("合计", "制表人")


def _is_footer(values: list) -> bool:
    filled = [v for v in values if v not in (None, "")]
    return len(filled) == 1 and str(filled[0]).startswith(FOOTER_STARTS)


def _header_index(grid: list[tuple[int, list]]) -> int:
    """Which of the first non-empty rows holds the headings: the first naming two or more roster columns (else the
    first row, whose problems are then reported)."""
    for i, (_number, values) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if sum(1 for v in values if _normalise_header(v) in BY_HEADER) >= 2:
            return i
    return 0


def _cell_list(cells: list[str]) -> str:
    return "、".join(cells[:10]) + ("…" if len(cells) > 10 else "")


def _columns(header: list, body: list[tuple[int, list]]) -> tuple[dict[int, Column], list[str]]:
    columns: dict[int, Column] = {}
    problems: list[str] = []
    seen: dict[str, str] = {}
    width = max([len(header)] + [len(v) for _n, v in body])
    for i in range(1, width + 1):
        raw = header[i - 1] if i - 1 < len(header) else None
        letter = get_column_letter(i)
        name = _normalise_header(raw)
        if not name:
            if any(i - 1 < len(v) and v[i - 1] not in (None, "") for _n, v in body):
                problems.append(_("Column %(col)s has values but no heading.") % {"col": letter})
            continue
        col = BY_HEADER.get(name)
        if col is None:
            problems.append(
                _("Column %(col)s, “%(heading)s”, is not a column of the roster.") % {"col": letter, "heading": raw}
            )
        elif col.key in seen:
            problems.append(
                _("Columns %(a)s and %(b)s are both “%(heading)s”.")
                % {"a": seen[col.key], "b": letter, "heading": col.header}
            )
        else:
            seen[col.key] = letter
            columns[i] = col
    missing = [c.header for c in COLUMNS if c.required and c.key not in seen]
    if missing:
        problems.append(_("Columns the roster needs are missing: %(names)s.") % {"names": "、".join(missing)})
    if problems:
        problems.append(
            _("The roster's columns are: %(names)s (see the template).")
            % {"names": "、".join(c.header for c in COLUMNS)}
        )
    return columns, problems


# --- cells ---------------------------------------------------------------------------------------------------------


class CellError(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


def parse_date(value) -> datetime.date | None:
    """A date from a date cell, an Excel serial number, or text such as 2025-01-05, 2025/1/5, 2025.1.5,
    2025年1月5日 or 20250105."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if 10_000_000 < value < 100_000_000 and float(value).is_integer():
            return parse_date(str(int(value)))
        if not 1 <= value < 100_000:
            raise CellError(_("Write the date like 2025-01-05 or 2025年1月5日."))
        day = from_excel(value).date()
    else:
        text = "".join(str(value).split()).translate(FULLWIDTH)
        match = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
        if not match:
            raise CellError(_("“%(v)s” is not a date. Write it like 2025-01-05 or 2025年1月5日.") % {"v": value})
        try:
            day = datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            raise CellError(_("“%(v)s” is not a real date.") % {"v": value}) from None
    if day.year < 1900:
        raise CellError(_("The year %(y)d is too early; check the date.") % {"y": day.year})
    return day


def parse_dated(value) -> tuple[datetime.date, str] | None:
    """A date and how much of it is known: 1970.03 and 1970年3月 are (1970-03-01, "month"); a full date, an Excel
    date cell or serial number is (that day, "day"). A number like 1970.03 is how Excel keeps 1970.03 typed into a
    cell: it is read as year and month (1970.1 is October, as the national forms write it)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and 1900 < value < 2100 and not value.is_integer():
        value = f"{value:.2f}"
    if isinstance(value, str):
        text = "".join(value.split()).translate(FULLWIDTH)
        match = MONTH_RE.match(text) or COMPACT_MONTH_RE.match(text)
        if match:
            year, month = (int(g) for g in match.groups())
            if not 1 <= month <= 12:
                raise CellError(_("“%(v)s” is not a real date.") % {"v": value})
            if year < 1900:
                raise CellError(_("The year %(y)d is too early; check the date.") % {"y": year})
            return datetime.date(year, month, 1), national.Precision.MONTH
    return parse_date(value), national.Precision.DAY


def _lookup(words: dict[str, str], hint: str):
    """A parser for a choice written as its label, a common synonym or its code."""

    def parse(value):
        text = _text(value)
        if not text:
            return ""
        found = words.get(text) or words.get(text.upper())
        if found is None:
            raise CellError(_("“%(v)s” is not one of: %(hint)s.") % {"v": value, "hint": hint})
        return found

    return parse


def _words(choices, synonyms: dict[str, str]) -> dict[str, str]:
    words = {label: code for code, label in choices} | {code: code for code, _label in choices}
    return words | {word: words[label] for word, label in synonyms.items()}


ETHNICITY_WORDS = _words(
    national.ETHNICITY_CHOICES,
    {name.removesuffix("族"): name for name in national.ETHNICITIES}
    | {str(int(code)): name for code, name in national.ETHNICITY_CHOICES},
)
EDUCATION_WORDS = _words(
    national.Education.choices,
    {
        "博士": "博士研究生", "研究生（博士）": "博士研究生", "硕士": "硕士研究生", "研究生": "硕士研究生",
        "研究生（硕士）": "硕士研究生", "本科": "大学本科", "大学": "大学本科", "大专": "大学专科", "专科": "大学专科",
        "中专": "中等专科", "中等专业学校": "中等专科", "职高": "职业高中", "技校": "技工学校", "高中": "普通高中",
        "小学": "小学及以下", "文盲": "小学及以下", "不识字或识字很少": "小学及以下",
    },
)  # fmt: skip
CATEGORY_WORDS = _words(
    national.Category.choices,
    {
        "农民": "农牧渔民", "牧民": "农牧渔民", "渔民": "农牧渔民", "工人": "企业职工", "职工": "企业职工",
        "离退休": "离退休人员", "退休人员": "离退休人员", "离休人员": "离退休人员", "在校学生": "学生",
        "其他职业人员": "其他", "个体户": "个体工商户", "机关工作人员": "党政机关工作人员",
    },
)  # fmt: skip


def parse_choice(value, choices: dict, hint: str):
    text = _text(value).upper()
    if not text:
        return None
    if text in choices:
        return choices[text]
    raise CellError(_("“%(v)s” is not one of: %(hint)s.") % {"v": value, "hint": hint})


def parse_flag(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).upper()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("Write 是 or 否."))


def parse_id_number(value) -> str:
    """A checked ID number (18 characters, GB 11643 check digit, a real birth date)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _(
                "The ID number is stored as a number, and Excel keeps only its first 15 digits. Set the column's "
                "format to Text and type the number again."
            )
        )
    number = normalise_id_number(_text(value))
    if number:
        try:
            validate_id_number(number)
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from None
    return number


def parse_phone(value) -> str:
    return normalise_phone(_text(value))


PARSERS = {
    "village": _text,
    "party_group": _text,
    "name": _text,
    "notes": _text,
    "id_number": parse_id_number,
    "phone": parse_phone,
    "birth_date": parse_dated,
    "joined_on": parse_dated,
    "full_member_on": parse_dated,
    "ethnicity": _lookup(ETHNICITY_WORDS, "汉族、彝族、藏族等56个民族"),
    "education": _lookup(EDUCATION_WORDS, "、".join(national.Education.labels)),
    "category": _lookup(CATEGORY_WORDS, "、".join(national.Category.labels)),
    "work_post": _text,
    "home_address": _text,
    "standing": _text,
    "sex": lambda v: parse_choice(v, SEXES, "男、女"),
    "status": lambda v: parse_choice(v, STATUSES, "正式、预备"),
    "is_former_cadre": parse_flag,
    "is_old_member": parse_flag,
    "is_shuangdai": parse_flag,
}


# --- the plan ------------------------------------------------------------------------------------------------------


class _Row:
    """One row being checked: its parsed values and the problems found, filed by column."""

    def __init__(self, number: int, raw: dict[str, object], letters: dict[str, str], headings=None):
        self.number = number
        self.letters = letters
        self.headings = headings or {}
        self.values: dict[str, object] = {}
        self.problems: list[Problem] = []
        self.bad: set[str | None] = set()  # the columns with a problem (None: the row as a whole)
        self.birth_month_only = False
        for key, value in raw.items():
            try:
                self.values[key] = PARSERS[key](value)
            except CellError as exc:
                self.add(key, str(exc))
        for key in ("birth_date", "joined_on", "full_member_on"):
            dated = self.values.get(key)
            if isinstance(dated, tuple):
                self.values[key], precision = dated
                if key == "birth_date":
                    self.birth_month_only = precision == national.Precision.MONTH
                else:
                    self.values[f"{key}_precision"] = precision
        for col in COLUMNS:
            if col.required and col.key not in self.bad and self.values.get(col.key) in (None, ""):
                self.add(col.key, _("This column must be filled in."))

    def add(self, key: str | None, message) -> None:
        col = BY_KEY.get(PRECISION_OF.get(key, key)) if key else None
        self.bad.add(col.key if col else None)
        self.problems.append(
            Problem(
                self.number,
                self.headings.get(col.key, col.header) if col else None,  # the file's own heading: 公民身份号码
                self.letters.get(col.key) if col else None,
                str(message),
            )
        )

    def get(self, key: str):
        return self.values.get(key)


def read_roster(data: bytes, user, progress: Progress | None = None) -> Plan:
    """Check a roster file for `user` (their reach decides the villages allowed) without saving anything; `progress`
    hears how many of the sheet's rows have been read."""
    try:
        sheet = read_sheet(data, progress)
    except RosterFileError as exc:
        return Plan(file_problems=[str(exc)])
    letters = {col.key: get_column_letter(i) for i, col in sheet.columns.items()}
    rows = [_Row(number, raw, letters, sheet.headings) for number, raw in sheet.rows]
    plan = Plan(rows=_check_rows(rows, user))
    plan.missing = _missing(plan, rows)
    return plan


def _missing(plan: Plan, rows: list[_Row]) -> list[Missing]:
    """The members on the roster today (suspended ones too) of the villages the file covers that it does not list
    (one query)."""
    villages = {r.village_id for r in plan.rows if r.village_id}
    if not villages:
        return []
    listed = {lookup_hash(r.get("id_number")) for r in rows if r.get("id_number")}
    members = (
        PartyMember.objects.filter(village_id__in=villages)
        .on_roster_on()
        .order_by("village__name", "name", "pk")
        .values_list("village__name", "name", "id_number", "id_number_hash")
    )
    return [Missing(v, name, mask_id_number(number)) for v, name, number, h in members if h not in listed]


def _check_rows(rows: list[_Row], user) -> list[RowPlan]:
    from groups.models import GroupPost, PartyGroup

    reach = list(villages_for(user).select_related("township"))
    villages: dict[str, list] = defaultdict(list)
    for v in reach:
        villages[v.name].append(v)
    reach_ids = {v.pk for v in reach}
    group_names = {r.get("party_group") for r in rows if r.get("party_group")}
    groups = {
        (g.village_id, g.name): g
        for g in PartyGroup.objects.filter(village_id__in=reach_ids, name__in=group_names, dissolved_on__isnull=True)
    }
    hashes = {lookup_hash(r.get("id_number")) for r in rows if r.get("id_number")}
    on_record = {
        m.id_number_hash: m for m in PartyMember.objects.filter(id_number_hash__in=hashes).select_related("village")
    }
    posts = {
        p.member_id: p
        for p in GroupPost.objects.current().filter(member__in=list(on_record.values())).select_related("party_group")
    }
    names = {r.get("name") for r in rows if r.get("name")}
    namesakes: dict[tuple, list[PartyMember]] = defaultdict(list)
    for m in PartyMember.objects.filter(village_id__in=reach_ids, name__in=names):
        namesakes[m.village_id, m.name, m.birth_date].append(m)

    by_id: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.get("id_number") and "id_number" not in r.bad:
            by_id[r.get("id_number")].append(r)
    for same in by_id.values():
        if len(same) > 1:
            for r in same:
                others = "、".join(str(o.number) for o in same if o is not r)
                r.add("id_number", _("The same ID number is also on row %(rows)s.") % {"rows": others})

    plans = []
    for r in rows:
        plan = RowPlan(
            row=r.number,
            village_name=r.get("village") or "",
            group_name=r.get("party_group") or "",
            name=r.get("name") or "",
            id_masked=mask_id_number(r.get("id_number") or ""),
        )
        _plan_row(r, plan, villages, groups, on_record, posts, namesakes, reach_ids)
        plan.problems = r.problems
        plans.append(plan)
    return plans


def _plan_row(r: _Row, plan: RowPlan, villages, groups, on_record, posts, namesakes, reach_ids) -> None:
    from groups.models import GroupPost

    village = None
    if r.get("village"):
        found = _find_village(r.get("village"), villages)
        if not found:
            r.add("village", _("There is no village “%(v)s” among the villages you keep.") % {"v": r.get("village")})
        elif len(found) > 1:
            r.add(
                "village",
                _("More than one village you keep is called “%(v)s”; import each township's members separately.")
                % {"v": r.get("village")},
            )
        else:
            village = found[0]
            plan.village_id = village.pk
    group = None
    if village is not None and r.get("party_group"):
        group = groups.get((village.pk, r.get("party_group")))
        if group is None:
            r.add(
                "party_group",
                _("%(village)s has no party group “%(group)s”.")
                % {"village": village.name, "group": r.get("party_group")},
            )

    id_number = r.get("id_number")
    if id_number == EXAMPLE_ID:
        r.add("id_number", _("This is the template's example row: delete it before importing."))
        return
    existing = on_record.get(lookup_hash(id_number)) if id_number and "id_number" not in r.bad else None
    if existing is not None and existing.village_id not in reach_ids:
        # Nothing about why: saying that the number belongs to a member elsewhere would tell a secretary who is a
        # party member in another village (issue 14, finding 6).
        r.add("id_number", _("This row cannot be imported. The township staff can help with it."))
        return
    if existing is not None and village is not None and existing.village_id != village.pk:
        r.add(
            "village",
            _("%(name)s is on record in %(village)s. The import does not move members between villages.")
            % {"name": existing.name, "village": existing.village.name},
        )
        return

    standing = r.get("standing")
    if standing and standing != STANDING_NORMAL:
        # Leaving, suspension and the like are recorded with their decision on the member's page, not by import.
        plan.held = _("党籍状态 is “%(s)s”: record changes of standing on the member's page.") % {"s": standing}
        return

    member = existing if existing is not None else PartyMember(village=village)
    member._id_clash_checked = True  # `on_record` holds every member with the file's ID numbers, in reach or not
    before = {f: getattr(member, f) for f in (*MEMBER_FIELDS, *FLAGS)}
    id_ok = id_number and "id_number" not in r.bad
    if r.birth_month_only and id_ok and "birth_date" not in r.bad:
        # 出生年月 (1970.03): the ID number gives the day; the month written must agree with it.
        born, written = id_birth_date(id_number), r.get("birth_date")
        if (born.year, born.month) != (written.year, written.month):
            r.add(
                "birth_date",
                _("The birth month does not match the ID number, which says %(d)s.") % {"d": day_cn(born)},
            )
        else:
            r.values["birth_date"] = born
    for f in (*MEMBER_FIELDS, *FLAGS):
        if f in r.bad:
            continue
        value = r.get(f)
        if value in (None, ""):
            if existing is not None and f in KEEP_WHEN_BLANK:
                continue
            value = _default(f, id_number if id_ok else None)
        setattr(member, f, value)
    if existing is None:
        plan.is_new = True
    _validate(r, member)
    if existing is None and not r.problems and namesakes.get((village.pk, member.name, member.birth_date)):
        r.add(
            "name",
            _(
                "%(name)s, born on %(d)s, is already on record in %(village)s with another ID number. "
                "Check the ID number; to correct a member's ID number, edit that member."
            )
            % {"name": member.name, "d": day_cn(member.birth_date), "village": village.name},
        )
    if r.problems:
        return
    plan.member = member
    if existing is not None:
        plan.changed = [f for f, old in before.items() if getattr(member, f) != old]
        plan.diffs = _diffs(member, before, plan.changed)
        if "status" in plan.changed:
            # 转正, leaving and the like are steps of the member's standing history, each with its decision
            # (groups.standing.services.standing_record): an import does not write them past that history.
            plan.held = (
                f"名册中的党员类别（{_shown(member, 'status', member.status)}）与系统记录"
                f"（{_shown(PartyMember(status=before['status']), 'status', before['status'])}）不同："
                "转正等党籍变动请在党员页面登记（须填写支部大会决议），本行暂不导入。"
            )
    if group is not None:
        current = posts.get(member.pk) if existing is not None else None
        if current is None:
            plan.group_change = "join"
        elif current.party_group_id != group.pk:
            if current.role != GroupPost.Role.MEMBER:
                r.add(
                    "party_group",
                    _(
                        "%(name)s is the %(post)s of %(group)s. Change a leader's or deputy's party group on the "
                        "party group's page, not by import."
                    )
                    % {"name": member.name, "post": current.get_role_display(), "group": current.party_group.name},
                )
                plan.member = None
                return
            plan.group_change = "move"
        plan.party_group = group
        if plan.group_change and existing is not None:
            plan.diffs.append((BY_KEY["party_group"].header, current.party_group.name if current else "", group.name))


def _find_village(text: str, villages: dict[str, list]) -> list:
    """The villages a 村 or 所在党支部 cell names: the village's own name, or a branch's name around it."""
    if text in villages:
        return villages[text]
    name = text
    for prefix in BRANCH_PREFIXES:
        name = name.removeprefix(prefix)
    for suffix in BRANCH_SUFFIXES:
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    if name in villages:
        return villages[name]
    for village_name, found in villages.items():  # 金溪乡罗紫村: the township's name before the village's
        if name.endswith(village_name):
            within = [v for v in found if name == v.township.name + village_name]
            if within:
                return within
    return []


def _shown(member: PartyMember, f: str, value) -> str:
    """A field's value as the preview shows it: personal data masked (audit.masking), dates as 1970年3月."""
    from audit.masking import is_personal, shown

    if f in ("joined_on", "full_member_on"):
        return national.date_shown(value, getattr(member, f"{f}_precision"))
    if is_personal(PartyMember, f):
        return str(shown(PartyMember, f, value) or "")
    if f in FLAGS:
        return YES_NO_TEXT[bool(value)]
    choices = dict(PartyMember._meta.get_field(f).flatchoices)
    if value in choices:
        return str(choices[value])
    return "" if value is None else str(value)


YES_NO_TEXT = {True: "是", False: "否"}


def _diffs(member: PartyMember, before: dict, changed: list[str]) -> list[tuple[str, str, str]]:
    """Each changed item, old → new, under its heading; a date and its precision are one item."""
    out = []
    for f in dict.fromkeys(PRECISION_OF.get(f, f) for f in changed):
        old_member = PartyMember(**{k: before[k] for k in (f, f"{f}_precision") if k in before})
        out.append((BY_KEY[f].header, _shown(old_member, f, before[f]), _shown(member, f, getattr(member, f))))
    return out


def _default(f: str, id_number: str | None):
    if f == "sex":
        return id_sex(id_number) if id_number else ""
    if f == "birth_date":
        return id_birth_date(id_number) if id_number else None
    if f == "status":
        return Status.FULL
    if f in FLAGS:
        return False
    if f in PRECISION_OF:
        return national.Precision.DAY
    if f in ("phone", "notes", "name", "id_number", "ethnicity", "education", "category", "work_post", "home_address"):
        return ""
    return None


def _validate(r: _Row, member: PartyMember) -> None:
    """The model's own checks (field validators and `PartyMember.clean`), filed under the file's columns."""
    skip = {"village", "id_number_hash", "phone_hash", *(k for k in r.bad if k)}
    if "id_number" in r.bad or not member.id_number:
        skip |= {"sex", "birth_date"}  # derived from the ID number, whose own problem is already listed
    errors: dict[str, list] = {}
    try:
        member.clean_fields(exclude=list(skip))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not errors:
        try:
            member.clean()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    for key, messages in errors.items():
        column = key if key in BY_KEY and key != NON_FIELD_ERRORS else None
        for message in messages:
            r.add(column, message)


# --- saving --------------------------------------------------------------------------------------------------------


class RosterNotReady(Exception):
    """The file has problems (or nothing to import); the plan says which."""

    def __init__(self, plan: Plan):
        super().__init__("roster has problems")
        self.plan = plan


class NothingChosen(Exception):
    """The person ticked none of the changes the file offers."""


@transaction.atomic
def roster_import(
    *,
    data: bytes,
    acting_user,
    on: datetime.date | None = None,
    filename: str = "",
    choice: Choice = EVERYTHING,
) -> Plan:
    """Check the file again and save the rows `choice` takes (by default every one), or nothing: new members
    created, named members updated, party group membership joined or moved from `on` (default today). The IMPORT
    event, naming each member saved and the items changed, is written in the same transaction: no members saved
    without it, no event for an import that was not saved. `plan.applied` counts what was saved."""
    require(acting_user, "members.write")
    from groups.services import member_join_group, member_move_group

    plan = read_roster(data, acting_user)
    if not plan.ok:
        raise RosterNotReady(plan)
    chosen = [row for row in plan.rows if choice.takes(row)]
    if plan.has_changes and not chosen:
        raise NothingChosen
    on = on or clock.today()
    for row in chosen:
        member = row.member
        if row.is_new or row.changed:
            member.full_clean(exclude=["id_number_hash", "phone_hash"])
            if acting_user is not None and getattr(acting_user, "pk", None):
                member._history_user = acting_user
            member.save()
        if row.group_change == "join":
            member_join_group(member=member, party_group=row.party_group, started_on=on, acting_user=acting_user)
        elif row.group_change == "move":
            member_move_group(member=member, party_group=row.party_group, moved_on=on, acting_user=acting_user)
    counts = plan.counts
    plan.applied = {
        "new": sum(1 for r in chosen if r.is_new),
        "update": sum(1 for r in chosen if not r.is_new),
        "unchanged": counts["unchanged"],
    }
    record(
        Action.IMPORT,
        user=acting_user,
        rows=len(chosen),
        what="member_roster",
        filename=filename,
        **plan.applied,
        skipped=len(plan.changes) - len(chosen),
        held=counts["held"],
        not_in_file=len(plan.missing),
        # Who changed and which items (never the values: the members' own history keeps those, masked on display).
        members=[{"id": r.member.pk, "new": r.is_new, "items": r.changed_labels} for r in chosen],
    )
    return plan


# --- the template --------------------------------------------------------------------------------------------------

NOTES = (  # the 填写说明 sheet, written in Chinese as the people filling the roster in read it
    ("村", True, "村名，与系统中的一致，如：罗紫村。村支部书记只能导入本村党员。"),
    ("党小组", False, "该村党小组的名称。不填则不改变该党员现在所在的党小组。"),
    ("姓名", True, "党员姓名。"),
    ("性别", False, "男 或 女。不填则按身份证号推出。"),
    ("出生日期", False, "不填则按身份证号推出；填写的，须与身份证号一致。"),
    ("身份证号", True, "18位，最后一位可以是X。请把这一列设为“文本”格式，以免Excel改动数字。"),
    ("联系电话", False, "11位手机号，或带区号的固定电话。"),
    ("入党日期", True, "可写成 2025年1月5日、2025/1/5、2025.1.5，或用Excel的日期格式。"),
    ("党员类别", False, "正式 或 预备（新党员不填为正式）。"),
    ("原村干部", False, "是 或 否（新党员不填为否）。"),
    ("老党员", False, "是 或 否。"),
    ("双带能手", False, "是 或 否：带头致富、带领群众致富的党员。"),
    ("备注", False, "其他需要记下的情况。"),
    ("民族", False, "如：汉族、彝族。"),
    ("学历", False, "、".join(national.Education.labels) + "之一。"),
    ("人员类别", False, "、".join(national.Category.labels) + "之一。"),
    ("转正日期", False, "预备党员不填。可只写年月，如 1971.03 或 1971年3月。"),
    ("工作岗位", False, "如：村党支部书记、种植户、外出务工。"),
    ("家庭住址", False, "如：罗紫村三社12号。只有能查看完整号码的人员可见全文。"),
    ("党籍状态", False, "正常 或 不填。党籍的其他变化（转出、停止党籍等）请在党员页面登记。"),
)


def template_workbook(user, *, place: str = "") -> bytes:
    """The roster template: a title, the columns with an example row (to delete), and a sheet of notes; it prints
    like every other export (headers on every page, one page wide)."""
    from groups.models import PartyGroup

    village = villages_for(user).order_by("name").first()
    group = PartyGroup.objects.filter(village=village, dissolved_on__isnull=True).order_by("name").first()
    wb = Workbook()
    widths = {"村": 10, "党小组": 18, "姓名": 10, "身份证号": 22, "联系电话": 15, "备注": 24, "性别": 6}
    widths |= {"民族": 8, "学历": 10, "人员类别": 10, "工作岗位": 12, "家庭住址": 20}
    table = PrintTable(
        wb.active,
        [Col(c.header, widths.get(c.header, 10)) for c in COLUMNS],
        title=f"{place}{DATA_SHEET}（{TEMPLATE_TITLE}）",
        info=f"{TEMPLATE_HINT}",
        name=DATA_SHEET,
    )
    ws = table.ws
    example = {
        "village": village.name if village else "罗紫村",
        "party_group": group.name if group else "第一党小组",
        "name": "张三",
        "sex": "男",
        "birth_date": id_birth_date(EXAMPLE_ID),
        "id_number": EXAMPLE_ID,
        "phone": "13800001234",
        "joined_on": datetime.date(1990, 7, 1),
        "status": "正式",
        "is_former_cadre": "否",
        "is_old_member": "是",
        "is_shuangdai": "否",
        "notes": _("Example row: delete it before importing."),
        "ethnicity": "汉族",
        "education": "初中",
        "category": "农牧渔民",
        "full_member_on": "1991.07",
        "work_post": "种植户",
        "home_address": "罗紫村三社12号",
        "standing": "正常",
    }
    first = table.first_row
    last = first + TEMPLATE_ROWS - 1
    table.add([None] * len(COLUMNS))
    for i, col in enumerate(COLUMNS, start=1):
        value = example[col.key]
        if isinstance(value, datetime.date):
            put_date(ws, first, i, value).number_format = "yyyy-mm-dd"
        else:
            put_text(ws, first, i, value)
        if col.key in ("id_number", "phone"):
            for row in range(first, last + 1):
                ws.cell(row=row, column=i).number_format = TEXT_FORMAT
        if col.key in ("birth_date", "joined_on"):
            for row in range(first + 1, last + 1):
                ws.cell(row=row, column=i).number_format = "yyyy-mm-dd"
    ws.row_dimensions[first].height = height_for(wrapped_lines(example["notes"], widths["备注"]))
    letters = {c.key: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    for keys, options in ((("sex",), "男,女"), (("status",), "正式,预备"), (FLAGS, "是,否")):
        dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        ws.add_data_validation(dv)
        for key in keys:
            dv.add(f"{letters[key]}{first}:{letters[key]}{last}")
    table.finish()  # the print area is the title, the headers and the example: blank rows print nothing

    notes = PrintTable(
        wb.create_sheet(),
        [Col(_("Column"), 12), Col(_("Required"), 8), Col(_("How to fill it in"), 70)],
        title=f"{place}{DATA_SHEET}（{NOTES_SHEET}）",
        info=TEMPLATE_HINT,
        name=NOTES_SHEET,
    )
    for heading, required, text in NOTES:
        notes.add([heading, _("yes") if required else "", text])
    for line in (
        _("One member a row, under the headings of the roster sheet; keep the headings as they are."),
        _("A member already on record is recognised by ID number and updated; an empty cell leaves that item alone."),
        _("Nothing is saved until you have checked the preview and confirmed it."),
        _("Delete the example row (张三) before importing."),
    ):
        notes.line(f"· {line}")
    notes.signatures()
    notes.finish()
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
