"""The roster in the national system's 党员基本信息 headings (全国党员管理信息系统), print-ready, read back by the
import as it is: so a file exported here, corrected in the national system's way and imported again, loses nothing.

Numbers and the home address are masked for everyone, as every list shows them; a person who may reveal personal
data may ask for the full record (`full=True`), which the view keeps as a REVEAL event beside the EXPORT. The rows are
read in one query, in chunks, and streamed into a write-only workbook, like the roster export beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from django.db.models import FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core import clock
from core.fields import birth_year, mask_personal
from core.tempfiles import written_file
from core.xlsx import CODE, Col, StreamTable, row_cells, text_value
from core.xlsx_rows import rows_sheet, rows_workbook
from groups.roster.exporting import PROGRESS_ROWS, SEX_TEXT, STATUS_TEXT, YES_NO, read_on_roster
from groups.roster.importing import BY_KEY, STANDING_NORMAL, STANDING_SUSPENDED
from members import national
from members.models import PartyMember
from members.standing.models import StandingChange
from township.models import Village

NATIONAL_SHEET = "党员基本信息"
ETHNICITY_TEXT = dict(national.ETHNICITY_CHOICES)
EDUCATION_TEXT = dict(national.Education.choices)
CATEGORY_TEXT = dict(national.Category.choices)

# (database values, heading, width, kind): the national record's headings first, then the branch's own columns,
# each a heading the import reads.
COLUMNS = (
    (("name",), "姓名", 8, "text"),
    (("sex",), "性别", 5, CODE),
    (("ethnicity",), "民族", 7, CODE),
    (("id_number",), "公民身份号码", 20, CODE),
    (("birth_date",), "出生日期", 11, CODE),
    (("education",), "学历", 10, CODE),
    (("category",), "人员类别", 10, CODE),
    (("village__township__name", "village__name"), "所在党支部", 16, "text"),
    (("current_post__party_group__name",), BY_KEY["party_group"].header, 14, "text"),
    (("status",), BY_KEY["status"].header, 8, CODE),
    (("joined_on", "joined_on_precision"), "入党日期", 11, CODE),
    (("full_member_on", "full_member_on_precision"), "转正日期", 11, CODE),
    (("work_post",), "工作岗位", 12, "text"),
    (("phone",), BY_KEY["phone"].header, 13, CODE),
    (("home_address",), "家庭住址", 22, "text"),
    ((), "党籍状态", 8, CODE),
    (("is_former_cadre",), BY_KEY["is_former_cadre"].header, 8, CODE),
    (("is_old_member",), BY_KEY["is_old_member"].header, 7, CODE),
    (("is_shuangdai",), BY_KEY["is_shuangdai"].header, 8, CODE),
    (("notes",), BY_KEY["notes"].header, 18, "text"),
)
VALUES = tuple(v for values, *_rest in COLUMNS for v in values)


def branch_name(township: str, village: str) -> str:
    """所在党支部 as the national record writes it, and as the import reads it back: 东河乡罗紫村党支部."""
    return f"{township}{village}党支部"


def national_rows(villages: QuerySet[Village]):
    """The branch's roster today (its members, and those whose membership is suspended) as tuples in VALUES order
    and then the member's 党员类别 before a suspension, read in chunks (one query)."""
    before = (
        StandingChange.objects.filter(member=OuterRef("pk"), kind=StandingChange.Kind.SUSPENDED)
        .order_by("-on", "-pk")
        .values("state_before")[:1]
    )
    members = (
        PartyMember.objects.filter(village__in=villages)
        .annotate(
            current_post=FilteredRelation("posts", condition=Q(posts__ended_on__isnull=True)),
            status_before_suspension=Subquery(before),
        )
        .order_by("village__township__name", "village__name", "name", "pk")
    )
    return read_on_roster(members, *VALUES, "status_before_suspension")


def national_row(ws, row: tuple, *, full: bool) -> list:
    (
        name, sex, ethnicity, id_number, born, education, category, township, village, group, status,
        joined, joined_precision, full_on, full_precision, work_post, phone, address, cadre, old, shuangdai, notes,
        status_before_suspension,
    ) = row  # fmt: skip
    suspended = status == PartyMember.Status.SUSPENDED
    if suspended:  # 党员类别 stays what it was (正式 or 预备); 党籍状态 says 停止党籍
        status = status_before_suspension or PartyMember.Status.FULL

    def personal(field: str, value):
        return value if full else mask_personal(field, value)

    values = [
        text_value(ws, name),
        SEX_TEXT.get(sex, ""),
        ETHNICITY_TEXT.get(ethnicity, ""),
        personal("id_number", id_number),
        national.date_written(born) if full else birth_year(born),
        EDUCATION_TEXT.get(education, ""),
        CATEGORY_TEXT.get(category, ""),
        text_value(ws, branch_name(township, village)),
        text_value(ws, group),
        STATUS_TEXT.get(status, ""),
        national.date_written(joined, joined_precision),
        national.date_written(full_on, full_precision),
        text_value(ws, work_post),
        personal("phone", phone),
        text_value(ws, personal("home_address", address)),
        STANDING_SUSPENDED if suspended else STANDING_NORMAL,  # the history itself is kept on their pages
        YES_NO[cadre],
        YES_NO[old],
        YES_NO[shuangdai],
        text_value(ws, notes),
    ]
    if any(not isinstance(v, str | None) for v in values):
        return row_cells(ws, values)
    return values


def national_write(
    villages: QuerySet[Village],
    stream: BinaryIO,
    *,
    title: str = "",
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the national-format roster to `stream`; returns the number of members. Printed: the title, the date
    made, the headings on every page, landscape, one page wide. `progress(rows written)` is called after every
    PROGRESS_ROWS rows (a job's progress bar)."""
    with rows_workbook(stream) as wb:
        ws = rows_sheet(wb, NATIONAL_SHEET)
        table = StreamTable(
            ws,
            [Col(header, width, kind) for _values, header, width, kind in COLUMNS],
            title=f"{title}{NATIONAL_SHEET}",
            info="全国党员管理信息系统格式" + ("" if full else "；身份证号、联系电话、家庭住址已遮盖"),
        )
        count = 0
        for row in national_rows(villages):
            table.add(national_row(ws, row, full=full))
            count += 1
            if progress is not None and count % PROGRESS_ROWS == 0:
                progress(count)
        table.line(f"合计：共 {count} 人")
        table.signatures()
        table.finish()
        wb.properties.title = f"{title}{NATIONAL_SHEET}"
        wb.properties.created = timezone.now().replace(tzinfo=None)
        wb.save(stream)
    return count


def national_filename(scope_name: str) -> str:
    """青川县党员基本信息2027-06-15.xlsx"""
    return f"{scope_name}{NATIONAL_SHEET}{clock.today().isoformat()}.xlsx"


def national_file(villages: QuerySet[Village], *, title: str = "", full: bool = False) -> tuple[BinaryIO, int]:
    """The national-format roster in an anonymous temporary file, rewound, and its row count."""
    return written_file(lambda handle: national_write(villages, handle, title=title, full=full))
