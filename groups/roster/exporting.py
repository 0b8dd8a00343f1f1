"""The party-member roster (党员名册) as an Excel workbook: everyone in a person's reach, from one village up to a whole
province (~100,000 rows) for the system administrator.

Large rosters must not need large memory: the rows are read from the database in chunks (`.iterator(chunk_size=…)`,
a server-side cursor on PostgreSQL) as plain tuples, and written with openpyxl's write-only mode, which streams each
row into a temporary file. Memory stays flat and the export runs in one query whatever the number of members.

ID and phone numbers are written masked, as every list shows them, from the masked copies each member keeps beside
the encrypted numbers (core.fields.MaskedCopyField): nothing is decrypted, so the roster costs little more than
openpyxl's own writing. The columns are the import template's, so the sheet reads like the rosters the township
already keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from django.db.models import FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core import clock
from core.tempfiles import written_file
from core.xlsx import CODE, Col, StreamTable, looks_like_formula, row_cells, text_value
from core.xlsx_rows import rows_sheet, rows_workbook
from groups.roster.importing import BY_KEY, DATA_SHEET
from members.models import PartyMember
from members.standing.models import ON_ROSTER
from township.models import Village
from township.scoping import Role, assignment_of

CHUNK_SIZE = 2000
PROGRESS_ROWS = 500
Sex, Status = PartyMember.Sex, PartyMember.Status
SEX_TEXT = {Sex.MALE: "男", Sex.FEMALE: "女"}  # the words the import reads back
STATUS_TEXT = {Status.FULL: "正式", Status.PROBATIONARY: "预备", Status.SUSPENDED: "停止党籍"}
YES_NO = {True: "是", False: "否"}

# (database value, column header, width); the headers are the import template's, with the township first.
FIELDS = (
    ("village__township__name", "乡镇", 10),
    ("village__name", BY_KEY["village"].header, 10),
    ("current_post__party_group__name", BY_KEY["party_group"].header, 20),
    ("name", BY_KEY["name"].header, 10),
    ("sex", BY_KEY["sex"].header, 6),
    ("birth_date", "出生年份", 9),  # the year only: with the masked ID number a full date gives the number away
    ("masked_id_number", BY_KEY["id_number"].header, 22),  # never the number itself: see core.fields
    ("masked_phone", BY_KEY["phone"].header, 15),
    ("joined_on", BY_KEY["joined_on"].header, 12),
    ("status", BY_KEY["status"].header, 9),
    ("is_former_cadre", BY_KEY["is_former_cadre"].header, 9),
    ("is_old_member", BY_KEY["is_old_member"].header, 8),
    ("is_shuangdai", BY_KEY["is_shuangdai"].header, 9),
    ("notes", BY_KEY["notes"].header, 24),
)
# How each column prints: dates, and short texts of a known shape that never wrap (the rest wrap when long).
KIND = {"birth_date": "date", "joined_on": "date"} | dict.fromkeys(
    (
        "village__township__name",
        "sex",
        "masked_id_number",
        "masked_phone",
        "status",
        "is_former_cadre",
        "is_old_member",
        "is_shuangdai",
    ),
    CODE,
)


def read_on_roster(members: QuerySet[PartyMember], *fields: str):
    """`members.values_list(*fields)` of those on the branch's roster today, read in chunks: the rule of
    `on_roster_on` (members.standing.models.ON_ROSTER: in the party, or suspended, 停止党籍, still the branch's),
    applied to each row's standing as it is read rather than in the WHERE clause. PostgreSQL cannot estimate how many
    rows a filter on the standing expression keeps (it guessed 1,510 of a province's 97,000) and planned the whole
    read as nested loops, 1.3 s; with only the villages in WHERE it hashes the joins, 0.55 s (README, "Issue
    18 on a fourth machine")."""
    rows = members.with_state_on().values_list(*fields, "state_on")
    return (row[:-1] for row in rows.iterator(chunk_size=CHUNK_SIZE) if row[-1] in ON_ROSTER)


def roster_rows(villages: QuerySet[Village]):
    """The branch's roster today (its members, and those whose membership is suspended, marked 停止党籍 in the status
    column) as tuples in FIELDS order, by township, village and name, read in chunks. The member's party group comes
    from their one active post (a database constraint)."""
    members = (
        PartyMember.objects.filter(village__in=villages)
        .annotate(current_post=FilteredRelation("posts", condition=Q(posts__ended_on__isnull=True)))
        .order_by("village__township__name", "village__name", "name", "pk")
    )
    return read_on_roster(members, *(field for field, _header, _width in FIELDS))


TEXT_AT = (0, 1, 2, 3, 13)  # typed text (township, village, party group, name, notes): may look like a formula


def sheet_row(ws, row: tuple) -> list:
    """One member's cells: text that could be read as a formula stays text, numbers masked (the masked copies),
    dates are dates, and an empty value no cell at all. Plain values throughout unless a text needs a cell forced to
    text (`text_value`): then the row is cells (`row_cells`)."""
    township, village, group, name, sex, born, id_number, phone, joined, status, cadre, old, shuangdai, notes = row
    values = [
        township,
        village,
        group,
        name,
        SEX_TEXT.get(sex),
        born.year if born else None,
        id_number or None,
        phone or None,
        joined,
        STATUS_TEXT.get(status),
        YES_NO[cadre],
        YES_NO[old],
        YES_NO[shuangdai],
        notes,
    ]
    cells = False
    for i in TEXT_AT:
        text = values[i]
        if not text:
            values[i] = None
        elif looks_like_formula(text) or ILLEGAL_CHARACTERS_RE.search(text):  # rare: the careful way
            values[i] = text_value(ws, text) or None
            cells = cells or isinstance(values[i], Cell)
    return row_cells(ws, values) if cells else values


def roster_count(villages: QuerySet[Village]) -> int:
    """How many rows `roster_rows` gives: the total a job's progress bar counts towards."""
    return PartyMember.objects.filter(village__in=villages, left_on__isnull=True).count()


def roster_write(
    villages: QuerySet[Village], stream: BinaryIO, *, title: str = "", progress: Callable[[int], None] | None = None
) -> int:
    """Write the roster of these villages to `stream` as .xlsx; returns the number of members written.
    `progress(rows written)` is called after every PROGRESS_ROWS rows (a job's progress bar).

    Printed, it has the title (the place and 党员名册), the date made, the headers on every page, one page wide."""
    with rows_workbook(stream) as wb:
        ws = rows_sheet(wb, DATA_SHEET)
        table = StreamTable(
            ws,
            [Col(header, width, KIND.get(field, "text")) for field, header, width in FIELDS],
            title=f"{title}{DATA_SHEET}",
            info="身份证号、联系电话已遮盖",
        )
        count = 0
        for row in roster_rows(villages):
            table.add(sheet_row(ws, row))
            count += 1
            if progress is not None and count % PROGRESS_ROWS == 0:
                progress(count)
        table.line(f"合计：共 {count} 人")
        table.signatures()
        table.finish()
        wb.properties.title = title or _("Party member roster")
        wb.properties.created = timezone.now().replace(tzinfo=None)
        wb.save(stream)
    return count


def roster_file(villages: QuerySet[Village], *, title: str = "") -> tuple[BinaryIO, int]:
    """The roster in an anonymous temporary file (gone once closed), rewound for reading, and its row count."""
    return written_file(lambda handle: roster_write(villages, handle, title=title))


def roster_filename(scope_name: str) -> str:
    """罗紫村党员名册2026-05-01.xlsx"""
    return _("%(scope)s party member roster %(day)s.xlsx") % {
        "scope": scope_name,
        "day": clock.today().isoformat(),
    }


def roster_scope_name(user) -> str | None:
    """What the person's roster covers (their village, township or county; everything for the administrator), or
    None for someone with no roster (group leaders, accounts without a scope)."""
    if not user.has_perm("members.read"):
        return None
    if user.is_superuser:
        return _("All townships")
    a = assignment_of(user)
    place = {Role.COUNTY_VIEWER: a.county, Role.TOWNSHIP_STAFF: a.township, Role.BRANCH_SECRETARY: a.village}[a.role]
    if a.role == Role.BRANCH_SECRETARY:  # 金溪乡罗紫村: a file handed on says whose village it is
        return f"{a.village.township.name}{place.name}"
    return place.name


def roster_scope_key(user) -> str | None:
    """What the person's roster covers as a key ("all", "county:3", "township:7", "village:12"), kept with a roster
    made as a job: the file is theirs to download only while this is still their scope."""
    if roster_scope_name(user) is None:
        return None
    if user.is_superuser:
        return "all"
    a = assignment_of(user)
    place_id = {
        Role.COUNTY_VIEWER: a.county_id,
        Role.TOWNSHIP_STAFF: a.township_id,
        Role.BRANCH_SECRETARY: a.village_id,
    }
    return f"{a.role}:{place_id[a.role]}"


def roster_is_large(user) -> bool:
    """A county's or the whole system's roster (tens of thousands of rows): made as a job, off the request."""
    return user.is_superuser or getattr(assignment_of(user), "role", None) == Role.COUNTY_VIEWER
