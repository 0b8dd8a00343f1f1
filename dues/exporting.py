"""The dues workbooks, built with the shared pieces of `core/xlsx.py` (text that stays text, yuan as numbers, dates,
A4 printing): 党费收缴登记表 of a branch's year, the township's remittance summary, and a branch's arrears list."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from core.xlsx import a4, borders, date_text, header_row, put_money, put_text, title_row
from dues.selectors import Arrear, Book, BranchYear

BOLD = Font(bold=True)


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# The register's category column, short enough to print in one line (the pages use the full labels).
SHORT_CATEGORY = {
    "employed": "在职",
    "retired": "离退休",
    "farmer": "农牧渔民",
    "student": "学生",
    "low_income": "低保",
    "hardship": "生活困难",
    "exempt": "免交",
}


def register_workbook(book: Book, *, township_name: str = "") -> bytes:
    """党费收缴登记表: one row per member — category, base, rate, monthly amount, each month paid, total, signature."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{book.year}年党费收缴登记表"
    headers = [("序号", 5), ("姓名", 10), ("类别", 9), ("基数（元）", 10), ("比例", 6), ("月交额（元）", 11)]
    headers += [(f"{m}月", 7.5) for m in range(1, 13)]
    headers += [("应交合计", 10), ("实交合计", 10), ("自愿多交", 9), ("本人签名", 10)]
    last = len(headers)
    title_row(ws, 1, f"{book.village.branch_name or book.village.name}{book.year}年度党费收缴登记表", last)
    cycle = "按季" if book.frequency == "quarterly" else "按月"
    put_text(ws, 2, 1, f"{township_name} {book.village.name}党支部　　　收缴周期：{cycle}　　　单位：元")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    header_row(ws, 3, headers)
    ws.freeze_panes = ws.cell(row=4, column=3)
    row = 3
    for n, r in enumerate(book.rows, start=1):
        row += 1
        ws.cell(row=row, column=1, value=n)
        put_text(ws, row, 2, r.member.name)
        put_text(ws, row, 3, SHORT_CATEGORY.get(r.assessment.category, "") if r.assessment else "未核定")
        put_money(ws, row, 4, r.assessment.base if r.assessment else None)
        put_text(ws, row, 5, f"{r.percent.normalize():f}%" if r.percent is not None else "")
        put_money(ws, row, 6, r.monthly)
        for i, cell in enumerate(r.cells):
            if not cell.member:
                put_text(ws, row, 7 + i, "—")
            elif cell.paid or cell.voluntary:
                put_money(ws, row, 7 + i, cell.paid + cell.voluntary)
        put_money(ws, row, 19, r.due_total)
        put_money(ws, row, 20, r.paid_total)
        put_money(ws, row, 21, r.voluntary_total)
    row += 1
    put_text(ws, row, 2, "合计").font = BOLD
    for i, total in enumerate(book.month_totals):
        put_money(ws, row, 7 + i, total).font = BOLD
    put_money(ws, row, 19, book.due_total).font = BOLD
    put_money(ws, row, 20, book.paid_total).font = BOLD
    put_money(ws, row, 21, book.voluntary_total).font = BOLD
    borders(ws, 3, row, last)
    row += 2
    signatures = "支部书记（签名）：　　　　　　　　收缴人（签名）：　　　　　　　　填表日期："
    put_text(ws, row, 1, signatures + date_text(None))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    a4(ws, landscape=True, title_rows="1:3")
    return _save(wb)


def remittance_workbook(township, year: int, branches: list[BranchYear]) -> bytes:
    """The township's remittance summary: each branch × each period, with the branch's and the period's totals."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年党费上缴汇总"
    labels = [p.label.replace(f"{year}年", "") for p in branches[0].periods] if branches else []
    headers = [("村党支部", 12), *[(label, 10) for label in labels]]
    headers += [("全年收缴", 11), ("全年上缴", 11), ("逾期次数", 8)]
    last = len(headers)
    title_row(ws, 1, f"{township.committee_name or township.name}{year}年度党费上缴汇总表", last)
    put_text(ws, 2, 1, "单位：元；空白为未上缴，“逾期”为未按期上缴。")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    header_row(ws, 3, headers)
    ws.freeze_panes = ws.cell(row=4, column=2)
    row = 3
    for b in branches:
        row += 1
        put_text(ws, row, 1, b.village.name)
        for i, p in enumerate(b.periods):
            if p.remittance:
                put_money(ws, row, 2 + i, p.remittance.amount)
            elif p.late:
                put_text(ws, row, 2 + i, "逾期")
        put_money(ws, row, 2 + len(labels), b.collected_total)
        put_money(ws, row, 3 + len(labels), b.remitted_total)
        ws.cell(row=row, column=4 + len(labels), value=b.late_count)
    row += 1
    put_text(ws, row, 1, "合计").font = BOLD
    for i in range(len(labels)):
        total = sum((b.periods[i].remittance.amount for b in branches if b.periods[i].remittance), 0)
        put_money(ws, row, 2 + i, total).font = BOLD
    put_money(ws, row, 2 + len(labels), sum((b.collected_total for b in branches), 0)).font = BOLD
    put_money(ws, row, 3 + len(labels), sum((b.remitted_total for b in branches), 0)).font = BOLD
    borders(ws, 3, row, last)
    row += 2
    put_text(ws, row, 1, "经办人（签名）：　　　　　　　　组织委员（签名）：　　　　　　　　日期：" + date_text(None))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    a4(ws, landscape=True, title_rows="1:3")
    return _save(wb)


def arrears_workbook(village, arrears: list[Arrear], as_of) -> bytes:
    """The arrears list: whom each group leader reminds, and who goes to the branch committee."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党费欠交名单"
    headers = [
        ("序号", 5),
        ("姓名", 10),
        ("所在党小组", 18),
        ("党小组长", 10),
        ("连续欠交（月）", 9),
        ("欠交月份", 34),
        ("欠交金额（元）", 11),
        ("处理", 22),
    ]
    last = len(headers)
    title_row(ws, 1, f"{village.name}党支部党费欠交名单", last)
    rule = "连续3个月未交由党小组长提醒，连续6个月未交且无正当理由报支委会（党章第九条）。"
    put_text(ws, 2, 1, f"截至{date_text(as_of)}；{rule}")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    header_row(ws, 3, headers)
    row = 3
    for n, a in enumerate(arrears, start=1):
        row += 1
        ws.cell(row=row, column=1, value=n)
        put_text(ws, row, 2, a.member.name)
        put_text(ws, row, 3, a.party_group)
        put_text(ws, row, 4, a.leader)
        ws.cell(row=row, column=5, value=a.in_a_row)
        put_text(ws, row, 6, "、".join(f"{m.year}.{m.month}" for m in a.unpaid_months))
        put_money(ws, row, 7, a.owed)
        put_text(ws, row, 8, "报支委会研究" if a.flagged else "党小组长提醒")
    borders(ws, 3, max(row, 3), last)
    row += 2
    put_text(ws, row, 1, "支部书记（签名）：　　　　　　　　日期：" + date_text(None))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    a4(ws, landscape=True, title_rows="1:3")
    return _save(wb)
