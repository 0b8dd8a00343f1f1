"""The meetings workbooks, in the house's print layout (`core.xlsx.PrintTable`): the branch's 会议记录本 (one meeting
per sheet, so one per printed page) and the year's compliance table of a township's branches."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from core.words import day_cn
from core.xlsx import Col, PrintTable, xlsx_response
from orglife.meetings import selectors
from orglife.meetings.models import Attendance, Kind, Meeting


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def response(content: bytes, filename: str, fallback: str):
    return xlsx_response(content, filename, fallback)


def record_book(village, year: int, *, user=None) -> bytes:
    """会议记录本: every meeting of the branch's year (谈心谈话 aside: their contents are not shown to others), one
    sheet each — date, place, people, 应到/实到, absentees and reasons, content, decisions, votes, signatures.
    Three queries, however many meetings."""
    first, last = f"{year}-01-01", f"{year}-12-31"
    meetings = list(
        selectors.with_counts(
            Meeting.objects.filter(village=village, held_on__range=(first, last)).exclude(kind=Kind.TALK)
        )
        .select_related("party_group", "host", "recorder")
        .prefetch_related("votes")
        .order_by("held_on", "pk")
    )
    rows = Attendance.objects.filter(meeting__in=meetings).select_related("member").order_by("member__name")
    by_meeting: dict[int, list[Attendance]] = {}
    for r in rows:
        by_meeting.setdefault(r.meeting_id, []).append(r)
    wb = Workbook()
    wb.remove(wb.active)
    columns = [Col("项目", 16, "code"), Col("内容", 72)]
    branch = village.branch_title
    if not meetings:
        ws = wb.create_sheet()
        t = PrintTable(ws, columns, title=f"{branch}{year}年会议记录本", name=f"{year}年会议记录本")
        t.add(["说明", "本年度还没有登记会议。"])
        t.finish()
    for n, m in enumerate(meetings, start=1):
        ws = wb.create_sheet()
        who = m.party_group.name if m.party_group else branch
        t = PrintTable(
            ws,
            columns,
            title=f"{who}{m.get_kind_display()}记录（{year}年第{n}次）",
            name=f"{n:02d} {m.held_on:%m月%d日}{m.get_kind_display()}",
            landscape=False,
        )
        attendance = by_meeting.get(m.pk, [])
        present = [a.member.name for a in attendance if a.presence == "present"]
        remote = [a.member.name for a in attendance if a.presence == "remote"]
        absent = [f"{a.member.name}（{a.get_reason_display()}）" for a in attendance if a.presence == "absent"]
        t.add(["会议类型", m.get_kind_display()])
        t.add(["日期", day_cn(m.held_on)])
        t.add(["地点", m.place])
        t.add(["主持人", m.host.name if m.host else ""])
        t.add(["记录人", m.recorder.name if m.recorder else ""])
        t.add(["应到/实到", f"应到{m.expected}人，实到{m.attended}人（其中远程参加{len(remote)}人）"])
        t.add(["出席人员", "、".join(present)])
        t.add(["远程参加", "、".join(remote) or "无"])
        t.add(["缺席人员及原因", "、".join(absent) or "无"])
        t.add(["议题", m.topic])
        t.add(["会议内容", m.content])
        t.add(["决定事项", m.decisions])
        for v in m.votes.all():
            validity = "有效" if v.is_valid else "无效（到会不足有表决权党员半数）"
            t.add(
                [
                    "表决",
                    f"{v.subject}：有表决权{v.entitled}人，到会{v.attending}人；赞成{v.votes_for}、反对"
                    f"{v.votes_against}、弃权{v.abstaining}；表决{validity}",
                ]
            )
        t.line("主持人（签名）：　　　　　　　记录人（签名）：　　　　　　　", gap=1)
        t.finish()
    return _save(wb)


def compliance_workbook(table: selectors.Compliance, *, place_name: str) -> bytes:
    """The year's compliance table: each branch × each kind, done / due, with the missing count."""
    wb = Workbook()
    ws = wb.active
    columns = [Col("村党支部", 12)]
    columns += [Col(f"{label}（{period}）", 12, "code") for _k, label, period, _s in table.kinds]
    columns += [Col("缺项合计", 8, "int")]
    t = PrintTable(
        ws,
        columns,
        title=f"{place_name}{table.title}组织生活落实情况表",
        info="每格：已开/应开；缺项=期满未开",
        name=f"{table.title}组织生活",
        landscape=True,
    )
    for row in table.rows:
        values = [row.village.name]
        for kind, *_rest in table.kinds:
            c = row.cells[kind]
            values.append(f"{c.done}/{c.due}" + (f" 缺{c.missing}" if c.missing else ""))
        values.append(row.missing)
        t.add(values)
    t.signatures()
    t.finish()
    return _save(wb)
